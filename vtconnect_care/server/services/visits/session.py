"""The video session's life: joins, hang-ups and clock-out move its stored state (R-VISIT-6..15).

The REST API calls `join` and `hang_up`; the realtime hub calls `on_employee_join`,
`on_client_join`, `on_client_hangup` and `on_employee_hangup`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.errors import Refusal
from vtconnect_care.domain.visits import EndedBy, SessionEvent, VirtualSessionState

from ... import audit
from ...errors import ApiError, not_found
from ...models import Staff, VirtualSession, Visit
from ...settings import Settings
from .facts import audit_visit, load_visit, refusal_error, session_facts, session_of, visit_facts


def apply_event(vs: VirtualSession, event: SessionEvent, now: datetime) -> VirtualSessionState:
    """Move the stored state; a wrong move raises InvalidTransition (callers turn it into 409)."""
    before = VirtualSessionState(vs.state)
    after = rules.transition(before, event)
    vs.state = after.value
    if after is VirtualSessionState.ENDED and before is not VirtualSessionState.ENDED:
        vs.ended_at = now
        vs.ended_by = (
            EndedBy.CLOCK_OUT.value if event is SessionEvent.CLOCK_OUT else EndedBy.EMPLOYEE.value
        )
    return after


def join(
    db: Session, settings: Settings, staff: Staff, visit_id: int
) -> tuple[Visit, VirtualSession]:
    """The employee joins or re-joins (R-VISIT-6, 8, 12, 14, 15)."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id)
    vs = session_of(db, visit, lock=True)
    refusal = rules.join_refusal(
        actor_id=staff.id, visit=visit_facts(visit), session=session_facts(vs), now=now
    )
    if refusal is not None:
        raise refusal_error(refusal)
    assert vs is not None
    apply_event(vs, SessionEvent.EMPLOYEE_JOIN, now)
    audit_visit(db, now, "visit_video_joined", staff, visit, virtual_session_id=vs.id)
    db.commit()
    return visit, vs


def hang_up(
    db: Session, settings: Settings, staff: Staff, visit_id: int
) -> tuple[Visit, VirtualSession]:
    """The caregiver hangs up: the virtual session is over for good (R-VISIT-12)."""
    visit = load_visit(db, staff, visit_id)
    if visit.employee_id != staff.id:
        raise refusal_error(Refusal("not_assigned", vmsg.NOT_ASSIGNED_JOIN))
    vs = session_of(db, visit)
    if vs is None:
        raise refusal_error(Refusal("no_session", vmsg.NO_SESSION_YET))
    on_employee_hangup(db, settings, virtual_session_id=vs.id, staff=staff)
    return visit, vs


def _locked_session(db: Session, virtual_session_id: int) -> VirtualSession:
    vs = db.get(VirtualSession, virtual_session_id, with_for_update=True)
    if vs is None:
        raise not_found()
    return vs


def _transition_error(exc: rules.InvalidTransition) -> ApiError:
    if exc.state is VirtualSessionState.ENDED:
        return ApiError(409, "session_ended", vmsg.SESSION_ENDED)
    return ApiError(409, "conflict", str(exc))


def _audit_client(db: Session, now: datetime, action: str, vs: VirtualSession) -> None:
    audit.record(
        db,
        now=now,
        action=action,
        actor_label=f"client:{vs.visit.client_id}",
        object_type="visit",
        object_id=vs.visit_id,
        organization_id=vs.visit.organization_id,
        virtual_session_id=vs.id,
    )


def on_employee_join(
    db: Session, settings: Settings, *, virtual_session_id: int, staff: Staff
) -> VirtualSessionState:
    """The hub saw the employee's engine join (after can_join said yes)."""
    vs = _locked_session(db, virtual_session_id)
    _, joined = join(db, settings, staff, vs.visit_id)
    return VirtualSessionState(joined.state)


def on_client_join(
    db: Session, settings: Settings, *, virtual_session_id: int
) -> VirtualSessionState:
    """The client's page joined (after can_join said yes)."""
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    try:
        state = apply_event(vs, SessionEvent.CLIENT_JOIN, now)
    except rules.InvalidTransition as exc:
        db.rollback()
        raise _transition_error(exc) from exc
    _audit_client(db, now, "visit_client_joined", vs)
    db.commit()
    return state


@dataclass(frozen=True)
class HangupResult:
    state: VirtualSessionState
    notice: str | None  # what the other side's window shows


def on_client_hangup(db: Session, settings: Settings, *, virtual_session_id: int) -> HangupResult:
    """The client hung up or closed the page: not an ending (R-VISIT-11); they may come back.

    The notice is R-VISIT-11's message for the employee when a call was under way.
    """
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    before = VirtualSessionState(vs.state)
    state = apply_event(vs, SessionEvent.CLIENT_LEAVE, now)
    if state is not before:
        _audit_client(db, now, "visit_client_left", vs)
    db.commit()
    notice = vmsg.CLIENT_HUNG_UP if state is VirtualSessionState.CLIENT_LEFT else None
    return HangupResult(state, notice)


def on_employee_hangup(
    db: Session, settings: Settings, *, virtual_session_id: int, staff: Staff
) -> HangupResult:
    """The caregiver hung up: over for good, no new session for the visit ever (R-VISIT-12).

    The notice is R-VISIT-12's message, for the caregiver's window and the client's page.
    """
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    visit = vs.visit
    if visit.organization_id != staff.organization_id:
        raise not_found()
    if visit.employee_id != staff.id:
        raise refusal_error(Refusal("not_assigned", vmsg.NOT_ASSIGNED_JOIN))
    try:
        state = apply_event(vs, SessionEvent.EMPLOYEE_HANGUP, now)
    except rules.InvalidTransition as exc:
        db.rollback()
        raise _transition_error(exc) from exc
    audit_visit(db, now, "visit_video_ended", staff, visit, virtual_session_id=vs.id)
    db.commit()
    return HangupResult(state, vmsg.SESSION_OVER)
