"""The employee's schedule of a day and the visit dialog, each button explained (R-VISIT-1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import visits as rules

from ...errors import forbidden
from ...models import Account, Staff, VirtualSession, Visit
from ...settings import Settings
from ..visit_admin import is_visit_manager, manages_visit, visit_query
from .facts import iso, load_visit, session_facts, session_of, visit_facts
from .notes import notes_version


def _person(account: Account | None) -> dict | None:
    if account is None:
        return None
    return {"id": account.id, "full_name": account.full_name}


def summary(visit: Visit, vs: VirtualSession | None) -> dict:
    """A visit as a schedule row shows it (R-VISIT-1: is_virtual drives the virtual icon)."""
    return {
        "id": visit.id,
        "client": _person(visit.client),
        "employee": _person(visit.employee),
        "service": {
            "id": visit.service.id,
            "code": visit.service.code,
            "name": visit.service.name,
            "allows_virtual": visit.service.allows_virtual,
        },
        "is_virtual": rules.is_virtual(visit.service.allows_virtual),
        "starts_at": iso(visit.starts_at),
        "ends_at": iso(visit.ends_at),
        "schedule_version": visit.schedule_version,
        "clock_in_at": iso(visit.clock_in_at),
        "clock_out_at": iso(visit.clock_out_at),
        "virtual_session_state": vs.state if vs else None,
    }


def detail(
    visit: Visit, vs: VirtualSession | None, *, staff: Staff, now: datetime, zone: tzinfo
) -> dict:
    """The visit dialog: the summary, the session, and each button enabled and explained."""
    facts, sfacts = visit_facts(visit), session_facts(vs)
    out = summary(visit, vs)
    out["client"]["has_email"] = bool((visit.client.email or "").strip())
    out["link_expires_at"] = iso(rules.link_expires_at(visit.ends_at))
    out["link_expired"] = rules.is_link_expired(visit.ends_at, now)
    out["virtual_session"] = None
    if vs is not None and sfacts is not None:
        out["virtual_session"] = {
            "id": vs.id,
            "state": vs.state,
            "live": rules.is_live(sfacts.state),
            "invites_sent": vs.invites_sent,
            "last_invite_sent_at": iso(vs.last_invite_sent_at),
            "schedule_version": vs.schedule_version,
            "invite_outdated": rules.is_invite_outdated(facts, sfacts),
            "ended_at": iso(vs.ended_at),
            "ended_by": vs.ended_by,
            "notice": rules.employee_notice(sfacts, zone),
        }
    buttons = rules.visit_buttons(actor_id=staff.id, visit=facts, session=sfacts, now=now)
    out["buttons"] = {
        key: {"label": b.label, "enabled": b.enabled, "reason": b.reason}
        for key, b in buttons.items()
    }
    out["is_assigned"] = visit.employee_id == staff.id
    out["notes"] = visit.notes
    out["notes_saved_at"] = iso(visit.notes_saved_at)
    return out


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def schedule(
    db: Session, staff: Staff, *, day: date, zone: tzinfo, employee_id: int | None = None
) -> list[dict]:
    """The visits of one day (in `zone`) for the signed-in employee, or for another for managers."""
    who = staff.id if employee_id is None else employee_id
    if who != staff.id and not is_visit_manager(staff):
        raise forbidden()
    start, end = day_bounds(day, zone)
    visits = list(
        db.scalars(
            visit_query()
            .where(
                Visit.organization_id == staff.organization_id,
                Visit.employee_id == who,
                Visit.starts_at >= start,
                Visit.starts_at < end,
            )
            .order_by(Visit.starts_at, Visit.id)
        )
    )
    if who != staff.id:  # another's day: only visits of clients of my departments (defect 1)
        visits = [v for v in visits if manages_visit(db, staff, v)]
    sessions = {
        vs.visit_id: vs
        for vs in db.scalars(
            select(VirtualSession).where(VirtualSession.visit_id.in_([v.id for v in visits]))
        )
    }
    return [summary(v, sessions.get(v.id)) for v in visits]


def visit_detail(
    db: Session, settings: Settings, staff: Staff, visit_id: int, *, zone: tzinfo
) -> dict:
    visit = load_visit(db, staff, visit_id)
    if visit.employee_id != staff.id and not manages_visit(db, staff, visit):
        raise forbidden()
    out = detail(visit, session_of(db, visit), staff=staff, now=settings.clock.now(), zone=zone)
    out["notes_version"] = notes_version(db, visit)
    return out
