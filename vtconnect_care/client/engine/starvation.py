"""A busy machine is not a congested path: the event loop's lateness, and a receiver's estimate
that does not fall for it.

aiortc's receiver estimates the path from packet delays (REMB): each packet is timed when the
event loop reads it. When this process is starved (the machine busy with other work, or a long
paint), packets wait in the socket for the loop and come out late in bursts, which the
estimator reads as a queue on the path: the other side's ladder then steps its video down
(measured on a loaded 2-core machine: 640x480 at 30 fps fell to 320x240 at 15 on loopback).
``LoopWatch`` times the loop's own wake-ups; ``SteadyEstimator`` is aiortc's estimator that,
while the loop has been late, does not lower what it reports (nor its own state): the loss the
other side measures still steps it down on a path that really is thin.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable

from aiortc.rate import RemoteBitrateEstimator
from aiortc.rtcrtpreceiver import RTCRtpReceiver

log = logging.getLogger("vtconnect.call")

PERIOD = 0.05  # seconds between the watch's wake-ups
STARVED_LAG = 0.015  # a wake-up this late (seconds): the process was starved
MEMORY = 2.0  # seconds a late wake-up is remembered (its packets' delays still count)
_ESTIMATOR = "_RTCRtpReceiver__remote_bitrate_estimator"


class LoopWatch:
    """How late this process's event loop wakes up (``run`` as a task while a call lasts)."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock
        self.late: collections.deque[tuple[float, float]] = collections.deque()  # (when, lag)

    def now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def note(self, lag: float, now: float) -> None:
        if lag >= STARVED_LAG:
            self.late.append((now, lag))
        while self.late and now - self.late[0][0] > MEMORY:
            self.late.popleft()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asleep = loop.time()
            await asyncio.sleep(PERIOD)
            now = loop.time()
            self.note(max(0.0, now - asleep - PERIOD), now)

    def starved(self) -> bool:
        """Whether the loop woke late within the last ``MEMORY`` seconds."""
        if not self.late:
            return False
        return self.now() - self.late[-1][0] <= MEMORY

    def worst(self, within: float = MEMORY) -> float:
        """The latest wake-up of the last ``within`` seconds (seconds; 0 when none was late)."""
        now = self.now()
        return max((lag for when, lag in self.late if now - when <= within), default=0.0)


class SteadyEstimator(RemoteBitrateEstimator):
    """aiortc's receiver estimate, held while this process is starved (see the module)."""

    def __init__(self, starved: Callable[[], bool]) -> None:
        super().__init__()
        self._starved = starved
        self.reported: int | None = None
        self.held = 0  # reports held up (a fall while starved)

    def afresh(self) -> SteadyEstimator:
        return SteadyEstimator(self._starved)

    def add(
        self, arrival_time_ms: int, abs_send_time: int, payload_size: int, ssrc: int
    ) -> tuple[int, list[int]] | None:
        out = super().add(arrival_time_ms, abs_send_time, payload_size, ssrc)
        if out is None:
            return None
        bitrate, ssrcs = out
        if self.reported is not None and bitrate < self.reported and self._starved():
            self.held += 1
            self.rate_control.set_estimate(self.reported, arrival_time_ms)
            return self.reported, ssrcs
        self.reported = bitrate
        return out


def install(receiver: RTCRtpReceiver, starved: Callable[[], bool]) -> bool:
    """Put a ``SteadyEstimator`` on a video receiver (before media flows)."""
    if not hasattr(receiver, _ESTIMATOR):
        log.warning("aiortc's receiver changed: its estimator is left as it is")
        return False
    if getattr(receiver, _ESTIMATOR) is not None:
        setattr(receiver, _ESTIMATOR, SteadyEstimator(starved))
    return True


def estimator_of(receiver: RTCRtpReceiver) -> RemoteBitrateEstimator | None:
    return getattr(receiver, _ESTIMATOR, None)
