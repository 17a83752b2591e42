"""Staff accounts (issue 15): add a staff member (emailed a link to choose username and
password, as a client is: R-CLIENT-3), change their roles and departments, resend the link.

Who may do which is domain/staff_admin.py's; the Practitioner box, licence and associations
are staff_admin.update_staff's; deactivation is device_sessions.set_staff_active's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import staff_admin as rules
from vtconnect_care.domain.errors import Refusal
from vtconnect_care.domain.roles import Role

from .. import audit
from ..errors import ApiError, validation
from ..mail import outbox
from ..models import Account, Association, Department, Staff
from ..security import TokenPurpose
from ..settings import Settings
from . import accounts, tokens
from .client_access import manager_view
from .clients import EMAIL_IN_USE, email_taken
from .staff_admin import visible_staff

ROLE_FLAGS = {
    Role.ORG_ADMIN: "is_org_admin",
    Role.DEPT_ADMIN: "is_dept_admin",
    Role.CARE_COORDINATOR: "is_care_coordinator",
}
STILL_ASSOCIATED = (
    "{name} still has client associations in {department}: move or remove them first."
)


def _departments(
    db: Session, org_id: int, raw: Iterable[object]
) -> tuple[list[Department], str | None]:
    """The organisation's departments with these ids; an error when one is not among them."""
    ids: set[int] = set()
    for value in raw:
        try:
            ids.add(int(str(value)[:12]))
        except ValueError:
            return [], rules.NOT_A_DEPARTMENT
    if not ids:
        return [], None
    found = db.scalars(
        select(Department).where(Department.organization_id == org_id, Department.id.in_(ids))
    ).all()
    if len(found) != len(ids):
        return [], rules.NOT_A_DEPARTMENT
    return sorted(found, key=lambda d: d.name), None


def create_staff(db: Session, settings: Settings, actor: Account, data: dict) -> Staff:
    """Add a staff member: names, email, roles, departments, the Practitioner box and licence;
    they are emailed a link to choose their username and password."""
    view = manager_view(actor)
    now = settings.clock.now()
    org_id = actor.organization_id
    roles, role_error = rules.parse_roles(data.get("roles") or [])
    departments, dept_error = _departments(db, org_id, data.get("department_ids") or [])
    is_practitioner = bool(data.get("is_practitioner"))
    licence = str(data.get("licence") or "").strip() or None
    refusal = rules.new_staff_refusal(
        view,
        roles=roles,
        department_ids=frozenset(d.id for d in departments),
        licence=licence is not None,
    )
    if refusal is not None:
        audit.refuse(
            db, refusal, now=now, action="staff_create_refused", actor=actor, object_type="staff"
        )
    errors = rules.staff_field_errors(
        first_name=data.get("first_name"),
        last_name=data.get("last_name"),
        email=data.get("email"),
        department_count=len(departments),
        is_practitioner=is_practitioner,
        licence=licence,
    )
    if role_error:
        errors["roles"] = role_error
    if dept_error:
        errors["departments"] = dept_error
    email = str(data.get("email") or "").strip()
    if "email" not in errors and email_taken(db, org_id, email):
        errors["email"] = EMAIL_IN_USE  # this organisation's accounts only: nothing elsewhere
    if errors:
        raise validation(errors)
    person = Staff(
        organization_id=org_id,
        username=None,
        email=email,
        first_name=str(data["first_name"]).strip(),
        last_name=str(data["last_name"]).strip(),
        created_at=now,
        is_practitioner=is_practitioner,
        licence=licence,
        notify_new_clients=bool(data.get("notify_new_clients", True)),
        active=True,
        **{flag: role in roles for role, flag in ROLE_FLAGS.items()},
    )
    person.departments = departments
    db.add(person)
    db.flush()
    send_setup_link(db, settings, person, now=now)
    audit.record(
        db,
        now=now,
        action="staff_created",
        actor=actor,
        object_type="staff",
        object_id=person.id,
        roles=sorted(r.value for r in roles),
        departments=[d.id for d in departments],
        practitioner=is_practitioner,
    )
    if licence:  # what lets a practitioner host: its own audit line, as on an edit
        audit.record(
            db,
            now=now,
            action="licence_granted",
            actor=actor,
            object_type="staff",
            object_id=person.id,
            old=None,
            new=licence,
        )
    db.commit()
    return person


