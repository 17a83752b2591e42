"""Generate resources/sounds/ding.wav: a soft two-partial bell, 0.7 s, 24 kHz mono (numpy)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 24_000
OUT = Path(__file__).parent / "sounds" / "ding.wav"


def ding(seconds: float = 0.7) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    envelope = np.exp(-t * 5.5) * np.minimum(1.0, t / 0.004)
    tone = (
        np.sin(2 * np.pi * 880.0 * t)
        + 0.45 * np.sin(2 * np.pi * 1320.0 * t) * np.exp(-t * 3)
        + 0.2 * np.sin(2 * np.pi * 1760.0 * t) * np.exp(-t * 8)
    )
    signal = tone * envelope
    signal *= 0.45 / np.max(np.abs(signal))
    return (signal * 32767).astype(np.int16)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(ding().tobytes())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
