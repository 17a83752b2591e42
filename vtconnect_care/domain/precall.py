"""The pre-call connection test: its plan, its figures and the verdict (no I/O, no clock).

The test is a WebRTC connection from the app or the browser visit page to a test peer in the
portal server (docs/protocol.md, "The pre-call connection test"). Over data channels it
measures, one phase after the other:

    PROBING   small unreliable probes the peer echoes: round trip, and loss each way
    UPLOAD    the tester sends as fast as the path carries; the peer counts what arrives
    DOWNLOAD  the peer sends as fast as the path carries; the tester counts what arrives

Both sides only count bytes into bins of ``BIN_SECONDS``; ``steady_kbps`` turns bins into a
rate that leaves out the first ``warmup`` seconds (slow start, and a rate limiter's initial
burst). What the figures mean, and every sentence around the test, is ``precall_words.py``.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .transitions import moves

# --- the plan ----------------------------------------------------------------------------------

DEFAULT_SECONDS = 8.0
MIN_SECONDS = 4.0
MAX_SECONDS = 9.0  # the peer itself is closed after precall_max_seconds (15 s), whatever happens
PROBE_SHARE = 0.25  # of the seconds; the rest is split between upload and download
PROBE_INTERVAL = 0.025  # 40 probes a second: 1.6 kbit/s of 40-byte probes
PROBE_GRACE = 0.6  # how long a probe's echo may still come after the last probe was sent
BIN_SECONDS = 0.1
WARMUP_SECONDS = 1.0  # at most; a third of a short phase
MAX_KBPS = 2500  # each direction is sent no faster: enough to tell 350 from 180 with room
MESSAGE_BYTES = 1160  # one SCTP chunk each (aiortc puts at most 1160 bytes in a chunk)
MAX_BUFFERED = 16 * 1024  # what a sender keeps queued: enough to fill the path, not to flood it
FEEDBACK_SECONDS = 0.05  # how often the receiving side says how much has arrived
MIN_WINDOW = 4 * 1024  # bytes a sender may always have on the way
RATE_SPAN = 0.3  # seconds of reports a delivery rate is taken over

# The data channels, all opened by the tester (docs/protocol.md).
CONTROL, PROBE, UP, DOWN = "precall-control", "precall-probe", "precall-up", "precall-down"


@dataclass(frozen=True)
class Plan:
    """How long each phase runs, in seconds, and how much of a phase is warm-up."""

    probe: float
    up: float
    down: float
    warmup: float
    interval: float = BIN_SECONDS
    probe_interval: float = PROBE_INTERVAL
    max_kbps: int = MAX_KBPS
    message_bytes: int = MESSAGE_BYTES

    @property
    def total(self) -> float:
        return self.probe + PROBE_GRACE + self.up + self.down

    def as_message(self) -> dict:
        return {
            "type": "plan",
            "probe_seconds": self.probe,
            "up_seconds": self.up,
            "down_seconds": self.down,
            "warmup_seconds": self.warmup,
            "bin_seconds": self.interval,
            "probe_interval": self.probe_interval,
            "max_kbps": self.max_kbps,
            "message_bytes": self.message_bytes,
            # the same for every test, here so that the page's script writes no number itself
            "probe_grace": PROBE_GRACE,
            "max_buffered": MAX_BUFFERED,
            "min_window": MIN_WINDOW,
            "feedback_seconds": FEEDBACK_SECONDS,
        }


def plan(seconds: float | None = None) -> Plan:
    """The phases for a test of about ``seconds`` (clamped to MIN_SECONDS..MAX_SECONDS)."""
    total = DEFAULT_SECONDS if seconds is None else float(seconds)
    if total != total:  # NaN
        total = DEFAULT_SECONDS
    total = min(MAX_SECONDS, max(MIN_SECONDS, total))
    probe = round(total * PROBE_SHARE, 2)
    each = round((total - probe) / 2, 2)
    return Plan(probe=probe, up=each, down=each, warmup=round(min(WARMUP_SECONDS, each / 3), 2))


CONNECT_SECONDS = 1.5  # about what connecting takes, on top of the plan


def expected_seconds(seconds: float = DEFAULT_SECONDS) -> int:
    """How long a test takes, as people are told (and progress bars assume)."""
    return round(plan(seconds).total + CONNECT_SECONDS)


def bins_for(seconds: float, interval: float = BIN_SECONDS) -> int:
    return max(1, round(seconds / interval))


class Bins:
    """Bytes that arrived, per ``interval`` from ``start`` for ``seconds``; later ones are left
    out. The receiving side of each direction keeps one (times from the caller's clock)."""

    def __init__(self, start: float, seconds: float, interval: float = BIN_SECONDS) -> None:
        self.start = start
        self.interval = interval
        self.counts = [0] * bins_for(seconds, interval)

    def add(self, nbytes: int, now: float) -> None:
        index = math.floor((now - self.start) / self.interval)
        if 0 <= index < len(self.counts):
            self.counts[index] += nbytes

    @property
    def total(self) -> int:
        return sum(self.counts)


class Window:
    """How many bytes a sender may have on the way (sent, not yet reported as arrived).

    A sender that only stops when the path drops its packets fills the slowest link's queue
    first; SCTP then loses a burst and recovers slowly (measured: arrivals stop for 0.3-0.5 s
    under a 500 kbit/s cap, and a 1 s queue broke the test off). So the receiver's reports
    bound what is outstanding to twice what the path delivers in a round trip plus a report
    interval: the path stays full, its queue stays short, and what arrives is what it carries.
    """

    def __init__(self, rtt_ms: float | None) -> None:
        rtt = 0.1 if rtt_ms is None else rtt_ms / 1000
        self.rtt = min(1.0, max(0.001, rtt))
        self.samples: deque[tuple[float, int]] = deque()
        self.allowed = MIN_WINDOW

    def update(self, received: int, now: float) -> int:
        """The receiver's running total at ``now``; returns the new allowance."""
        self.samples.append((now, received))
        while len(self.samples) > 2 and now - self.samples[1][0] >= RATE_SPAN:
            self.samples.popleft()
        (t0, b0), (t1, b1) = self.samples[0], self.samples[-1]
        rate = (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0
        self.allowed = max(MIN_WINDOW, int(2 * rate * (self.rtt + FEEDBACK_SECONDS)))
        return self.allowed


class Pacer:
    """A bucket of bytes filled at ``max_kbps`` that never holds more than ``burst``: a sender
    asks it before each message, so that nobody sends faster than the test's ceiling."""

    def __init__(self, max_kbps: float, start: float, burst: int = MAX_BUFFERED) -> None:
        self.rate = max_kbps * 1000 / 8  # bytes a second
        self.burst = burst
        self.level = 0.0
        self.last = start

    def take(self, size: int, now: float) -> bool:
        self.level = min(self.burst, self.level + (now - self.last) * self.rate)
        self.last = now
        if self.level < size:
            return False
        self.level -= size
        return True


# --- the phases ----------------------------------------------------------------------------


class PrecallPhase(StrEnum):
    CONNECTING = "connecting"  # offer and answer, ICE, DTLS, the data channels opening
    READY = "ready"  # every channel is open; the plan is agreed
    PROBING = "probing"
    UPLOAD = "upload"
    DOWNLOAD = "download"
    REPORTED = "reported"  # the figures are in and judged
    CLOSED = "closed"


P = PrecallPhase
PHASE_MOVES = moves(
    {
        P.CONNECTING: {P.READY, P.CLOSED},
        P.READY: {P.PROBING, P.CLOSED},
        P.PROBING: {P.UPLOAD, P.CLOSED},
        P.UPLOAD: {P.DOWNLOAD, P.CLOSED},
        P.DOWNLOAD: {P.REPORTED, P.CLOSED},
        P.REPORTED: {P.CLOSED},
        P.CLOSED: set(),
    }
)


# --- figures -------------------------------------------------------------------------------


def steady_kbps(bins: Sequence[int], *, interval: float, warmup: float) -> float:
    """kbit/s that arrived in the bins after the first ``warmup`` seconds (slow start left out)."""
    kept = list(bins)[round(warmup / interval) :]
    if not kept:
        return 0.0
    return sum(max(0, int(b)) for b in kept) * 8 / (len(kept) * interval) / 1000


@dataclass(frozen=True)
class Figures:
    """What one test measured. Loss is a fraction (0.05 is 5%); rates are what arrived."""

    rtt_ms: float | None  # the median round trip of the probes; None when none came back
    loss_up: float
    loss_down: float
    up_kbps: float
    down_kbps: float
    ceiling_kbps: float = MAX_KBPS  # nothing was sent faster: a figure near it means "at least"

    def as_dict(self) -> dict:
        return {
            "rtt_ms": None if self.rtt_ms is None else round(self.rtt_ms, 1),
            "loss_up": round(self.loss_up, 4),
            "loss_down": round(self.loss_down, 4),
            "up_kbps": round(self.up_kbps, 1),
            "down_kbps": round(self.down_kbps, 1),
            "ceiling_kbps": self.ceiling_kbps,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Figures:
        rtt = data.get("rtt_ms")
        return cls(
            rtt_ms=None if rtt is None else float(rtt),
            loss_up=float(data["loss_up"]),
            loss_down=float(data["loss_down"]),
            up_kbps=float(data["up_kbps"]),
            down_kbps=float(data["down_kbps"]),
            ceiling_kbps=float(data.get("ceiling_kbps", MAX_KBPS)),
        )


def _fraction_lost(sent: int, arrived: int) -> float:
    if sent <= 0:
        return 1.0
    return min(1.0, max(0.0, 1 - arrived / sent))


def figures(
    *,
    the_plan: Plan,
    probes_sent: int,
    probes_received: int,
    rtts_ms: Sequence[float],
    up_bins: Sequence[int],
    down_bins: Sequence[int],
) -> Figures:
    """The test's figures from both sides' counts.

    ``probes_received`` is the peer's count; every probe it receives is echoed, so the echoes
    that came back (``len(rtts_ms)``) over the probes it received is the loss on the way down.
    """
    echoes = [float(r) for r in rtts_ms if r == r and r >= 0]
    received = min(max(0, probes_received), max(0, probes_sent))
    return Figures(
        rtt_ms=statistics.median(echoes) if echoes else None,
        loss_up=_fraction_lost(probes_sent, received),
        loss_down=_fraction_lost(received, min(len(echoes), received)),
        up_kbps=steady_kbps(up_bins, interval=the_plan.interval, warmup=the_plan.warmup),
        down_kbps=steady_kbps(down_bins, interval=the_plan.interval, warmup=the_plan.warmup),
        ceiling_kbps=the_plan.max_kbps,
    )
