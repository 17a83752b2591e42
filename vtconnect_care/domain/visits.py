"""Virtual-visit rules (R-VISIT-1..15): the session state machine and every check, clock injected.

Nothing here reads a clock or a database: callers pass `now` and plain facts about the visit.

The virtual session's states (the server's copy is the truth):

    CREATED         an invite was sent or copied; nobody has joined yet
    CLIENT_WAITING  the client opened the link; the employee has not joined yet
    OPEN            the employee joined; the client has not joined yet (R-VISIT-9)
    IN_CALL         both are in the call
    CLIENT_LEFT     the client hung up or closed the page; they may come back (R-VISIT-11)
    ENDED           the caregiver hung up (or clocked out before any call): over for good
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from . import visit_messages as msg
from .errors import Refusal
from .times import hhmm

LINK_GRACE = timedelta(minutes=15)  # R-VISIT-8


class VirtualSessionState(StrEnum):
    CREATED = "created"
    CLIENT_WAITING = "client_waiting"
    OPEN = "open"
    IN_CALL = "in_call"
    CLIENT_LEFT = "client_left"
    ENDED = "ended"


class SessionEvent(StrEnum):
    EMPLOYEE_JOIN = "employee_join"
    CLIENT_JOIN = "client_join"
    CLIENT_LEAVE = "client_leave"  # client hang-up or closed page (R-VISIT-11)
    EMPLOYEE_LEAVE = "employee_leave"  # window closed: not an ending (R-VISIT-14)
    EMPLOYEE_HANGUP = "employee_hangup"  # ends it for good (R-VISIT-12)
    CLOCK_OUT = "clock_out"  # R-VISIT-13 / R-VISIT-15


class EndedBy(StrEnum):
    EMPLOYEE = "employee"
    CLOCK_OUT = "clock_out"


class InvalidTransition(Exception):  # noqa: N818 - named for the rule it breaks
    def __init__(self, state: VirtualSessionState, event: SessionEvent) -> None:
        super().__init__(f"{event.value} is not allowed in state {state.value}")
        self.state = state
        self.event = event


S, E = VirtualSessionState, SessionEvent

# (state, event) -> next state; a pair that is missing is a wrong move and raises.
_TRANSITIONS: dict[tuple[VirtualSessionState, SessionEvent], VirtualSessionState] = {
    (S.CREATED, E.EMPLOYEE_JOIN): S.OPEN,
    (S.CREATED, E.CLIENT_JOIN): S.CLIENT_WAITING,
    (S.CREATED, E.CLIENT_LEAVE): S.CREATED,
    (S.CREATED, E.EMPLOYEE_LEAVE): S.CREATED,
    (S.CREATED, E.EMPLOYEE_HANGUP): S.ENDED,
    (S.CREATED, E.CLOCK_OUT): S.ENDED,  # no call can start any more (R-VISIT-15)
    (S.CLIENT_WAITING, E.EMPLOYEE_JOIN): S.IN_CALL,
    (S.CLIENT_WAITING, E.CLIENT_JOIN): S.CLIENT_WAITING,
    (S.CLIENT_WAITING, E.CLIENT_LEAVE): S.CREATED,  # the call never started
    (S.CLIENT_WAITING, E.EMPLOYEE_LEAVE): S.CLIENT_WAITING,
    (S.CLIENT_WAITING, E.EMPLOYEE_HANGUP): S.ENDED,
    (S.CLIENT_WAITING, E.CLOCK_OUT): S.ENDED,
    (S.OPEN, E.EMPLOYEE_JOIN): S.OPEN,  # re-join (R-VISIT-14)
    (S.OPEN, E.CLIENT_JOIN): S.IN_CALL,
    (S.OPEN, E.CLIENT_LEAVE): S.OPEN,
    (S.OPEN, E.EMPLOYEE_LEAVE): S.OPEN,
    (S.OPEN, E.EMPLOYEE_HANGUP): S.ENDED,
    (S.OPEN, E.CLOCK_OUT): S.OPEN,  # clocking out never closes a live call (R-VISIT-13)
    (S.IN_CALL, E.EMPLOYEE_JOIN): S.IN_CALL,
    (S.IN_CALL, E.CLIENT_JOIN): S.IN_CALL,
    (S.IN_CALL, E.CLIENT_LEAVE): S.CLIENT_LEFT,
    (S.IN_CALL, E.EMPLOYEE_LEAVE): S.IN_CALL,
    (S.IN_CALL, E.EMPLOYEE_HANGUP): S.ENDED,
    (S.IN_CALL, E.CLOCK_OUT): S.IN_CALL,
    (S.CLIENT_LEFT, E.EMPLOYEE_JOIN): S.CLIENT_LEFT,
    (S.CLIENT_LEFT, E.CLIENT_JOIN): S.IN_CALL,  # the client may come back (R-VISIT-11)
    (S.CLIENT_LEFT, E.CLIENT_LEAVE): S.CLIENT_LEFT,
    (S.CLIENT_LEFT, E.EMPLOYEE_LEAVE): S.CLIENT_LEFT,
    (S.CLIENT_LEFT, E.EMPLOYEE_HANGUP): S.ENDED,
    (S.CLIENT_LEFT, E.CLOCK_OUT): S.CLIENT_LEFT,
    # an ended session stays ended; leaving an over page is harmless
    (S.ENDED, E.CLIENT_LEAVE): S.ENDED,
    (S.ENDED, E.EMPLOYEE_LEAVE): S.ENDED,
    (S.ENDED, E.CLOCK_OUT): S.ENDED,
}

LIVE_STATES = frozenset({S.OPEN, S.IN_CALL, S.CLIENT_LEFT})  # the employee has opened the call


def transition(state: VirtualSessionState, event: SessionEvent) -> VirtualSessionState:
    """The next state; raises InvalidTransition on a wrong move (e.g. joining an ended session)."""
    try:
        return _TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(state, event) from None


def is_live(state: VirtualSessionState) -> bool:
    """The employee has opened the call and nobody has ended it (R-VISIT-13)."""
    return state in LIVE_STATES


@dataclass(frozen=True)
class VisitFacts:
    """What the rules need to know about a visit."""

    employee_id: int | None
    allows_virtual: bool
    client_email: str | None
    starts_at: datetime
    ends_at: datetime
    schedule_version: int = 1
    clock_in_at: datetime | None = None
    clock_out_at: datetime | None = None


@dataclass(frozen=True)
class SessionFacts:
    """What the rules need to know about the visit's virtual session."""

    state: VirtualSessionState
    schedule_version: int
    last_invite_sent_at: datetime | None = None


