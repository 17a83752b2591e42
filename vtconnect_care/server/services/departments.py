"""Departments (issue 15): list them with their staff counts; an Org Admin creates and renames
them (domain/staff_admin.department_refusal)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vtconnect_care.domain import staff_admin as rules

from .. import audit
from ..errors import not_found, validation
from ..models import Account, Department, StaffDepartment
from ..settings import Settings
from .client_access import manager_view


def listing(db: Session, actor: Account) -> list[dict]:
    """Every department of the organisation (managers see the whole list: names only)."""
    manager_view(actor)
    counts = dict(
        db.execute(
            select(StaffDepartment.department_id, func.count(StaffDepartment.staff_id)).group_by(
                StaffDepartment.department_id
            )
        ).all()
    )
    rows = db.scalars(
        select(Department)
        .where(Department.organization_id == actor.organization_id)
        .order_by(Department.name)
    ).all()
    return [{"id": d.id, "name": d.name, "staff_count": counts.get(d.id, 0)} for d in rows]


def _check(db: Session, settings: Settings, actor: Account, *, action: str, object_id=None):
    view = manager_view(actor)
    refusal = rules.department_refusal(view)
    if refusal is not None:
        audit.refuse(
            db,
            refusal,
            now=settings.clock.now(),
            action=action,
            actor=actor,
            object_type="department",
            object_id=object_id,
        )


def _name_error(db: Session, org_id: int, name: str, *, exclude_id: int | None = None):
    stmt = select(Department.id).where(
        Department.organization_id == org_id,
        func.lower(Department.name) == name.strip().lower(),
    )
    if exclude_id is not None:
        stmt = stmt.where(Department.id != exclude_id)
    taken = bool(name.strip()) and db.scalar(stmt.limit(1)) is not None
    return rules.department_name_error(name, taken=taken)


def create(db: Session, settings: Settings, actor: Account, *, name: str) -> Department:
    _check(db, settings, actor, action="department_create_refused")
    problem = _name_error(db, actor.organization_id, name)
    if problem:
        raise validation({"name": problem})
    now = settings.clock.now()
    dept = Department(organization_id=actor.organization_id, name=name.strip())
    db.add(dept)
    db.flush()
    audit.record(
        db,
        now=now,
        action="department_created",
        actor=actor,
        object_type="department",
        object_id=dept.id,
        name=dept.name,
    )
    db.commit()
    return dept


def rename(
    db: Session, settings: Settings, actor: Account, department_id: int, *, name: str
) -> Department:
    dept = db.get(Department, department_id)
    if dept is None or dept.organization_id != actor.organization_id:
        manager_view(actor)  # a non-manager hears 403, as everywhere, before any 404
        raise not_found()
    _check(db, settings, actor, action="department_rename_refused", object_id=dept.id)
    problem = _name_error(db, actor.organization_id, name, exclude_id=dept.id)
    if problem:
        raise validation({"name": problem})
    old = dept.name
    if name.strip() != old:
        dept.name = name.strip()
        audit.record(
            db,
            now=settings.clock.now(),
            action="department_renamed",
            actor=actor,
            object_type="department",
            object_id=dept.id,
            old=old,
            new=dept.name,
        )
    db.commit()
    return dept


def get(db: Session, actor: Account, department_id: int) -> Department:
    manager_view(actor)
    dept = db.get(Department, department_id)
    if dept is None or dept.organization_id != actor.organization_id:
        raise not_found()
    return dept
