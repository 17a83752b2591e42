"""Liveness and readiness: is the process up, and can it reach its database?"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from vtconnect_care import __version__

from .deps import DbDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(db: DbDep) -> dict:
    db.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__, "database": db.bind.dialect.name}
