"""Care Room sessions in the database: host, join, leave, drop, begin, end, chat, sweep.

Plain functions with keyword-only arguments over a SQLAlchemy session; the rules themselves are
in ``vtconnect_care.domain.care_room``. Each function commits its own change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain import messages, waiting_times
from vtconnect_care.domain.care_room import MemberRole, MemberView, SessionState
from vtconnect_care.domain.room_mode import RoomMode, full_room_refusal, room_cap, room_mode

from .. import audit
from ..models import Account, CareSession, CareSessionMember, ChatMessage, Staff
from ..settings import Settings
from . import attendance
from .hosting import may_host_all

CHAT_HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Left:
    """Someone's place in a session was given up (left, or dropped too long)."""

    session_id: int
    account_id: int
    notice: ChatMessage | None


def _view(member: CareSessionMember | None) -> MemberView | None:
    if member is None:
        return None
    return MemberView(member.account_id, MemberRole(member.role), member.present)


def _views(session: CareSession) -> list[MemberView]:
    return [v for v in (_view(m) for m in session.members) if v is not None]


def _member(session: CareSession, account_id: int) -> CareSessionMember | None:
    return next((m for m in session.members if m.account_id == account_id), None)


def load(db: Session, session_id: int) -> CareSession | None:
    return db.get(CareSession, session_id)


def member_of(db: Session, *, session_id: int, account_id: int) -> CareSessionMember | None:
    """The membership row, or None: the check made on every realtime message."""
    return db.scalar(
        select(CareSessionMember).where(
            CareSessionMember.session_id == session_id,
            CareSessionMember.account_id == account_id,
        )
    )


def member_status(member: CareSessionMember) -> str:
    if member.present:
        return "dropped" if member.dropped_at is not None else "present"
    return "left" if member.left_at is not None else "absent"


def _host_arrived_at(session: CareSession) -> datetime | None:
    host = next((m for m in session.members if m.role == MemberRole.HOST.value), None)
    return host.joined_at if host is not None else None


def member_dict(
    member: CareSessionMember,
    *,
    now: datetime | None = None,
    host_arrived_at: datetime | None = None,
) -> dict:
    """A member as the app shows them; with ``now``, also how long they have waited (issue 16:
    ``waited_seconds``, counted by ``domain.waiting_times``; None when nobody waits)."""
    out = {
        "account_id": member.account_id,
        "name": member.account.full_name,
        "username": member.account.username,
        "role": member.role,
        "status": member_status(member),
    }
    if now is not None:
        session = member.session
        out["waited_seconds"] = waiting_times.waited_seconds(
            state=SessionState(session.state),
            role=MemberRole(member.role),
            present=member.present,
            joined_at=member.joined_at,
            host_arrived_at=host_arrived_at or _host_arrived_at(session),
            now=now,
        )
    return out


def detail(session: CareSession, *, now: datetime | None = None) -> dict:
    """The session for the app; with ``now``, each member's waiting time too (issue 16)."""
    host_at = _host_arrived_at(session) if now is not None else None
    return {
        "id": session.id,
        "state": session.state,
        "host_id": session.host_id,
        "host_name": session.host.full_name,
        "created_at": session.created_at.isoformat(),
        "begun_at": session.begun_at.isoformat() if session.begun_at else None,
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "members": [member_dict(m, now=now, host_arrived_at=host_at) for m in session.members],
        "media": session.media,  # "mesh" or "sfu" (R-ROOM-MODE, docs/protocol.md)
    }


def cap_of(settings: Settings, mode: RoomMode) -> int:
    """How many people a room of this mode holds (a mesh's cap is a setting, at most 6)."""
    return room_cap(mode) if mode is RoomMode.SFU else min(settings.room_cap, room_cap(mode))


def chat_dict(message: ChatMessage, names: dict[int, str] | None = None) -> dict:
    return {
        "id": message.id,
        "session_id": message.session_id,
        "sender_id": message.sender_id,
        "sender_name": (names or {}).get(message.sender_id or 0),
        "kind": message.kind,
        "body": message.body,
        "created_at": message.created_at.isoformat(),
    }


def chat_history(db: Session, session: CareSession) -> list[dict]:
    names = {m.account_id: m.account.full_name for m in session.members}
    rows = db.scalars(
        select(ChatMessage)
        .where(ChatMessage.session_id == session.id)
        .order_by(ChatMessage.id.desc())
        .limit(CHAT_HISTORY_LIMIT)
    ).all()
    return [chat_dict(m, names) for m in reversed(rows)]


