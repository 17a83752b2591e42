"""Virtual visits on the realtime hub: an invite-token authenticator and the visit's room.

A visit's video call is a Care Room (``CareSession.virtual_session_id``) with the assigned
employee as host and the client as the one participant. It is created begun (a visit has no
Begin step: the call starts when both are there), so the hub relays signalling as soon as both
are present. The browser page authenticates with its invite token: ``VisitInviteAuthenticator``
turns a valid token into the client's principal, confined to that one room, and refuses a link
that is superseded, expired or finished (R-VISIT-7, 8, 12); a socket already open is closed
within a second once its link stops being valid (the hub's watcher, or a revocation event).

The visit's own state (services/visits/) moves through REST calls that also tell the other
side through ``hub.post``: the client's hang-up (R-VISIT-11) and the caregiver's (R-VISIT-12).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.care_room import MemberRole, SessionState
from vtconnect_care.domain.visits import VirtualSessionState

from .. import bus
from ..errors import ApiError
from ..models import CareSession, CareSessionMember, Staff, Token, VirtualSession, Visit
from ..security import TokenPurpose, token_hash
from ..services import care_sessions as rooms
from ..services import visits as visit_service
from ..settings import Settings
from .principal import Principal

log = logging.getLogger("vtconnect.realtime.visits")

MAX_TOKEN = 200


def room_of(db: Session, vs: VirtualSession) -> CareSession | None:
    """The visit's live room, if one is open."""
    return db.scalar(
        select(CareSession)
        .where(
            CareSession.virtual_session_id == vs.id,
            CareSession.state != SessionState.ENDED.value,
        )
        .order_by(CareSession.id.desc())
    )


def reconcile(db: Session, settings: Settings, vs: VirtualSession | None) -> None:
    """The caregiver ended the room on the hub (``end``) rather than through REST: that is the
    caregiver's hang-up, so the visit's session is over for good too (R-VISIT-12). Commits."""
    if vs is None or vs.state == VirtualSessionState.ENDED.value:
        return
    latest = db.scalar(
        select(CareSession)
        .where(CareSession.virtual_session_id == vs.id)
        .order_by(CareSession.id.desc())
    )
    if latest is None or latest.state != SessionState.ENDED.value:
        return
    employee = vs.visit.employee
    if employee is None:
        return
    visit_service.on_employee_hangup(db, settings, virtual_session_id=vs.id, staff=employee)
    log.info("visit %s: the room was ended on the hub; the virtual session is over", vs.visit_id)


def reconcile_visit(db: Session, settings: Settings, visit_id: int) -> None:
    reconcile(
        db, settings, db.scalar(select(VirtualSession).where(VirtualSession.visit_id == visit_id))
    )


def ensure_room(db: Session, settings: Settings, vs: VirtualSession) -> CareSession:
    """The visit's room, opened on first use: host the employee, invite the client. Commits."""
    room = room_of(db, vs)
    if room is not None:
        return room
    visit: Visit = vs.visit
    if visit.employee_id is None:
        raise ApiError(409, "not_assigned", vmsg.NOT_ASSIGNED_JOIN)
    now = settings.clock.now()
    room = CareSession(
        organization_id=visit.organization_id,
        host_id=visit.employee_id,
        state=SessionState.BEGUN.value,
        created_at=now,
        begun_at=now,
        virtual_session_id=vs.id,
    )
    room.members.append(
        CareSessionMember(account_id=visit.employee_id, role=MemberRole.HOST.value, present=False)
    )
    room.members.append(
        CareSessionMember(
            account_id=visit.client_id, role=MemberRole.PARTICIPANT.value, present=False
        )
    )
    db.add(room)
    db.commit()
    return room


def end_room(db: Session, settings: Settings, vs: VirtualSession, staff: Staff) -> list[int]:
    """Close the visit's room with the caregiver's hang-up; returns who was in it."""
    room = room_of(db, vs)
    if room is None:
        return []
    everyone = sorted({m.account_id for m in room.members})
    bus.tell(db, {"t": "room", "sid": room.id})  # every hub process reads the room again
    rooms.end(db, settings, session_id=room.id, account=staff)
    return everyone


class VisitInviteAuthenticator:
    """A visit invite token (the link's last part) on the hub: the client, in its one room."""

    def authenticate(self, db: Session, settings: Settings, token: str) -> Principal | None:
        if not token or len(token) > MAX_TOKEN:
            return None
        known = db.scalar(
            select(Token.id).where(
                Token.token_hash == token_hash(token),
                Token.purpose == TokenPurpose.VISIT_INVITE.value,
            )
        )
        if known is None:
            return None  # not a visit link: the next authenticator may know it
        reconcile(db, settings, visit_service.resolve_invite(db, settings, token).session)
        resolution = visit_service.resolve_invite(db, settings, token)
        if not resolution.ok:
            raise ApiError(403, resolution.status.value, resolution.message or "")
        assert resolution.visit is not None and resolution.session is not None
        room = ensure_room(db, settings, resolution.session)
        return Principal(
            account=resolution.visit.client,
            via="visit",
            session_ids=frozenset({room.id}),
            token_id=known,
        )


def post(app_state: object, account_ids: list[int], message: dict) -> None:
    """Tell these accounts' sockets, from a REST handler's thread (no hub: nothing to tell)."""
    hub = getattr(app_state, "hub", None)
    if hub is not None and account_ids:
        hub.post(account_ids, message)


def install(app: FastAPI) -> None:
    """Put the visit-link authenticator in front of the hub's (after realtime.hub.install)."""
    hub = getattr(app.state, "hub", None)
    if hub is None:
        log.warning("no realtime hub: visit pages cannot join calls")
        return
    if not any(isinstance(a, VisitInviteAuthenticator) for a in hub.authenticators):
        hub.authenticators.insert(0, VisitInviteAuthenticator())
