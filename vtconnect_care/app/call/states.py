"""The call window's phase and each remote tile's state: enums with move tables (Qt-free)."""

from __future__ import annotations

from enum import StrEnum

from vtconnect_care.domain.transitions import moves


class CallPhase(StrEnum):
    IDLE = "idle"  # created
    CONNECTING = "connecting"  # opening devices, reaching the hub, joining
    WAITING = "waiting"  # in the room, the session has not begun
    IN_CALL = "in_call"  # the session has begun
    RECONNECTING = "reconnecting"  # our connection dropped; it is being restored
    ENDED = "ended"  # the session is over
    OFFLINE = "offline"  # could not connect, or gave up: nothing more happens
    CLOSED = "closed"  # the window let go of everything

    @property
    def live(self) -> bool:
        return self in (
            CallPhase.CONNECTING,
            CallPhase.WAITING,
            CallPhase.IN_CALL,
            CallPhase.RECONNECTING,
        )

    @property
    def over(self) -> bool:
        return self in (CallPhase.ENDED, CallPhase.OFFLINE, CallPhase.CLOSED)


P = CallPhase
PHASE_MOVES = moves(
    {
        P.IDLE: (P.CONNECTING, P.OFFLINE, P.CLOSED),
        P.CONNECTING: (P.WAITING, P.IN_CALL, P.RECONNECTING, P.ENDED, P.OFFLINE, P.CLOSED),
        P.WAITING: (P.IN_CALL, P.RECONNECTING, P.ENDED, P.OFFLINE, P.CLOSED),
        P.IN_CALL: (P.WAITING, P.RECONNECTING, P.ENDED, P.OFFLINE, P.CLOSED),
        P.RECONNECTING: (P.WAITING, P.IN_CALL, P.ENDED, P.OFFLINE, P.CLOSED),
        P.ENDED: (P.CLOSED,),
        P.OFFLINE: (P.CLOSED,),
        P.CLOSED: (),
    }
)


class TileState(StrEnum):
    """How one other person's connection looks from here."""

    CONNECTING = "connecting"  # no picture yet
    CONNECTED = "connected"  # pictures arrive
    POOR = "poor"  # pictures arrive, too few of them
    RECONNECTING = "reconnecting"  # pictures stopped, or the person dropped


T = TileState
TILE_MOVES = moves({state: tuple(s for s in T if s is not state) for state in T})
