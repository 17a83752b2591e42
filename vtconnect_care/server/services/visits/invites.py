"""Send, copy and resend the invite link; the first one creates the virtual session.

R-VISIT-2, 3, 4, 5 and 7: who may invite is decided by the rules; a new visit time (a new
schedule version) makes earlier links stop working until the invite is resent.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.times import long_date, time_range
from vtconnect_care.domain.visits import InviteKind, VirtualSessionState

from ...errors import ApiError
from ...mail import outbox
from ...models import Staff, VirtualSession, Visit
from ...security import TokenPurpose
from ...settings import Settings
from .. import tokens
from .facts import audit_visit, load_visit, refusal_error, session_facts, session_of, visit_facts

_ACTIONS = {
    InviteKind.SEND: "visit_invite_sent",
    InviteKind.RESEND: "visit_invite_resent",
    InviteKind.COPY: "visit_invite_link_copied",
}


def visit_time(visit: Visit, zone: tzinfo) -> str:
    """'15:00 to 15:45' in ``zone``."""
    return time_range(visit.starts_at, visit.ends_at, zone)


def invite_link(settings: Settings, raw: str) -> str:
    return f"{settings.base_url}/visit/{raw}"


def _ensure_session(db: Session, visit: Visit, now: datetime) -> VirtualSession:
    vs = session_of(db, visit, lock=True)
    if vs is None:
        vs = VirtualSession(
            visit_id=visit.id,
            state=VirtualSessionState.CREATED.value,
            created_at=now,
            schedule_version=visit.schedule_version,
            invites_sent=0,
        )
        db.add(vs)
        db.flush()
    return vs


def _issue_link(
    db: Session, settings: Settings, visit: Visit, vs: VirtualSession, now: datetime
) -> str:
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.VISIT_INVITE,
        now=now,
        ttl=rules.link_expires_at(visit.ends_at) - now,
        account_id=visit.client_id,
        subject_id=vs.id,
        data={"schedule_version": visit.schedule_version},
    )
    vs.schedule_version = visit.schedule_version
    vs.last_invite_sent_at = now
    return invite_link(settings, raw)


def _mail_invite(db: Session, visit: Visit, link: str, *, now: datetime) -> None:
    """The invite, its subject and body in the organisation's zone, named (issue 15): the
    client reads it wherever they are, and the sender's computer may be elsewhere."""
    assert visit.client.email
    org = visit.client.organization
    zone = org_rules.zone(org.time_zone)
    outbox.enqueue(
        db,
        now=now,
        to=visit.client.email,
        template="visit_invite",
        links=[link],
        url=link,
        first_name=visit.client.first_name,
        employee_name=visit.employee.full_name if visit.employee else "",
        org_name=org.name,
        visit_day=long_date(visit.starts_at, zone),
        visit_time=visit_time(visit, zone),
        zone_name=org_rules.zone_name(org.time_zone),
    )


def invite(
    db: Session,
    settings: Settings,
    staff: Staff,
    visit_id: int,
    *,
    kind: InviteKind,
) -> tuple[Visit, VirtualSession, str]:
    """Send, copy or resend the invite link; the first one creates the virtual session."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    existing = session_of(db, visit)
    refusal = rules.invite_refusal(
        actor_id=staff.id,
        visit=visit_facts(visit),
        session=session_facts(existing),
        kind=kind,
        now=now,
    )
    if refusal is not None:
        if refusal.code == "no_client_email":
            audit_visit(db, now, "visit_invite_refused", staff, visit, reason=refusal.code)
            db.commit()
        raise refusal_error(refusal)
    try:
        vs = _ensure_session(db, visit, now)
        link = _issue_link(db, settings, visit, vs, now)
        if kind is not InviteKind.COPY:
            vs.invites_sent += 1
            _mail_invite(db, visit, link, now=now)
        audit_visit(db, now, _ACTIONS[kind], staff, visit, virtual_session_id=vs.id)
        db.commit()
    except IntegrityError as exc:  # two first invites at once: the other one created it
        db.rollback()
        raise ApiError(409, "busy", "The visit was just changed. Please try again.") from exc
    return visit, vs, link
