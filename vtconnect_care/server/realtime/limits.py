"""Flood control for sockets: a token bucket per connection that forgives the server's delays.

A participant who sends at a fair rate is never refused because the server read their messages
late: time the socket spent waiting on the server (a room change, a busy event loop measured by
``LoopLag``) raises the bucket's ceiling by what a fair sender sends in that time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger("vtconnect.realtime")
STALL_WARNING = 0.25  # seconds the loop was late before it is worth a log line


class TokenBucket:
    def __init__(
        self, rate: float, burst: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._now = now
        self._tokens = burst
        self._at = now()
        self._slack = 0.0  # extra ceiling while a backlog the server caused is read
        self.refused = 0

    def allow(self, lag: float = 0.0) -> bool:
        """One message; ``lag``: how far behind the server has recently been (seconds)."""
        now = self._now()
        ceiling = self.burst + max(self._slack, lag * self.rate)
        self._tokens = min(ceiling, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            if self._tokens <= self.burst:
                self._slack = 0.0  # the backlog is read
            return True
        self.refused += 1
        return False

    def forgive(self, seconds: float) -> None:
        """The server kept this socket waiting this long: what a fair sender sent meanwhile
        may arrive at once."""
        if seconds > 0:
            self._slack = max(self._slack, seconds * self.rate)


class LoopLag:
    """How late the event loop wakes up, worst of the last few seconds (the hub's clock)."""

    def __init__(
        self, clock: Callable[[], float], interval: float = 0.05, memory: float = 3.0
    ) -> None:
        self.clock = clock
        self.interval = interval
        self.memory = memory
        self._worst = 0.0
        self._worst_at = 0.0

    def recent(self) -> float:
        if self.clock() - self._worst_at > self.memory:
            return 0.0
        return self._worst

    def note(self, lag: float) -> None:
        now = self.clock()
        if lag >= self.recent():
            self._worst, self._worst_at = lag, now

    async def run(self) -> None:
        while True:
            before = self.clock()
            await asyncio.sleep(self.interval)
            lag = self.clock() - before - self.interval
            if lag > 0.01:
                self.note(lag)
            if lag > STALL_WARNING:
                log.warning("the event loop was %.2f s late (the server is overloaded)", lag)


GC_THRESHOLDS = (50_000, 50, 100)


def tune_gc() -> None:
    """Fewer, cheaper garbage collections: with thousands of sockets a full collection walked
    every object for up to a second, stalling every socket (measured with bench/hub.py).
    What the server built at start is frozen out of the collector's walks; young objects get
    more time to die by reference counting before they are promoted. For server processes
    (cli.py), not for tests that build many apps in one process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
