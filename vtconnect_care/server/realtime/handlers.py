"""The hub's database work: room changes, chat, drops and the sweep (worker threads).

Each function takes its own database session and commits; it returns an ``Outcome``: the reply
to the sender, the deliveries to make, and the fresh copy of every room it changed, read after
its commit, for the in-memory rooms (rooms.py). A room change first locks the room's row (on
PostgreSQL), so changes to one room are serialised across server processes too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain.care_room import RoomRefusal
from vtconnect_care.domain.signalling import ClientMessage

from ..models import Account, CareSession
from ..services import care_sessions as rooms
from ..settings import Settings
from .principal import Authenticator, authenticate
from .rooms import RoomView, view_of

Delivery = tuple[list[int], int | None, dict]


@dataclass
class Outcome:
    """What a handled message produces: a reply, deliveries to (accounts, room), new rooms."""

    reply: dict | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    joined: int | None = None
    left: int | None = None
    views: list[RoomView] = field(default_factory=list)


@dataclass(frozen=True)
class Hello:
    """A socket's principal as plain values (no database objects outlive the session)."""

    account_id: int
    name: str
    kind: str
    via: str
    session_ids: frozenset[int] | None
    token_id: int | None
    expires_at: object
    message: dict


def hello(
    db: Session, settings: Settings, token: str, authenticators: list[Authenticator]
) -> Hello:
    principal = authenticate(db, settings, token, authenticators)
    account = principal.account
    now = settings.clock.now()
    live = [s for s in rooms.live_for(db, account_id=account.id) if principal.may_use(s.id)]
    message = {
        "type": "hello",
        "account": {"id": account.id, "name": account.full_name, "kind": account.kind},
        "sessions": [rooms.detail(s, now=now) for s in live],  # R-ROOM-9: offered for re-join
    }
    return Hello(
        account_id=account.id,
        name=account.full_name,
        kind=account.kind,
        via=principal.via,
        session_ids=principal.session_ids,
        token_id=principal.token_id,
        expires_at=principal.expires_at,
        message=message,
    )


def _lock(db: Session, session_id: int) -> None:
    """Room changes one at a time, whichever process makes them (a no-op on SQLite)."""
    db.execute(select(CareSession.id).where(CareSession.id == session_id).with_for_update())


def _account(db: Session, account_id: int) -> Account:
    account = db.get(Account, account_id)
    if account is None:
        raise RoomRefusal("forbidden", "This account no longer exists.")
    return account


def _presence(db: Session, session_id: int, account_id: int, now: datetime) -> dict:
    member = rooms.member_of(db, session_id=session_id, account_id=account_id)
    assert member is not None
    described = rooms.member_dict(member, now=now)
    return {"type": "presence", "session_id": session_id, "member": described}


def _fresh(db: Session, session_id: int) -> RoomView:
    db.expire_all()
    session = rooms.load(db, session_id)
    assert session is not None
    return view_of(session)


def room_change(db: Session, settings: Settings, account_id: int, msg: ClientMessage) -> Outcome:
    """join, leave, begin or end, for this account (its principal already checked)."""
    sid = msg.session_id
    assert sid is not None
    _lock(db, sid)
    account = _account(db, account_id)
    if msg.type == "join":
        return _join(db, settings, account, sid)
    if msg.type == "leave":
        left = rooms.leave(db, settings, session_id=sid, account=account)
        view = _fresh(db, sid)
        return Outcome(
            reply={"type": "left", "session_id": sid},
            deliveries=left_deliveries(db, left, view, settings.clock.now()),
            left=sid,
            views=[view],
        )
    if msg.type == "begin":
        session = rooms.begin(db, settings, session_id=sid, account=account)
        view = _fresh(db, sid)
        event = {"type": "session.begun", "session": rooms.detail(session)}
        return Outcome(deliveries=[(view.present(), sid, event)], views=[view])
    assert msg.type == "end"
    before = rooms.present_ids(db, session_id=sid)
    session = rooms.end(db, settings, session_id=sid, account=account)
    everyone = sorted({m.account_id for m in session.members} | set(before))
    event = {"type": "session.ended", "session_id": sid, "by": account.id}
    return Outcome(deliveries=[(everyone, None, event)], views=[_fresh(db, sid)])


def _join(db: Session, settings: Settings, account: Account, sid: int) -> Outcome:
    session = rooms.join(db, settings, session_id=sid, account=account)
    # read the room again after our commit: someone arriving at the same moment is then
    # seen either here or in their own arrival's presence event (never in neither)
    db.expire_all()
    now = settings.clock.now()
    reply = {
        "type": "joined",
        "session": rooms.detail(session, now=now),
        "chat": rooms.chat_history(db, session),
        "ice_servers": rooms.ice_servers(settings, account_id=account.id, now=now),
    }
    view = view_of(session)
    others = [i for i in view.present() if i != account.id]
    return Outcome(
        reply=reply,
        deliveries=[(others, sid, _presence(db, sid, account.id, now))],
        joined=sid,
        views=[view],
    )


def left_deliveries(db: Session, left: rooms.Left, view: RoomView, now: datetime) -> list[Delivery]:
    present = view.present()
    out: list[Delivery] = [
        (present, left.session_id, _presence(db, left.session_id, left.account_id, now))
    ]
    if left.notice is not None:  # R-ROOM-8: the host sees it in the chat
        out.append((present, left.session_id, {"type": "chat", **rooms.chat_dict(left.notice)}))
    return out


def chat(db: Session, settings: Settings, account_id: int, msg: ClientMessage) -> dict:
    """Store a chat message (the checks were made in memory; the rules run again here)."""
    account = _account(db, account_id)
    message = rooms.chat(
        db, settings, session_id=msg.session_id, account=account, body=msg.body or ""
    )  # type: ignore[arg-type]
    return {"type": "chat", **message}


def dropped(db: Session, settings: Settings, session_id: int, account_id: int) -> Outcome:
    """The socket went away without a leave: the place is kept (R-ROOM-9), others told."""
    _lock(db, session_id)
    if not rooms.drop(db, settings, session_id=session_id, account_id=account_id):
        return Outcome()
    view = _fresh(db, session_id)
    others = [i for i in view.present() if i != account_id]
    return Outcome(
        deliveries=[
            (others, session_id, _presence(db, session_id, account_id, settings.clock.now()))
        ],
        views=[view],
    )


def sweep(db: Session, settings: Settings) -> Outcome:
    """Places dropped longer than the grace are given up, with the host's notice."""
    out = Outcome()
    for left in rooms.sweep(db, settings):
        view = _fresh(db, left.session_id)
        out.deliveries.extend(left_deliveries(db, left, view, settings.clock.now()))
        out.views.append(view)
    return out
