"""The hub: authenticates sockets, checks every message against the database, relays.

Room state lives in the database (services/care_sessions.py); the hub only keeps which
connections of this process are open and which rooms each joined, so a restart loses nothing.
Database work runs on worker threads, so the event loop never waits on SQL.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain import messages, signalling
from vtconnect_care.domain.care_room import RoomRefusal
from vtconnect_care.domain.signalling import ClientMessage, ProtocolError

from ..errors import ApiError
from ..models import Account
from ..services import care_sessions as rooms
from ..settings import Settings
from .connection import Connection
from .principal import Authenticator, SessionTokenAuthenticator, authenticate

log = logging.getLogger("vtconnect.realtime")

AUTH_TIMEOUT = 10.0  # seconds to send the auth message when no token was in the URL
RATE = 30.0  # messages per second, sustained
BURST = 60.0
FLOOD_CLOSE_AFTER = 200  # refused messages before the socket is closed
SWEEP_SECONDS = 5.0
ROOM_CHANGES = frozenset({"join", "leave", "begin", "end"})


@dataclass
class Outcome:
    """What a handled message produces: a reply, and deliveries to (accounts, room)."""

    reply: dict | None = None
    deliveries: list[tuple[list[int], int | None, dict]] = field(default_factory=list)
    joined: int | None = None
    left: int | None = None


class Hub:
    def __init__(self, settings: Settings, factory: sessionmaker[Session]) -> None:
        self.settings = settings
        self.factory = factory
        self.connections: dict[int, set[Connection]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.messages_refused = 0
        self.clock: Callable[[], float] = time.monotonic  # flood control's clock (tests freeze it)
        self._tasks: set[asyncio.Task] = set()
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # first match wins; a visit page's invite-token authenticator goes in front
        self.authenticators: list[Authenticator] = [SessionTokenAuthenticator()]

    # --- delivery -----------------------------------------------------------------------

    def deliver(self, account_ids: list[int], session_id: int | None, message: dict) -> None:
        """To these accounts' connections (only those in the room when session_id is given)."""
        for account_id in account_ids:
            for conn in list(self.connections.get(account_id, ())):
                if session_id is None or session_id in conn.sessions:
                    conn.send(message)

    def post(self, account_ids: list[int], message: dict) -> None:
        """Thread-safe deliver for REST handlers (worker threads)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.deliver, account_ids, None, message)

    def _in_room_elsewhere(self, account_id: int, session_id: int, conn: Connection) -> bool:
        return any(
            c is not conn and session_id in c.sessions for c in self.connections.get(account_id, ())
        )

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        def run() -> Any:
            with self.factory() as db:
                return fn(db, *args)

        return await asyncio.to_thread(run)

    # --- the socket -----------------------------------------------------------------------

    def origin_allowed(self, origin: str | None) -> bool:
        """Browsers send Origin: only the portal's own address and configured ones pass."""
        if not origin:
            return True  # the desktop app and the CLI are not browsers
        allowed = {self.settings.base_url, *self.settings.allowed_origins}
        return origin.rstrip("/") in {a.rstrip("/") for a in allowed}

    async def serve(self, websocket: WebSocket) -> None:
        self.loop = self.loop or asyncio.get_running_loop()
        origin = websocket.headers.get("origin")
        if not self.origin_allowed(origin):
            log.warning("websocket refused: origin %r not allowed", origin)
            await websocket.close(code=1008)
            return
        await websocket.accept()
        conn = Connection(websocket, rate=RATE, burst=BURST, clock=self.clock)
        conn.start_writer()
        try:
            account = await self._authenticate(conn)
            if account is None:
                return
            self.connections[conn.account_id].add(conn)  # type: ignore[index]
            conn.send(account)
            while not conn.closed:
                try:
                    raw = await websocket.receive()
                except (WebSocketDisconnect, RuntimeError):
                    break
                if raw.get("type") == "websocket.disconnect":
                    break
                data = raw.get("text")
                if data is None:
                    data = raw.get("bytes") or b""
                await self._one(conn, data)
        finally:
            await self._gone(conn)

    async def _authenticate(self, conn: Connection) -> dict | None:
        # a header for programs; browsers cannot set one, so they send {"type":"auth"} first
        # (never a query parameter: URLs end up in access logs)
        scheme, _, token = conn.websocket.headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if not token:
            try:
                raw = await asyncio.wait_for(conn.websocket.receive_text(), AUTH_TIMEOUT)
                msg = signalling.parse(raw)
                if msg.type != "auth":
                    raise ProtocolError("not_authenticated", "Send the auth message first.")
                token = msg.token or ""
            except (TimeoutError, WebSocketDisconnect, RuntimeError, KeyError):
                await conn.close(code=4401)
                return None
            except ProtocolError as exc:
                conn.send(_error(exc.code, exc.message))
                await conn.finish()
                await conn.close(code=4401)
                return None
        try:
            hello = await self._db(self._hello, token)
        except ApiError as exc:
            log.info("websocket refused: %s", exc.code)
            conn.send(_error(exc.code, exc.message))
            await conn.finish()
            await conn.close(code=4401)
            return None
        conn.account_id = hello["account"]["id"]
        conn.token = token
        return hello

    def _hello(self, db: Session, token: str) -> dict:
        principal = authenticate(db, self.settings, token, self.authenticators)
        account = principal.account
        live = [s for s in rooms.live_for(db, account_id=account.id) if principal.may_use(s.id)]
        return {
            "type": "hello",
            "account": {"id": account.id, "name": account.full_name, "kind": account.kind},
            "sessions": [rooms.detail(s) for s in live],  # R-ROOM-9: offered for re-join
        }

    async def _one(self, conn: Connection, raw: str | bytes) -> None:
        if not conn.bucket.allow():
            self.messages_refused += 1
            if conn.bucket.refused in (1, FLOOD_CLOSE_AFTER):
                log.warning("account %s floods its socket", conn.account_id)
            if conn.bucket.refused >= FLOOD_CLOSE_AFTER:
                await conn.close(code=1008)
            else:
                conn.send(_error("rate_limited", "Too many messages; slow down."))
            return
        try:
            msg = signalling.parse(raw)
        except ProtocolError as exc:
            self.messages_refused += 1
            log.warning("account %s sent a bad message: %s", conn.account_id, exc.code)
            conn.send(_error(exc.code, exc.message))
            return
        if msg.session_id is not None and msg.type in ROOM_CHANGES:
            # one room change at a time per session: whoever arrives second sees the first, and
            # nobody gets a room event before the reply that puts them in the room
            async with self._locks[msg.session_id]:
                await self._apply(conn, msg)
        else:
            await self._apply(conn, msg)

    async def _apply(self, conn: Connection, msg: ClientMessage) -> None:
        ref = msg.ref
        try:
            outcome = await self._db(self._handle, conn.token, msg, set(conn.sessions))
        except ProtocolError as exc:
            self.messages_refused += 1
            log.warning("account %s sent a bad message: %s", conn.account_id, exc.code)
            conn.send(_error(exc.code, exc.message, ref))
            return
        except RoomRefusal as exc:
            conn.send(_error(exc.code, exc.message, ref))
            return
        except ApiError as exc:  # the login session ended meanwhile
            conn.send(_error(exc.code, exc.message, ref))
            await conn.finish()
            await conn.close(code=4401)
            return
        except Exception:  # noqa: BLE001 - one bad message never takes the hub down
            log.exception("realtime message failed")
            conn.send(_error("internal_error", messages.INTERNAL_ERROR, ref))
            return
        if outcome.reply is not None:
            if ref is not None:
                outcome.reply["ref"] = ref
            conn.send(outcome.reply)
        if outcome.joined is not None:
            conn.sessions.add(outcome.joined)
        for account_ids, session_id, message in outcome.deliveries:
            self.deliver(account_ids, session_id, message)
        if outcome.reply is None and ref is not None:
            conn.send({"type": "ack", "ref": ref})  # after the events it caused, in order
        if outcome.left is not None:
            conn.sessions.discard(outcome.left)

    # --- handlers (worker thread, one database session each) -----------------------------

    def _handle(self, db: Session, token: str, msg: ClientMessage, joined: set[int]) -> Outcome:
        principal = authenticate(db, self.settings, token, self.authenticators)
        account = principal.account
        if msg.type == "ping":
            return Outcome(reply={"type": "pong"})
        if msg.type == "auth":
            raise ProtocolError("bad_message", "Already authenticated.")
        if msg.session_id is not None and not principal.may_use(msg.session_id):
            raise RoomRefusal("forbidden", room.NOT_INVITED)
        handler = getattr(self, f"_on_{msg.type}")
        return handler(db, account, msg, joined)

    def _room(self, db: Session, session_id: int) -> list[int]:
        return rooms.present_ids(db, session_id=session_id)

    def _presence(self, db: Session, session_id: int, account_id: int) -> dict:
        member = rooms.member_of(db, session_id=session_id, account_id=account_id)
        assert member is not None
        return {"type": "presence", "session_id": session_id, "member": rooms.member_dict(member)}

    def _on_join(self, db: Session, account: Account, msg: ClientMessage, _: set[int]) -> Outcome:
        session = rooms.join(db, self.settings, session_id=msg.session_id, account=account)  # type: ignore[arg-type]
        # read the room again after our commit: someone arriving at the same moment is then
        # seen either here or in their own arrival's presence event (never in neither)
        db.expire_all()
        now = self.settings.clock.now()
        reply = {
            "type": "joined",
            "session": rooms.detail(session),
            "chat": rooms.chat_history(db, session),
            "ice_servers": rooms.ice_servers(self.settings, account_id=account.id, now=now),
        }
        others = [i for i in self._room(db, session.id) if i != account.id]
        return Outcome(
            reply=reply,
            deliveries=[(others, session.id, self._presence(db, session.id, account.id))],
            joined=session.id,
        )

    def _on_leave(self, db: Session, account: Account, msg: ClientMessage, _: set[int]) -> Outcome:
        left = rooms.leave(db, self.settings, session_id=msg.session_id, account=account)  # type: ignore[arg-type]
        return Outcome(
            reply={"type": "left", "session_id": left.session_id},
            deliveries=self._left_deliveries(db, left),
            left=left.session_id,
        )

    def _left_deliveries(self, db: Session, left: rooms.Left) -> list:
        present = self._room(db, left.session_id)
        out = [(present, left.session_id, self._presence(db, left.session_id, left.account_id))]
        if left.notice is not None:  # R-ROOM-8: the host sees it in the chat
            session = rooms.load(db, left.session_id)
            assert session is not None
            out.append((present, left.session_id, {"type": "chat", **rooms.chat_dict(left.notice)}))
        return out

    def _on_begin(self, db: Session, account: Account, msg: ClientMessage, _: set[int]) -> Outcome:
        session = rooms.begin(db, self.settings, session_id=msg.session_id, account=account)  # type: ignore[arg-type]
        event = {"type": "session.begun", "session": rooms.detail(session)}
        return Outcome(deliveries=[(self._room(db, session.id), session.id, event)])

    def _on_end(self, db: Session, account: Account, msg: ClientMessage, _: set[int]) -> Outcome:
        present = self._room(db, msg.session_id)  # type: ignore[arg-type]
        session = rooms.end(db, self.settings, session_id=msg.session_id, account=account)  # type: ignore[arg-type]
        everyone = [m.account_id for m in session.members]
        event = {"type": "session.ended", "session_id": session.id, "by": account.id}
        return Outcome(deliveries=[(sorted(set(everyone) | set(present)), None, event)])

    def _on_chat(self, db: Session, account: Account, msg: ClientMessage, _: set[int]) -> Outcome:
        message = rooms.chat(
            db,
            self.settings,
            session_id=msg.session_id,  # type: ignore[arg-type]
            account=account,
            body=msg.body or "",
        )
        event = {"type": "chat", **message}
        return Outcome(deliveries=[(self._room(db, msg.session_id), msg.session_id, event)])  # type: ignore[arg-type]

    def _on_signal(
        self, db: Session, account: Account, msg: ClientMessage, joined: set[int]
    ) -> Outcome:
        if msg.session_id not in joined:
            raise RoomRefusal("not_joined", room.NOT_IN_ROOM)
        rooms.check_signal(db, session_id=msg.session_id, account_id=account.id, to=msg.to)  # type: ignore[arg-type]
        event = {
            "type": "signal",
            "session_id": msg.session_id,
            "from": account.id,
            "signal": msg.signal,
        }
        return Outcome(deliveries=[([msg.to], msg.session_id, event)])  # type: ignore[list-item]

    # --- departures -------------------------------------------------------------------------

    async def _gone(self, conn: Connection) -> None:
        conn.closed = True
        if conn.account_id is not None:
            self.connections[conn.account_id].discard(conn)
            if not self.connections[conn.account_id]:
                del self.connections[conn.account_id]
            for session_id in list(conn.sessions):
                if self._in_room_elsewhere(conn.account_id, session_id, conn):
                    continue
                # its own task: the socket's task may be cancelled as it goes away
                task = asyncio.get_running_loop().create_task(
                    self._note_drop(session_id, conn.account_id)
                )
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        await conn.finish()

    async def _note_drop(self, session_id: int, account_id: int) -> None:
        try:
            event = await self._db(self._dropped, session_id, account_id)
        except Exception:  # noqa: BLE001 - the sweeper still has the truth in the database
            log.exception("noting a dropped socket failed")
            return
        if event is not None:
            self.deliver(*event)

    def _dropped(self, db: Session, session_id: int, account_id: int) -> tuple | None:
        if not rooms.drop(db, self.settings, session_id=session_id, account_id=account_id):
            return None
        log.info("account %s dropped from session %s; place kept", account_id, session_id)
        others = [i for i in self._room(db, session_id) if i != account_id]
        return (others, session_id, self._presence(db, session_id, account_id))

    def _sweep(self, db: Session) -> list:
        out: list = []
        for left in rooms.sweep(db, self.settings):
            out.extend(self._left_deliveries(db, left))
        return out

    async def sweep_once(self) -> None:
        for delivery in await self._db(self._sweep):
            self.deliver(*delivery)

    async def run_sweeper(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.sweep_once()
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("sweeping dropped places failed")

    async def close_all(self) -> None:
        for conns in list(self.connections.values()):
            for conn in list(conns):
                await conn.close(code=1012)  # service restart: clients reconnect


def _error(code: str, message: str, ref: str | None = None) -> dict:
    out = {"type": "error", "code": code, "message": message}
    if ref is not None:
        out["ref"] = ref
    return out


def install(app: FastAPI) -> Hub:
    hub = Hub(app.state.settings, app.state.session_factory)
    app.state.hub = hub

    async def start(app: FastAPI) -> None:
        hub.loop = asyncio.get_running_loop()
        await hub.run_sweeper()

    async def close(app: FastAPI) -> None:
        await hub.close_all()

    app.state.background_starters.append(start)
    app.state.closers.append(close)
    return hub
