"""The call engine's own state (where it stands with the hub and the session) and the events it
sends the UI (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from vtconnect_care.domain.transitions import moves


class EngineState(StrEnum):
    IDLE = "idle"  # created, not started
    CONNECTED = "connected"  # the socket is up, not in a session
    WAITING = "waiting"  # in a session that has not begun
    IN_CALL = "in_call"  # in a begun session
    RECONNECTING = "reconnecting"  # the socket dropped; it is being re-opened
    REJOINING = "rejoining"  # the socket is back; re-entering the session
    ENDED = "ended"  # the session ended (the socket may still be up)
    OFFLINE = "offline"  # the socket gave up or was refused: nothing more happens
    CLOSED = "closed"  # close() ran


E = EngineState
_SESSION = (E.WAITING, E.IN_CALL, E.ENDED)
ENGINE_MOVES = moves(
    {
        E.IDLE: (E.CONNECTED, E.RECONNECTING, E.OFFLINE, E.CLOSED),
        E.CONNECTED: (*_SESSION, E.REJOINING, E.RECONNECTING, E.OFFLINE, E.CLOSED),
        E.WAITING: (
            E.IN_CALL,
            E.ENDED,
            E.CONNECTED,
            E.REJOINING,
            E.RECONNECTING,
            E.OFFLINE,
            E.CLOSED,
        ),
        E.IN_CALL: (
            E.WAITING,
            E.ENDED,
            E.CONNECTED,
            E.REJOINING,
            E.RECONNECTING,
            E.OFFLINE,
            E.CLOSED,
        ),
        E.RECONNECTING: (*_SESSION, E.CONNECTED, E.REJOINING, E.OFFLINE, E.CLOSED),
        E.REJOINING: (*_SESSION, E.CONNECTED, E.RECONNECTING, E.OFFLINE, E.CLOSED),
        E.ENDED: (
            E.WAITING,
            E.IN_CALL,
            E.CONNECTED,
            E.REJOINING,
            E.RECONNECTING,
            E.OFFLINE,
            E.CLOSED,
        ),
        E.OFFLINE: (E.CLOSED,),
        E.CLOSED: (),
    }
)


@dataclass(frozen=True)
class Event:
    """Something the UI shows: ``kind`` (see the package docstring) and its data."""

    kind: str
    data: dict = field(default_factory=dict)
