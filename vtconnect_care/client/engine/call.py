"""CallEngine: a Care Room call as a mesh of aiortc peer connections over the realtime hub.

See the package docstring (``vtconnect_care.client.engine``) for the API and the events. The
peer connections themselves live in ``mesh.Mesh``; the engine's state in ``EngineState``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from vtconnect_care.domain.care_room import SessionState
from vtconnect_care.domain.transitions import StateMachine

from .. import call_http
from ..realtime import RealtimeClient, RealtimeError, ws_url
from .link_stats import LinkMonitor
from .media_set import MediaSet
from .mesh import Mesh
from .peer import Peer, warm_up
from .sfu import SfuRoom
from .states import ENGINE_MOVES, EngineState, Event
from .tracks import AudioMixer, LocalAudioTrack, LocalVideoTrack
from .watchdog import keep_media_flowing

log = logging.getLogger("vtconnect.call")

DEFAULT_CAP = 6
HERE = ("present", "dropped")  # members whose place in the call is kept


class CallEngine:
    def __init__(
        self,
        portal_url: str,
        token: str,
        media: MediaSet,
        ice_servers: list[dict] | None = None,
        *,
        cap: int = DEFAULT_CAP,
        on_event: Callable[[Event], Any] | None = None,
        on_video_frame: Callable[[int, Any], Any] | None = None,
        reconnect_for: float = 120.0,
        stale_after: float = 1.5,
        warm_up: bool = True,
    ) -> None:
        self.portal_url = portal_url.rstrip("/")
        self.token = token
        self.media = media
        self.on_event = on_event
        self.stale_after = stale_after
        self.warm_up = warm_up
        self._ice_explicit = ice_servers
        self._ice_portal: list[dict] = []
        self.events: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)
        self._machine = StateMachine(
            "engine",
            EngineState.IDLE,
            ENGINE_MOVES,
            on_change=lambda _old, new: self._emit("state", state=new),
            logger=log,
        )
        self.account: dict | None = None
        self.session: dict | None = None
        self.camera_enabled = True
        self.mic_enabled = True
        self.speaker_enabled = True
        self.audio_only = False
        self.marks: dict[str, float] = {}  # monotonic times: begin_sent, joined, first_frame
        # nothing is drawn or captured for nobody: black (cheap) while there is no peer
        self._video = LocalVideoTrack(
            media.camera, lambda: self.camera_enabled and bool(self.mesh.peers)
        )
        self._audio = LocalAudioTrack(media.microphone, lambda: self.mic_enabled)
        self._mixer = AudioMixer(media.speaker, lambda: self.speaker_enabled)
        self._media_args: dict[str, Any] = dict(
            my_id=lambda: self.my_id,
            local=(self._audio, self._video),
            mixer=self._mixer,
            ice=self._ice,
            emit=self._emit,
            on_video_frame=on_video_frame,
            marks=self.marks,
        )
        self._cap = cap
        self.mesh: Mesh | SfuRoom = self._new_mesh()
        self.link = LinkMonitor(lambda: self.mesh.peers, self._emit)  # quality per person
        self._inbox: asyncio.Queue[dict] = asyncio.Queue()
        self._rt = RealtimeClient(
            ws_url(self.portal_url),
            token,
            on_message=self._inbox.put_nowait,
            on_state=lambda state, data: self._inbox.put_nowait(
                {"type": "_socket", "state": state, "data": data}
            ),
            reconnect_for=reconnect_for,
        )
        self._tasks: set[asyncio.Task] = set()
        self._join_waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._started = False
        self._closed = False

    # --- properties ---------------------------------------------------------------------------

    @property
    def state(self) -> EngineState:
        return self._machine.state

    @property
    def peers(self) -> dict[int, Peer]:
        return self.mesh.peers

    @property
    def cap(self) -> int:
        return self.mesh.cap

    @property
    def my_id(self) -> int:
        assert self.account is not None
        return int(self.account["id"])

    @property
    def session_id(self) -> int | None:
        return int(self.session["id"]) if self.session else None

    @property
    def session_state(self) -> SessionState | None:
        return SessionState(self.session["state"]) if self.session else None

    @property
    def realtime(self) -> RealtimeClient:
        return self._rt

    def _ice(self) -> list[dict]:
        return self._ice_explicit if self._ice_explicit is not None else self._ice_portal

    def _others_present(self) -> list[int]:
        if not self.session:
            return []
        return [
            m["account_id"]
            for m in self.session["members"]
            if m["account_id"] != self.my_id and m["status"] in HERE
        ]

    # --- life ---------------------------------------------------------------------------------

    async def start(self) -> dict:
        """Start the media and connect to the hub; returns the hello (account, live sessions)."""
        if self._started:
            assert self._rt.hello is not None
            return self._rt.hello
        self._started = True
        self.media.start()
        self._mixer.start()
        hello = await self._rt.start()
        self.account = hello["account"]
        self._spawn(self._process(), name="engine-inbox")
        self._spawn(keep_media_flowing(self), name="engine-watchdog")
        self._spawn(self.link.run(), name="engine-link-stats")
        if self.warm_up:
            self._spawn(warm_up(), name="engine-warm-up")
        self._set_state(EngineState.CONNECTED)
        self._emit("media", notices=list(self.media.notices))
        self._emit("hello", account=hello["account"], sessions=hello["sessions"])
        return hello

    async def close(self) -> None:
        """Hang up locally and release everything (idempotent); does not end the session."""
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.link.close()
        await self.mesh.close_all()
        self._video.stop()
        self._audio.stop()
        await self._mixer.close()
        await self._rt.close()
        self.media.close()
        self._set_state(EngineState.CLOSED)

    # --- commands -----------------------------------------------------------------------------

    async def host(
        self, client_ids: list[int] | None = None, *, usernames: list[str] | None = None
    ):
        """R-ROOM-1: host a session with these people and enter it (waiting for them)."""
        detail = await call_http.host_session(
            self.portal_url, self.token, account_ids=client_ids, usernames=usernames
        )
        await self.join(detail["id"])
        return detail["id"]

    async def join(self, session_id: int) -> dict:
        """Enter (or re-enter, R-ROOM-9) a session; returns its detail. RealtimeError if refused."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._join_waiters.setdefault(session_id, []).append(done)
        try:
            # the reply is applied by the inbox, in order with the room's events around it
            reply = await self._rt.request(
                {"type": "join", "session_id": session_id}, dispatch=True
            )
            await asyncio.wait_for(asyncio.shield(done), 10.0)
        finally:
            waiters = self._join_waiters.get(session_id, [])
            if done in waiters:
                waiters.remove(done)
        return reply["session"]

    async def begin(self) -> None:
        """R-ROOM-2: the host begins once someone arrived (refused otherwise)."""
        self.marks["begin_sent"] = time.monotonic()
        await self._rt.request({"type": "begin", "session_id": self._need_session()})

    async def end(self) -> None:
        """R-ROOM-7: ends the session for everyone; the hub refuses anyone but the host."""
        await self._rt.request({"type": "end", "session_id": self._need_session()})

    async def leave(self) -> None:
        session_id = self._need_session()
        with contextlib.suppress(RealtimeError, ConnectionError, TimeoutError):
            await self._rt.request({"type": "leave", "session_id": session_id})
        await self.mesh.close_all()
        self.session = None
        if self.state is not EngineState.OFFLINE:
            self._set_state(EngineState.CONNECTED)

    async def send_chat(self, text: str) -> None:
        await self._rt.request({"type": "chat", "session_id": self._need_session(), "body": text})

    def set_camera_enabled(self, on: bool) -> None:
        """R-ROOM-3: black pictures while off; a real camera is released meanwhile."""
        self.camera_enabled = on
        if not self.media.camera.synthetic:
            (self.media.camera.start if on else self.media.camera.close)()
        self._emit("media_toggled", device="camera", enabled=on)

    def set_mic_enabled(self, on: bool) -> None:
        self.mic_enabled = on
        self._emit("media_toggled", device="microphone", enabled=on)

    def set_audio_only(self, on: bool) -> None:
        """Audio only: no video sent to anyone, and everyone asked to send me none."""
        self.audio_only = on
        self.mesh.set_audio_only(on)
        self._emit("audio_only", on=on)

    def set_speaker_enabled(self, on: bool) -> None:
        self.speaker_enabled = on
        self._emit("media_toggled", device="speaker", enabled=on)

    def stats(self) -> dict:
        return self.mesh.stats()

    def _need_session(self) -> int:
        if self.session_id is None:
            raise RealtimeError("not_joined", "Join a session first.")
        return self.session_id

    # --- the hub's messages --------------------------------------------------------------------

    async def _process(self) -> None:
        while True:
            message = await self._inbox.get()
            try:
                await self._handle(message)
            except (ConnectionError, TimeoutError) as exc:
                log.info("could not act on %s now: %s", message.get("type"), exc)
            except Exception:  # noqa: BLE001 - one bad message never stops the engine
                log.exception("handling %s failed", message.get("type"))

    async def _handle(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "_socket":
            await self._on_socket(msg["state"], msg["data"])
        elif kind == "joined":
            self.marks["joined"] = time.monotonic()
            try:
                await self._joined(msg)
            finally:
                for waiter in self._join_waiters.pop(msg["session"]["id"], []):
                    if not waiter.done():
                        waiter.set_result(None)
        elif kind == "hosted":
            self._emit("hosted", session=msg["session"])
        elif kind == "presence":
            await self._on_presence(msg)
        elif kind == "session.begun":
            if msg["session"]["id"] == self.session_id:
                self.session = msg["session"]
                self._set_state(EngineState.IN_CALL)
                self._emit("begun", session=msg["session"])
                for other in self._others_present():
                    if self.mesh.offers_to(other):  # at Begin, the lower account id offers
                        await self.mesh.offer(other)
        elif kind == "session.ended":
            if msg["session_id"] == self.session_id:
                await self.mesh.close_all()
                if self.session:
                    self.session = {**self.session, "state": SessionState.ENDED.value}
                self._set_state(EngineState.ENDED)
                self._emit("ended", session_id=msg["session_id"], by=msg.get("by"))
        elif kind == "chat":
            self._emit("chat", **{k: v for k, v in msg.items() if k != "type"})
        elif kind == "signal":
            if msg.get("session_id") == self.session_id:
                await self.mesh.on_signal(msg["from"], msg["signal"])
        elif kind == "sfu" and isinstance(self.mesh, SfuRoom):
            if msg.get("session_id") == self.session_id:
                await self.mesh.on_message(msg)
        elif kind == "error":
            self._emit("error", code=msg.get("code"), message=msg.get("message"))

    async def _on_socket(self, state: str, data: dict) -> None:
        if self.state is EngineState.OFFLINE:
            return
        if state == "connected":
            live = self.session_state
            if self.session and live is not None and live.live:
                self._set_state(EngineState.REJOINING)
                self._spawn(self._rejoin(self.session["id"]), name="engine-rejoin")
            elif self.state is not EngineState.ENDED:
                self._set_state(EngineState.CONNECTED)
        elif state == "disconnected":
            self._set_state(EngineState.RECONNECTING)
        elif state in ("gave_up", "refused"):
            self._set_state(EngineState.OFFLINE)
            self._emit("offline", reason=state, **data)

    async def _rejoin(self, session_id: int) -> None:
        """R-ROOM-9 without the user: back into the session after the socket came back."""
        try:
            await self.join(session_id)
        except RealtimeError as exc:
            self._emit("error", code=exc.code, message=exc.message)
            if exc.code in ("session_ended", "forbidden"):
                await self.mesh.close_all()
                self._set_state(EngineState.ENDED)
                self._emit("ended", session_id=session_id, by=None)
        except (ConnectionError, TimeoutError) as exc:
            log.info("re-joining failed for now: %s", exc)  # the next connection tries again

    async def _joined(self, reply: dict) -> None:
        session = reply["session"]
        before = {m["account_id"]: m["status"] for m in (self.session or {}).get("members", [])}
        if self.session and self.session["id"] != session["id"]:
            before = {}
        self.session = session
        self._use_media(session)
        self._ice_portal = reply.get("ice_servers", [])
        self._emit("joined", session=session, chat=reply.get("chat", []))
        if SessionState(session["state"]) is SessionState.HOSTED:
            self._set_state(EngineState.WAITING)  # before the arrivals: the host's ding
        for member in session["members"]:
            if member["account_id"] != self.my_id and member["status"] == "present":
                if before.get(member["account_id"]) != "present":
                    self._emit("participant_joined", member=member, returned=False)
        if SessionState(session["state"]) is SessionState.BEGUN:
            self._set_state(EngineState.IN_CALL)
            for other in self._others_present():
                peer = self.peers.get(other)
                if peer is not None and peer.holding:
                    continue  # the call itself held while the socket was away
                if self.mesh.offers_to(other, i_arrived_last=True):  # the newcomer offers
                    await self.mesh.offer(other)
        else:
            self._set_state(EngineState.WAITING)

    async def _on_presence(self, msg: dict) -> None:
        member = msg["member"]
        if not self.session or msg["session_id"] != self.session_id:
            return
        before = next(
            (m for m in self.session["members"] if m["account_id"] == member["account_id"]), None
        )
        self.session["members"] = [
            member if m["account_id"] == member["account_id"] else m
            for m in self.session["members"]
        ]
        status, was = member["status"], before["status"] if before else None
        if member["account_id"] == self.my_id:
            return
        if status == "present" and was != "present":
            self._emit("participant_joined", member=member, returned=was == "dropped")
        elif status == "dropped":
            self._emit("participant_dropped", member=member)
        elif status in ("left", "absent"):
            await self.mesh.drop(member["account_id"])
            self._emit("participant_left", member=member)

    async def _signal(self, to: int, signal: dict) -> None:
        await self._rt.send(
            {"type": "signal", "session_id": self.session_id, "to": to, "signal": signal}
        )

    # --- how media travels: a mesh, or a room through Janus (R-ROOM-MODE) -------------------

    def _new_mesh(self) -> Mesh:
        return Mesh(**self._media_args, signal=self._signal, spawn=self._spawn, cap=self._cap)

    def _use_media(self, session: dict) -> None:
        """As the server decided for this session: the mesh, or a group room through Janus."""
        wanted = SfuRoom if session.get("media") == "sfu" else Mesh
        if type(self.mesh) is wanted:
            return
        self._spawn(self.mesh.close_all(), name="engine-media-close")
        self.mesh = (
            SfuRoom(**self._media_args, request=self._sfu)
            if wanted is SfuRoom
            else (self._new_mesh())
        )
        self.mesh.set_audio_only(self.audio_only)

    async def _sfu(self, step: dict) -> dict:
        return await self._rt.request({"type": "sfu", "session_id": self._need_session(), **step})

    # --- plumbing ------------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any], *, name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _set_state(self, state: EngineState) -> None:
        self._machine.move(state)

    def _emit(self, kind: str, /, **data: Any) -> None:
        event = Event(kind, data)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001 - a UI handler's failure never stops the call
                log.exception("an event handler failed")
        if self.events.full():
            self.events.get_nowait()  # nobody reads: keep the newest
        self.events.put_nowait(event)
