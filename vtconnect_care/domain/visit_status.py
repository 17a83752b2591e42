"""Where a visit stands, and the words for it, for every schedule (portal list, app schedule).

    SCHEDULED   nothing has happened yet
    INVITED     an invite was sent or its link copied (the virtual session exists, R-VISIT-2, 3)
    CLOCKED_IN  the employee clocked in (R-VISIT-6)
    DONE        the employee clocked out (R-VISIT-15: after the video ends they still clock
                out, and until then the visit is not done; the portal stops changes then)

The video session's own state is shown beside it, never instead of it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from enum import StrEnum

from .times import hhmm
from .visits import VirtualSessionState

Moment = datetime | str | None  # a datetime (server) or the ISO string the JSON carries (app)


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    INVITED = "invited"
    CLOCKED_IN = "clocked_in"
    DONE = "done"


STATUS_LABELS: dict[VisitStatus, str] = {
    VisitStatus.SCHEDULED: "Scheduled",
    VisitStatus.INVITED: "Invited",
    VisitStatus.CLOCKED_IN: "Clocked in",
    VisitStatus.DONE: "Done",
}

SESSION_LABELS: dict[VirtualSessionState, str] = {
    VirtualSessionState.CREATED: "invite sent",
    VirtualSessionState.CLIENT_WAITING: "the client is waiting",
    VirtualSessionState.OPEN: "video session open",
    VirtualSessionState.IN_CALL: "video session in progress",
    VirtualSessionState.CLIENT_LEFT: "the client hung up",
    VirtualSessionState.ENDED: "video session over",
}


def visit_status(
    *, clock_in_at: Moment, clock_out_at: Moment, session_state: VirtualSessionState | str | None
) -> VisitStatus:
    """Done once clocked out, else clocked in, else invited (a session exists), else scheduled."""
    if clock_out_at:
        return VisitStatus.DONE
    if clock_in_at:
        return VisitStatus.CLOCKED_IN
    if session_state:
        return VisitStatus.INVITED
    return VisitStatus.SCHEDULED


def session_label(state: VirtualSessionState | str) -> str:
    """The video session's state in words (an unknown state is shown as it is)."""
    try:
        return SESSION_LABELS[VirtualSessionState(state)]
    except ValueError:
        return str(state)


def status_line(
    *,
    is_virtual: bool,
    clock_in_at: Moment,
    clock_out_at: Moment,
    session_state: VirtualSessionState | str | None,
    zone: tzinfo | None = None,
) -> str:
    """A schedule row's line: 'Virtual visit · Clocked in at 09:05 · video session open'."""
    status = visit_status(
        clock_in_at=clock_in_at, clock_out_at=clock_out_at, session_state=session_state
    )
    parts = ["Virtual visit" if is_virtual else "In-person visit"]
    if status is VisitStatus.DONE:
        parts.append(f"{STATUS_LABELS[status]}, clocked out at {hhmm(clock_out_at, zone)}")
    elif status is VisitStatus.CLOCKED_IN:
        parts.append(f"{STATUS_LABELS[status]} at {hhmm(clock_in_at, zone)}")
    else:
        parts.append(STATUS_LABELS[status])
    if session_state and not (
        status is VisitStatus.INVITED and session_state == VirtualSessionState.CREATED
    ):
        parts.append(session_label(session_state))
    return " · ".join(parts)
