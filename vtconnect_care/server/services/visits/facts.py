"""Loading a visit and its virtual session, the facts the rules decide on, and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain.errors import Refusal
from vtconnect_care.domain.visits import SessionFacts, VirtualSessionState, VisitFacts

from ... import audit
from ...errors import ApiError, not_found
from ...models import Staff, VirtualSession, Visit
from ..visit_admin import visit_query

# Which refusals are "not yours" (403) rather than "not now" (409).
_FORBIDDEN_CODES = {"not_assigned"}


def refusal_error(refusal: Refusal) -> ApiError:
    status = 403 if refusal.code in _FORBIDDEN_CODES else 409
    return ApiError(status, refusal.code, refusal.message)


def load_visit(db: Session, staff: Staff, visit_id: int, *, lock: bool = False) -> Visit:
    """A visit of the staff member's organisation, or 404."""
    stmt = visit_query().where(Visit.id == visit_id, Visit.organization_id == staff.organization_id)
    if lock:
        stmt = stmt.with_for_update(of=Visit)
    visit = db.scalar(stmt)
    if visit is None:
        raise not_found()
    return visit


def session_of(db: Session, visit: Visit, *, lock: bool = False) -> VirtualSession | None:
    stmt = select(VirtualSession).where(VirtualSession.visit_id == visit.id)
    if lock:
        stmt = stmt.with_for_update()
    return db.scalar(stmt)


def visit_facts(visit: Visit) -> VisitFacts:
    return VisitFacts(
        employee_id=visit.employee_id,
        allows_virtual=visit.service.allows_virtual,
        client_email=visit.client.email,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        schedule_version=visit.schedule_version,
        clock_in_at=visit.clock_in_at,
        clock_out_at=visit.clock_out_at,
    )


def session_facts(vs: VirtualSession | None) -> SessionFacts | None:
    if vs is None:
        return None
    return SessionFacts(
        state=VirtualSessionState(vs.state),
        schedule_version=vs.schedule_version,
        last_invite_sent_at=vs.last_invite_sent_at,
    )


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat() if when else None


def audit_visit(
    db: Session, now: datetime, action: str, staff: Staff, visit: Visit, **detail: object
) -> None:
    """One audit event about a visit, by a staff member."""
    audit.record(
        db,
        now=now,
        action=action,
        actor=staff,
        object_type="visit",
        object_id=visit.id,
        client_id=visit.client_id,
        **detail,
    )
