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

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from ..media.interfaces import (
    AUDIO_SAMPLE_RATE,
    AudioSink,
    AudioSource,
    VideoSample,
    VideoSource,
)

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


def _to_frame(sample: VideoSample) -> VideoFrame:
    """A picture as the encoder's yuv420p: the source's own I420 planes where it has them (the
    synthetic camera draws in I420), else converted once per picture by OpenCV (about 0.35 ms
    at 640x480 where av's own conversion takes about 2.4 ms, measured here). The frame wraps
    the planes without a copy (0.01 ms instead of 0.65 at 1280x720): a sample's planes are
    never written after it is made."""
    planes = sample.i420
    if planes is None:  # odd sizes: the encoder scales to its rung's even size anyway
        return VideoFrame.from_ndarray(sample.image, format="bgr24")
    if planes.flags.c_contiguous:
        return VideoFrame.from_numpy_buffer(planes, format="yuv420p")
    return VideoFrame.from_ndarray(planes, format="yuv420p")


def _black(width: int, height: int) -> VideoSample:
    """A black picture, in I420 when the size allows (camera off: R-ROOM-3)."""
    if width % 2 or height % 2:
        return VideoSample(np.zeros((height, width, 3), np.uint8), 0, 0.0)
    planes = np.full((height * 3 // 2, width), 128, np.uint8)
    planes[:height] = 0
    return VideoSample(None, 0, 0.0, i420=planes)


class LocalVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, source: VideoSource, enabled: Callable[[], bool]) -> None:
        super().__init__()
        self.source = source
        self._enabled = enabled
        self._pacer = _Pacer(source.fps)
        self._black: VideoSample | None = None
        self.frames_sent = 0

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        count = await self._pacer.tick()
        sample = self.source.latest() if self._enabled() else None
        if sample is None:
            if self._black is None:
                self._black = _black(self.source.width, self.source.height)
            sample = self._black
        frame = _to_frame(sample)
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
    if data.dtype == np.int16 and not frame.format.is_planar and channels == 2:
        pairs = data.reshape(-1, 2).astype(np.int32)  # the common case: Opus, s16 stereo
        return ((pairs[:, 0] + pairs[:, 1]) >> 1).astype(np.int16)
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
