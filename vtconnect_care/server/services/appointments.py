"""Appointments and hosting candidates as the desktop app sees them (R-HOST-1, R-HOST-2)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import ClientStatus
from vtconnect_care.domain.roles import can_host

from ..models import Account, Appointment, AppointmentClient, Association, Client, Staff
from .accounts import staff_view
from .hosting import hostable_clients, hostable_colleagues

UPCOMING_LIMIT = 50


def day_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the calendar day that contains `now` in `zone`."""
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(0), tzinfo=zone)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def person(account: Account, *, hostable: bool | None = None) -> dict:
    """A person as listed in the app: never the email address or the date of birth."""
    out: dict = {
        "id": account.id,
        "kind": account.kind,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "full_name": account.full_name,
    }
    if hostable is not None:
        out["hostable"] = hostable
    return out


def todays_appointments(db: Session, staff: Staff, *, now: datetime, zone: ZoneInfo) -> list[dict]:
    """The practitioner's appointments of the day, each client marked hostable or not."""
    start, end = day_bounds(now, zone)
    hostable_ids = {c.id for c in hostable_clients(db, staff)}
    rows = db.scalars(
        select(Appointment)
        .where(
            Appointment.practitioner_id == staff.id,
            Appointment.organization_id == staff.organization_id,
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .options(selectinload(Appointment.clients))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [
        {
            "id": appt.id,
            "title": appt.title,
            "starts_at": appt.starts_at.isoformat(),
            "ends_at": appt.ends_at.isoformat(),
            "clients": [
                person(c, hostable=c.id in hostable_ids)
                for c in sorted(appt.clients, key=lambda c: (c.last_name, c.first_name))
            ],
        }
        for appt in rows
    ]


def hosting_candidates(db: Session, staff: Staff) -> dict:
    """R-HOST-1 and R-HOST-2: may this staff member host, and whom."""
    allowed = can_host(staff_view(staff))
    return {
        "can_host": allowed,
        "reason": None if allowed else messages.HOST_NEEDS_LICENCE,
        "clients": [person(c) for c in hostable_clients(db, staff)],
        "colleagues": [person(s) for s in hostable_colleagues(db, staff)],
    }


def client_practitioners(db: Session, client: Client) -> list[dict]:
    """The active practitioners a client is associated with, and in which department."""
    rows = db.execute(
        select(Staff, Association)
        .join(Association, Association.practitioner_id == Staff.id)
        .where(
            Association.client_id == client.id,
            Staff.active.is_(True),
            Staff.is_practitioner.is_(True),
            Staff.organization_id == client.organization_id,
        )
        .options(selectinload(Association.department))
        .order_by(Staff.last_name, Staff.first_name)
    ).all()
    return [{**person(staff), "department": assoc.department.name} for staff, assoc in rows]


def client_upcoming(db: Session, client: Client, *, now: datetime) -> list[dict]:
    """The client's appointments that have not ended yet, soonest first."""
    if client.status != ClientStatus.ACTIVE.value:
        return []
    rows = db.scalars(
        select(Appointment)
        .join(AppointmentClient, AppointmentClient.appointment_id == Appointment.id)
        .where(
            AppointmentClient.client_id == client.id,
            Appointment.organization_id == client.organization_id,
            Appointment.ends_at > now,
        )
        .options(selectinload(Appointment.practitioner))
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(UPCOMING_LIMIT)
    )
    return [
        {
            "id": appt.id,
            "title": appt.title,
            "starts_at": appt.starts_at.isoformat(),
            "ends_at": appt.ends_at.isoformat(),
            "practitioner": person(appt.practitioner),
        }
        for appt in rows
    ]
