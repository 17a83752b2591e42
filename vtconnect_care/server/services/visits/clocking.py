"""Clock in and out of a visit (R-VISIT-6, 13, 15): a live call goes on after clock-out."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.visits import SessionEvent

from ...errors import ApiError
from ...models import Staff, Visit
from ...settings import Settings
from .facts import audit_visit, load_visit, refusal_error, session_facts, session_of, visit_facts
from .session import apply_event


def clock_in(db: Session, settings: Settings, staff: Staff, visit_id: int) -> Visit:
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    refusal = rules.clock_in_refusal(actor_id=staff.id, visit=visit_facts(visit))
    if refusal is not None:
        raise refusal_error(refusal)
    visit.clock_in_at = now
    audit_visit(db, now, "visit_clock_in", staff, visit)
    db.commit()
    return visit


def clock_out(
    db: Session, settings: Settings, staff: Staff, visit_id: int, *, confirm: bool
) -> Visit:
    """Clock out; during a live session only with confirm (R-VISIT-13). The call goes on."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    refusal = rules.clock_out_refusal(actor_id=staff.id, visit=visit_facts(visit))
    if refusal is not None:
        raise refusal_error(refusal)
    vs = session_of(db, visit, lock=True)
    warning = rules.clock_out_warning(session_facts(vs))
    if warning and not confirm:
        raise ApiError(409, "virtual_session_active", warning)
    visit.clock_out_at = now
    if vs is not None:
        apply_event(vs, SessionEvent.CLOCK_OUT, now)
    audit_visit(db, now, "visit_clock_out", staff, visit, during_live_session=bool(warning))
    db.commit()
    return visit
