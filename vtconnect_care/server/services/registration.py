"""Self-registration at the organisation's portal URL, email confirmation and credential set-up.

R-REG-1..6, R-CLIENT-3, R-CLIENT-4, R-CLIENT-6.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import (
    ClientStatus,
    normalize_username,
    password_error,
    username_error,
)
from vtconnect_care.domain.registration import (
    Choice,
    parse_date,
    practitioner_choice_allowed,
    practitioner_wants_notice,
    registration_outcome,
)
from vtconnect_care.domain.staff_admin import offered_at_registration

from .. import audit
from ..errors import ApiError, not_found, validation
from ..mail import outbox
from ..models import Account, Association, Client, Organization, Staff
from ..security import TokenPurpose, hash_password
from ..settings import Settings
from . import accounts, registration_limits, tokens
from .clients import EMAIL_IN_USE, check_fields

SETUP_LINK_INVALID = (
    "This set-up link is no longer valid: it has expired or has already been used. "
    "Please ask your care provider to send a new one."
)
CONFIRM_LINK_INVALID = (
    "This confirmation link is no longer valid: it has expired or has already been used."
)


@dataclass(frozen=True)
class PractitionerOption:
    """One choice on the registration form: a practitioner in exactly one department."""

    value: str  # "<practitioner id>:<department id>"
    label: str
    practitioner_id: int
    department_id: int


def organization(db: Session, slug: str) -> Organization:
    org = db.scalar(select(Organization).where(Organization.slug == slug[:64]))
    if org is None:
        raise not_found("We could not find that organisation's portal.")
    return org


def practitioner_options(db: Session, org: Organization) -> list[PractitionerOption]:
    rows = db.scalars(
        select(Staff)
        .where(
            Staff.organization_id == org.id,
            Staff.is_practitioner.is_(True),
            Staff.active.is_(True),
        )
        .order_by(Staff.last_name, Staff.first_name)
    ).all()
    out = []
    for person in rows:
        if not offered_at_registration(accounts.staff_view(person), active=person.active):
            continue  # an unlicensed "practitioner" cannot host: not offered (issue 15)
        many = len(person.departments) > 1
        for dept in person.departments:
            label = f"{person.full_name} ({dept.name})" if many else person.full_name
            out.append(PractitionerOption(f"{person.id}:{dept.id}", label, person.id, dept.id))
    return out


def public_info(db: Session, settings: Settings, slug: str) -> dict:
    org = organization(db, slug)
    return {
        "name": org.name,
        "slug": org.slug,
        "individual_practitioner": org.individual_practitioner,
        "not_sure_offered": not org.individual_practitioner,
        "practitioners": [
            {"value": o.value, "label": o.label} for o in practitioner_options(db, org)
        ],
    }


USERNAME_TAKEN = "That username is taken. Please choose another."


@contextmanager
def _username_race(db: Session) -> Iterator[None]:
    """Two people racing for one username: the loser gets the field error, not a 500."""
    try:
        yield
    except IntegrityError as exc:
        db.rollback()
        raise validation({"username": USERNAME_TAKEN}) from exc


def _username_errors(db: Session, username: str | None) -> dict[str, str]:
    if not username or not username.strip():
        return {"username": "Username is required."}
    problem = username_error(username)
    if problem:
        return {"username": problem}
    taken = db.scalar(
        select(Account.id).where(Account.username == normalize_username(username)).limit(1)
    )
    if taken is not None:
        return {"username": USERNAME_TAKEN}
    return {}


def register(
    db: Session, settings: Settings, slug: str, data: dict, *, address: str = "unknown"
) -> Client | None:
    """R-REG-1..6; None when the email address is already in use (answered like a success:
    defect 5, the address's owner is told by email instead)."""
    with _username_race(db):
        return _register(db, settings, slug, data, address)


def _register(
    db: Session, settings: Settings, slug: str, data: dict, address: str
) -> Client | None:
    """R-REG-1..6: create the client, associate or not, tell the right people, ask to confirm."""
    org = organization(db, slug)
    now = settings.clock.now()
    registration_limits.attempt(db, settings, address, now=now)  # defect 5: per address
    errors = check_fields(db, org.id, data, now)
    email_in_use = errors.get("email") == EMAIL_IN_USE
    if email_in_use:
        del errors["email"]  # never said: the owner of the address is emailed instead
    errors.update(_username_errors(db, data.get("username")))
    if errors.get("username") == USERNAME_TAKEN:
        registration_limits.username_taken(db, settings, address, now=now)  # guessing slowed
    password = data.get("password") or ""
    problem = password_error(password, data.get("username"))
    if problem:
        errors["password"] = problem
    elif data.get("password_confirm") is not None and data["password_confirm"] != password:
        errors["password_confirm"] = messages.PASSWORDS_DIFFER
    options = practitioner_options(db, org)
    raw_choice = (data.get("practitioner") or "").strip()
    option: PractitionerOption | None = None
    if org.individual_practitioner:  # R-CLIENT-6
        choice = Choice.AUTOMATIC
        option = options[0] if options else None
        if option is None:
            errors["practitioner"] = "This portal has no practitioner yet."
    elif raw_choice == "not_sure":
        choice = Choice.NOT_SURE
    else:
        choice = Choice.PRACTITIONER
        option = next((o for o in options if o.value == raw_choice), None)
        if option is None:
            errors["practitioner"] = 'Choose a practitioner, or "not sure".'
    if not practitioner_choice_allowed(org.individual_practitioner, choice):
        errors["practitioner"] = "Choose a practitioner."
    if errors:
        db.commit()  # the attempt counters only: nothing else is written yet
        raise validation(errors)
    if email_in_use:
        registration_limits.tell_owner(db, settings, org, data["email"], address, now=now)
        hash_password(password)  # the same costly step as a real sign-up: no timing tell
        db.commit()
        return None
    outcome = registration_outcome(manual_approval=org.manual_approval, choice=choice)
    client = Client(
        organization_id=org.id,
        username=normalize_username(data["username"]),
        email=data["email"].strip(),
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        date_of_birth=parse_date(data["date_of_birth"]),
        status=outcome.status.value,
        email_confirmed=False,
        self_registered=True,
        created_at=now,
    )
    db.add(client)
    db.flush()
    accounts.set_password(db, client, password, now=now)
    practitioner: Staff | None = None
    if outcome.associate and option is not None:
        practitioner = db.get(Staff, option.practitioner_id)
        db.add(
            Association(
                client_id=client.id,
                practitioner_id=option.practitioner_id,
                department_id=option.department_id,
                created_at=now,
            )
        )
    notify_practitioner = outcome.notify_practitioner and practitioner is not None
    # the staff notices go out once the registrant confirms the address (issue 15), not before:
    # the confirmation link carries who is to be told
    send_confirmation(
        db,
        settings,
        client,
        now=now,
        notices={
            "practitioner_id": practitioner.id if notify_practitioner and practitioner else None,
            "org_admins": outcome.notify_org_admins,
            "needs_practitioner": choice is Choice.NOT_SURE,
        },
    )
    audit.record(
        db,
        now=now,
        action="client_registered",
        actor=client,
        object_type="client",
        object_id=client.id,
        choice=choice.value,
        status=client.status,
    )
    db.commit()
    return client


def send_confirmation(
    db: Session, settings: Settings, client: Client, *, now: datetime, notices: dict | None = None
) -> None:
    """R-REG-5: a link to confirm the email address (``notices``: whom to tell once it is)."""
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.EMAIL_CONFIRM,
        now=now,
        ttl=settings.confirm_link_ttl,
        account_id=client.id,
        data={"notices": notices} if notices else None,
        replace_earlier=True,
    )
    url = f"{settings.base_url}/confirm-email?token={raw}"
    assert client.email
    outbox.enqueue(
        db,
        now=now,
        to=client.email,
        template="confirm_email",
        links=[url],
        url=url,
        first_name=client.first_name,
        org_name=client.organization.name,
        ttl_days=settings.confirm_link_ttl.days,
    )


