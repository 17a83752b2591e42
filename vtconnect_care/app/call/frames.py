"""The newest remote picture per person, kept without conversion until a tile paints it.

``FrameStore.put`` runs on the loop for every decoded frame (``CallEngine.on_video_frame``): it
only swaps a reference, counts, and every few frames samples the luma plane to notice a camera
that is turned off (the engine sends black pictures then, R-ROOM-3). Nothing queues: a frame
that was not painted before the next one arrived is simply dropped.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DARK_CHECK_EVERY = 10  # frames between camera-off checks
DARK_LEVEL = 24  # luma (0..255) under which the whole picture counts as black
RATE_WINDOW = 2.0  # seconds over which the received frame rate is measured


def is_dark(frame: Any) -> bool:
    """True if the picture is black (a camera turned off): a sparse look at the luma plane."""
    try:
        if frame.format.name.startswith("yuv"):
            plane = np.frombuffer(frame.planes[0], np.uint8)
            return int(plane[::61].max()) < DARK_LEVEL
        gray = frame.to_ndarray(format="gray")
        return int(gray[::8, ::8].max()) < DARK_LEVEL
    except Exception:  # noqa: BLE001 - an odd frame is not "dark"
        return False


@dataclass
class Slot:
    frame: Any = None
    seq: int = 0  # frames received
    dark: bool = False
    arrivals: collections.deque = field(default_factory=lambda: collections.deque(maxlen=120))

    @property
    def last(self) -> float | None:
        return self.arrivals[-1] if self.arrivals else None

    def rate(self, now: float) -> float:
        recent = [t for t in self.arrivals if now - t <= RATE_WINDOW]
        return len(recent) / RATE_WINDOW


class FrameStore:
    def __init__(self) -> None:
        self.slots: dict[int, Slot] = {}
        self.received = 0

    def put(self, account_id: int, frame: Any) -> None:
        slot = self.slots.get(account_id)
        if slot is None:
            slot = self.slots[account_id] = Slot()
        slot.frame = frame  # the previous one, if never painted, is dropped here
        slot.seq += 1
        slot.arrivals.append(time.monotonic())
        if slot.seq % DARK_CHECK_EVERY == 1:
            slot.dark = is_dark(frame)
        self.received += 1

    def get(self, account_id: int) -> Slot | None:
        return self.slots.get(account_id)

    def forget(self, account_id: int) -> None:
        self.slots.pop(account_id, None)
