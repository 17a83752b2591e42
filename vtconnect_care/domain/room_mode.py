"""How a Care Room carries media: a mesh of peer connections, or Janus's VideoRoom (R-ROOM-MODE).

A room of up to three people stays a mesh: each app sends to each other, which costs little at
that size. Beyond three, or for every group of three when the organisation chooses, media goes
through Janus when one is configured: each app sends once and receives each other person from
Janus. Without Janus a mesh holds six people at most, and the host is told why a seventh
cannot join. Two-person calls and virtual visits are always peer to peer. The server decides
the mode when the session is hosted and it is part of the session object (docs/group-rooms.md).
"""

from __future__ import annotations

from enum import StrEnum

from vtconnect_care.domain.errors import Refusal

MESH_MOST = 3  # people in a room that stays a mesh when Janus is there
MESH_CAP = 6  # people a mesh can hold at all (each app encodes once per other person)
SFU_CAP = 12  # people one Janus VideoRoom holds


class RoomMode(StrEnum):
    MESH = "mesh"
    SFU = "sfu"


def room_mode(*, people: int, janus_configured: bool, always_sfu: bool = False) -> RoomMode:
    """The mode of a room hosted for `people` (the host and everyone invited)."""
    if not janus_configured or people <= 2:
        return RoomMode.MESH  # two people: peer to peer, whatever the choice
    if always_sfu or people > MESH_MOST:
        return RoomMode.SFU
    return RoomMode.MESH


def room_cap(mode: RoomMode) -> int:
    return SFU_CAP if mode is RoomMode.SFU else MESH_CAP


def full_room_refusal(
    *, mode: RoomMode, people: int, janus_configured: bool, cap: int | None = None
) -> Refusal | None:
    """Why one more person cannot be in a room that holds `people`, or None when they can.
    `cap` is the server's own lower limit for a mesh, if it set one."""
    cap = room_cap(mode) if cap is None else min(cap, room_cap(mode))
    if people < cap:
        return None
    if mode is RoomMode.MESH and not janus_configured:
        return Refusal(
            "room_full",
            f"This Care Room is full: a room without a media server holds {cap} people. "
            "Ask your IT team to set up the group media server (Janus) for larger group sessions.",
        )
    if mode is RoomMode.MESH:
        return Refusal(
            "room_full",
            "This Care Room is full: it was started for a small group and holds "
            f"{cap} people. End it and host again with everyone invited to use a group room.",
        )
    return Refusal("room_full", f"This Care Room is full: a group room holds {SFU_CAP} people.")
