"""A group room through Janus's VideoRoom: send once, receive each other person from Janus.

The app never talks to Janus's API: every step goes to the portal server as a hub message of
type ``sfu`` (docs/protocol.md), which checks the member and passes it on. One publishing
connection carries my camera and microphone; one receiving connection per other person (so a
person's state is their own, as in the mesh), opened when the server says they publish and
closed when they stop. ``peers`` holds the receiving connections by account id, so quality,
stats and tiles work as they do for a mesh.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from vtconnect_care.domain.room_mode import SFU_CAP

from ..ice import rtc_configuration
from . import jitter
from .adapt import Adapter, stats_of
from .peer import Peer, bytes_sent, prefer_codecs, read_remote
from .tracks import AudioMixer

log = logging.getLogger("vtconnect.call")

Emit = Callable[..., None]
Request = Callable[[dict], Awaitable[dict]]  # one `sfu` step to the server and its reply
RETRY_AFTER = (1.0, 2.0, 4.0, 8.0)  # waits before publishing again after Janus went away
DEAD = ("failed", "closed")
REPUBLISH_AFTER = 5.0  # seconds a new publisher gets to come up before its absence counts


class SfuLink:
    """My publishing connection to Janus and one receiving connection per other person."""

    def __init__(
        self,
        *,
        my_id: Callable[[], int],
        local: tuple[MediaStreamTrack, MediaStreamTrack],
        mixer: AudioMixer,
        ice: Callable[[], list[dict]],
        request: Request,
        emit: Emit,
        on_video_frame: Callable[[int, Any], Any] | None,
        marks: dict[str, float],
    ) -> None:
        self.peers: dict[int, Peer] = {}
        self.publisher: Peer | None = None
        self.audio_only = False
        self.on_video_frame = on_video_frame
        self.marks = marks
        self._my_id = my_id
        self._audio, self._video = local
        self._mixer = mixer
        self._ice = ice
        self._request = request
        self._emit = emit
        self._relay = MediaRelay()
        self._lock = asyncio.Lock()  # one step at a time: Janus answers in order
        self._wanted: set[int] = set()
        self._reconciling = False

    # --- sending once ---------------------------------------------------------------------------

    async def publish(self) -> None:
        """Offer my camera and microphone to Janus (through the server) and take its answer."""
        async with self._lock:
            old, self.publisher = self.publisher, None
            if old is not None:
                await old.close()
            pc = RTCPeerConnection(rtc_configuration(self._ice()))
            peer = Peer(self._my_id(), uuid.uuid4().hex[:12], pc, offerer=True)
            audio = self._relay.subscribe(self._audio, buffered=True)
            video = self._relay.subscribe(self._video, buffered=False)
            peer.local_tracks += [audio, video]
            pc.addTrack(audio)
            pc.addTrack(video)
            prefer_codecs(pc)
            # what is sent follows Janus's estimate of the path and this machine's headroom,
            # with the same ladder as a mesh connection (nobody to tell of a pause: no signal)
            peer.adapter = Adapter(
                peer.account_id,
                pc,
                signal=_nobody,
                emit=self._emit,
                chosen_audio_only=self.audio_only,
            )
            peer.adapter.install()
            self.publisher = peer

            @pc.on("connectionstatechange")
            async def on_state() -> None:
                if self.publisher is peer:
                    self._emit("sfu_state", state=pc.connectionState)

            try:
                await pc.setLocalDescription(await pc.createOffer())
                reply = await self._request({"op": "publish", "sdp": peer.local_sdp()})
                await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
                peer.adapter.check_codecs()
            except BaseException:
                self.publisher = None  # refused or unreachable: nothing half-open is kept
                await peer.close()
                raise
            task = asyncio.create_task(peer.adapter.run(), name="sfu-adapt")
            peer.tasks.add(task)
            task.add_done_callback(peer.tasks.discard)

    # --- receiving each other person -------------------------------------------------------------

    async def on_publishers(self, feeds: list[int]) -> None:
        """The server's list of who publishes now: receive the new ones, drop those gone.

        Lists may come faster than connections open: the newest list is what is reconciled, by
        one loop at a time, and a feed that cannot be received now is tried at the next list."""
        me = self._my_id()
        self._wanted = {feed for feed in feeds if feed != me}
        if self._reconciling:
            return
        self._reconciling = True
        try:
            while True:
                wanted = set(self._wanted)
                for gone in [account for account in self.peers if account not in wanted]:
                    await self.drop(gone)
                for feed in sorted(wanted - set(self.peers)):
                    try:
                        await self.receive(feed)
                    except Exception as exc:  # noqa: BLE001 - one person's feed never stops the room
                        log.info("receiving %s through the media server failed: %s", feed, exc)
                        await self.drop(feed)
                if self._wanted == wanted:
                    return
        finally:
            self._reconciling = False

    async def receive(self, feed: int) -> None:
        async with self._lock:
            reply = await self._request({"op": "subscribe", "feed": feed})
            old = self.peers.pop(feed, None)
            if old is not None:
                await old.close()
            pc = RTCPeerConnection(rtc_configuration(self._ice()))
            peer = Peer(feed, uuid.uuid4().hex[:12], pc, offerer=False)
            self.peers[feed] = peer

            @pc.on("track")
            def on_track(track: MediaStreamTrack) -> None:
                task = asyncio.create_task(self._consume(peer, track))
                peer.tasks.add(task)
                task.add_done_callback(peer.tasks.discard)

            @pc.on("connectionstatechange")
            async def on_state() -> None:
                if self.peers.get(feed) is peer:
                    self._emit("peer_state", account_id=feed, state=pc.connectionState)

            await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "offer"))
            for transceiver in pc.getTransceivers():  # low-delay buffers, as in a mesh
                jitter.tune(transceiver.receiver, transceiver.kind)
            await pc.setLocalDescription(await pc.createAnswer())
            await self._request({"op": "start", "feed": feed, "sdp": peer.local_sdp()})

    async def _consume(self, peer: Peer, track: MediaStreamTrack) -> None:
        def paint(account_id: int, frame: Any) -> None:
            if self.on_video_frame is not None and not self.audio_only:
                self.on_video_frame(account_id, frame)

        await read_remote(
            peer, track, mixer=self._mixer, marks=self.marks, emit=self._emit, on_video_frame=paint
        )

    # --- the rest --------------------------------------------------------------------------------

    def set_audio_only(self, on: bool) -> None:
        """Audio only: no video sent, none painted."""
        self.audio_only = on
        if self.publisher is not None and self.publisher.adapter is not None:
            self.publisher.adapter.choose_audio_only(on)

    async def drop(self, other: int) -> None:
        peer = self.peers.pop(other, None)
        if peer is not None:
            self._mixer.forget(peer.account_id)
            await peer.close()

    async def close_all(self) -> None:
        peers, self.peers = list(self.peers.values()), {}
        for peer in peers:
            self._mixer.forget(peer.account_id)
            await peer.close()
        if self.publisher is not None:
            publisher, self.publisher = self.publisher, None
            await publisher.close()

    def stats(self) -> dict:
        out: dict[Any, dict] = {
            p.account_id: {
                "video_frames": p.video_frames,
                "audio_frames": p.audio_frames,
                "state": p.pc.connectionState,
                "pc": p.pc_id,
                "via": "sfu",
            }
            for p in self.peers.values()
        }
        if self.publisher is not None:
            out["publishing"] = {
                "state": self.publisher.pc.connectionState,
                "bytes_out": bytes_sent(self.publisher.pc),
            }
            if self.publisher.adapter is not None:
                out["publishing"]["sending"] = stats_of(self.publisher.adapter)
        return out


async def _nobody(_signal: dict) -> None:
    """A group room's sender has no one peer to tell of a pause (Janus forwards what comes)."""