def is_virtual(allows_virtual: bool) -> bool:
    """R-VISIT-1: a visit is virtual only if its service code allows virtual visits."""
    return bool(allows_virtual)


def link_expires_at(ends_at: datetime) -> datetime:
    """R-VISIT-8: the link expires 15 minutes after the scheduled end."""
    return ends_at + LINK_GRACE


def is_link_expired(ends_at: datetime, now: datetime) -> bool:
    return now >= link_expires_at(ends_at)


def is_invite_outdated(visit: VisitFacts, session: SessionFacts | None) -> bool:
    """R-VISIT-7: the visit time changed since the last invite; earlier links stop working."""
    return session is not None and session.schedule_version != visit.schedule_version


class InviteKind(StrEnum):
    SEND = "send"  # R-VISIT-2: emails the link
    COPY = "copy"  # R-VISIT-3: returns the link
    RESEND = "resend"  # R-VISIT-7: emails it again (needs the session)


def invite_refusal(
    *,
    actor_id: int,
    visit: VisitFacts,
    session: SessionFacts | None,
    kind: InviteKind,
    now: datetime,
) -> Refusal | None:
    """Why this person may not send, copy or resend the invite now, or None.

    Invites go out before or after clock-in (R-VISIT-6) but not once clocked out (R-VISIT-15),
    after the session ended (R-VISIT-12) or after the link's expiry (R-VISIT-8).
    """
    # who first, then state: a stranger learns nothing about the visit (issue 12, defect 10)
    if visit.employee_id is None or visit.employee_id != actor_id:
        return Refusal("not_assigned", msg.NOT_ASSIGNED)  # R-VISIT-4
    if not is_virtual(visit.allows_virtual):
        return Refusal("not_virtual", msg.NOT_VIRTUAL)
    if session is not None and session.state is S.ENDED:
        return Refusal("session_ended", msg.SESSION_ENDED)
    if visit.clock_out_at is not None:
        return Refusal("clocked_out", msg.CLOCKED_OUT_NO_SESSION)
    if is_link_expired(visit.ends_at, now):
        return Refusal("link_expired", msg.LINK_EXPIRED)
    if kind is InviteKind.RESEND and session is None:
        return Refusal("no_session", msg.RESEND_NEEDS_SESSION)
    if kind is not InviteKind.COPY and not (visit.client_email or "").strip():
        return Refusal("no_client_email", msg.NO_CLIENT_EMAIL)  # R-VISIT-5
    return None


def join_refusal(
    *, actor_id: int, visit: VisitFacts, session: SessionFacts | None, now: datetime
) -> Refusal | None:
    """Why the employee may not join the video session now, or None (R-VISIT-6, 8, 12, 14, 15).

    Re-joining after closing the window is allowed: it is the same session (R-VISIT-14).
    """
    if visit.employee_id is None or visit.employee_id != actor_id:  # who first (defect 10)
        return Refusal("not_assigned", msg.NOT_ASSIGNED_JOIN)
    if not is_virtual(visit.allows_virtual):
        return Refusal("not_virtual", msg.NOT_VIRTUAL)
    if session is not None and session.state is S.ENDED:
        return Refusal("session_ended", msg.SESSION_ENDED)
    if visit.clock_out_at is not None:
        return Refusal("clocked_out", msg.CLOCKED_OUT_NO_SESSION)
    if session is None:
        return Refusal("no_session", msg.NO_SESSION_YET)
    if is_link_expired(visit.ends_at, now):
        return Refusal("link_expired", msg.LINK_EXPIRED)
    if visit.clock_in_at is None:
        return Refusal("not_clocked_in", msg.JOIN_NEEDS_CLOCK_IN)
    return None


