"""Microphone and speaker through sounddevice, and a null sink that only meters what it gets.

Streams run on PortAudio's own thread; the engine side only touches bounded buffers, so neither
the event loop nor the Qt thread ever waits on a device.
"""

from __future__ import annotations

import collections
import logging
import math
import threading

import numpy as np

from .devices import load_sounddevice
from .interfaces import AUDIO_SAMPLE_RATE
from .levels import dbfs, rms

log = logging.getLogger("vtconnect.media")

BUFFER_SECONDS = 0.5  # at most this much audio waits in a buffer; older audio is dropped
AUDIO_CHUNK = 960  # 20 ms, what the call's mixer writes
PEAK_EVERY = 5  # a null sink measures every fifth call chunk for its peak (others: each chunk)


class _SampleBuffer:
    """A bounded FIFO of int16 samples, thread-safe; overflow drops the oldest."""

    def __init__(self, capacity: int) -> None:
        self._chunks: collections.deque[np.ndarray] = collections.deque()
        self._size = 0
        self._capacity = capacity
        self._lock = threading.Lock()

    def push(self, samples: np.ndarray) -> None:
        with self._lock:
            self._chunks.append(samples)
            self._size += len(samples)
            while self._size > self._capacity and self._chunks:
                self._size -= len(self._chunks.popleft())

    def pop(self, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.int16)
        filled = 0
        with self._lock:
            while filled < count and self._chunks:
                chunk = self._chunks[0]
                take = min(count - filled, len(chunk))
                out[filled : filled + take] = chunk[:take]
                filled += take
                if take == len(chunk):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = chunk[take:]
                self._size -= take
        return out


class _PortAudioStream:
    """A sounddevice stream (default device when ``device`` is None) with a bounded buffer.

    ``_open()`` raises ``RuntimeError`` with a sentence for the user when the device cannot be
    opened; the caller then uses a synthetic stand-in. ``close()`` is idempotent."""

    synthetic = False
    noun = "audio device"  # in the sentences: "No microphone", "The speakers could not..."

    def __init__(self, device: int | None = None) -> None:
        self.device = device
        self._buffer = _SampleBuffer(int(AUDIO_SAMPLE_RATE * BUFFER_SECONDS))
        self._stream = None

    def _open(self, stream_type: str, callback) -> None:  # type: ignore[no-untyped-def]
        if self._stream is not None:
            return
        sd = load_sounddevice()
        if sd is None:
            raise RuntimeError(f"No {self.noun}: the audio system (PortAudio) is not installed.")
        try:
            stream = getattr(sd, stream_type)(
                samplerate=AUDIO_SAMPLE_RATE,
                channels=1,
                dtype="int16",
                device=self.device,
                callback=callback,
                blocksize=960,
            )
            stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError: no such device
            raise RuntimeError(f"The {self.noun} could not be opened ({exc}).") from exc
        self._stream = stream

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the %s failed", self.noun)


class MicrophoneSource(_PortAudioStream):
    """AudioSource from a sounddevice input; ``level_dbfs`` meters what it hears."""

    noun = "microphone"

    def __init__(self, device: int | None = None) -> None:
        super().__init__(device)
        self._last: np.ndarray | None = None

    @property
    def level_dbfs(self) -> float:
        """The level of the newest chunk heard, measured when a meter asks (not per chunk)."""
        last = self._last
        return -120.0 if last is None else dbfs(last)

    def start(self) -> None:
        def callback(indata, frames, time_info, status) -> None:  # noqa: ARG001
            samples = indata[:, 0].copy()
            self._last = samples
            self._buffer.push(samples)

        self._open("InputStream", callback)

    def read(self, samples: int) -> np.ndarray:
        return self._buffer.pop(samples)


class SpeakerSink(_PortAudioStream):
    """AudioSink to a sounddevice output."""

    noun = "speakers"

    def start(self) -> None:
        def callback(outdata, frames, time_info, status) -> None:  # noqa: ARG001
            outdata[:, 0] = self._buffer.pop(frames)

        self._open("OutputStream", callback)

    def write(self, samples: np.ndarray) -> None:
        self._buffer.push(np.asarray(samples, dtype=np.int16))


class NullSink:
    """AudioSink that plays nothing: counts samples and keeps the last level (SYNTHETIC)."""

    synthetic = True

    def __init__(self) -> None:
        self.samples_written = 0
        self.chunks_written = 0
        self._last: np.ndarray | None = None
        self._peak_rms = 0.0

    @property
    def level_dbfs(self) -> float:
        """The level of the newest chunk, measured when asked."""
        return -120.0 if self._last is None else dbfs(self._last)

    @property
    def peak_dbfs(self) -> float:
        return -120.0 if self._peak_rms <= 0 else max(-120.0, 20.0 * math.log10(self._peak_rms))

    def start(self) -> None:
        pass

    def write(self, samples: np.ndarray) -> None:
        self.samples_written += len(samples)
        self.chunks_written += 1
        self._last = samples
        if self.chunks_written % PEAK_EVERY == 1 or len(samples) != AUDIO_CHUNK:
            self._peak_rms = max(self._peak_rms, rms(samples))

    def close(self) -> None:
        pass
