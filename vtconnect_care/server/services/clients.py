"""Client records for the portal and its API: list, create, edit, status (R-CLIENT-*, R-STATUS-*).

Who may see a client is in client_access, associations in client_associations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import ClientStatus
from vtconnect_care.domain.registration import (
    client_field_errors,
    parse_date,
)
from vtconnect_care.domain.roles import (
    can_see_client,
)

from .. import audit
from ..errors import ApiError, validation
from ..mail import outbox
from ..models import Account, Association, Client, Department, Staff
from ..security import TokenPurpose
from ..settings import Settings
from . import accounts, tokens
from .client_access import client_department_ids, manager_view, visible_client
from .client_associations import (
    Wanted,
    apply_client_associations,
    auto_practitioner,
    resolve_associations,
)

STATUSES = tuple(s.value for s in ClientStatus)
EMAIL_IN_USE = "Another account already uses this email address."


def email_taken(db: Session, org_id: int, email: str, *, exclude_id: int | None = None) -> bool:
    stmt = select(Account.id).where(
        Account.organization_id == org_id, func.lower(Account.email) == email.strip().lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(Account.id != exclude_id)
    return db.scalar(stmt.limit(1)) is not None


def summary(client: Client) -> dict:
    return {
        "id": client.id,
        "username": client.username,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "full_name": client.full_name,
        "email": client.email,
        "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else None,
        "phone": client.phone,
        "status": client.status,
        "active": client.status == ClientStatus.ACTIVE,
        "email_confirmed": client.email_confirmed,
        "self_registered": client.self_registered,
        "credentials_set": client.password_hash is not None,
        "associations": [
            {
                "practitioner_id": a.practitioner_id,
                "practitioner_name": a.practitioner.full_name,
                "department_id": a.department_id,
                "department_name": a.department.name,
            }
            for a in sorted(client.associations, key=lambda a: a.practitioner.last_name)
        ],
    }


def list_clients(
    db: Session, actor: Account, *, status: str = "active", query: str | None = None
) -> list[Client]:
    """R-STATUS-1: Active by default; Inactive and Pending views; search by name."""
    view = manager_view(actor)
    if status not in STATUSES:
        raise validation({"status": "Choose Active, Inactive or Pending."})
    stmt = select(Client).where(
        Client.organization_id == actor.organization_id, Client.status == status
    )
    if query and query.strip():
        like = f"%{query.strip().lower()[:100]}%"
        full = func.lower(Client.first_name + " " + Client.last_name)
        stmt = stmt.where(
            or_(
                full.like(like),
                func.lower(Client.last_name).like(like),
                func.lower(func.coalesce(Client.username, "")).like(like),
                func.lower(func.coalesce(Client.email, "")).like(like),
            )
        )
    rows = db.scalars(stmt.order_by(Client.last_name, Client.first_name, Client.id)).all()
    return [c for c in rows if can_see_client(view, client_department_ids(c))]


def check_fields(
    db: Session, org_id: int, data: dict, now: datetime, *, exclude_id: int | None = None
) -> dict[str, str]:
    errors = client_field_errors(
        first_name=data.get("first_name"),
        last_name=data.get("last_name"),
        email=data.get("email"),
        date_of_birth=data.get("date_of_birth"),
        today=now.date(),
    )
    email = (data.get("email") or "").strip()
    if "email" not in errors and email_taken(db, org_id, email, exclude_id=exclude_id):
        errors["email"] = EMAIL_IN_USE
    phone = (data.get("phone") or "").strip()
    if len(phone) > 40:
        errors["phone"] = messages.at_most(40)
    return errors


def create_client(
    db: Session, settings: Settings, actor: Account, data: dict, wanted: list[Wanted]
) -> Client:
    """Create New (R-CLIENT-2) with associations; email the credential set-up link (R-CLIENT-3)."""
    view = manager_view(actor)
    now = settings.clock.now()
    org = actor.organization
    errors = check_fields(db, org.id, data, now)
    pairs, assoc_errors = resolve_associations(db, view, org.id, wanted)
    errors.update(assoc_errors)
    if errors:
        raise validation(errors)
    auto = auto_practitioner(db, org)
    if auto is not None and not pairs:
        pairs = [auto]
    client = Client(
        organization_id=org.id,
        username=None,
        email=data["email"].strip(),
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        date_of_birth=parse_date(data["date_of_birth"]),
        phone=(data.get("phone") or "").strip() or None,
        status=ClientStatus.ACTIVE.value,
        email_confirmed=True,
        self_registered=False,
        created_at=now,
    )
    client.associations = []
    db.add(client)
    db.flush()
    for practitioner, dept_id in pairs:
        client.associations.append(
            Association(practitioner_id=practitioner.id, department_id=dept_id, created_at=now)
        )
    send_setup_link(db, settings, client, now=now)
    audit.record(
        db,
        now=now,
        action="client_created",
        actor=actor,
        object_type="client",
        object_id=client.id,
        associations=[[p.id, d] for p, d in pairs],
    )
    db.commit()
    return client


def send_setup_link(db: Session, settings: Settings, client: Client, *, now: datetime) -> None:
    """R-CLIENT-3: a link to choose a username and password."""
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.CREDENTIAL_SETUP,
        now=now,
        ttl=settings.setup_link_ttl,
        account_id=client.id,
        replace_earlier=True,
    )
    url = f"{settings.base_url}/setup-account?token={raw}"
    assert client.email
    outbox.enqueue(
        db,
        now=now,
        to=client.email,
        template="client_setup",
        links=[url],
        url=url,
        first_name=client.first_name,
        org_name=client.organization.name,
        ttl_days=settings.setup_link_ttl.days,
    )


def resend_setup_link(db: Session, settings: Settings, actor: Account, client_id: int) -> Client:
    """R-CLIENT-3 again, for a client whose link expired; earlier links stop working."""
    _, client = visible_client(db, actor, client_id)
    if client.password_hash is not None:
        raise ApiError(
            409, "credentials_set", "This client has already chosen a username and password."
        )
    now = settings.clock.now()
    send_setup_link(db, settings, client, now=now)
    audit.record(
        db,
        now=now,
        action="setup_link_sent",
        actor=actor,
        object_type="client",
        object_id=client.id,
    )
    db.commit()
    return client


def update_client(
    db: Session,
    settings: Settings,
    actor: Account,
    client_id: int,
    data: dict,
    wanted: list[Wanted] | None = None,
) -> Client:
    """Edit: fields, the Active checkbox (R-STATUS-2) and associations (R-ASSOC-4)."""
    view, client = visible_client(db, actor, client_id)
    now = settings.clock.now()
    merged = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "date_of_birth": client.date_of_birth,
        "phone": client.phone,
    }
    merged.update({k: v for k, v in data.items() if k in merged and v is not None})
    errors = check_fields(db, client.organization_id, merged, now, exclude_id=client.id)
    pairs: list[tuple[Staff, int]] = []
    if wanted is not None:
        pairs, assoc_errors = resolve_associations(db, view, client.organization_id, wanted)
        errors.update(assoc_errors)
    if errors:
        raise validation(errors)
    changed = []
    for key in ("first_name", "last_name", "email", "phone"):
        value = str(merged[key] or "").strip() or None
        if key != "phone":
            value = value or ""
        if getattr(client, key) != value:
            setattr(client, key, value)
            changed.append(key)
    dob = parse_date(merged["date_of_birth"])
    if client.date_of_birth != dob:
        client.date_of_birth = dob
        changed.append("date_of_birth")
    active = data.get("active")
    if active is not None:
        _set_active(db, client, bool(active), now=now, actor=actor)
    assoc_changes = (
        apply_client_associations(db, view, client, pairs, now=now) if wanted is not None else []
    )
    audit.record(
        db,
        now=now,
        action="client_updated",
        actor=actor,
        object_type="client",
        object_id=client.id,
        fields=changed,
        associations=assoc_changes,
        status=client.status,
    )
    db.commit()
    return client


def _set_active(db: Session, client: Client, active: bool, *, now: datetime, actor: Account):
    """R-STATUS-2: the Active box moves a client between Active and Inactive."""
    before = client.status
    if active and before == ClientStatus.INACTIVE:
        client.status = ClientStatus.ACTIVE.value
    elif not active and before != ClientStatus.INACTIVE:
        client.status = ClientStatus.INACTIVE.value
        accounts.revoke_sessions(db, account_id=client.id, now=now)
    if client.status != before:
        audit.record(
            db,
            now=now,
            action="client_status_changed",
            actor=actor,
            object_type="client",
            object_id=client.id,
            before=before,
            after=client.status,
        )


def approve(db: Session, settings: Settings, actor: Account, client_id: int) -> Client:
    """R-STATUS-3: "Approve this Account" moves a Pending client to Active."""
    _, client = visible_client(db, actor, client_id)
    if client.status != ClientStatus.PENDING:
        raise ApiError(409, "not_pending", "Only a Pending client account can be approved.")
    now = settings.clock.now()
    client.status = ClientStatus.ACTIVE.value
    if client.email:  # they are told they can now sign in (issue 15)
        url = f"{settings.base_url}/login"
        outbox.enqueue(
            db,
            now=now,
            to=client.email,
            template="client_approved",
            links=[url],
            url=url,
            first_name=client.first_name,
            username=client.username,
            org_name=client.organization.name,
        )
    audit.record(
        db,
        now=now,
        action="client_approved",
        actor=actor,
        object_type="client",
        object_id=client.id,
    )
    db.commit()
    return client


def delete(db: Session, settings: Settings, actor: Account, client_id: int) -> None:
    """R-STATUS-4: delete (the page asks for confirmation first), audited."""
    _, client = visible_client(db, actor, client_id)
    now = settings.clock.now()
    audit.record(
        db,
        now=now,
        action="client_deleted",
        actor=actor,
        object_type="client",
        object_id=client.id,
        name=client.full_name,
        username=client.username,
    )
    db.delete(client)
    db.commit()


def departments(db: Session, org_id: int) -> list[Department]:
    return list(
        db.scalars(
            select(Department).where(Department.organization_id == org_id).order_by(Department.name)
        ).all()
    )