def clock_in_refusal(*, actor_id: int, visit: VisitFacts) -> Refusal | None:
    if visit.employee_id is None or visit.employee_id != actor_id:
        return Refusal("not_assigned", msg.NOT_ASSIGNED_CLOCK)
    if visit.clock_in_at is not None:
        return Refusal("already_clocked_in", msg.ALREADY_CLOCKED_IN)
    return None


def clock_out_refusal(*, actor_id: int, visit: VisitFacts) -> Refusal | None:
    if visit.employee_id is None or visit.employee_id != actor_id:
        return Refusal("not_assigned", msg.NOT_ASSIGNED_CLOCK)
    if visit.clock_in_at is None:
        return Refusal("not_clocked_in", msg.CLOCK_OUT_NEEDS_CLOCK_IN)
    if visit.clock_out_at is not None:
        return Refusal("already_clocked_out", msg.ALREADY_CLOCKED_OUT)
    return None


def clock_out_warning(session: SessionFacts | None) -> str | None:
    """R-VISIT-13: the warning to confirm before clocking out during a live session."""
    if session is not None and is_live(session.state):
        return msg.CLOCK_OUT_WARNING
    return None


def client_not_joined_message(
    last_invite_sent_at: datetime, tz: tzinfo | None = None, *, with_hint: bool = False
) -> str:
    """R-VISIT-9, with the time of the last invite as [HH:MM]."""
    text = msg.CLIENT_NOT_JOINED.format(time=hhmm(last_invite_sent_at, tz))
    return f"{text} {msg.CLIENT_NOT_JOINED_HINT}" if with_hint else text


def employee_notice(session: SessionFacts, tz: tzinfo | None = None) -> str | None:
    """What the employee's video window says for this state (R-VISIT-9, 11, 12), or None."""
    if session.state is S.ENDED:
        return msg.SESSION_OVER
    if session.state is S.CLIENT_LEFT:
        return msg.CLIENT_HUNG_UP
    if session.state in (S.CREATED, S.OPEN) and session.last_invite_sent_at is not None:
        return client_not_joined_message(session.last_invite_sent_at, tz)
    return None


class LinkStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    FINISHED = "finished"


LINK_REASONS = {
    LinkStatus.INVALID: msg.LINK_REASON_INVALID,
    LinkStatus.SUPERSEDED: msg.LINK_REASON_SUPERSEDED,
    LinkStatus.EXPIRED: msg.LINK_REASON_EXPIRED,
    LinkStatus.FINISHED: msg.LINK_REASON_FINISHED,
}


def link_status(
    *, visit: VisitFacts, session: SessionFacts, link_version: int, now: datetime
) -> LinkStatus:
    """Whether a client's invite link still opens the session (R-VISIT-7, 8, 12)."""
    if session.state is S.ENDED:
        return LinkStatus.FINISHED
    if link_version != visit.schedule_version:
        return LinkStatus.SUPERSEDED
    if is_link_expired(visit.ends_at, now):
        return LinkStatus.EXPIRED
    return LinkStatus.VALID


@dataclass(frozen=True)
class ButtonState:
    label: str
    enabled: bool
    reason: str | None = None  # why it is disabled, or a hint when enabled


def visit_buttons(
    *, actor_id: int, visit: VisitFacts, session: SessionFacts | None, now: datetime
) -> dict[str, ButtonState]:
    """The visit dialog's buttons for this person, each enabled and explained by the rules."""

    def invite(kind: InviteKind, label: str) -> ButtonState:
        refusal = invite_refusal(
            actor_id=actor_id, visit=visit, session=session, kind=kind, now=now
        )
        return ButtonState(label, refusal is None, refusal.message if refusal else None)

    send = invite(InviteKind.SEND, msg.SEND_INVITE)
    if send.enabled and session is not None:
        send = ButtonState(send.label, False, msg.ALREADY_INVITED)
    copy = invite(InviteKind.COPY, msg.COPY_INVITE)
    resend = invite(InviteKind.RESEND, msg.RESEND_INVITE)
    if resend.enabled and is_invite_outdated(visit, session):
        resend = ButtonState(resend.label, True, msg.INVITE_OUTDATED)
    cin = clock_in_refusal(actor_id=actor_id, visit=visit)
    cout = clock_out_refusal(actor_id=actor_id, visit=visit)
    join = join_refusal(actor_id=actor_id, visit=visit, session=session, now=now)
    return {
        "send_invite": send,
        "copy_invite_link": copy,
        "resend_invite": resend,
        "clock_in": ButtonState(msg.CLOCK_IN, cin is None, cin.message if cin else None),
        "clock_out": ButtonState(
            msg.CLOCK_OUT,
            cout is None,
            cout.message if cout else clock_out_warning(session),
        ),
        "join_video": ButtonState(msg.JOIN_VIDEO, join is None, join.message if join else None),
    }
