"""JSON API for staff records: add staff, roles and departments (issue 15), the Practitioner
box and client associations."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..services import staff_accounts, staff_admin
from ..services.client_access import manager_view
from ..services.client_associations import Wanted
from .bounds import Id, PathId
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/staff", tags=["staff"])


class StaffAssociationIn(BaseModel):
    client_id: Id
    department_id: Id | None = None


class StaffPatch(BaseModel):
    is_practitioner: bool | None = None
    licence: str | None = Field(None, max_length=200)
    notify_new_clients: bool | None = None
    associations: list[StaffAssociationIn] | None = Field(None, max_length=500)


class StaffIn(BaseModel):
    first_name: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    roles: list[str] = Field(default_factory=list, max_length=10)
    department_ids: list[Id] = Field(default_factory=list, max_length=200)
    is_practitioner: bool = False
    licence: str | None = Field(None, max_length=200)
    notify_new_clients: bool = True


class StaffRolesIn(BaseModel):
    roles: list[str] = Field(max_length=10)
    department_ids: list[Id] = Field(max_length=200)


class StaffAssociationsIn(BaseModel):
    associations: list[StaffAssociationIn] = Field(max_length=500)


def _wanted(items: list[StaffAssociationIn]) -> list[Wanted]:
    return [Wanted(a.client_id, a.department_id) for a in items]


@router.get("")
def list_staff(actor: CurrentAccount, db: DbDep) -> dict:
    rows = staff_admin.list_staff(db, actor)
    view = manager_view(actor)
    return {"staff": [staff_admin.summary(db, s, viewer=view) for s in rows]}


@router.post("", status_code=201)
def create_staff(body: StaffIn, actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    """Issue 15: the new staff member is emailed a link to choose username and password."""
    person = staff_accounts.create_staff(db, settings, actor, body.model_dump())
    return staff_admin.summary(db, person, viewer=manager_view(actor))


@router.get("/{staff_id}")
def read_staff(staff_id: PathId, actor: CurrentAccount, db: DbDep) -> dict:
    view, person = staff_admin.visible_staff(db, actor, staff_id)
    return staff_admin.summary(db, person, viewer=view)


@router.patch("/{staff_id}")
def update_staff(
    staff_id: PathId, body: StaffPatch, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    """R-ASSOC-2, R-ASSOC-3."""
    data = body.model_dump(exclude={"associations"}, exclude_none=True)
    wanted = _wanted(body.associations) if body.associations is not None else None
    person = staff_admin.update_staff(db, settings, actor, staff_id, data, wanted)
    return staff_admin.summary(db, person, viewer=manager_view(actor))


@router.put("/{staff_id}/associations")
def set_associations(
    staff_id: PathId,
    body: StaffAssociationsIn,
    actor: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
) -> dict:
    """R-ASSOC-4 from the staff record."""
    person = staff_admin.set_associations(db, settings, actor, staff_id, _wanted(body.associations))
    return staff_admin.summary(db, person, viewer=manager_view(actor))


@router.put("/{staff_id}/roles")
def set_roles(
    staff_id: PathId, body: StaffRolesIn, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    """Issue 15: roles and departments, by domain/staff_admin.py's rules."""
    person = staff_accounts.change_roles(
        db, settings, actor, staff_id, roles=body.roles, department_ids=body.department_ids
    )
    return staff_admin.summary(db, person, viewer=manager_view(actor))


@router.post("/{staff_id}/setup-link")
def resend_setup_link(
    staff_id: PathId, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    person = staff_accounts.resend_setup_link(db, settings, actor, staff_id)
    return staff_admin.summary(db, person, viewer=manager_view(actor))