def host(
    db: Session, settings: Settings, *, host: Staff, invitee_ids: list[int], address: str | None
) -> CareSession:
    """R-HOST-2 / R-ROOM-1: a new session with the host present, waiting for the invitees."""
    invitees = sorted(set(invitee_ids) - {host.id})
    if not invitees or not may_host_all(db, host, invitees):
        raise room.RoomRefusal("forbidden", messages.CANNOT_HOST_THESE)
    janus = bool(settings.janus_url)
    mode = room_mode(
        people=len(invitees) + 1,
        janus_configured=janus,
        always_sfu=host.organization.group_rooms_via_janus,
    )
    cap = cap_of(settings, mode)
    if len(invitees) + 1 > cap:
        refusal = full_room_refusal(mode=mode, people=cap, janus_configured=janus, cap=cap)
        assert refusal is not None
        raise room.RoomRefusal(refusal.code, refusal.message)
    now = settings.clock.now()
    session = CareSession(
        organization_id=host.organization_id,
        host_id=host.id,
        state=SessionState.HOSTED.value,
        media=mode.value,
        created_at=now,
    )
    session.members.append(
        CareSessionMember(account_id=host.id, role=MemberRole.HOST.value, present=False)
    )
    for account_id in invitees:
        session.members.append(
            CareSessionMember(account_id=account_id, role=MemberRole.PARTICIPANT.value)
        )
    db.add(session)
    db.flush()
    for account_id in invitees:
        audit.record(
            db,
            now=now,
            action="care_session.host",
            actor=host,
            object_type="account",
            object_id=account_id,
            address=address,
            session_id=session.id,
        )
    db.commit()
    return session


def live_for(db: Session, *, account_id: int) -> list[CareSession]:
    """R-ROOM-9: sessions in progress that this person is invited to (to re-join)."""
    return list(
        db.scalars(
            select(CareSession)
            .join(CareSessionMember, CareSessionMember.session_id == CareSession.id)
            .where(
                CareSessionMember.account_id == account_id,
                CareSession.state != SessionState.ENDED.value,
            )
            .order_by(CareSession.created_at.desc())
        )
    )


def join(db: Session, settings: Settings, *, session_id: int, account: Account) -> CareSession:
    """Arrive (or come back, R-ROOM-9): present, with any drop forgotten."""
    session = load(db, session_id)
    if session is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    member = _member(session, account.id)
    cap = cap_of(settings, RoomMode(session.media))
    room.may_join(SessionState(session.state), _view(member), _views(session), cap)
    assert member is not None
    now = settings.clock.now()
    first = member.joined_at is None
    member.present = True
    member.dropped_at = None
    member.left_at = None
    member.joined_at = member.joined_at or now
    attendance.arrived(db, session_id=session.id, account_id=account.id, at=now)
    if first:
        audit.record(
            db,
            now=now,
            action="care_session.join",
            actor=account,
            object_type="care_session",
            object_id=session.id,
            organization_id=session.organization_id,
        )
    db.commit()
    return session


def _leave(db: Session, session: CareSession, member: CareSessionMember, now: datetime) -> Left:
    gone_at = member.dropped_at or now  # a place given up: away since the socket went
    attendance.departed(db, session_id=session.id, account_id=member.account_id, at=gone_at)
    member.present = False
    member.dropped_at = None
    member.left_at = now
    notice = None
    if member.role == MemberRole.PARTICIPANT.value and session.state != SessionState.ENDED.value:
        notice = ChatMessage(  # R-ROOM-8
            session_id=session.id,
            sender_id=None,
            kind="notice",
            body=room.leave_notice(member.account.full_name),
            created_at=now,
        )
        db.add(notice)
    db.flush()
    return Left(session.id, member.account_id, notice)


def leave(db: Session, settings: Settings, *, session_id: int, account: Account) -> Left:
    session = load(db, session_id)
    member = _member(session, account.id) if session else None
    if session is None or member is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    result = _leave(db, session, member, settings.clock.now())
    db.commit()
    return result


