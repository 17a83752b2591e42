"""The small interfaces between media devices and their users (app panels, aiortc tracks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

AUDIO_SAMPLE_RATE = 48_000  # Hz, what Opus and aiortc use
AUDIO_CHANNELS = 1  # mono everywhere inside the engine


@dataclass(frozen=True)
class VideoSample:
    """One captured picture: BGR uint8 (height x width x 3), its number and capture time."""

    image: np.ndarray
    seq: int
    captured: float  # time.monotonic() seconds

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@runtime_checkable
class VideoSource(Protocol):
    synthetic: bool
    width: int
    height: int
    fps: float

    def start(self) -> None:
        """Begin capturing (idempotent); never blocks for long."""
        ...

    def latest(self) -> VideoSample | None:
        """The newest picture, or None before the first one."""
        ...

    def close(self) -> None:
        """Stop capturing and release the device (idempotent)."""
        ...


@runtime_checkable
class AudioSource(Protocol):
    synthetic: bool

    def start(self) -> None: ...

    def read(self, samples: int) -> np.ndarray:
        """Exactly ``samples`` mono int16 samples at 48 kHz; silence if nothing is captured."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class AudioSink(Protocol):
    synthetic: bool

    def start(self) -> None: ...

    def write(self, samples: np.ndarray) -> None:
        """Queue mono int16 samples at 48 kHz for playing; never blocks."""
        ...

    def close(self) -> None: ...