def send_welcome(db: Session, settings: Settings, client: Client, *, now: datetime) -> None:
    """R-CLIENT-4: the three steps to get started."""
    org = client.organization
    url = f"{settings.base_url}/o/{org.slug}/get-started"
    assert client.email
    outbox.enqueue(
        db,
        now=now,
        to=client.email,
        template="client_welcome",
        links=[url],
        url=url,
        first_name=client.first_name,
        username=client.username,
        org_name=org.name,
        pending=client.status == ClientStatus.PENDING,
    )


def _welcome(
    db: Session, settings: Settings, client: Client, *, action: str, now: datetime
) -> Client:
    """The welcome email (R-CLIENT-4) and the audit line, committed with the change."""
    send_welcome(db, settings, client, now=now)
    audit.record(
        db, now=now, action=action, actor=client, object_type="client", object_id=client.id
    )
    db.commit()
    return client


def confirm_email(db: Session, settings: Settings, token: str) -> Client:
    """R-REG-5, then R-CLIENT-4."""
    now = settings.clock.now()
    row = tokens.spend(db, purpose=TokenPurpose.EMAIL_CONFIRM, raw=token, now=now)
    if row is None or not isinstance(row.account, Client):
        raise ApiError(400, "link_invalid", CONFIRM_LINK_INVALID)
    client = row.account
    client.email_confirmed = True
    _tell_staff(db, settings, client, (row.data or {}).get("notices") or {}, now=now)
    return _welcome(db, settings, client, action="email_confirmed", now=now)