def drop(db: Session, settings: Settings, *, session_id: int, account_id: int) -> bool:
    """The socket went away without a leave: keep the place (R-ROOM-9), note the time."""
    member = member_of(db, session_id=session_id, account_id=account_id)
    if member is None or not member.present or member.session.state == SessionState.ENDED.value:
        return False
    member.dropped_at = settings.clock.now()
    db.commit()
    return True


def sweep(db: Session, settings: Settings) -> list[Left]:
    """Give up the places of people dropped longer than the grace (>= 60 s)."""
    now = settings.clock.now()
    rows = db.scalars(
        select(CareSessionMember).where(
            CareSessionMember.present.is_(True), CareSessionMember.dropped_at.is_not(None)
        )
    ).all()
    out = [_leave(db, m.session, m, now) for m in rows if room.drop_expired(m.dropped_at, now)]
    db.commit()
    return out


def begin(db: Session, settings: Settings, *, session_id: int, account: Account) -> CareSession:
    session = load(db, session_id)
    member = _member(session, account.id) if session else None
    if session is None or member is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    before = SessionState(session.state)
    after = room.begin(before, _view(member), _views(session))  # type: ignore[arg-type]
    if after is not before:
        session.state = after.value
        session.begun_at = settings.clock.now()
        audit.record(
            db,
            now=session.begun_at,
            action="care_session.begin",
            actor=account,
            object_type="care_session",
            object_id=session.id,
        )
        db.commit()
    return session


def end(db: Session, settings: Settings, *, session_id: int, account: Account) -> CareSession:
    """R-ROOM-7: the host ends the session for everyone; anyone else is refused."""
    session = load(db, session_id)
    member = _member(session, account.id) if session else None
    if session is None or member is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    try:
        room.end(SessionState(session.state), _view(member))  # type: ignore[arg-type]
    except room.RoomRefusal:
        audit.record(
            db,
            now=settings.clock.now(),
            action="care_session.end_refused",
            actor=account,
            object_type="care_session",
            object_id=session.id,
        )
        db.commit()
        raise
    now = settings.clock.now()
    session.state = SessionState.ENDED.value
    session.ended_at = now
    attendance.ended(db, session_id=session.id, at=now)
    for m in session.members:
        if m.present:
            m.present = False
            m.dropped_at = None
            m.left_at = now
    audit.record(
        db,
        now=now,
        action="care_session.end",
        actor=account,
        object_type="care_session",
        object_id=session.id,
    )
    db.commit()
    return session


def chat(db: Session, settings: Settings, *, session_id: int, account: Account, body: str) -> dict:
    session = load(db, session_id)
    member = _member(session, account.id) if session else None
    if session is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    room.may_talk(SessionState(session.state), _view(member))
    message = ChatMessage(
        session_id=session.id,
        sender_id=account.id,
        kind="chat",
        body=room.clean_chat(body),
        created_at=settings.clock.now(),
    )
    db.add(message)
    db.commit()
    return chat_dict(message, {account.id: account.full_name})


def check_signal(db: Session, *, session_id: int, account_id: int, to: int) -> None:
    session = load(db, session_id)
    if session is None:
        raise room.RoomRefusal("forbidden", room.NOT_INVITED)
    room.may_signal(
        SessionState(session.state),
        _view(_member(session, account_id)),
        _view(_member(session, to)),
    )


def present_ids(db: Session, *, session_id: int) -> list[int]:
    return list(
        db.scalars(
            select(CareSessionMember.account_id).where(
                CareSessionMember.session_id == session_id, CareSessionMember.present.is_(True)
            )
        )
    )


def ice_servers(settings: Settings, *, account_id: int, now: datetime) -> list[dict]:
    """The portal's STUN/TURN list; TURN gets short-lived TURN REST credentials (coturn).

    username = "<expiry unix time>:<account id>", credential = base64(HMAC-SHA1(secret, username)).
    """
    out: list[dict] = []
    for url in settings.ice_servers:
        entry: dict = {"urls": [url]}
        if url.startswith(("turn:", "turns:")):
            if not settings.turn_secret:
                continue  # a TURN server without credentials would only fail
            expiry = int((now + settings.turn_ttl).timestamp())
            username = f"{expiry}:{account_id}"
            digest = hmac.new(
                settings.turn_secret.encode(), username.encode(), hashlib.sha1
            ).digest()
            entry.update(username=username, credential=base64.b64encode(digest).decode())
        out.append(entry)
    return out