class SfuRoom(SfuLink):
    """A group room with the mesh's face (``offers_to``, ``offer``, ``on_signal``), so that the
    engine drives a mesh and a room through Janus the same way: at Begin, on arrival and from
    the watchdog it "offers" to each person, which here means: make sure I publish, and make
    sure a dead receiving connection is opened again."""

    cap = SFU_CAP

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._next_publish = 0.0
        self._failures = 0

    def offers_to(self, other: int, *, i_arrived_last: bool = False) -> bool:
        return True  # nobody waits for anybody: each sends to Janus

    async def offer(self, other: int) -> None:
        now = time.monotonic()
        publisher = self.publisher
        if (
            publisher is None or publisher.pc.connectionState in DEAD
        ) and now >= self._next_publish:
            try:
                await self.publish()
                self._failures = 0
            except Exception as exc:  # noqa: BLE001 - refused or unreachable: tried again later
                wait = RETRY_AFTER[min(self._failures, len(RETRY_AFTER) - 1)]
                self._failures += 1
                self._next_publish = time.monotonic() + wait
                log.info("publishing to the media server failed (%s); again in %s s", exc, wait)
                self._emit("sfu_state", state="unavailable")
                return
        peer = self.peers.get(other)
        if peer is not None and peer.pc.connectionState in DEAD:
            await self.drop(other)
            await self.on_publishers(sorted(self._wanted))  # the reconcile loop reopens it

    async def on_signal(self, sender: int, signal: dict) -> None:
        """No peer-to-peer signalling in a group room (a stale one from a mesh is ignored)."""

    async def on_message(self, message: dict) -> None:
        """The server's own `sfu` messages: who publishes, or the media server gone."""
        op = message.get("op")
        if op == "publishers":
            feeds = [int(feed) for feed in message.get("feeds", [])]
            publisher = self.publisher
            if (
                publisher is not None
                and self._my_id() not in feeds
                and time.monotonic() - publisher.created > REPUBLISH_AFTER
            ):
                # Janus no longer has me (my place was given up while I was away): again
                log.info("not among the publishers any more; publishing again")
                self.publisher = None
                await publisher.close()
                self._next_publish = 0.0
            await self.on_publishers(feeds)
        elif op == "unavailable":
            await self.close_all()
            self._next_publish = 0.0  # the next offer (the watchdog's) publishes again
            self._emit("sfu_state", state="unavailable", message=message.get("message"))