def _tell_staff(
    db: Session, settings: Settings, client: Client, notices: dict, *, now: datetime
) -> None:
    """R-REG-3, R-REG-4, R-REG-6: the practitioner and the Org Admins hear of a confirmed
    self-registration (the address is real by now)."""
    org = client.organization
    review_url = f"{settings.base_url}/portal/clients/{client.id}"
    pending = client.status == ClientStatus.PENDING.value
    practitioner = (
        db.get(Staff, notices["practitioner_id"]) if notices.get("practitioner_id") else None
    )
    if practitioner is not None and practitioner.active:
        view = accounts.staff_view(practitioner)
        if practitioner.email and practitioner_wants_notice(
            view.roles, practitioner.notify_new_clients
        ):  # R-REG-3
            outbox.enqueue(
                db,
                now=now,
                to=practitioner.email,
                template="new_client_practitioner",
                links=[review_url],
                url=review_url,
                first_name=practitioner.first_name,
                client_name=client.full_name,
                pending=pending,
                org_name=org.name,
            )
    if notices.get("org_admins"):  # R-REG-4 (and R-REG-6)
        admins = db.scalars(
            select(Staff).where(
                Staff.organization_id == org.id,
                Staff.is_org_admin.is_(True),
                Staff.active.is_(True),
            )
        ).all()
        for admin in admins:
            if admin.email:
                outbox.enqueue(
                    db,
                    now=now,
                    to=admin.email,
                    template="new_client_review",
                    links=[review_url],
                    url=review_url,
                    first_name=admin.first_name,
                    client_name=client.full_name,
                    needs_practitioner=bool(notices.get("needs_practitioner")),
                    pending=pending,
                    org_name=org.name,
                )


def setup_client(db: Session, settings: Settings, token: str) -> Client | Staff:
    """The client (R-CLIENT-3) or staff member (issue 15) behind a live credential set-up
    link, or an error."""
    row = tokens.find(
        db, purpose=TokenPurpose.CREDENTIAL_SETUP, raw=token, now=settings.clock.now()
    )
    if row is None or not isinstance(row.account, Client | Staff):
        raise ApiError(400, "link_invalid", SETUP_LINK_INVALID)
    return row.account


def set_credentials(
    db: Session,
    settings: Settings,
    *,
    token: str,
    username: str,
    password: str,
    password_confirm: str | None = None,
) -> Client | Staff:
    """R-CLIENT-3: choose username and password; then the welcome email (R-CLIENT-4)."""
    with _username_race(db):
        now = settings.clock.now()
        client = setup_client(db, settings, token)
        errors = _username_errors(db, username)
        problem = password_error(password, username)
        if problem:
            errors["password"] = problem
        elif password_confirm is not None and password_confirm != password:
            errors["password_confirm"] = messages.PASSWORDS_DIFFER
        if errors:
            raise validation(errors)
        tokens.spend(db, purpose=TokenPurpose.CREDENTIAL_SETUP, raw=token, now=now)
        client.username = normalize_username(username)
        accounts.set_password(db, client, password, now=now)
        if isinstance(client, Staff):  # staff: no client's "get started" email
            audit.record(
                db,
                now=now,
                action="credentials_set",
                actor=client,
                object_type="staff",
                object_id=client.id,
            )
            db.commit()
            return client
        client.email_confirmed = True
        return _welcome(db, settings, client, action="credentials_set", now=now)
