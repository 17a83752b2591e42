"""What a call says to the person, and how a remote connection is judged (Qt-free).

Sentences are constants or built here from names; the controllers pick which one applies.
``judge_tile`` turns the frames received from one person into a ``TileState``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vtconnect_care.domain import call_quality
from vtconnect_care.domain.call_quality import QualityLevel, Verdict

from .states import TileState

# the Care Room (R-ROOM-1, R-ROOM-2 and the connection states)
CONNECTING = "Connecting to the Care Room…"
WAITING = "Waiting for participants…"
UNREACHABLE = "The Care Room could not be reached. Check your network connection, then try again."
RECONNECTING = "Reconnecting… The connection to the Care Room dropped."
REJOINING = "Reconnecting… Re-joining the session."
OFFLINE = (
    "The connection to the Care Room was lost and could not be restored. Check your network "
    "connection, then join again from the home screen."
)
NOT_CONNECTED = "Not connected right now. Wait a moment, then try again."
# a group room through Janus (docs/group-rooms.md): its media server away, then back
MEDIA_SERVER_AWAY = "Reconnecting… The group room's media server is away."
YOU_ENDED = "You ended the session."

# the tiles
TILE_TEXT = {
    TileState.CONNECTING: "Connecting…",
    TileState.RECONNECTING: "Reconnecting…",
    TileState.POOR: call_quality.TITLES[QualityLevel.POOR],  # the quality label's own words
}

POOR_FPS = call_quality.POOR_FPS  # pictures a second under which a connection counts as poor
STALLED_AFTER = 1.5  # seconds without a picture: reconnecting (the engine replaces the peer)
SETTLE = 2.0  # seconds of pictures before the rate is judged


def names(people: Sequence[str]) -> str:
    """'Alex', 'Alex and Bea', 'Alex, Bea and Carl'."""
    if len(people) <= 1:
        return "".join(people)
    return ", ".join(people[:-1]) + " and " + people[-1]


def waiting_status(*, hosting: bool, host_name: str, here: Sequence[str]) -> str:
    """R-ROOM-2: what the waiting room says, to the host and to everyone else."""
    if not hosting:
        return f"Waiting for {host_name} to begin the session…"
    if not here:
        return WAITING
    verb = "has" if len(here) == 1 else "have"
    return f"{names(here)} {verb} arrived. Click Begin to start the session."


def call_status(*, here: Sequence[str], camera_off: Sequence[str]) -> str:
    """What the call's status line says: a camera that is off first, then who is here."""
    if camera_off:
        return camera_text(camera_off[0], off=True)
    if not here:
        return "Everyone else has left. You are alone in the session."
    return f"In session with {names(here)}."


def camera_text(name: str, *, off: bool) -> str:
    return f"{name}'s camera is off." if off else f"{name}'s camera is on."


def arrival_text(name: str, *, returned: bool) -> str:
    return f"{name} is back." if returned else f"{name} has joined."


def dropped_text(name: str) -> str:
    return f"{name}'s connection dropped. Waiting for them to come back…"


def left_text(name: str) -> str:
    return f"{name} has left the session."


def ended_text(host_name: str, *, by_me: bool) -> str:
    return YOU_ENDED if by_me else f"{host_name} has ended the session."


def judge_tile(
    current: TileState,
    *,
    dropped: bool,
    last: float | None,
    first: float | None,
    rate: float,
    now: float,
    quality: QualityLevel | None = None,
) -> TileState:
    """One person's connection from the pictures received: ``last``/``first`` arrival times
    (monotonic seconds, None before any), ``rate`` pictures a second over the recent window.
    Once the engine judged the link (``quality``), poor follows that verdict, which weighs the
    frame rate with loss, delay and bitrate; the pictures still tell connecting and stalled."""
    if dropped:
        return TileState.RECONNECTING
    if last is None:
        if current in (TileState.CONNECTING, TileState.RECONNECTING):
            return current
        return TileState.CONNECTING
    if now - last > STALLED_AFTER:
        return TileState.RECONNECTING
    if quality is not None:
        return TileState.POOR if quality is QualityLevel.POOR else TileState.CONNECTED
    if rate < POOR_FPS and first is not None and now - first > SETTLE:
        return TileState.POOR
    return TileState.CONNECTED


def figures_text(figures: Mapping[str, float | None] | None) -> str:
    """The measured figures behind a quality verdict, for its tooltip."""
    if not figures:
        return ""
    parts = []
    if (rtt := figures.get("rtt_ms")) is not None:
        parts.append(f"round trip {rtt:.0f} ms")
    loss = [
        f"{100 * x:.0f}% {way}"
        for x, way in ((figures.get("loss_in"), "in"), (figures.get("loss_out"), "out"))
        if x is not None
    ]
    if loss:
        parts.append("lost " + ", ".join(loss))
    if (jitter := figures.get("jitter_ms")) is not None:
        parts.append(f"jitter {jitter:.0f} ms")
    if (kbps := figures.get("kbps_in")) is not None:
        parts.append(f"{kbps:.0f} kbps received")
    if (fps := figures.get("fps_in")) is not None:
        parts.append(f"{fps:.0f} pictures a second")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def quality_tooltip(verdict: Verdict) -> str:
    """What is wrong and what to try, then the figures (the quality label's tooltip)."""
    lines = [verdict.title, *(verdict.problems or (call_quality.ALL_CLEAR,)), *verdict.advice]
    figures = figures_text(verdict.figures)
    if figures:
        lines.append(figures + ".")
    return "\n".join(lines)