def change_roles(
    db: Session,
    settings: Settings,
    actor: Account,
    staff_id: int,
    *,
    roles: Iterable[str],
    department_ids: Iterable[object],
) -> Staff:
    """Set a staff member's roles and departments, within domain/staff_admin.py's rules."""
    view, person = visible_staff(db, actor, staff_id)
    now = settings.clock.now()
    wanted_roles, role_error = rules.parse_roles(roles)
    departments, dept_error = _departments(db, person.organization_id, department_ids)
    if role_error or dept_error:
        raise validation(
            {k: v for k, v in (("roles", role_error), ("departments", dept_error)) if v}
        )
    target = accounts.staff_view(person)
    wanted_depts = frozenset(d.id for d in departments)
    refusal = rules.staff_change_refusal(
        view, target, roles=wanted_roles, department_ids=wanted_depts
    )
    if refusal is not None:
        audit.refuse(
            db,
            refusal,
            now=now,
            action="staff_roles_refused",
            actor=actor,
            object_type="staff",
            object_id=person.id,
        )
    errors: dict[str, str] = {}
    if not departments:
        errors["departments"] = rules.CHOOSE_A_DEPARTMENT
    for dept in person.departments:
        if dept.id not in wanted_depts and _has_associations(db, person.id, dept.id):
            errors["departments"] = STILL_ASSOCIATED.format(
                name=person.full_name, department=dept.name
            )  # R-ASSOC-3: each association names one of the practitioner's departments
    if errors:
        raise validation(errors)
    before = {
        "roles": sorted(r.value for r in target.roles),
        "departments": sorted(target.department_ids),
    }
    for role, flag in ROLE_FLAGS.items():
        setattr(person, flag, role in wanted_roles)
    person.departments = departments
    after = {"roles": sorted(r.value for r in wanted_roles), "departments": sorted(wanted_depts)}
    if after != before:
        audit.record(
            db,
            now=now,
            action="staff_roles_changed",
            actor=actor,
            object_type="staff",
            object_id=person.id,
            before=before,
            after=after,
        )
    db.commit()
    return person


def _has_associations(db: Session, staff_id: int, department_id: int) -> bool:
    return (
        db.scalar(
            select(Association.id)
            .where(
                Association.practitioner_id == staff_id,
                Association.department_id == department_id,
            )
            .limit(1)
        )
        is not None
    )


def send_setup_link(db: Session, settings: Settings, person: Staff, *, now: datetime) -> None:
    """The staff member's link to choose a username and password (the client's set-up page)."""
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.CREDENTIAL_SETUP,
        now=now,
        ttl=settings.setup_link_ttl,
        account_id=person.id,
        replace_earlier=True,
    )
    url = f"{settings.base_url}/setup-account?token={raw}"
    assert person.email
    view = accounts.staff_view(person)
    labels = [rules.ROLE_LABELS[r] for r in Role if r in view.roles]
    if person.is_practitioner:
        labels.append("Practitioner")
    outbox.enqueue(
        db,
        now=now,
        to=person.email,
        template="staff_setup",
        links=[url],
        url=url,
        first_name=person.first_name,
        org_name=person.organization.name,
        roles=", ".join(labels),
        ttl_days=settings.setup_link_ttl.days,
    )


def resend_setup_link(db: Session, settings: Settings, actor: Account, staff_id: int) -> Staff:
    """A new link for a staff member who has not chosen credentials; earlier links stop."""
    view, person = visible_staff(db, actor, staff_id)
    now = settings.clock.now()
    if not rules.can_administer(view, accounts.staff_view(person)) or person.id == view.id:
        audit.refuse(
            db,
            Refusal("forbidden", rules.STAFF_ADMIN_ONLY),
            now=now,
            action="staff_setup_link_refused",
            actor=actor,
            object_type="staff",
            object_id=person.id,
        )
    if person.password_hash is not None:
        raise ApiError(
            409, "credentials_set", "This staff member has already chosen a username and password."
        )
    send_setup_link(db, settings, person, now=now)
    audit.record(
        db, now=now, action="setup_link_sent", actor=actor, object_type="staff", object_id=person.id
    )
    db.commit()
    return person
