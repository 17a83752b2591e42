"""The app's Appointment screen and client home: today's appointments, who may be hosted."""

from __future__ import annotations

from fastapi import APIRouter

from vtconnect_care.domain.organization import zone_name

from ..services import appointments
from .deps import CurrentClient, CurrentStaff, DbDep, SettingsDep, ZoneDep

router = APIRouter(tags=["appointments"])


@router.get("/appointments/today")
def todays_appointments(
    staff: CurrentStaff,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
) -> dict:
    now = settings.clock.now()
    return {
        "date": now.astimezone(zone).date().isoformat(),
        "time_zone": str(zone),  # the computer's, as asked; the organisation's beside it
        "organization_time_zone": zone_name(staff.organization.time_zone),
        "appointments": appointments.todays_appointments(db, staff, now=now, zone=zone),
    }


@router.get("/hosting/candidates")
def hosting_candidates(staff: CurrentStaff, db: DbDep) -> dict:
    """R-HOST-1, R-HOST-2."""
    return appointments.hosting_candidates(db, staff)


@router.get("/me/practitioners")
def my_practitioners(client: CurrentClient, db: DbDep) -> dict:
    return {"practitioners": appointments.client_practitioners(db, client)}


@router.get("/me/appointments")
def my_appointments(client: CurrentClient, db: DbDep, settings: SettingsDep) -> dict:
    now = settings.clock.now()
    return {"appointments": appointments.client_upcoming(db, client, now=now)}
