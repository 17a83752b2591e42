"""The hub: authenticates a socket once, checks every message in memory, relays.

The hot path touches no database: a socket is authenticated when it opens and keeps its
principal; ``ping`` is answered at once; ``signal`` is relayed after checks against the rooms
held in memory (rooms.py); chat is checked in memory, then stored and delivered in the room's
order without holding up the sender's other messages. Room changes (join, leave, begin, end,
drops, the sweep) run one at a time per room on worker threads and are written to the database,
which stays the truth: a restart loses nothing. What ends a socket's right to be there (logout,
password change, deactivation, a superseded visit link, expiry) arrives as an event or is found
by the watcher (watch.py) within a second.

Deliveries, room changes and revocations go to the other server processes through the bus
(server/bus.py): an in-process no-op by default, Redis publish/subscribe when configured.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocket, WebSocketDisconnect

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain import messages, signalling
from vtconnect_care.domain.care_room import RoomRefusal
from vtconnect_care.domain.signalling import ClientMessage, ProtocolError

from .. import bus as buses
from ..errors import ApiError
from ..settings import Settings
from . import handlers
from .connection import Connection
from .connection import error_message as _error
from .group_media import NO_MEDIA_SERVER, GroupMedia
from .handlers import Outcome
from .limits import LoopLag
from .order import Tasks
from .principal import Authenticator, SessionTokenAuthenticator
from .rooms import RoomCache, RoomView, read

log = logging.getLogger("vtconnect.realtime")

AUTH_TIMEOUT = 10.0  # seconds to send the auth message when no token was in the URL
RATE = 30.0  # messages per second, sustained
BURST = 60.0
FLOOD_CLOSE_AFTER = 200  # refused messages before the socket is closed
SWEEP_SECONDS = 5.0
ROOM_CHANGES = frozenset({"join", "leave", "begin", "end"})


class Hub:
    def __init__(
        self, settings: Settings, factory: sessionmaker[Session], bus: buses.Bus | None = None
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.bus: buses.Bus = bus or buses.LocalBus()
        self.rooms = RoomCache()
        self.connections: dict[int, set[Connection]] = defaultdict(set)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.messages_refused = 0
        self.clock: Callable[[], float] = time.monotonic  # flood control's clock (tests freeze it)
        self.lag = LoopLag(lambda: self.clock())
        self.tasks = Tasks()
        # first match wins; a visit page's invite-token authenticator goes in front
        self.authenticators: list[Authenticator] = [SessionTokenAuthenticator()]
        self.media: GroupMedia | None = None  # group rooms through Janus, when configured

    # --- delivery -----------------------------------------------------------------------

    def deliver(self, account_ids: list[int], session_id: int | None, message: dict) -> None:
        """To these accounts' connections, here and in the other processes (only those in the
        room when session_id is given)."""
        self._deliver_here(account_ids, session_id, message)
        self.bus.publish({"t": "deliver", "to": account_ids, "sid": session_id, "m": message})

    def _deliver_here(self, account_ids: list[int], session_id: int | None, message: dict) -> None:
        for account_id in account_ids:
            for conn in list(self.connections.get(account_id, ())):
                if session_id is None or session_id in conn.sessions:
                    conn.send(message)

    def post(self, account_ids: list[int], message: dict) -> None:
        """Thread-safe deliver for REST handlers (worker threads)."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.deliver, account_ids, None, message)

    def tell(self, event: dict[str, Any]) -> None:
        """Thread-safe: an event from a service (bus.tell), applied here and published."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._event_everywhere, event)

    def _event_everywhere(self, event: dict[str, Any]) -> None:
        self.on_event(event)
        self.bus.publish(event)

    def on_event(self, event: dict[str, Any]) -> None:
        """An event from another process (or a service of this one)."""
        kind = event.get("t")
        if kind == "deliver":
            self._deliver_here(list(event.get("to") or []), event.get("sid"), event.get("m") or {})
        elif kind == "room":
            self.rooms.invalidate(int(event["sid"]))
        elif kind == "revoke":
            self.revoke_tokens(set(event.get("tokens") or []))

    def resync(self) -> None:
        """Events may have been lost (the bus reconnected): read every room again on use."""
        self.rooms.clear()

    def _rooms_changed(self, views: list[RoomView]) -> None:
        for view in views:
            self.rooms.put(view)
            self.bus.publish({"t": "room", "sid": view.session_id})

    # --- revocation -------------------------------------------------------------------------

    def revoke_tokens(self, token_ids: set[int]) -> None:
        for conns in list(self.connections.values()):
            for conn in list(conns):
                if conn.token_id in token_ids:
                    self.cut(conn, "session_expired", messages.SESSION_EXPIRED)

    def cut(self, conn: Connection, code: str, message: str) -> None:
        """Tell the socket why, then close it with 4401 (its principal no longer holds)."""
        if conn.closed:
            return
        conn.send(_error(code, message))
        self.tasks.spawn(self._close_after_flush(conn))

    async def _close_after_flush(self, conn: Connection) -> None:
        await conn.finish()
        await conn.close(code=4401)

    def open_connections(self) -> list[Connection]:
        return [c for conns in self.connections.values() for c in conns if not c.closed]

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
            hello = await self._authenticate(conn)
            if hello is None:
                return
            self.connections[conn.account_id].add(conn)  # type: ignore[index]
            conn.send(hello)
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
        if len(token) > 256:
            token = ""  # no token is this long: refused below without a database look-up
        try:
            hello = await self._db(handlers.hello, self.settings, token, self.authenticators)
        except ApiError as exc:
            log.info("websocket refused: %s", exc.code)
            conn.send(_error(exc.code, exc.message))
            await conn.finish()
            await conn.close(code=4401)
            return None
        conn.account_id = hello.account_id
        conn.token = token
        conn.token_id = hello.token_id
        conn.via = hello.via
        conn.allowed = hello.session_ids
        conn.expires_at = hello.expires_at  # type: ignore[assignment]
        return hello.message

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        def run() -> Any:
            with self.factory() as db:
                return fn(db, *args)

        return await asyncio.to_thread(run)

    # --- one message ----------------------------------------------------------------------

    async def _one(self, conn: Connection, raw: str | bytes) -> None:
        if not conn.bucket.allow(self.lag.recent()):
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
        if conn.expires_at is not None and self.settings.clock.now() >= conn.expires_at:
            self.cut(conn, "session_expired", messages.SESSION_EXPIRED)
            return
        try:
            await self._dispatch(conn, msg)
        except ProtocolError as exc:
            self.messages_refused += 1
            log.warning("account %s sent a bad message: %s", conn.account_id, exc.code)
            conn.send(_error(exc.code, exc.message, msg.ref))
        except RoomRefusal as exc:
            conn.send(_error(exc.code, exc.message, msg.ref))
        except Exception:  # noqa: BLE001 - one bad message never takes the socket down
            log.exception("realtime message failed")
            conn.send(_error("internal_error", messages.INTERNAL_ERROR, msg.ref))

    async def _dispatch(self, conn: Connection, msg: ClientMessage) -> None:
        if msg.type == "ping":
            conn.send({"type": "pong"} if msg.ref is None else {"type": "pong", "ref": msg.ref})
            return
        if msg.type == "auth":
            raise ProtocolError("bad_message", "Already authenticated.")
        sid = msg.session_id
        assert sid is not None
        if not conn.may_use(sid):
            raise RoomRefusal("forbidden", room.NOT_INVITED)
        if msg.type == "signal":
            await self._signal(conn, msg, sid)
        elif msg.type == "chat":
            await self._chat(conn, msg, sid)
        elif msg.type == "sfu":
            if self.media is None:
                raise NO_MEDIA_SERVER
            await self.media.step(conn, msg, sid)
        else:
            started = self.clock()
            await self.tasks.in_order(sid, lambda: self._room_change(conn, msg))
            conn.bucket.forgive(self.clock() - started)

    async def _room(self, session_id: int) -> RoomView:
        """The room from memory, read from the database the first time it is needed."""
        view = self.rooms.get(session_id)
        if view is not None:
            return view
        generation = self.rooms.generation(session_id)
        found = (await self._db(read, [session_id])).get(session_id)
        if found is None:
            raise RoomRefusal("forbidden", room.NOT_INVITED)
        self.rooms.put(found, read_at=generation)
        return found

    room_view = _room  # for the hub's helpers (group_media.py)

    async def _signal(self, conn: Connection, msg: ClientMessage, sid: int) -> None:
        if sid not in conn.sessions:
            raise RoomRefusal("not_joined", room.NOT_IN_ROOM)
        view = self.rooms.get(sid) or await self._room(sid)
        room.may_signal(view.state, view.member(conn.account_id), view.member(msg.to))
        event = {"type": "signal", "session_id": sid, "from": conn.account_id, "signal": msg.signal}
        self.deliver([msg.to], sid, event)  # type: ignore[list-item]
        if msg.ref is not None:
            conn.send({"type": "ack", "ref": msg.ref})

    async def _chat(self, conn: Connection, msg: ClientMessage, sid: int) -> None:
        view = await self._room(sid)
        room.may_talk(view.state, view.member(conn.account_id))
        room.clean_chat(msg.body or "")

        async def store_and_deliver() -> None:
            try:
                event = await self._db(handlers.chat, self.settings, conn.account_id, msg)
            except RoomRefusal as exc:
                conn.send(_error(exc.code, exc.message, msg.ref))
                return
            except Exception:  # noqa: BLE001 - one bad message never takes the hub down
                log.exception("storing a chat message failed")
                conn.send(_error("internal_error", messages.INTERNAL_ERROR, msg.ref))
                return
            now = self.rooms.get(sid) or view
            self.deliver(now.present(), sid, event)
            if msg.ref is not None:
                conn.send({"type": "ack", "ref": msg.ref})

        self.tasks.in_order(sid, store_and_deliver)  # stored in the room's order; not awaited

    async def _room_change(self, conn: Connection, msg: ClientMessage) -> None:
        ref = msg.ref
        try:
            outcome = await self._db(handlers.room_change, self.settings, conn.account_id, msg)
        except ProtocolError as exc:
            self.messages_refused += 1
            conn.send(_error(exc.code, exc.message, ref))
            return
        except RoomRefusal as exc:
            conn.send(_error(exc.code, exc.message, ref))
            return
        except ApiError as exc:
            conn.send(_error(exc.code, exc.message, ref))
            return
        except Exception:  # noqa: BLE001 - one bad message never takes the hub down
            log.exception("realtime message failed")
            conn.send(_error("internal_error", messages.INTERNAL_ERROR, ref))
            return
        self._apply(conn, outcome, ref)

    def _apply(self, conn: Connection | None, outcome: Outcome, ref: str | None = None) -> None:
        self._rooms_changed(outcome.views)
        if self.media is not None and outcome.views:
            self.tasks.spawn(self.media.after_change(outcome.views))
        if conn is not None and outcome.reply is not None:
            if ref is not None:
                outcome.reply["ref"] = ref
            conn.send(outcome.reply)
        if conn is not None and outcome.joined is not None:
            conn.sessions.add(outcome.joined)
            if self.media is not None:  # a group room: who publishes, so it can catch up
                self.tasks.spawn(self.media.welcome(conn.account_id, outcome.joined))
        for account_ids, session_id, message in outcome.deliveries:
            self.deliver(account_ids, session_id, message)
        if conn is not None and outcome.reply is None and ref is not None:
            conn.send({"type": "ack", "ref": ref})  # after the events it caused, in order
        if conn is not None and outcome.left is not None:
            conn.sessions.discard(outcome.left)

    # --- departures -------------------------------------------------------------------------

    def _in_room_elsewhere(self, account_id: int, session_id: int, conn: Connection) -> bool:
        return any(
            c is not conn and session_id in c.sessions for c in self.connections.get(account_id, ())
        )

    async def _gone(self, conn: Connection) -> None:
        conn.closed = True
        account_id = conn.account_id
        if account_id is not None:
            self.connections[account_id].discard(conn)
            if not self.connections[account_id]:
                del self.connections[account_id]
            for session_id in list(conn.sessions):
                if self._in_room_elsewhere(account_id, session_id, conn):
                    continue
                # its own task, in the room's order: the socket's task may be cancelled
                self.tasks.in_order(
                    session_id,
                    lambda sid=session_id: self._note_drop(sid, account_id),  # type: ignore[misc]
                )
        await conn.finish()

    async def _note_drop(self, session_id: int, account_id: int) -> None:
        try:
            outcome = await self._db(handlers.dropped, self.settings, session_id, account_id)
        except Exception:  # noqa: BLE001 - the sweeper still has the truth in the database
            log.exception("noting a dropped socket failed")
            return
        if outcome.views:
            log.info("account %s dropped from session %s; place kept", account_id, session_id)
        self._apply(None, outcome)

    async def sweep_once(self) -> None:
        self._apply(None, await self._db(handlers.sweep, self.settings))

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
        await self.bus.close()


def install(app: FastAPI) -> Hub:
    from .watch import Watcher

    settings: Settings = app.state.settings
    hub = Hub(settings, app.state.session_factory, buses.make_bus(settings.redis_url))
    app.state.hub = hub
    if settings.janus_url:
        hub.media = GroupMedia(hub, settings)
    # services tell the hub (and through it the other processes) what their commits changed
    app.state.session_factory.configure(info={buses.SINK: hub.tell})
    watcher = Watcher(hub)

    async def start(app: FastAPI) -> None:
        hub.loop = asyncio.get_running_loop()
        await hub.bus.start(hub.on_event, hub.resync)
        hub.tasks.spawn(hub.lag.run())
        hub.tasks.spawn(watcher.run())
        await hub.run_sweeper()

    async def close(app: FastAPI) -> None:
        await hub.close_all()
        if hub.media is not None:
            await hub.media.close()

    app.state.background_starters.append(start)
    app.state.closers.append(close)
    return hub
