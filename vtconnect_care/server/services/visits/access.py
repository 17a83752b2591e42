"""Who may open a visit's video session: the client's invite link, the employee's join check.

The browser visit page calls `resolve_invite`; the realtime hub calls `can_join`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.visits import LinkStatus

from ...models import Staff, Token, VirtualSession, Visit
from ...security import TokenPurpose, token_hash
from ...settings import Settings
from .facts import session_facts, visit_facts


@dataclass(frozen=True)
class InviteResolution:
    """What an invite link opens: the session, or a plain reason why not."""

    status: LinkStatus
    message: str | None = None
    visit: Visit | None = None
    session: VirtualSession | None = None

    @property
    def ok(self) -> bool:
        return self.status is LinkStatus.VALID


def resolve_invite(db: Session, settings: Settings, raw_token: str) -> InviteResolution:
    """R-VISIT-7, 8, 12: a client's link is valid, or invalid / superseded / expired / finished."""
    now = settings.clock.now()
    row = None
    if raw_token and len(raw_token) <= 200:
        row = db.scalar(
            select(Token).where(
                Token.token_hash == token_hash(raw_token),
                Token.purpose == TokenPurpose.VISIT_INVITE.value,
            )
        )
    vs = db.get(VirtualSession, row.subject_id) if row is not None and row.subject_id else None
    if row is None or vs is None:
        return InviteResolution(LinkStatus.INVALID, rules.LINK_REASONS[LinkStatus.INVALID])
    visit = vs.visit
    version = int((row.data or {}).get("schedule_version", 0))
    status = rules.link_status(
        visit=visit_facts(visit), session=session_facts(vs), link_version=version, now=now
    )
    if status is LinkStatus.VALID and row.revoked_at is not None:
        status = LinkStatus.SUPERSEDED
    if status is not LinkStatus.VALID:
        return InviteResolution(status, rules.LINK_REASONS[status], visit, vs)
    return InviteResolution(status, None, visit, vs)


@dataclass(frozen=True)
class JoinCheck:
    allowed: bool
    role: str | None  # "employee" | "client"
    code: str | None = None
    message: str | None = None


def can_join(
    db: Session,
    settings: Settings,
    *,
    virtual_session_id: int,
    staff: Staff | None = None,
    raw_token: str | None = None,
) -> JoinCheck:
    """May this employee (signed in) or this invite link's holder join this session now?"""
    vs = db.get(VirtualSession, virtual_session_id)
    if vs is None:
        return JoinCheck(False, None, "not_found", messages.NOT_FOUND)
    if staff is not None:
        visit = vs.visit
        if visit.organization_id != staff.organization_id:
            return JoinCheck(False, None, "not_found", messages.NOT_FOUND)
        refusal = rules.join_refusal(
            actor_id=staff.id,
            visit=visit_facts(visit),
            session=session_facts(vs),
            now=settings.clock.now(),
        )
        if refusal is not None:
            return JoinCheck(False, "employee", refusal.code, refusal.message)
        return JoinCheck(True, "employee")
    resolution = resolve_invite(db, settings, raw_token or "")
    if resolution.session is None or resolution.session.id != vs.id:
        return JoinCheck(False, None, LinkStatus.INVALID.value, vmsg.LINK_REASON_INVALID)
    if not resolution.ok:
        return JoinCheck(False, "client", resolution.status.value, resolution.message)
    return JoinCheck(True, "client")
