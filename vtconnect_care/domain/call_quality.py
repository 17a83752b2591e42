"""How good one person's connection is: good, fair or poor, from the call's live statistics.

Pure: no aiortc, no Qt. The engine's ``LinkMonitor`` (``client/engine/link_stats.py``) turns
``getStats()`` into one ``LinkSample`` a second per person; ``judge`` reads the last five
seconds of them. The browser visit page applies the very same rules and sentences: the page
template renders ``client_config()`` as JSON and ``static/visit/quality.js`` evaluates it, so
nothing here is written twice.

The levels and why (R-QUALITY-1):

- Nextcloud Talk warns a participant at over 30% packet loss over 5 s, under 10 packets a
  second, or a round trip over 1.5 s. Healthdirect asks 350 kbps per person each way, warns
  under 330 kbps and blocks under 180 kbps.
- Our own measurements (issue 18) show speech suffering first: half the audio is gone at 10%
  loss, while video hides loss behind retransmission. 30% is far too late for a consultation, so
  **poor** starts at 15% loss either way, and **fair** above 3% (Opus conceals a few lost
  packets; beyond that words break up and retransmissions add delay).
- Round trip: **poor** over 1.5 s (Nextcloud: people talk over each other), **fair** over
  400 ms (ITU-T G.114 puts noticeable trouble at about 200 ms one way).
- Jitter over 50 ms is **fair** (the playout buffer has to grow, so sound lags); a late arrival
  past that shows up as round trip or loss, so jitter alone never makes a call poor.
- Fewer than 10 packets a second is **poor** (Nextcloud; Opus alone sends 50, so almost nothing
  arrives).
- Received bitrate under 180 kbps is **poor**: Healthdirect blocks video there, and it is less
  than our lowest video rung and its sound (``video_ladder``: 150 kbps at half size). There is
  no "fair" bitrate: Healthdirect warns at 330, but it measures with a test stream that pushes
  all it can, while a call carries what the sender chose, and senders start low and climb with
  the receiver's estimate. Measured here on perfect loopback links: aiortc to aiortc 316-465
  kbps for a synthetic 640x480 picture, aiortc to Chromium 258 kbps in the first seconds (the
  sender follows Chromium's starting estimate), and two of our engines with the video ladder
  235-300 kbps over the first 25 s, so a fair limit near 330 would call every call fair. A path
  that is really too thin shows as loss, delay or few pictures.
- A frame rate under 5 a second is **poor** (the tile's "too few pictures" judgement), under 10
  **fair**: the lowest video rung sends 15 by design (a clean call here arrives at 15-30), so
  the fair limit and its way back (12.5) stay below it. Bitrate and frame rate count only while
  video is expected: when the other side deliberately sends none (camera off, audio only) little
  video is no fault (``LinkSample.video_expected``).
- The remote's estimate of what it can receive from us (REMB) is kept in the sample for
  adaptation but not judged: aiortc's estimate climbs slowly from about 210 kbps on a perfect
  link (measured here: 210 to 340 kbps over the first ten seconds), and a camera that is off
  sends tiny black pictures that the estimate sinks with, so it would blame healthy links.
  Trouble on our way out shows as ``loss_out`` and round trip, which the other side reports.

Hysteresis (R-QUALITY-3): a level gets worse as soon as the five-second figures cross a limit,
and better only once they clear it by a margin (upper limits times ``RECOVER``, lower limits
divided by it), so a figure that hovers at a limit does not make the label flicker.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Literal


class QualityLevel(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def rank(self) -> int:
        """0 good, 1 fair, 2 poor: higher is worse."""
        return _RANK[self]


_RANK = {QualityLevel.GOOD: 0, QualityLevel.FAIR: 1, QualityLevel.POOR: 2}


class Reason(StrEnum):
    """What is wrong, for programs (``Verdict.problems`` says it to people)."""

    LOSS_IN = "loss_in"  # packets from them lost on the way here
    LOSS_OUT = "loss_out"  # packets we send lost on the way there (their report)
    DELAY = "delay"  # round trip too long
    JITTER = "jitter"  # packets arrive unevenly
    STALLED = "stalled"  # almost nothing arrives
    LOW_BITRATE = "low_bitrate"  # too little arrives for a clear picture
    LOW_FPS = "low_fps"  # too few pictures arrive


@dataclass(frozen=True)
class LinkSample:
    """One second of one peer connection, as measured here.

    ``at``: monotonic seconds; ``rtt_ms``: round trip (None before the first report);
    ``loss_in``: fraction of their packets lost over the interval; ``loss_out``: fraction of
    ours they report lost (None before their first report); ``jitter_ms``: interarrival jitter
    of what we receive; ``kbps_in``/``kbps_out``: everything received / sent on the connection;
    ``fps_in``: pictures decoded a second; ``packets_in_per_s``: media packets received a
    second; ``estimate_kbps``: the remote's estimate (REMB) of what it can receive of our
    video, None if it sends none; ``video_expected``: False while the other side deliberately
    sends no video (camera off, audio only)."""

    at: float
    rtt_ms: float | None
    loss_in: float
    loss_out: float | None
    jitter_ms: float
    kbps_in: float
    kbps_out: float
    fps_in: float
    packets_in_per_s: float
    estimate_kbps: float | None = None
    video_expected: bool = True

    def as_dict(self) -> dict[str, float | bool | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Rule:
    """One figure and its limits; ``worse_when`` says which side of a limit is bad."""

    reason: Reason
    figure: str  # a LinkSample field
    worse_when: Literal["above", "below"]
    fair: float | None  # crossing it: fair
    poor: float | None  # crossing it: poor
    combine: Literal["mean", "median"]  # over the window
    video_only: bool = False  # judged only while video is expected


WINDOW_S = 5.0  # seconds of samples judged together (Nextcloud's 5 s)
SETTLE_SAMPLES = 3  # samples before a first verdict (the first second of a call is noise)
RECOVER = 0.8  # a level improves once the figures clear the limits by this margin
POOR_FPS = 5.0  # pictures a second under which video is poor (the call tiles use it too)
FAIR_FPS = 10.0

RULES: tuple[Rule, ...] = (
    Rule(Reason.STALLED, "packets_in_per_s", "below", None, 10.0, "mean"),
    Rule(Reason.LOSS_IN, "loss_in", "above", 0.03, 0.15, "mean"),
    Rule(Reason.LOSS_OUT, "loss_out", "above", 0.03, 0.15, "mean"),
    Rule(Reason.DELAY, "rtt_ms", "above", 400.0, 1500.0, "median"),
    Rule(Reason.JITTER, "jitter_ms", "above", 50.0, None, "median"),
    Rule(Reason.LOW_BITRATE, "kbps_in", "below", None, 180.0, "mean", video_only=True),
    Rule(Reason.LOW_FPS, "fps_in", "below", FAIR_FPS, POOR_FPS, "mean", video_only=True),
)

# --- what a person reads (said here once; the visit page gets them through client_config) -----

WORDS = {QualityLevel.GOOD: "Good", QualityLevel.FAIR: "Fair", QualityLevel.POOR: "Poor"}
TITLES = {
    QualityLevel.GOOD: "Good connection",
    QualityLevel.FAIR: "Fair connection",
    QualityLevel.POOR: "Poor connection",
}
ALL_CLEAR = "Sound and picture are coming through well."
ACCESSIBLE_NAME = "Connection with {name}: {word}"

PROBLEMS = {
    Reason.STALLED: "Almost nothing is arriving from this person.",
    Reason.LOSS_IN: "Sound and picture from this person are being lost on the way.",
    Reason.LOSS_OUT: "Sound and picture you send are being lost on the way.",
    Reason.DELAY: "Sound and picture take a long time to arrive.",
    Reason.JITTER: "Sound and picture arrive unevenly.",
    Reason.LOW_BITRATE: "The connection is too slow for a clear picture.",
    Reason.LOW_FPS: "The picture is choppy: few pictures arrive each second.",
}
_NEARER_ROUTER = "Move closer to your Wi-Fi router, or close other programs that use the internet."
_FEWER_PROGRAMS = "Close other programs that use the internet, or use a network cable."
_VIDEO_OFF = "Turning video off keeps the sound clear."
ADVICE = {
    Reason.STALLED: "Check your internet connection. The call reconnects by itself when it can.",
    Reason.LOSS_IN: _NEARER_ROUTER,
    Reason.LOSS_OUT: _NEARER_ROUTER,
    Reason.DELAY: _FEWER_PROGRAMS,
    Reason.JITTER: _FEWER_PROGRAMS,
    Reason.LOW_BITRATE: _VIDEO_OFF,
    Reason.LOW_FPS: _VIDEO_OFF,
}


@dataclass(frozen=True)
class Verdict:
    """The level, what is wrong (codes, worst first) and the window's figures."""

    level: QualityLevel
    reasons: tuple[Reason, ...] = ()
    figures: Mapping[str, float | None] | None = None

    @property
    def word(self) -> str:
        return WORDS[self.level]

    @property
    def title(self) -> str:
        return TITLES[self.level]

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(PROBLEMS[r] for r in self.reasons)

    @property
    def advice(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ADVICE[r] for r in self.reasons))  # each piece once


