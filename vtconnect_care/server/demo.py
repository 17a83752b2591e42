"""Demo data (--demo): one organisation with every kind of person; safe to run twice."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .models import (
    Account,
    Appointment,
    Association,
    Client,
    Department,
    Organization,
    Service,
    Staff,
    Visit,
)
from .security import hash_password
from .settings import Settings

log = logging.getLogger("vtconnect.demo")

DEMO_PASSWORD = "VTConnect-demo-1"  # noqa: S105 - printed on purpose; --production refuses --demo
ORG_SLUG = "riverside"

STAFF = [
    # username, first, last, roles, practitioner licence, departments
    ("olivia.admin", "Olivia", "Okafor", {"org_admin"}, None, ["Counselling"]),
    ("dan.deptadmin", "Dan", "Delgado", {"dept_admin"}, None, ["Counselling"]),
    ("cara.coord", "Cara", "Chen", {"care_coordinator"}, None, ["Physiotherapy"]),
    (
        "dr.patel",
        "Priya",
        "Patel",
        {"care_coordinator"},
        "PSY-204518",
        ["Counselling", "Physiotherapy"],
    ),
    ("nurse.kim", "Jin", "Kim", set(), "RN-558120", ["Physiotherapy"]),
    ("frank.frontdesk", "Frank", "Fischer", set(), None, ["Counselling"]),
]

CLIENTS = [
    # username, first, last, status, dob, associations (practitioner, department)
    ("alex.active", "Alex", "Morgan", "active", date(1984, 3, 14), [("dr.patel", "Counselling")]),
    (
        "bea.active",
        "Bea",
        "Lindqvist",
        "active",
        date(1991, 7, 2),
        [("dr.patel", "Physiotherapy"), ("nurse.kim", "Physiotherapy")],
    ),
    (
        "carl.inactive",
        "Carl",
        "Novak",
        "inactive",
        date(1970, 11, 30),
        [("dr.patel", "Counselling")],
    ),
    ("dana.pending", "Dana", "Reyes", "pending", date(2001, 1, 9), []),
    ("eli.unassigned", "Eli", "Brooks", "active", date(1988, 5, 21), []),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def seed(factory: sessionmaker[Session], settings: Settings) -> None:
    now = settings.clock.now()
    with factory() as db, db.begin():
        org = db.scalar(select(Organization).where(Organization.slug == ORG_SLUG))
        if org is None:
            org = Organization(
                name="Riverside Care", slug=ORG_SLUG, created_at=now, time_zone=settings.time_zone
            )
            db.add(org)
            db.flush()
        depts: dict[str, Department] = {}
        for name in ("Counselling", "Physiotherapy"):
            dept = db.scalar(
                select(Department).where(
                    Department.organization_id == org.id, Department.name == name
                )
            )
            if dept is None:
                dept = Department(organization_id=org.id, name=name)
                db.add(dept)
                db.flush()
            depts[name] = dept
        password = hash_password(DEMO_PASSWORD)
        staff: dict[str, Staff] = {}
        for username, first, last, roles, licence, dept_names in STAFF:
            person = db.scalar(select(Staff).where(Staff.username == username))
            if person is None:
                person = Staff(
                    organization_id=org.id,
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username.replace('.', '_')}@riverside.example",
                    created_at=now,
                    password_hash=password,
                    password_changed_at=now,
                    is_org_admin="org_admin" in roles,
                    is_dept_admin="dept_admin" in roles,
                    is_care_coordinator="care_coordinator" in roles,
                    is_practitioner=licence is not None,
                    licence=licence,
                    notify_new_clients=True,
                    active=True,
                )
                person.departments = [depts[n] for n in dept_names]
                db.add(person)
                db.flush()
            staff[username] = person
        clients: dict[str, Client] = {}
        for username, first, last, status, dob, assoc in CLIENTS:
            person = db.scalar(select(Client).where(Client.username == username))
            if person is None:
                person = Client(
                    organization_id=org.id,
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username.replace('.', '_')}@clients.example",
                    created_at=now,
                    password_hash=password,
                    password_changed_at=now,
                    date_of_birth=dob,
                    status=status,
                    email_confirmed=True,
                )
                db.add(person)
                db.flush()
                for practitioner, dept_name in assoc:
                    db.add(
                        Association(
                            client_id=person.id,
                            practitioner_id=staff[practitioner].id,
                            department_id=depts[dept_name].id,
                            created_at=now,
                        )
                    )
            clients[username] = person
        _seed_schedule(db, org, staff, clients, now)
    _print_logins(settings)


def _seed_schedule(
    db: Session,
    org: Organization,
    staff: dict[str, Staff],
    clients: dict[str, Client],
    now: datetime,
) -> None:
    today = now.date()
    patel, kim = staff["dr.patel"], staff["nurse.kim"]
    have = db.scalar(
        select(Appointment.id).where(
            Appointment.practitioner_id == patel.id,
            Appointment.starts_at >= _at(today, 0),
            Appointment.starts_at < _at(today + timedelta(days=1), 0),
        )
    )
    if have is None:
        for who, hour, title, people in (
            (patel, 10, "Weekly check-in", ["alex.active"]),
            (patel, 14, "Family session", ["alex.active", "bea.active"]),
            (kim, 11, "Physio follow-up", ["bea.active"]),
        ):
            appt = Appointment(
                organization_id=org.id,
                practitioner_id=who.id,
                starts_at=_at(today, hour),
                ends_at=_at(today, hour, 50),
                title=title,
            )
            appt.clients = [clients[name] for name in people]
            db.add(appt)
    services = {}
    for code, name, virtual in (
        ("VC-CHECK", "Virtual check-in", True),
        ("HOME-NURSE", "Home nursing visit", False),
    ):
        svc = db.scalar(
            select(Service).where(Service.organization_id == org.id, Service.code == code)
        )
        if svc is None:
            svc = Service(organization_id=org.id, code=code, name=name, allows_virtual=virtual)
            db.add(svc)
            db.flush()
        services[code] = svc
    have_visit = db.scalar(
        select(Visit.id).where(
            Visit.employee_id == kim.id,
            Visit.starts_at >= _at(today, 0),
            Visit.starts_at < _at(today + timedelta(days=1), 0),
        )
    )
    if have_visit is None:
        for client, hour, code in (
            ("bea.active", 15, "VC-CHECK"),
            ("alex.active", 16, "HOME-NURSE"),
        ):
            db.add(
                Visit(
                    organization_id=org.id,
                    client_id=clients[client].id,
                    employee_id=kim.id,
                    service_id=services[code].id,
                    starts_at=_at(today, hour),
                    ends_at=_at(today, hour, 45),
                    schedule_version=1,
                    notes="",
                )
            )
    _seed_patel_visits(db, org, patel, clients, services, now)


def _seed_patel_visits(
    db: Session,
    org: Organization,
    patel: Staff,
    clients: dict[str, Client],
    services: dict[str, Service],
    now: datetime,
) -> None:
    """dr.patel, the README's first login, has today's virtual visits: one running from the
    half hour before the server started (so its link works and Join is live), one later."""
    today = now.date()
    have = db.scalar(
        select(Visit.id).where(
            Visit.employee_id == patel.id,
            Visit.starts_at >= _at(today, 0),
            Visit.starts_at < _at(today + timedelta(days=1), 0),
        )
    )
    if have is not None:
        return
    start = now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    for client, begins, minutes in (
        ("alex.active", start, 60),
        ("bea.active", start + timedelta(hours=3), 45),
    ):
        db.add(
            Visit(
                organization_id=org.id,
                client_id=clients[client].id,
                employee_id=patel.id,
                service_id=services["VC-CHECK"].id,
                starts_at=begins,
                ends_at=begins + timedelta(minutes=minutes),
                schedule_version=1,
                notes="",
            )
        )


def _print_logins(settings: Settings) -> None:
    lines = [
        "",
        "Demo data ready: organisation 'Riverside Care' "
        f"(portal {settings.base_url}/o/{ORG_SLUG}).",
        f"Every demo account's password is: {DEMO_PASSWORD}",
        "  staff : olivia.admin (Org Admin), dan.deptadmin (Dept Admin, Counselling),",
        "          cara.coord (Care Coordinator, Physiotherapy),",
        "          dr.patel (practitioner, both departments), nurse.kim (practitioner),",
        "          frank.frontdesk (staff without a practitioner licence)",
        "  client: alex.active, bea.active, carl.inactive, dana.pending, eli.unassigned",
        "",
    ]
    print("\n".join(lines), flush=True)


__all__ = ["seed", "DEMO_PASSWORD", "Account"]
