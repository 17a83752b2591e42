"""The Care Room's sounds (the arrival "ding", the connection-lost tone) on the chosen speaker."""

from __future__ import annotations

import asyncio
import logging
import wave
from functools import cache

import numpy as np

from vtconnect_care.client.media.interfaces import AUDIO_SAMPLE_RATE

from .. import resources

log = logging.getLogger("vtconnect.care_room")

CHUNK = AUDIO_SAMPLE_RATE // 10  # 100 ms per write: the sinks buffer at most 500 ms


@cache
def ding() -> np.ndarray:
    """resources/sounds/ding.wav as mono int16 at the engine's 48 kHz."""
    with wave.open(str(resources.ding_path()), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError("ding.wav must be 16-bit PCM")
    samples = np.frombuffer(raw, np.int16).reshape(-1, channels).mean(axis=1)
    if rate != AUDIO_SAMPLE_RATE:
        n = int(len(samples) * AUDIO_SAMPLE_RATE / rate)
        samples = np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples)
    return samples.astype(np.int16)


@cache
def connection_lost() -> np.ndarray:
    """Two soft falling tones (660 Hz, then 440 Hz): the connection dropped."""
    out = []
    for freq in (660.0, 440.0):
        t = np.arange(int(AUDIO_SAMPLE_RATE * 0.18)) / AUDIO_SAMPLE_RATE
        envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)
        out.append(0.3 * np.sin(2 * np.pi * freq * t) * envelope)
        out.append(np.zeros(int(AUDIO_SAMPLE_RATE * 0.05)))
    return (np.concatenate(out) * 32767).astype(np.int16)


class SoundPlayer:
    """Writes a sound into an AudioSink in 100 ms pieces at playing pace (never blocking)."""

    def __init__(self) -> None:
        self.played: list[str] = []  # names of the sounds played, in order
        self._tasks: set[asyncio.Task] = set()

    def play(self, name: str, samples: np.ndarray, sink) -> asyncio.Task:
        self.played.append(name)
        task = asyncio.ensure_future(self._write(samples, sink))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _write(self, samples: np.ndarray, sink) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, at in enumerate(range(0, len(samples), CHUNK)):
            # keep at most ~200 ms ahead of what is playing
            delay = start + (i - 2) * CHUNK / AUDIO_SAMPLE_RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                sink.write(samples[at : at + CHUNK])
            except Exception:  # noqa: BLE001 - a sound is never worth a crash
                log.exception("playing %s failed", "a sound")
                return

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
