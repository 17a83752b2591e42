"""Staff records in the Office Portal: the Practitioner box and client associations (R-ASSOC-*)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.registration import association_department
from vtconnect_care.domain.roles import (
    StaffView,
    can_act_in_department,
    can_see_client,
    can_see_staff,
    sees_department,
    staff_edit_refusal,
)

from .. import audit
from ..errors import forbidden, not_found, validation
from ..models import Account, Association, Client, Staff
from ..settings import Settings
from . import accounts
from .client_access import client_department_ids, manager_view
from .client_associations import Wanted

NEEDS_PRACTITIONER = (
    "To add client associations, the staff member must be assigned the practitioner role: "
    'click "Edit", check the "Practitioner" box and "Save" first.'
)


def visible_staff(db: Session, actor: Account, staff_id: int) -> tuple[StaffView, Staff]:
    view = manager_view(actor)
    person = db.get(Staff, staff_id)
    if person is None or person.organization_id != actor.organization_id:
        raise not_found()
    if not can_see_staff(view, [d.id for d in person.departments]) and person.id != view.id:
        raise forbidden()
    return view, person


def list_staff(db: Session, actor: Account) -> list[Staff]:
    view = manager_view(actor)
    rows = db.scalars(
        select(Staff)
        .where(Staff.organization_id == actor.organization_id)
        .order_by(Staff.last_name, Staff.first_name)
    ).all()
    return [
        s for s in rows if s.id == view.id or can_see_staff(view, [d.id for d in s.departments])
    ]


def client_associations(db: Session, person: Staff) -> list[Association]:
    return list(
        db.scalars(
            select(Association)
            .where(Association.practitioner_id == person.id)
            .join(Client, Client.id == Association.client_id)
            .order_by(Client.last_name, Client.first_name)
        ).all()
    )


def summary(db: Session, person: Staff, *, viewer: StaffView) -> dict:
    """A staff record as `viewer` may see it: associations of the viewer's departments only
    (issue 12, defect 1: a practitioner's record listed their clients in every department)."""
    view = accounts.staff_view(person)
    return {
        "id": person.id,
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "email": person.email,
        "roles": sorted(r.value for r in view.roles),
        "is_practitioner": person.is_practitioner,
        "licence": person.licence,
        "notify_new_clients": person.notify_new_clients,
        "active": person.active,
        "departments": [{"id": d.id, "name": d.name} for d in person.departments],
        "associations": [
            {
                "client_id": a.client_id,
                "client_name": a.client.full_name,
                "client_status": a.client.status,
                "department_id": a.department_id,
                "department_name": a.department.name,
            }
            for a in client_associations(db, person)
            if sees_department(viewer, [a.department_id])
        ],
    }


def assignable_clients(db: Session, actor: Account, view: StaffView) -> list[Client]:
    rows = db.scalars(
        select(Client)
        .where(Client.organization_id == actor.organization_id)
        .order_by(Client.last_name, Client.first_name)
    ).all()
    return [c for c in rows if can_see_client(view, client_department_ids(c))]


def update_staff(
    db: Session,
    settings: Settings,
    actor: Account,
    staff_id: int,
    data: dict,
    wanted: list[Wanted] | None = None,
) -> Staff:
    """Edit: the "Practitioner" box, licence, notifications; then associations (R-ASSOC-2/3)."""
    view, person = visible_staff(db, actor, staff_id)
    now = settings.clock.now()
    refusal = staff_edit_refusal(view, person.id, _wanted_changes(person, data))  # defect 4
    if refusal is not None:
        audit.refuse(
            db,
            refusal,
            now=now,
            action="staff_update_refused",
            actor=actor,
            object_type="staff",
            object_id=person.id,
        )
    old_licence = person.licence
    errors: dict[str, str] = {}
    changed: list[str] = []
    if data.get("is_practitioner") is not None:
        want = bool(data["is_practitioner"])
        if not want and person.is_practitioner and client_associations(db, person):
            errors["is_practitioner"] = (
                "This practitioner still has client associations: remove them first."
            )
        elif want != person.is_practitioner:
            person.is_practitioner = want
            changed.append("is_practitioner")
    if data.get("licence") is not None:
        licence = str(data["licence"]).strip() or None
        if licence and len(licence) > 100:
            errors["licence"] = messages.at_most(100)
        elif licence != person.licence:
            person.licence = licence
            changed.append("licence")
    if data.get("notify_new_clients") is not None:
        flag = bool(data["notify_new_clients"])
        if flag != person.notify_new_clients:
            person.notify_new_clients = flag
            changed.append("notify_new_clients")
    assoc_changes: list[dict] = []
    if wanted is not None and not errors:
        assoc_changes, assoc_errors = _apply_staff_associations(db, view, person, wanted, now=now)
        errors.update(assoc_errors)
    if errors:
        db.rollback()
        raise validation(errors)
    if "licence" in changed:  # what lets a practitioner host: its own audit line
        audit.record(
            db,
            now=now,
            action="licence_granted" if person.licence else "licence_removed",
            actor=actor,
            object_type="staff",
            object_id=person.id,
            old=old_licence,
            new=person.licence,
        )
    audit.record(
        db,
        now=now,
        action="staff_updated",
        actor=actor,
        object_type="staff",
        object_id=person.id,
        fields=changed,
        associations=assoc_changes,
    )
    db.commit()
    return person


def _wanted_changes(person: Staff, data: dict) -> set[str]:
    """The protected fields this edit would change (the same tests as update_staff's)."""
    out = set()
    if data.get("is_practitioner") is not None and bool(data["is_practitioner"]) != (
        person.is_practitioner
    ):
        out.add("is_practitioner")
    if data.get("licence") is not None and (str(data["licence"]).strip() or None) != (
        person.licence
    ):
        out.add("licence")
    if data.get("roles") is not None:
        out.add("roles")
    return out


def set_associations(
    db: Session, settings: Settings, actor: Account, staff_id: int, wanted: list[Wanted]
) -> Staff:
    return update_staff(db, settings, actor, staff_id, {}, wanted)


def _apply_staff_associations(
    db: Session, view: StaffView, person: Staff, wanted: list[Wanted], *, now
) -> tuple[list[dict], dict[str, str]]:
    """R-ASSOC-4 from the staff record: the clients this practitioner is associated with."""
    errors: dict[str, str] = {}
    if wanted and not person.is_practitioner:
        return [], {"associations": NEEDS_PRACTITIONER}  # R-ASSOC-2
    dept_ids = {d.id for d in person.departments}
    target: dict[int, int] = {}
    for item in wanted:
        key = f"associations.{item.other_id}"
        client = db.get(Client, item.other_id)
        if client is None or client.organization_id != person.organization_id:
            errors[key] = "We could not find that client."
            continue
        if not can_see_client(view, client_department_ids(client)):
            raise forbidden()
        if item.other_id in target:
            errors[key] = "Each client can be chosen once."
            continue
        dept_id, problem = association_department(dept_ids, item.department_id)  # R-ASSOC-3
        if problem or dept_id is None:
            errors[key] = problem or messages.CHOOSE_DEPARTMENT
            continue
        if not can_act_in_department(view, dept_id):  # R-ASSOC-1
            raise forbidden(messages.ASSOCIATE_OWN_DEPARTMENTS)
        target[item.other_id] = dept_id
    if errors:
        return [], errors
    changes: list[dict] = []
    for assoc in client_associations(db, person):
        if not can_act_in_department(view, assoc.department_id):
            target.pop(assoc.client_id, None)  # another department's: left as it is
            continue
        dept = target.pop(assoc.client_id, None)
        if dept is None:
            db.delete(assoc)
            changes.append({"removed": assoc.client_id, "department": assoc.department_id})
        elif dept != assoc.department_id:
            assoc.department_id = dept
            changes.append({"moved": assoc.client_id, "department": dept})
    for client_id, dept in target.items():
        db.add(
            Association(
                client_id=client_id, practitioner_id=person.id, department_id=dept, created_at=now
            )
        )
        changes.append({"added": client_id, "department": dept})
    db.flush()
    return changes, {}
