"""Visit routes: the employee's schedule and visit dialog, invites, clocking, video, notes;
services, visits and time changes for office staff. Thin: rules live in domain/visits.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.organization import zone_name
from vtconnect_care.domain.visits import InviteKind

from ..realtime import visit_rooms
from ..services import visit_admin, visits
from .bounds import MAX_ID, BoundedDate, BoundedDatetime, Id, PathId
from .deps import CurrentStaff, DbDep, SettingsDep, ZoneDep

router = APIRouter(tags=["visits"])

MAX_NOTES = 100_000


class ClockOutIn(BaseModel):
    confirm: bool = False


class NotesIn(BaseModel):
    notes: str = Field(max_length=MAX_NOTES)
    base_version: int = Field(ge=0, le=MAX_ID)


class ServiceIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    allows_virtual: bool = False


class VisitIn(BaseModel):
    client_id: Id
    employee_id: Id
    service_id: Id
    starts_at: BoundedDatetime
    ends_at: BoundedDatetime


class ScheduleIn(BaseModel):
    starts_at: BoundedDatetime
    ends_at: BoundedDatetime


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


# --- the employee -----------------------------------------------------------------------------


@router.get("/visits")
def schedule(
    staff: CurrentStaff,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
    day: Annotated[BoundedDate | None, Query(alias="date")] = None,
    employee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict:
    """Visits of one day (default: today in `tz`), for the signed-in employee."""
    day = day or settings.clock.now().astimezone(zone).date()
    rows = visits.schedule(db, staff, day=day, zone=zone, employee_id=employee_id)
    return {
        "date": day.isoformat(),
        "tz": str(zone),
        "organization_time_zone": zone_name(staff.organization.time_zone),  # issue 15
        "visits": rows,
    }


@router.get("/visits/{visit_id}")
def visit_detail(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    return visits.visit_detail(db, settings, staff, visit_id, zone=zone)


def _detail(db, settings, staff, visit_id: int, zone) -> dict:  # type: ignore[no-untyped-def]
    return visits.visit_detail(db, settings, staff, visit_id, zone=zone)


@router.post("/visits/{visit_id}/send-invite")
def send_invite(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    """R-VISIT-2: email the client a join link; the first invite creates the virtual session."""
    visits.invite(db, settings, staff, visit_id, kind=InviteKind.SEND)
    return {"visit": _detail(db, settings, staff, visit_id, zone)}


@router.post("/visits/{visit_id}/resend-invite")
def resend_invite(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    """R-VISIT-7: email a fresh link (needed after the visit's time changed)."""
    visits.invite(db, settings, staff, visit_id, kind=InviteKind.RESEND)
    return {"visit": _detail(db, settings, staff, visit_id, zone)}


@router.post("/visits/{visit_id}/copy-link")
def copy_link(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    """R-VISIT-3: a join link to hand over; creates the virtual session like an invite."""
    _, _, link = visits.invite(db, settings, staff, visit_id, kind=InviteKind.COPY)
    return {"link": link, "visit": _detail(db, settings, staff, visit_id, zone)}


@router.post("/visits/{visit_id}/clock-in")
def clock_in(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    visits.clock_in(db, settings, staff, visit_id)
    return {"visit": _detail(db, settings, staff, visit_id, zone)}


@router.post("/visits/{visit_id}/clock-out")
def clock_out(
    visit_id: PathId,
    request: Request,
    staff: CurrentStaff,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
    body: ClockOutIn | None = None,
) -> dict:
    """R-VISIT-13: during a live session, 409 virtual_session_active unless confirm is true.

    Clocking out before any call ends the virtual session (R-VISIT-15): a waiting page is told.
    """
    visit = visits.clock_out(db, settings, staff, visit_id, confirm=bool(body and body.confirm))
    vs = visits.session_of(db, visit)
    if vs is not None and vs.state == "ended":
        everyone = visit_rooms.end_room(db, settings, vs, staff)
        visit_rooms.post(
            request.app.state,
            sorted(set(everyone) | {visit.client_id}),
            {
                "type": "visit.ended",
                "visit_id": visit.id,
                "virtual_session_id": vs.id,
                "message": vmsg.LINK_REASON_FINISHED,
            },
        )
    return {"visit": _detail(db, settings, staff, visit_id, zone)}


@router.post("/visits/{visit_id}/join")
def join(
    visit_id: PathId, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    """R-VISIT-6/14: join or re-join; returns the room to join on the realtime hub."""
    visit_rooms.reconcile_visit(db, settings, visit_id)
    visit, vs = visits.join(db, settings, staff, visit_id)
    room = visit_rooms.ensure_room(db, settings, vs)
    detail = _detail(db, settings, staff, visit_id, zone)
    return {
        "visit_id": visit.id,
        "virtual_session_id": vs.id,
        "care_session_id": room.id,
        "client_account_id": visit.client_id,
        "state": detail["virtual_session"]["state"],
        "notice": detail["virtual_session"]["notice"],
        "visit": detail,
    }


@router.post("/visits/{visit_id}/hang-up")
def hang_up(
    visit_id: PathId,
    request: Request,
    staff: CurrentStaff,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
) -> dict:
    """R-VISIT-12: the caregiver ends the virtual session for good; the client's page is told."""
    visit, vs = visits.hang_up(db, settings, staff, visit_id)
    everyone = visit_rooms.end_room(db, settings, vs, staff)
    visit_rooms.post(
        request.app.state,
        sorted(set(everyone) | {visit.client_id}),
        {
            "type": "visit.ended",
            "visit_id": visit.id,
            "virtual_session_id": vs.id,
            "message": vmsg.SESSION_OVER,
        },
    )
    return {
        "message": vmsg.SESSION_OVER,
        "visit": _detail(db, settings, staff, visit.id, zone),
    }


@router.put("/visits/{visit_id}/notes")
def save_notes(
    visit_id: PathId, body: NotesIn, staff: CurrentStaff, db: DbDep, settings: SettingsDep
) -> dict:
    """R-VISIT-16 autosave: versioned; 409 notes_conflict (with the current text) when stale."""
    saved = visits.save_notes(
        db, settings, staff, visit_id, body.notes, base_version=body.base_version
    )
    return {"notes": saved.notes, "version": saved.version, "saved_at": visits.iso(saved.saved_at)}


# --- office staff -----------------------------------------------------------------------------


@router.get("/services")
def list_services(staff: CurrentStaff, db: DbDep) -> dict:
    return {"services": visit_admin.list_services(db, staff)}


@router.post("/services", status_code=201)
def create_service(body: ServiceIn, staff: CurrentStaff, db: DbDep, settings: SettingsDep) -> dict:
    service = visit_admin.create_service(
        db, settings, staff, code=body.code, name=body.name, allows_virtual=body.allows_virtual
    )
    return visit_admin.service_row(service)


@router.post("/visits", status_code=201)
def create_visit(
    body: VisitIn, staff: CurrentStaff, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> dict:
    visit = visit_admin.create_visit(
        db,
        settings,
        staff,
        client_id=body.client_id,
        employee_id=body.employee_id,
        service_id=body.service_id,
        starts_at=_utc(body.starts_at),
        ends_at=_utc(body.ends_at),
    )
    return {"visit": _detail(db, settings, staff, visit.id, zone)}


@router.put("/visits/{visit_id}/schedule")
def reschedule(
    visit_id: PathId,
    body: ScheduleIn,
    staff: CurrentStaff,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
) -> dict:
    """R-VISIT-7: a changed time makes earlier invite links stop working until resent."""
    visit_admin.reschedule(
        db, settings, staff, visit_id, starts_at=_utc(body.starts_at), ends_at=_utc(body.ends_at)
    )
    return {"visit": _detail(db, settings, staff, visit_id, zone)}
