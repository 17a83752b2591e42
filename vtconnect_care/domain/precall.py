"""The pre-call connection test: its plan, its figures and the verdict (no I/O, no clock).

The test is a WebRTC connection from the app or the browser visit page to a test peer in the
portal server (docs/protocol.md, "The pre-call connection test"). Over data channels it
measures, one phase after the other:

    PROBING   small unreliable probes the peer echoes: round trip, and loss each way
    UPLOAD    the tester sends as fast as the path carries; the peer counts what arrives
    DOWNLOAD  the peer sends as fast as the path carries; the tester counts what arrives

Both sides only count bytes into bins of ``BIN_SECONDS``; ``steady_kbps`` turns bins into a
rate that leaves out the first ``warmup`` seconds (slow start, and a rate limiter's initial
burst). ``judge`` answers with one of three sentences, after Healthdirect's figures (350 kbit/s
asked each way, a warning under 330, a block under 180) and Nextcloud Talk's (over 30% loss or
a round trip over 1.5 s).
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
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


# --- the verdict ---------------------------------------------------------------------------

NEEDED_KBPS = 350  # Healthdirect asks this much each way for a video call
WARN_KBPS = 330  # and warns below this
BLOCK_KBPS = 180  # and blocks video below this
LOSS_NOT_GOOD = 0.10
LOSS_TOO_MUCH = 0.30  # Nextcloud Talk warns over 30% loss
RTT_NOT_GOOD_MS = 1000
RTT_TOO_SLOW_MS = 1500  # Nextcloud Talk warns over 1.5 s


class Verdict(StrEnum):
    GOOD = "good"
    AUDIO_ONLY = "audio_only"
    TOO_SLOW = "too_slow"


WORDS = {
    Verdict.GOOD: "Good",
    Verdict.AUDIO_ONLY: "Good enough for audio only",
    Verdict.TOO_SLOW: "Too slow for video",
}
ADVICE = {
    Verdict.GOOD: "Your connection is ready for a video call.",
    Verdict.AUDIO_ONLY: (
        "The sound should be clear, but the picture may freeze or blur. For better video, move "
        "closer to your Wi-Fi router or pause other downloads and streaming, then test again."
    ),
    Verdict.TOO_SLOW: (
        "The call may break up, even the sound. Move closer to your Wi-Fi router, pause other "
        "downloads and streaming, or try another network (such as your phone's mobile data), "
        "then test again."
    ),
}


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    word: str
    advice: str
    reasons: tuple[str, ...] = field(default=())  # what is wrong, one sentence each

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict.value,
            "word": self.word,
            "advice": self.advice,
            "reasons": list(self.reasons),
        }


def kbps_text(kbps: float, ceiling: float = MAX_KBPS) -> str:
    """'470 kbit/s', '1.2 Mbit/s', '2.5 Mbit/s or more' (at the test's ceiling)."""
    more = " or more" if kbps >= 0.95 * ceiling else ""
    shown = min(kbps, ceiling) if more else kbps
    if shown >= 1000:
        return f"{shown / 1000:.1f} Mbit/s{more}"
    return f"{round(shown)} kbit/s{more}"


def percent_text(fraction: float) -> str:
    pct = fraction * 100
    return f"{pct:.0f}%" if pct >= 10 or pct == 0 else f"{pct:.1f}%"


def rtt_text(rtt_ms: float | None) -> str:
    if rtt_ms is None:
        return "no answer"
    if rtt_ms < 1:
        return "under 1 ms"
    return f"{rtt_ms / 1000:.1f} s" if rtt_ms >= 1000 else f"{round(rtt_ms)} ms"


def _reasons(f: Figures) -> list[tuple[Verdict, str]]:
    found: list[tuple[Verdict, str]] = []
    for what, kbps in (("sends", f.up_kbps), ("receives", f.down_kbps)):
        if kbps < WARN_KBPS:
            level = Verdict.TOO_SLOW if kbps < BLOCK_KBPS else Verdict.AUDIO_ONLY
            found.append(
                (
                    level,
                    f"Your connection {what} {kbps_text(kbps, f.ceiling_kbps)}; video needs "
                    f"about {NEEDED_KBPS} kbit/s each way.",
                )
            )
    loss = max(f.loss_up, f.loss_down)
    if loss > LOSS_NOT_GOOD:
        level = Verdict.TOO_SLOW if loss > LOSS_TOO_MUCH else Verdict.AUDIO_ONLY
        found.append((level, f"{percent_text(loss)} of the test messages were lost on the way."))
    if f.rtt_ms is None:
        found.append((Verdict.TOO_SLOW, "None of the test messages came back."))
    elif f.rtt_ms > RTT_NOT_GOOD_MS:
        level = Verdict.TOO_SLOW if f.rtt_ms > RTT_TOO_SLOW_MS else Verdict.AUDIO_ONLY
        found.append(
            (
                level,
                f"A message takes {rtt_text(f.rtt_ms)} to go there and back: "
                "people would talk over each other.",
            )
        )
    return found


_RANK = {Verdict.GOOD: 0, Verdict.AUDIO_ONLY: 1, Verdict.TOO_SLOW: 2}


def judge(f: Figures) -> Judgement:
    """Good, good enough for audio only, or too slow for video; with advice and the reasons."""
    found = _reasons(f)
    verdict = max((level for level, _ in found), key=_RANK.__getitem__, default=Verdict.GOOD)
    return Judgement(verdict, WORDS[verdict], ADVICE[verdict], tuple(text for _, text in found))


LABELS = {"rtt": "Round trip", "up": "Sending", "down": "Receiving", "loss": "Lost"}


def figure_lines(f: Figures) -> list[tuple[str, str]]:
    """The figures as labelled lines, as the app and the page show them."""
    return [
        (LABELS["rtt"], rtt_text(f.rtt_ms)),
        (LABELS["up"], kbps_text(f.up_kbps, f.ceiling_kbps)),
        (LABELS["down"], kbps_text(f.down_kbps, f.ceiling_kbps)),
        (
            LABELS["loss"],
            f"{percent_text(f.loss_up)} on the way out, {percent_text(f.loss_down)} on the way in",
        ),
    ]


def summary(f: Figures) -> str:
    """The figures in one line (logs)."""
    return (
        f"Round trip {rtt_text(f.rtt_ms)} · sending {kbps_text(f.up_kbps, f.ceiling_kbps)} · "
        f"receiving {kbps_text(f.down_kbps, f.ceiling_kbps)} · lost "
        f"{percent_text(f.loss_up)} up, {percent_text(f.loss_down)} down"
    )


# --- what people read around the test ------------------------------------------------------

TITLE = "Test your connection"
INTRO = (
    "Checks that your internet connection can carry a video call: it takes about {seconds} seconds."
)
RUNNING = "Testing your connection… this takes about {seconds} seconds."
PHASE_TEXT = {
    P.CONNECTING: "Connecting to the portal…",
    P.READY: "Connected. Starting the test…",
    P.PROBING: "Measuring the delay…",
    P.UPLOAD: "Measuring how fast your connection sends…",
    P.DOWNLOAD: "Measuring how fast your connection receives…",
    P.REPORTED: "Done.",
}
DISABLED = "The connection test is turned off on this portal. You can still join the call."
BUSY = "Several connection tests are running right now. Please try again in a minute."
TOO_OFTEN = "You have tested your connection several times in a row. Please wait {minutes}."
NO_CONNECTION = (
    "The test could not connect to the portal: a firewall or network may be blocking video "
    "calls. Try another network, or ask your IT support to allow WebRTC calls."
)
INTERRUPTED = "The test was interrupted before it finished. Please try again."
UNREACHABLE = "The portal cannot be reached. Check your internet connection and try again."
SIGN_IN_FIRST = "Sign in first: the test connects to your organisation's portal."
BUTTON = "Test connection"
AGAIN = "Test again"


CONNECT_SECONDS = 1.5  # about what connecting takes, on top of the plan


def expected_seconds(seconds: float = DEFAULT_SECONDS) -> int:
    """How long a test takes, as people are told (and progress bars assume)."""
    return round(plan(seconds).total + CONNECT_SECONDS)


def page_texts(seconds: float = DEFAULT_SECONDS) -> dict:
    """What the browser page's script shows, from here (the page writes no sentence itself)."""
    shown = expected_seconds(seconds)
    return {
        "title": TITLE,
        "intro": INTRO.format(seconds=shown),
        "running": RUNNING.format(seconds=shown),
        "phases": {phase.value: text for phase, text in PHASE_TEXT.items()},
        "no_connection": NO_CONNECTION,
        "interrupted": INTERRUPTED,
        "unreachable": UNREACHABLE,
        "button": "Test my connection",
        "again": AGAIN,
    }
