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
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from ..ice import rtc_configuration
from .peer import Peer, prefer_codecs
from .tracks import AudioMixer, to_mono

log = logging.getLogger("vtconnect.call")

Emit = Callable[..., None]
Request = Callable[[dict], Awaitable[dict]]  # one `sfu` step to the server and its reply
RETRY_AFTER = (1.0, 2.0, 4.0, 8.0)  # waits before publishing again after Janus went away


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
        self._published = asyncio.Event()
        self._wanted: set[int] = set()
        self._reconciling = False

    # --- sending once ---------------------------------------------------------------------------

    async def publish(self) -> None:
        """Offer my camera and microphone to Janus (through the server) and take its answer."""
        async with self._lock:
            old, self.publisher = self.publisher, None
            self._published.clear()
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
            self.publisher = peer

            @pc.on("connectionstatechange")
            async def on_state() -> None:
                if self.publisher is peer:
                    self._emit("sfu_state", state=pc.connectionState)

            await pc.setLocalDescription(await pc.createOffer())
            reply = await self._request({"op": "publish", "sdp": peer.local_sdp()})
            await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
            self._published.set()

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
            await pc.setLocalDescription(await pc.createAnswer())
            await self._request({"op": "start", "feed": feed, "sdp": peer.local_sdp()})

    async def _consume(self, peer: Peer, track: MediaStreamTrack) -> None:
        """Read every remote track to its end (unread tracks pile frames up: docs/pitfalls.md)."""
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
                    if self.on_video_frame is not None and not self.audio_only:
                        self.on_video_frame(peer.account_id, frame)
                else:
                    peer.audio_frames += 1
                    self._mixer.push(peer.account_id, to_mono(frame))  # type: ignore[arg-type]
        except MediaStreamError:
            return
        except Exception:  # noqa: BLE001 - one bad track never stops the call
            log.exception("reading a remote %s track failed", track.kind)

    # --- the rest --------------------------------------------------------------------------------

    def set_audio_only(self, on: bool) -> None:
        """Audio only: no video painted; sending stops through the camera switch."""
        self.audio_only = on

    async def on_janus_gone(self) -> None:
        """Janus went away: every connection through it is dead; publish again when it is back."""
        await self.close_all()
        self._emit("sfu_state", state="unavailable")
        for wait in (*RETRY_AFTER, *[RETRY_AFTER[-1]] * 30):  # about four minutes
            await asyncio.sleep(wait)
            try:
                await self.publish()
                return
            except (ConnectionError, TimeoutError, KeyError, ValueError):
                log.info("Janus still away; trying again in %s s", wait)

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
            out["publishing"] = {"state": self.publisher.pc.connectionState}
        return out
