"""The Care Room session lifecycle and who may do what in it (R-ROOM-2, -7, -8, -9).

States: ``hosted`` (the host is in the room, waiting) -> ``begun`` -> ``ended``. Wrong moves
raise ``RoomRefusal`` with a stable code and a sentence for the person; the server's copy of
the state is the truth and clients render it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .errors import Refusal

DEFAULT_ROOM_CAP = 6
DROP_GRACE = timedelta(seconds=60)  # a dropped person's place is kept at least this long
CHAT_MAX_CHARS = 2000

ONLY_HOST_BEGINS = "Only the practitioner who hosts the session can begin it."
ONLY_HOST_ENDS = "Only the practitioner can end the session."  # R-ROOM-7
NOBODY_HERE_YET = "Wait for at least one participant to arrive before you begin."  # R-ROOM-2
SESSION_OVER = "This session is over."
ROOM_FULL = "This session is full."
NOT_INVITED = "You are not invited to this session."
NOT_IN_ROOM = "Join the session first."
NOT_BEGUN = "The session has not begun yet."
CHAT_EMPTY = "Type a message first."
CHAT_TOO_LONG = f"A message can be at most {CHAT_MAX_CHARS} characters long."


class SessionState(StrEnum):
    HOSTED = "hosted"
    BEGUN = "begun"
    ENDED = "ended"

    @property
    def live(self) -> bool:
        return self is not SessionState.ENDED


class MemberRole(StrEnum):
    HOST = "host"
    PARTICIPANT = "participant"


class RoomRefusal(Refusal):
    """A refused move in a Care Room (the rules' one Refusal shape)."""


@dataclass(frozen=True)
class MemberView:
    account_id: int
    role: MemberRole
    present: bool = False


def _live(state: SessionState) -> None:
    if state is SessionState.ENDED:
        raise RoomRefusal("session_ended", SESSION_OVER)


def begin(state: SessionState, actor: MemberView, members: list[MemberView]) -> SessionState:
    """R-ROOM-2 / R-ROOM-7: only the host begins, and only once a participant is present."""
    _live(state)
    if actor.role is not MemberRole.HOST:
        raise RoomRefusal("forbidden", ONLY_HOST_BEGINS)
    if state is SessionState.BEGUN:
        return state  # a repeated Begin is harmless
    if not any(m.present and m.role is MemberRole.PARTICIPANT for m in members):
        raise RoomRefusal("nobody_here", NOBODY_HERE_YET)
    return SessionState.BEGUN


def end(state: SessionState, actor: MemberView) -> SessionState:
    """R-ROOM-7: only the practitioner (the host) can end the session."""
    _live(state)
    if actor.role is not MemberRole.HOST:
        raise RoomRefusal("forbidden", ONLY_HOST_ENDS)
    return SessionState.ENDED


def may_join(
    state: SessionState, actor: MemberView | None, members: list[MemberView], cap: int
) -> None:
    """Invited people join (and re-join, R-ROOM-9) while the session is live, up to the cap."""
    if actor is None:
        raise RoomRefusal("forbidden", NOT_INVITED)
    _live(state)
    present = sum(1 for m in members if m.present and m.account_id != actor.account_id)
    if present >= cap:
        raise RoomRefusal("room_full", ROOM_FULL)


def may_talk(state: SessionState, actor: MemberView | None) -> None:
    """Chat and presence need a present member of a live session."""
    if actor is None:
        raise RoomRefusal("forbidden", NOT_INVITED)
    _live(state)
    if not actor.present:
        raise RoomRefusal("not_joined", NOT_IN_ROOM)


def may_signal(state: SessionState, actor: MemberView | None, target: MemberView | None) -> None:
    """Media signalling only between present members of a begun session."""
    may_talk(state, actor)
    if state is not SessionState.BEGUN:
        raise RoomRefusal("not_begun", NOT_BEGUN)
    if target is None or not target.present or actor is None:
        raise RoomRefusal("not_in_room", "That person is not in the session.")
    if target.account_id == actor.account_id:
        raise RoomRefusal("bad_target", "You cannot send signalling to yourself.")


def clean_chat(body: str) -> str:
    text = body.strip()
    if not text:
        raise RoomRefusal("chat_empty", CHAT_EMPTY)
    if len(text) > CHAT_MAX_CHARS:
        raise RoomRefusal("chat_too_long", CHAT_TOO_LONG)
    return text


def leave_notice(name: str) -> str:
    """R-ROOM-8: the notice the host sees in the chat when a client leaves."""
    return f"{name} has left the session."


def drop_expired(dropped_at: datetime | None, now: datetime, grace: timedelta = DROP_GRACE) -> bool:
    """Whether a dropped person's kept place has run out (R-ROOM-9 keeps it >= 60 s)."""
    return dropped_at is not None and now - dropped_at >= grace


def offers_to(me: int, other: int, *, i_arrived_last: bool) -> bool:
    """Who sends the offer in a pair: the newcomer; at Begin, the lower account id."""
    return i_arrived_last or me < other
