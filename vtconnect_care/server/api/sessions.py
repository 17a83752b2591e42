"""Care Room sessions over REST: host, in-progress sessions (R-ROOM-9), detail, chat, ICE."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain import messages
from vtconnect_care.domain.care_room import RoomRefusal, SessionState

from ..errors import ApiError, forbidden, not_found
from ..models import Account, CareSession
from ..services import care_sessions as rooms
from .bounds import Id, PathId
from .deps import AddressDep, CurrentAccount, CurrentStaff, DbDep, SettingsDep

router = APIRouter(prefix="/sessions", tags=["care sessions"])


class HostIn(BaseModel):
    invitee_ids: list[Id] = Field(default_factory=list, max_length=20)
    invitee_usernames: list[str] = Field(default_factory=list, max_length=20)


def _refused(exc: RoomRefusal) -> ApiError:
    status = 403 if exc.code == "forbidden" else 409
    return ApiError(status, exc.code, exc.message)


def _session_for(db, account: Account, session_id: int) -> CareSession:
    """The session if this account is a member; 404 otherwise (no hint that it exists)."""
    session = rooms.load(db, session_id)
    if session is None or rooms.member_of(db, session_id=session_id, account_id=account.id) is None:
        raise not_found()
    return session


@router.post("", status_code=201)
def host_session(
    body: HostIn,
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    host: CurrentStaff,
    address: AddressDep,
) -> dict:
    """R-ROOM-1: host a session with the selected people; they are told at once."""
    ids = set(body.invitee_ids)
    if body.invitee_usernames:
        found = db.execute(
            select(Account.id, Account.username).where(
                Account.username.in_(body.invitee_usernames),
                Account.organization_id == host.organization_id,
            )
        ).all()
        if len(found) != len(set(body.invitee_usernames)):
            raise forbidden(messages.CANNOT_HOST_THESE)
        ids |= {row.id for row in found}
    try:
        session = rooms.host(db, settings, host=host, invitee_ids=sorted(ids), address=address)
    except RoomRefusal as exc:
        raise _refused(exc) from exc
    out = rooms.detail(session, now=settings.clock.now())
    hub = getattr(request.app.state, "hub", None)
    if hub is not None:
        invitees = [m["account_id"] for m in out["members"] if m["role"] == "participant"]
        hub.post(invitees, {"type": "hosted", "session": out})
    return out


@router.get("/current")
def current_sessions(db: DbDep, settings: SettingsDep, account: CurrentAccount) -> list[dict]:
    """R-ROOM-9: sessions in progress that this person may (re-)join."""
    now = settings.clock.now()
    return [rooms.detail(s, now=now) for s in rooms.live_for(db, account_id=account.id)]


@router.get("/{session_id}")
def session_detail(
    session_id: PathId, db: DbDep, settings: SettingsDep, account: CurrentAccount
) -> dict:
    return rooms.detail(_session_for(db, account, session_id), now=settings.clock.now())


@router.get("/{session_id}/chat")
def chat_history(session_id: PathId, db: DbDep, account: CurrentAccount) -> list[dict]:
    return rooms.chat_history(db, _session_for(db, account, session_id))


@router.get("/{session_id}/ice-servers")
def ice_servers(
    session_id: PathId, db: DbDep, settings: SettingsDep, account: CurrentAccount
) -> dict:
    """STUN/TURN for members of a live session only (TURN credentials are short-lived)."""
    session = _session_for(db, account, session_id)
    if session.state == SessionState.ENDED.value:
        raise ApiError(409, "session_ended", room.SESSION_OVER)
    now = settings.clock.now()
    return {
        "ice_servers": rooms.ice_servers(settings, account_id=account.id, now=now),
        "ttl_seconds": int(settings.turn_ttl.total_seconds()),
    }
