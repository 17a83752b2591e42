"""Synthetic stand-ins for a camera and a microphone, clearly labelled as such.

The synthetic picture carries machine-readable content that survives video compression:

- a band at the bottom filled with ``name_colour(name)``, a colour derived from the name;
- two rows of 16 black/white blocks at the top: the frame counter (mod 2**16) and the capture
  time in milliseconds of ``time.monotonic()`` (mod 2**16), read back by ``read_stamp``;
- the name and counter drawn as text, and a bar that moves across the picture.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time

import numpy as np

from .interfaces import AUDIO_SAMPLE_RATE, VideoSample

BITS = 16
BAND_FRACTION = 0.12  # bottom colour band height as a fraction of the picture
ROW_FRACTION = 0.06  # each block row's height


def name_colour(name: str) -> tuple[int, int, int]:
    """A saturated BGR colour derived from the name (same on every machine)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    hue = digest[0] / 255.0
    # HSV (s=1, v=0.85) to BGR, by hand to avoid depending on OpenCV's hue scale
    sector = int(hue * 6) % 6
    frac = hue * 6 - int(hue * 6)
    v = 217
    p, q, t = 0, int(v * (1 - frac)), int(v * frac)
    r, g, b = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][sector]
    return (b, g, r)


def colour_distance(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def _layout(width: int, height: int) -> tuple[int, int, int]:
    row = max(6, int(height * ROW_FRACTION))
    band = max(8, int(height * BAND_FRACTION))
    cell = width // BITS
    return row, band, cell


def _draw_bits(image: np.ndarray, value: int, top: int, row: int, cell: int) -> None:
    for bit in range(BITS):
        on = (value >> (BITS - 1 - bit)) & 1
        image[top : top + row, bit * cell : (bit + 1) * cell] = 255 if on else 0


def _read_bits(gray: np.ndarray, top: int, row: int, cell: int) -> int:
    value = 0
    mid_y0, mid_y1 = top + row // 4, top + row - row // 4
    for bit in range(BITS):
        x0, x1 = bit * cell + cell // 4, (bit + 1) * cell - cell // 4
        on = float(gray[mid_y0:mid_y1, x0:x1].mean()) > 127.0
        value = (value << 1) | int(on)
    return value


def read_stamp(image: np.ndarray) -> tuple[int, int]:
    """(frame counter mod 2**16, capture ms mod 2**16) from a synthetic picture.

    ``image`` is BGR (H x W x 3) or a grey/luma plane (H x W)."""
    gray = image if image.ndim == 2 else image.mean(axis=2)
    height, width = gray.shape[:2]
    row, _, cell = _layout(width, height)
    return _read_bits(gray, 0, row, cell), _read_bits(gray, row, row, cell)


def read_band_colour(image: np.ndarray) -> tuple[float, float, float]:
    """Mean BGR of the middle of the bottom colour band."""
    height, width = image.shape[:2]
    _, band, _ = _layout(width, height)
    patch = image[height - band + band // 4 : height - band // 4, width // 4 : 3 * width // 4]
    b, g, r = patch.reshape(-1, 3).mean(axis=0)
    return (float(b), float(g), float(r))


def shows_name(image: np.ndarray, name: str, tolerance: float = 60.0) -> bool:
    """Whether a BGR picture carries the colour band of ``name``."""
    return colour_distance(read_band_colour(image), name_colour(name)) < tolerance


def ms_stamp(now: float | None = None) -> int:
    """The capture time stamp as drawn: monotonic milliseconds mod 2**16."""
    return int((time.monotonic() if now is None else now) * 1000) & 0xFFFF


def latency_ms(stamp: int, now: float | None = None) -> int:
    """Milliseconds since a drawn stamp (valid for latencies under 65 s)."""
    return (ms_stamp(now) - stamp) & 0xFFFF


BAR_BGR = (0, 200, 255)


class SyntheticCamera:
    """A VideoSource that draws a fresh picture on each ``latest()`` (SYNTHETIC: no device).

    The picture is drawn straight into I420 planes, the encoder's format, from a background
    converted once: the stamps, the counter text and the greys are luma only (a grey has no
    colour), the moving bar is written into all three planes. Nothing is converted per frame;
    a reader that wants BGR (the self view) gets it converted on first use (``VideoSample``).
    Odd sizes, which I420 cannot hold, are drawn in BGR."""

    synthetic = True

    def __init__(self, name: str, width: int = 640, height: int = 480, fps: float = 30.0):
        self.name = name
        self.width = width
        self.height = height
        self.fps = fps
        self._lock = threading.Lock()
        self._seq = 0
        self._closed = False
        self._last: VideoSample | None = None
        self._background = self._make_background()
        self._planar = width % 2 == 0 and height % 2 == 0
        if self._planar:
            import cv2

            self._background_i420 = np.asarray(
                cv2.cvtColor(self._background, cv2.COLOR_BGR2YUV_I420)
            )
            bar = cv2.cvtColor(np.full((2, 2, 3), BAR_BGR, np.uint8), cv2.COLOR_BGR2YUV_I420)
            self._bar_yuv = (int(bar[0, 0]), int(bar[2, 0]), int(bar[2, 1]))

    def _make_background(self) -> np.ndarray:
        import cv2

        image = np.full((self.height, self.width, 3), 48, dtype=np.uint8)
        row, band, _ = _layout(self.width, self.height)
        image[self.height - band :, :] = name_colour(self.name)
        scale = max(0.5, self.width / 640.0)
        cv2.putText(
            image,
            self.name,
            (int(20 * scale), int(self.height * 0.45)),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.2 * scale,
            (255, 255, 255),
            max(1, int(2 * scale)),
            cv2.LINE_AA,
        )
        cv2.putText(
            image,
            "synthetic camera",
            (int(20 * scale), int(self.height * 0.45 + 36 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.6 * scale,
            (200, 200, 200),
            1,
            cv2.LINE_AA,
        )
        return image

    def start(self) -> None:
        self._closed = False

    def latest(self) -> VideoSample | None:
        with self._lock:
            self._seq += 1
            seq = self._seq
        now = time.monotonic()
        if self._planar:
            sample = VideoSample(None, seq, now, i420=self._draw_i420(seq, now))
        else:
            sample = VideoSample(self._draw_bgr(seq, now), seq, now)
        self._last = sample
        return sample

    def peek(self) -> VideoSample | None:
        """The picture last drawn (for a self view: the one being sent), drawing none."""
        return self._last if self._last is not None else self.latest()

    def _bar(self, seq: int) -> tuple[int, int, int, int]:
        """The moving bar's rectangle (x0, y0, x1, y1), inclusive, on even coordinates."""
        row, band, _ = _layout(self.width, self.height)
        x = 20 + int((seq * 4) % (self.width - 40))
        return x & ~1, (2 * row + 10) & ~1, (x + 20) | 1, (self.height - band - 10) | 1

    def _counter(self, luma: np.ndarray, seq: int, colour: tuple[int, ...] | int) -> None:
        import cv2

        scale = max(0.5, self.width / 640.0)
        cv2.putText(
            luma,
            f"#{seq}",
            (int(20 * scale), int(self.height * 0.7)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.9 * scale,
            colour,
            max(1, int(2 * scale)),
            cv2.LINE_AA,
        )

    def _draw_i420(self, seq: int, now: float) -> np.ndarray:
        w, h = self.width, self.height
        planes = self._background_i420.copy()
        luma = planes[:h]
        row, _, cell = _layout(w, h)
        _draw_bits(luma, seq & 0xFFFF, 0, row, cell)
        _draw_bits(luma, ms_stamp(now), row, row, cell)
        x0, y0, x1, y1 = self._bar(seq)
        y, u, v = self._bar_yuv
        luma[y0 : y1 + 1, x0 : x1 + 1] = y
        # U then V: each (h/2) x (w/2), stored as h/4 rows of w (two half rows per row)
        chroma = planes[h:].reshape(2, h // 2, w // 2)
        chroma[0, y0 // 2 : y1 // 2 + 1, x0 // 2 : x1 // 2 + 1] = u
        chroma[1, y0 // 2 : y1 // 2 + 1, x0 // 2 : x1 // 2 + 1] = v
        self._counter(luma, seq, 255)
        return planes

    def _draw_bgr(self, seq: int, now: float) -> np.ndarray:
        import cv2

        image = self._background.copy()
        row, _, cell = _layout(self.width, self.height)
        _draw_bits(image, seq & 0xFFFF, 0, row, cell)
        _draw_bits(image, ms_stamp(now), row, row, cell)
        x0, y0, x1, y1 = self._bar(seq)
        cv2.rectangle(image, (x0, y0), (x1, y1), BAR_BGR, -1)
        self._counter(image, seq, (255, 255, 255))
        return image

    def close(self) -> None:
        self._closed = True


class SyntheticTone:
    """An AudioSource playing a soft continuous tone (SYNTHETIC: no microphone)."""

    synthetic = True

    def __init__(self, frequency: float = 440.0, level: float = 0.1):
        self.frequency = frequency
        self.level = level
        self._phase = 0
        self._lock = threading.Lock()
        # a whole-hertz tone repeats every second: one second drawn once, then sliced
        self._second = self._wave(0, AUDIO_SAMPLE_RATE) if float(frequency).is_integer() else None

    def _wave(self, start: int, samples: int) -> np.ndarray:
        t = (np.arange(start, start + samples, dtype=np.float64)) / AUDIO_SAMPLE_RATE
        return (np.sin(2 * np.pi * self.frequency * t) * self.level * 32767.0).astype(np.int16)

    def start(self) -> None:
        pass

    def read(self, samples: int) -> np.ndarray:
        with self._lock:
            start = self._phase
            self._phase += samples
        second = self._second
        if second is None or samples > AUDIO_SAMPLE_RATE:
            return self._wave(start, samples)
        offset = start % AUDIO_SAMPLE_RATE
        if offset + samples <= AUDIO_SAMPLE_RATE:
            return second[offset : offset + samples].copy()
        return np.concatenate((second[offset:], second[: offset + samples - AUDIO_SAMPLE_RATE]))

    def close(self) -> None:
        pass
