"""Waiting times in the Care Room before it begins (issue 16, like Healthdirect's waiting area).

Two clocks, both only while the session is hosted and not yet begun:

- someone who has arrived waits for the host to Begin: from their first arrival in this session
  (coming back after a dropped connection does not reset it: they have been waiting all along);
- the host waits for someone invited who has not arrived (or who left): from the host's own
  first arrival.

Once the session has begun or ended nobody is waiting, and nothing is shown. The server counts
the seconds at the moment it describes a member (its own clock, the injected one in tests); the
app goes on counting from the moment it received them, so the two clocks never need to agree.
"""

from __future__ import annotations

from datetime import datetime

from .care_room import MemberRole, SessionState

LONG_WAIT_SECONDS = 10 * 60  # from here on a wait is said more plainly (and marked)


def waited_seconds(
    *,
    state: SessionState,
    role: MemberRole,
    present: bool,
    joined_at: datetime | None,
    host_arrived_at: datetime | None,
    now: datetime,
) -> int | None:
    """How long this member has been waiting (present) or been waited for (absent); None if
    nobody waits: the session has begun or ended, it is the host, or the host is not there."""
    if state is not SessionState.HOSTED or role is MemberRole.HOST:
        return None
    since = joined_at if present else host_arrived_at
    if since is None:
        return None
    return max(0, int((now - since).total_seconds()))


def duration_words(seconds: int) -> str:
    """'under 1 min', '1 min', '12 min', '1 h 5 min' (rounded down to the minute)."""
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return "under 1 min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def waiting_words(seconds: int, *, present: bool) -> str:
    """The row's words: 'waiting 4 min' for someone here, 'waited for 4 min' for someone not."""
    words = duration_words(seconds)
    if present:
        return f"waiting {words}"
    return f"you have waited {words}"


def waiting_line(name: str, seconds: int, *, present: bool) -> str:
    """The waiting card's line for one person."""
    words = duration_words(seconds)
    if present:
        return f"{name} has been waiting {words}."
    return f"You have been waiting {words} for {name}."


def is_long(seconds: int | None) -> bool:
    return seconds is not None and seconds >= LONG_WAIT_SECONDS
