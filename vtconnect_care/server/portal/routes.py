"""Mount the Office Portal's page routers on the app."""

from __future__ import annotations

from fastapi import FastAPI

from . import public_pages, staff_pages, visit_pages


def install(app: FastAPI) -> None:
    app.include_router(public_pages.router)
    app.include_router(staff_pages.router)
    app.include_router(visit_pages.router)