def accessible_name(name: str, level: QualityLevel) -> str:
    """'Connection with Alex Morgan: Poor' (a screen reader's name for the quality label)."""
    return ACCESSIBLE_NAME.format(name=name, word=WORDS[level])


def figures(window: Sequence[LinkSample]) -> dict[str, float | None]:
    """Each judged figure over the window (None where no sample has it)."""
    out: dict[str, float | None] = {}
    for rule in RULES:
        values = [v for s in window if (v := getattr(s, rule.figure)) is not None]
        if not values:
            out[rule.figure] = None
        elif rule.combine == "median":
            out[rule.figure] = float(statistics.median(values))
        else:
            out[rule.figure] = float(statistics.fmean(values))
    return out


def _classify(
    values: Mapping[str, float | None], video_expected: bool, margin: float
) -> tuple[QualityLevel, tuple[Reason, ...]]:
    poor: list[Reason] = []
    fair: list[Reason] = []
    for rule in RULES:
        value = values.get(rule.figure)
        if value is None or (rule.video_only and not video_expected):
            continue
        for limit, bucket in ((rule.poor, poor), (rule.fair, fair)):
            if limit is None:
                continue
            if rule.worse_when == "above":
                crossed = value > limit * margin
            else:
                crossed = value < limit / margin
            if crossed:
                bucket.append(rule.reason)
                break
    if poor:
        return QualityLevel.POOR, tuple(poor + fair)
    if fair:
        return QualityLevel.FAIR, tuple(fair)
    return QualityLevel.GOOD, ()


