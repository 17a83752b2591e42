"""aiortc tracks over the media interfaces: local camera and microphone out, remote audio mixed.

Local tracks pace themselves on ``time.monotonic()`` and send black pictures or silence while
turned off, so turning a device off and on never needs a new negotiation (R-ROOM-3).
"""

from __future__ import annotations

import asyncio
import collections
import fractions
import time
from collections.abc import Callable

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from ..media.interfaces import AUDIO_SAMPLE_RATE, AudioSink, AudioSource, VideoSource

VIDEO_CLOCK = 90_000
AUDIO_PTIME = 0.020
AUDIO_SAMPLES = int(AUDIO_SAMPLE_RATE * AUDIO_PTIME)  # 960


class _Pacer:
    """Ticks at a fixed rate; after a stall it skips ahead instead of bursting."""

    def __init__(self, rate: float) -> None:
        self.period = 1.0 / rate
        self.count = -1
        self._start: float | None = None

    async def tick(self) -> int:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        self.count += 1
        target = self._start + self.count * self.period
        if target < now - 2 * self.period:  # we fell behind: skip, never burst
            self.count = int((now - self._start) / self.period)
            target = self._start + self.count * self.period
        if target > now:
            await asyncio.sleep(target - now)
        return self.count


def _to_frame(image: np.ndarray) -> VideoFrame:
    """A BGR picture as the encoder's yuv420p (BT.601, limited range). OpenCV converts in
    about 0.35 ms at 640x480 where av's own conversion takes about 2.4 ms (measured here)."""
    height, width = image.shape[:2]
    if height % 2 or width % 2:
        return VideoFrame.from_ndarray(image, format="bgr24")
    planes = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
    return VideoFrame.from_ndarray(planes, format="yuv420p")


class LocalVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, source: VideoSource, enabled: Callable[[], bool]) -> None:
        super().__init__()
        self.source = source
        self._enabled = enabled
        self._pacer = _Pacer(source.fps)
        self._black: np.ndarray | None = None
        self.frames_sent = 0

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        count = await self._pacer.tick()
        sample = self.source.latest() if self._enabled() else None
        if sample is not None:
            image = sample.image
        else:
            if self._black is None:
                self._black = np.zeros((self.source.height, self.source.width, 3), np.uint8)
            image = self._black
        frame = _to_frame(image)
        frame.pts = int(count * VIDEO_CLOCK / self.source.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.frames_sent += 1
        return frame


class LocalAudioTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, source: AudioSource, enabled: Callable[[], bool]) -> None:
        super().__init__()
        self.source = source
        self._enabled = enabled
        self._pacer = _Pacer(1.0 / AUDIO_PTIME)

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        count = await self._pacer.tick()
        samples = self.source.read(AUDIO_SAMPLES)  # always drained, so it never goes stale
        if not self._enabled():
            samples = np.zeros(AUDIO_SAMPLES, np.int16)
        frame = AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1),
            format="s16",
            layout="mono",
        )
        frame.sample_rate = AUDIO_SAMPLE_RATE
        frame.pts = count * AUDIO_SAMPLES
        frame.time_base = fractions.Fraction(1, AUDIO_SAMPLE_RATE)
        return frame


def to_mono(frame: AudioFrame) -> np.ndarray:
    """A decoded frame (Opus gives s16 stereo, packed) as mono int16."""
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if frame.format.is_planar:
        mono = data.mean(axis=0) if data.shape[0] > 1 else data[0]
    else:
        mono = data.reshape(-1, channels).mean(axis=1) if channels > 1 else data.reshape(-1)
    if data.dtype != np.int16:
        mono = np.clip(mono * 32767.0, -32768, 32767) if data.dtype.kind == "f" else mono
    return mono.astype(np.int16)


class AudioMixer:
    """Mixes each remote person's audio into one sink, 20 ms at a time, on its own task."""

    MAX_BUFFERED = AUDIO_SAMPLE_RATE // 4  # 250 ms per person; older audio is dropped

    def __init__(self, sink: AudioSink, enabled: Callable[[], bool]) -> None:
        self.sink = sink
        self._enabled = enabled
        self._buffers: dict[int, collections.deque[np.ndarray]] = {}
        self._sizes: dict[int, int] = {}
        self._task: asyncio.Task | None = None

    def push(self, peer_id: int, samples: np.ndarray) -> None:
        buf = self._buffers.setdefault(peer_id, collections.deque())
        buf.append(samples)
        size = self._sizes.get(peer_id, 0) + len(samples)
        while size > self.MAX_BUFFERED and buf:
            size -= len(buf.popleft())
        self._sizes[peer_id] = size

    def forget(self, peer_id: int) -> None:
        self._buffers.pop(peer_id, None)
        self._sizes.pop(peer_id, None)

    def _pop(self, peer_id: int) -> np.ndarray:
        out = np.zeros(AUDIO_SAMPLES, np.int32)
        buf, filled = self._buffers[peer_id], 0
        while filled < AUDIO_SAMPLES and buf:
            chunk = buf[0]
            take = min(AUDIO_SAMPLES - filled, len(chunk))
            out[filled : filled + take] = chunk[:take]
            filled += take
            if take == len(chunk):
                buf.popleft()
            else:
                buf[0] = chunk[take:]
        self._sizes[peer_id] -= filled
        return out

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audio-mixer")

    async def _run(self) -> None:
        pacer = _Pacer(1.0 / AUDIO_PTIME)
        while True:
            await pacer.tick()
            if not self._buffers:
                continue
            mixed = sum(self._pop(p) for p in list(self._buffers))
            if self._enabled():
                self.sink.write(np.clip(mixed, -32768, 32767).astype(np.int16))

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
