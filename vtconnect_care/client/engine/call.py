"""CallEngine: a Care Room call as a mesh of aiortc peer connections over the realtime hub.

See the package docstring (``vtconnect_care.client.engine``) for the API and the events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from .. import call_http
from ..ice import rtc_configuration
from ..realtime import RealtimeClient, RealtimeError, ws_url
from .media_set import MediaSet
from .tracks import AudioMixer, LocalAudioTrack, LocalVideoTrack, to_mono

log = logging.getLogger("vtconnect.call")

DEFAULT_CAP = 6
KEEPALIVE = 30.0  # seconds between pings while in a session (the login's idle limit is 60 min)
PREFERRED = {"video": "video/VP8", "audio": "audio/opus"}  # browsers interoperate


@dataclass(frozen=True)
class Event:
    """Something the UI shows: ``kind`` (see the package docstring) and its data."""

    kind: str
    data: dict = field(default_factory=dict)


class Peer:
    """One peer connection to one other person (replaced, never restarted, after a failure)."""

    def __init__(self, account_id: int, pc_id: str, pc: RTCPeerConnection, offerer: bool) -> None:
        self.account_id = account_id
        self.pc_id = pc_id
        self.pc = pc
        self.offerer = offerer
        self.created = time.monotonic()
        self.last_media: float | None = None
        self.video_frames = 0
        self.audio_frames = 0
        self.local_tracks: list[MediaStreamTrack] = []
        self.tasks: set[asyncio.Task] = set()

    def fresh(self, within: float) -> bool:
        return self.last_media is not None and time.monotonic() - self.last_media < within

    async def close(self) -> None:
        for track in self.local_tracks:
            track.stop()
        with contextlib.suppress(Exception):
            await self.pc.close()
        for task in list(self.tasks):
            task.cancel()


def _prefer_codecs(pc: RTCPeerConnection) -> None:
    for transceiver in pc.getTransceivers():
        wanted = PREFERRED.get(transceiver.kind)
        caps = RTCRtpSender.getCapabilities(transceiver.kind).codecs
        chosen = [c for c in caps if c.mimeType == wanted]
        if chosen:
            transceiver.setCodecPreferences(chosen)


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
        self.cap = cap
        self.on_event = on_event
        self.on_video_frame = on_video_frame
        self.stale_after = stale_after
        self.warm_up = warm_up
        self._ice_explicit = ice_servers
        self._ice_portal: list[dict] = []
        self.events: asyncio.Queue[Event] = asyncio.Queue(maxsize=1000)
        self.state = "idle"
        self.account: dict | None = None
        self.session: dict | None = None
        self.peers: dict[int, Peer] = {}
        self.camera_enabled = True
        self.mic_enabled = True
        self.speaker_enabled = True
        self.marks: dict[str, float] = {}  # monotonic times: begin_sent, joined, first_frame
        self._relay = MediaRelay()
        # nothing is drawn or captured for nobody: black (cheap) while there is no peer
        self._video = LocalVideoTrack(
            media.camera, lambda: self.camera_enabled and bool(self.peers)
        )
        self._audio = LocalAudioTrack(media.microphone, lambda: self.mic_enabled)
        self._mixer = AudioMixer(media.speaker, lambda: self.speaker_enabled)
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
    def my_id(self) -> int:
        assert self.account is not None
        return int(self.account["id"])

    @property
    def session_id(self) -> int | None:
        return int(self.session["id"]) if self.session else None

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
            if m["account_id"] != self.my_id and m["status"] in ("present", "dropped")
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
        self._spawn(self._watchdog(), name="engine-watchdog")
        if self.warm_up:
            self._spawn(_warm_up(), name="engine-warm-up")
        self._set_state("connected")
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
        await self._close_peers()
        self._video.stop()
        self._audio.stop()
        await self._mixer.close()
        await self._rt.close()
        self.media.close()
        self._set_state("closed")

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
        await self._close_peers()
        self.session = None
        self._set_state("connected")

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

    def set_speaker_enabled(self, on: bool) -> None:
        self.speaker_enabled = on
        self._emit("media_toggled", device="speaker", enabled=on)

    def stats(self) -> dict:
        return {
            p.account_id: {
                "video_frames": p.video_frames,
                "audio_frames": p.audio_frames,
                "state": p.pc.connectionState,
                "pc": p.pc_id,
            }
            for p in self.peers.values()
        }

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
                self._set_state("in_call")
                self._emit("begun", session=msg["session"])
                for other in self._others_present():
                    if self.my_id < other:  # at Begin, the lower account id offers
                        await self._offer(other)
        elif kind == "session.ended":
            if msg["session_id"] == self.session_id:
                await self._close_peers()
                self.session = {**self.session, "state": "ended"} if self.session else None
                self._set_state("ended")
                self._emit("ended", session_id=msg["session_id"], by=msg.get("by"))
        elif kind == "chat":
            self._emit("chat", **{k: v for k, v in msg.items() if k != "type"})
        elif kind == "signal":
            if msg.get("session_id") == self.session_id:
                await self._on_signal(msg["from"], msg["signal"])
        elif kind == "error":
            self._emit("error", code=msg.get("code"), message=msg.get("message"))

    async def _on_socket(self, state: str, data: dict) -> None:
        if state == "connected":
            if self.session and self.session.get("state") != "ended":
                self._set_state("rejoining")
                self._spawn(self._rejoin(self.session["id"]), name="engine-rejoin")
            else:
                self._set_state("connected")
        elif state == "disconnected":
            self._set_state("reconnecting")
        elif state in ("gave_up", "refused"):
            self._set_state("offline")
            self._emit("offline", reason=state, **data)

    async def _rejoin(self, session_id: int) -> None:
        """R-ROOM-9 without the user: back into the session after the socket came back."""
        try:
            await self.join(session_id)
        except RealtimeError as exc:
            self._emit("error", code=exc.code, message=exc.message)
            if exc.code in ("session_ended", "forbidden"):
                await self._close_peers()
                self._set_state("ended")
                self._emit("ended", session_id=session_id, by=None)
        except (ConnectionError, TimeoutError) as exc:
            log.info("re-joining failed for now: %s", exc)  # the next connection tries again

    async def _joined(self, reply: dict) -> None:
        session = reply["session"]
        before = {m["account_id"]: m["status"] for m in (self.session or {}).get("members", [])}
        if self.session and self.session["id"] != session["id"]:
            before = {}
        self.session = session
        self._ice_portal = reply.get("ice_servers", [])
        self._emit("joined", session=session, chat=reply.get("chat", []))
        if session["state"] == "hosted":
            self._set_state("waiting")
        for member in session["members"]:
            if member["account_id"] != self.my_id and member["status"] == "present":
                if before.get(member["account_id"]) != "present":
                    self._emit("participant_joined", member=member, returned=False)
        if session["state"] == "begun":
            self._set_state("in_call")
            for other in self._others_present():  # the newcomer offers
                peer = self.peers.get(other)
                if peer is None or not (
                    peer.pc.connectionState == "connected" and peer.fresh(self.stale_after)
                ):
                    await self._offer(other)
        else:
            self._set_state("waiting")

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
            peer = self.peers.pop(member["account_id"], None)
            if peer is not None:
                self._mixer.forget(peer.account_id)
                await peer.close()
            self._emit("participant_left", member=member)

    # --- peer connections ----------------------------------------------------------------------

    async def _signal(self, to: int, signal: dict) -> None:
        await self._rt.send(
            {"type": "signal", "session_id": self.session_id, "to": to, "signal": signal}
        )

    def _new_peer(self, other: int, pc_id: str, offerer: bool) -> Peer:
        old = self.peers.pop(other, None)
        if old is not None:
            self._spawn(old.close(), name="peer-close")
        pc = RTCPeerConnection(rtc_configuration(self._ice()))
        peer = Peer(other, pc_id, pc, offerer)
        self.peers[other] = peer

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.create_task(self._consume(peer, track))
            peer.tasks.add(task)
            task.add_done_callback(peer.tasks.discard)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            state = pc.connectionState
            if self.peers.get(other) is not peer:
                return
            self._emit("peer_state", account_id=other, state=state)
            if state == "failed" and self.my_id < other:
                # aiortc has no ICE restart: a new connection and a fresh offer
                self._spawn(self._offer(other), name="peer-replace")

        return peer

    def _add_local(self, peer: Peer) -> None:
        audio = self._relay.subscribe(self._audio, buffered=True)
        video = self._relay.subscribe(self._video, buffered=False)
        peer.local_tracks += [audio, video]
        peer.pc.addTrack(audio)
        peer.pc.addTrack(video)

    async def _offer(self, other: int) -> None:
        if other not in self.peers and len(self.peers) >= self.cap - 1:
            self._emit("error", code="room_full", message="This call is full.")
            return
        peer = self._new_peer(other, uuid.uuid4().hex[:12], offerer=True)
        self._add_local(peer)
        _prefer_codecs(peer.pc)
        await peer.pc.setLocalDescription(await peer.pc.createOffer())
        if self.peers.get(other) is peer:
            await self._signal(other, {"kind": "offer", "pc": peer.pc_id, "sdp": _sdp(peer)})

    async def _on_signal(self, sender: int, signal: dict) -> None:
        kind, pc_id = signal["kind"], signal["pc"]
        peer = self.peers.get(sender)
        if kind == "offer":
            if peer is not None and peer.pc_id == pc_id:
                return  # a repeat
            glare = peer is not None and peer.pc.signalingState == "have-local-offer"
            if glare and self.my_id < sender:
                return  # both offered at once: the lower account id's offer wins
            peer = self._new_peer(sender, pc_id, offerer=False)
            await peer.pc.setRemoteDescription(RTCSessionDescription(signal["sdp"], "offer"))
            self._add_local(peer)
            _prefer_codecs(peer.pc)
            await peer.pc.setLocalDescription(await peer.pc.createAnswer())
            if self.peers.get(sender) is peer:
                await self._signal(sender, {"kind": "answer", "pc": pc_id, "sdp": _sdp(peer)})
        elif kind == "answer":
            if peer is not None and peer.pc_id == pc_id:
                if peer.pc.signalingState == "have-local-offer":
                    await peer.pc.setRemoteDescription(
                        RTCSessionDescription(signal["sdp"], "answer")
                    )
        elif kind == "ice" and peer is not None and peer.pc_id == pc_id:
            cand = signal.get("candidate")  # browsers trickle; aiortc puts them in the SDP
            if cand and cand.get("candidate"):
                ice = candidate_from_sdp(cand["candidate"].split(":", 1)[-1])
                ice.sdpMid = cand.get("sdpMid")
                ice.sdpMLineIndex = cand.get("sdpMLineIndex")
                await peer.pc.addIceCandidate(ice)

    async def _consume(self, peer: Peer, track: MediaStreamTrack) -> None:
        """Read every remote track to its end (unread tracks pile frames up: DESIGN.md s. 8)."""
        video = track.kind == "video"
        try:
            while True:
                frame = await track.recv()
                now = time.monotonic()
                peer.last_media = now
                if video:
                    peer.video_frames += 1
                    if peer.video_frames == 1:
                        self.marks.setdefault("first_frame", now)
                        self._emit("first_frame", account_id=peer.account_id, at=now)
                    if self.on_video_frame is not None:
                        self.on_video_frame(peer.account_id, frame)
                else:
                    peer.audio_frames += 1
                    self._mixer.push(peer.account_id, to_mono(frame))  # type: ignore[arg-type]
        except MediaStreamError:
            return
        except Exception:  # noqa: BLE001
            log.exception("reading a remote %s track failed", track.kind)

    async def _watchdog(self) -> None:
        """Replace connections that carry no media (e.g. after the network came back)."""
        last_ping = time.monotonic()
        while True:
            await asyncio.sleep(0.25)
            if not self._rt.connected.is_set() or not self.session:
                continue
            now = time.monotonic()
            if now - last_ping > KEEPALIVE and self.session.get("state") != "ended":
                # a call can run for an hour without a message: keep the login from idling out
                last_ping = now
                with contextlib.suppress(ConnectionError):
                    await self._rt.send({"type": "ping"})
            if self.session.get("state") != "begun" or self.state != "in_call":
                continue
            for other in self._others_present():
                peer = self.peers.get(other)
                if peer is not None and (peer.fresh(self.stale_after) or now - peer.created < 3.0):
                    continue
                # the lower id acts at once; the other side too if nothing came for a while
                waited = now - (peer.created if peer else self.marks.get("joined", now))
                if self.my_id < other or waited > 3 * self.stale_after + 3.0:
                    with contextlib.suppress(ConnectionError, RealtimeError):
                        await self._offer(other)

    async def _close_peers(self) -> None:
        peers, self.peers = list(self.peers.values()), {}
        for peer in peers:
            self._mixer.forget(peer.account_id)
            await peer.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any], *, name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self._emit("state", state=state)

    def _emit(self, kind: str, /, **data: Any) -> None:
        event = Event(kind, data)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001
                log.exception("an event handler failed")
        if self.events.full():
            self.events.get_nowait()  # nobody reads: keep the newest
        self.events.put_nowait(event)


async def _warm_up() -> None:
    """One tiny call between two local peer connections, so that the first real call does not
    pay for first-use costs (ICE gathering, DTLS, codec set-up: ~0.8 s measured here)."""
    from ..media.synthetic import SyntheticCamera, SyntheticTone

    camera = SyntheticCamera("warm-up", 160, 120)
    tracks = [LocalVideoTrack(camera, lambda: True), LocalAudioTrack(SyntheticTone(), lambda: True)]
    a = RTCPeerConnection(rtc_configuration([]))
    b = RTCPeerConnection(rtc_configuration([]))
    got = asyncio.Event()
    readers: list[asyncio.Task] = []

    async def read(track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                if track.kind == "video":
                    got.set()

    b.on("track", lambda track: readers.append(asyncio.ensure_future(read(track))))
    try:
        for track in tracks:
            a.addTrack(track)
        _prefer_codecs(a)
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        await asyncio.wait_for(got.wait(), 10)
    except Exception:  # noqa: BLE001 - only an optimisation
        log.info("warm-up call failed", exc_info=True)
    finally:
        for track in tracks:
            track.stop()
        await a.close()
        await b.close()
        for task in readers:
            task.cancel()


def _sdp(peer: Peer) -> str:
    assert peer.pc.localDescription is not None
    return peer.pc.localDescription.sdp