def judge(window: Sequence[LinkSample], previous: QualityLevel | None) -> Verdict:
    """The level of the last ``WINDOW_S`` seconds of ``window`` (oldest first, at least one
    sample), given the level shown so far (None at first): worse at once, better only by a
    margin. Video figures count only if the newest sample expects video (R-QUALITY-4)."""
    if not window:
        raise ValueError("judge needs at least one sample")
    newest = window[-1].at
    recent = [s for s in window if s.at > newest - WINDOW_S]
    values = figures(recent)
    video = window[-1].video_expected
    level, reasons = _classify(values, video, 1.0)
    if previous is not None and level.rank < previous.rank:
        strict, strict_reasons = _classify(values, video, RECOVER)
        if strict.rank >= previous.rank:
            level, reasons = previous, strict_reasons
        else:
            level, reasons = strict, strict_reasons
    return Verdict(level, reasons, values)


def client_config() -> dict:
    """The rules and sentences as JSON-able data, for the browser visit page's quality.js."""
    return {
        "window_s": WINDOW_S,
        "settle_samples": SETTLE_SAMPLES,
        "recover": RECOVER,
        "rules": [
            {
                "reason": r.reason.value,
                "figure": r.figure,
                "worse_when": r.worse_when,
                "fair": r.fair,
                "poor": r.poor,
                "combine": r.combine,
                "video_only": r.video_only,
            }
            for r in RULES
        ],
        "words": {level.value: word for level, word in WORDS.items()},
        "titles": {level.value: title for level, title in TITLES.items()},
        "all_clear": ALL_CLEAR,
        "accessible_name": ACCESSIBLE_NAME,
        "problems": {r.value: text for r, text in PROBLEMS.items()},
        "advice": {r.value: text for r, text in ADVICE.items()},
    }
