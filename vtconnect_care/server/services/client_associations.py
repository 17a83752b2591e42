"""Client-practitioner associations: who may be associated, by whom, in which department.

R-ASSOC-1 (managers act in their own departments), R-ASSOC-2 (practitioners only), R-ASSOC-3
(one department per association), R-ASSOC-4 (edited from either record), R-CLIENT-6 (the
individual practitioner is associated automatically).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.registration import association_department
from vtconnect_care.domain.roles import StaffView, can_act_in_department, can_be_associated

from .. import audit
from ..errors import forbidden, validation
from ..models import Account, Association, Client, Organization, Staff
from ..settings import Settings
from . import accounts
from .client_access import visible_client


@dataclass(frozen=True)
class Wanted:
    """One requested association: a practitioner (or client) and maybe a department."""

    other_id: int
    department_id: int | None = None


def practitioners_for(db: Session, actor: Account, view: StaffView) -> list[Staff]:
    """Practitioners this manager may associate clients with (R-ASSOC-1, R-ASSOC-2)."""
    rows = db.scalars(
        select(Staff)
        .where(Staff.organization_id == actor.organization_id, Staff.is_practitioner.is_(True))
        .order_by(Staff.last_name, Staff.first_name)
    ).all()
    return [s for s in rows if any(can_act_in_department(view, d.id) for d in s.departments)]


def resolve_associations(
    db: Session,
    view: StaffView,
    org_id: int,
    wanted: list[Wanted],
    *,
    field: str = "associations",
) -> tuple[list[tuple[Staff, int]], dict[str, str]]:
    """Check requested (practitioner, department) pairs: R-ASSOC-1, R-ASSOC-2, R-ASSOC-3."""
    out: list[tuple[Staff, int]] = []
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for item in wanted:
        key = f"{field}.{item.other_id}"
        practitioner = db.get(Staff, item.other_id)
        if practitioner is None or practitioner.organization_id != org_id:
            errors[key] = "We could not find that practitioner."
            continue
        if item.other_id in seen:
            errors[key] = "Each practitioner can be chosen once."
            continue
        seen.add(item.other_id)
        if not can_be_associated(accounts.staff_view(practitioner)):
            errors[key] = (
                f"{practitioner.full_name} does not have the practitioner role, so clients "
                "cannot be associated with them."
            )
            continue
        dept_id, problem = association_department(
            {d.id for d in practitioner.departments}, item.department_id
        )
        if problem or dept_id is None:
            errors[key] = problem or messages.CHOOSE_DEPARTMENT
            continue
        if not can_act_in_department(view, dept_id):
            raise forbidden(messages.ASSOCIATE_OWN_DEPARTMENTS)
        out.append((practitioner, dept_id))
    return out, errors


def apply_client_associations(
    db: Session,
    view: StaffView,
    client: Client,
    pairs: list[tuple[Staff, int]],
    *,
    now: datetime,
) -> list[dict]:
    """Replace the associations this manager controls; others' departments stay untouched."""
    changes: list[dict] = []
    wanted = {p.id: d for p, d in pairs}
    for assoc in list(client.associations):
        if not can_act_in_department(view, assoc.department_id):
            if assoc.practitioner_id in wanted:
                wanted.pop(assoc.practitioner_id)  # kept as it is: not this manager's to change
            continue
        target = wanted.pop(assoc.practitioner_id, None)
        if target is None:
            client.associations.remove(assoc)
            changes.append({"removed": assoc.practitioner_id, "department": assoc.department_id})
        elif target != assoc.department_id:
            assoc.department_id = target
            changes.append({"moved": assoc.practitioner_id, "department": target})
    for practitioner_id, dept_id in wanted.items():
        client.associations.append(
            Association(practitioner_id=practitioner_id, department_id=dept_id, created_at=now)
        )
        changes.append({"added": practitioner_id, "department": dept_id})
    return changes


def auto_practitioner(db: Session, org: Organization) -> tuple[Staff, int] | None:
    """R-CLIENT-6: the individual practitioner and their department."""
    if not org.individual_practitioner:
        return None
    practitioner = db.scalar(
        select(Staff)
        .where(Staff.organization_id == org.id, Staff.is_practitioner.is_(True))
        .order_by(Staff.id)
        .limit(1)
    )
    if practitioner is None or not practitioner.departments:
        return None
    return practitioner, practitioner.departments[0].id


def set_associations(
    db: Session, settings: Settings, actor: Account, client_id: int, wanted: list[Wanted]
) -> Client:
    """R-ASSOC-4: associations edited from the client record."""
    view, client = visible_client(db, actor, client_id)
    now = settings.clock.now()
    pairs, errors = resolve_associations(db, view, client.organization_id, wanted)
    if errors:
        raise validation(errors)
    changes = apply_client_associations(db, view, client, pairs, now=now)
    audit.record(
        db,
        now=now,
        action="client_associations_changed",
        actor=actor,
        object_type="client",
        object_id=client.id,
        associations=changes,
    )
    db.commit()
    return client
