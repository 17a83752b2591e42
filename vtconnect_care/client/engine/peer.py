"""One peer connection to one other person, the codec preference and the warm-up call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection, RTCRtpSender
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from ..ice import rtc_configuration
from .adapt import Adapter
from .tracks import AudioMixer, LocalAudioTrack, LocalVideoTrack, to_mono

log = logging.getLogger("vtconnect.call")

PREFERRED = {"video": "video/VP8", "audio": "audio/opus"}  # browsers interoperate
DEAD_AFTER = 6.0  # seconds without media before a still "connected" connection is replaced
SETTLING = 3.0  # seconds a new connection gets before it is judged


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
        self.adapter: Adapter | None = None  # set by the mesh: what this connection sends

    def fresh(self, within: float) -> bool:
        return self.last_media is not None and time.monotonic() - self.last_media < within

    @property
    def healthy(self) -> bool:
        return self.pc.connectionState == "connected"

    @property
    def holding(self) -> bool:
        """Connected, with media lately: most likely the same connection carries media again the
        moment an outage ends (a new one would need signalling and ICE first, seconds)."""
        return self.healthy and self.fresh(DEAD_AFTER)

    def needs_replacing(self, *, now: float, stale_after: float) -> bool:
        """No media for a while, and not a new connection still settling nor one holding."""
        if self.fresh(stale_after) or now - self.created < SETTLING:
            return False
        return not self.holding

    def local_sdp(self) -> str:
        assert self.pc.localDescription is not None
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        for track in self.local_tracks:
            track.stop()
        with contextlib.suppress(Exception):
            await self.pc.close()
        for task in list(self.tasks):
            task.cancel()


async def read_remote(
    peer: Peer,
    track: MediaStreamTrack,
    *,
    mixer: AudioMixer,
    marks: dict[str, float],
    emit: Callable[..., None],
    on_video_frame: Callable[[int, Any], Any] | None,
) -> None:
    """Read one remote track to its end (unread tracks pile frames up: docs/pitfalls.md):
    pictures to ``on_video_frame``, sound to the mixer, the first picture marked and told."""
    video = track.kind == "video"
    try:
        while True:
            frame = await track.recv()
            now = time.monotonic()
            peer.last_media = now
            if video:
                peer.video_frames += 1
                if peer.video_frames == 1:
                    marks.setdefault("first_frame", now)
                    emit("first_frame", account_id=peer.account_id, at=now)
                if on_video_frame is not None:
                    on_video_frame(peer.account_id, frame)
            else:
                peer.audio_frames += 1
                mixer.push(peer.account_id, to_mono(frame))  # type: ignore[arg-type]
    except MediaStreamError:
        return
    except Exception:  # noqa: BLE001 - one bad track never stops the call
        log.exception("reading a remote %s track failed", track.kind)


def bytes_sent(pc: RTCPeerConnection) -> int:
    """Media payload bytes this connection has sent (aiortc counts them for its sender reports;
    for the statistics and the benchmarks: what a person uploads)."""
    return sum(
        getattr(t.sender, "_RTCRtpSender__octet_count", 0)
        for t in pc.getTransceivers()
        if t.sender is not None
    )


def prefer_codecs(pc: RTCPeerConnection) -> None:
    for transceiver in pc.getTransceivers():
        wanted = PREFERRED.get(transceiver.kind)
        caps = RTCRtpSender.getCapabilities(transceiver.kind).codecs
        chosen = [c for c in caps if c.mimeType == wanted]
        if chosen:
            transceiver.setCodecPreferences(chosen)


async def warm_up() -> None:
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
        prefer_codecs(a)
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
