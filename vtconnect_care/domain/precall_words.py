"""What the pre-call connection test says: the verdict with its advice and reasons, the
figures in words, and every sentence around the test (the app, the visit page and the server
all take theirs from here).

``judge`` answers with one of three verdicts, after Healthdirect's figures (350 kbit/s asked
each way, a warning under 330, a block under 180) and Nextcloud Talk's (over 30% loss or a
round trip over 1.5 s); the figures are ``precall.figures`` of one test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .precall import DEFAULT_SECONDS, MAX_KBPS, Figures, expected_seconds
from .precall import PrecallPhase as P

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
