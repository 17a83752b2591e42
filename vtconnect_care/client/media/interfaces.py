"""The small interfaces between media devices and their users (app panels, aiortc tracks)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

AUDIO_SAMPLE_RATE = 48_000  # Hz, what Opus and aiortc use
AUDIO_CHANNELS = 1  # mono everywhere inside the engine


class VideoSample:
    """One captured picture, its number and capture time (``time.monotonic()`` seconds).

    A source hands over the picture in the form it has it: BGR ``uint8`` rows (H x W x 3,
    ``image``) or I420 planes (the encoder's yuv420p: Y, then U, then V, stacked in one
    (H * 3 / 2) x W array, ``i420``). The other form is converted on first use only and kept,
    so a picture that is sent but never shown (or shown but never sent) is converted never,
    and one used by several readers once. I420 is BT.601 as OpenCV converts it."""

    __slots__ = ("_bgr", "_i420", "captured", "height", "seq", "width")

    def __init__(
        self,
        image: np.ndarray | None,
        seq: int,
        captured: float,
        *,
        i420: np.ndarray | None = None,
    ) -> None:
        if image is None and i420 is None:
            raise ValueError("a sample needs a picture")
        self._bgr = image
        self._i420 = i420
        self.seq = seq
        self.captured = captured
        if image is not None:
            self.height, self.width = int(image.shape[0]), int(image.shape[1])
        else:
            assert i420 is not None
            self.height, self.width = int(i420.shape[0]) * 2 // 3, int(i420.shape[1])

    @property
    def image(self) -> np.ndarray:
        """BGR rows (converted from I420 on first use)."""
        if self._bgr is None:
            import cv2

            assert self._i420 is not None
            self._bgr = np.asarray(cv2.cvtColor(self._i420, cv2.COLOR_YUV2BGR_I420))
        return self._bgr

    @property
    def i420(self) -> np.ndarray | None:
        """I420 planes (converted from BGR on first use); None for odd sizes, which I420 lacks."""
        if self._i420 is None:
            if self.width % 2 or self.height % 2:
                return None
            import cv2

            assert self._bgr is not None
            self._i420 = np.asarray(cv2.cvtColor(self._bgr, cv2.COLOR_BGR2YUV_I420))
        return self._i420


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
