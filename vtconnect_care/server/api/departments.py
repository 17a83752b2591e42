"""JSON API for departments (issue 15): list; an Org Admin creates and renames them."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..services import departments
from .bounds import PathId
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/departments", tags=["departments"])


class DepartmentIn(BaseModel):
    name: str = Field(max_length=300)


def _out(dept) -> dict:
    return {"id": dept.id, "name": dept.name}


@router.get("")
def list_departments(actor: CurrentAccount, db: DbDep) -> dict:
    return {"departments": departments.listing(db, actor)}


@router.post("", status_code=201)
def create_department(
    body: DepartmentIn, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    return _out(departments.create(db, settings, actor, name=body.name))


@router.patch("/{department_id}")
def rename_department(
    department_id: PathId,
    body: DepartmentIn,
    actor: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
) -> dict:
    return _out(departments.rename(db, settings, actor, department_id, name=body.name))
