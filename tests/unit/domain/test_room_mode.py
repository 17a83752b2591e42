"""R-ROOM-MODE: small rooms stay a mesh; larger ones (or by choice) go through Janus if present."""

from vtconnect_care.domain.room_mode import (
    MESH_CAP,
    SFU_CAP,
    RoomMode,
    full_room_refusal,
    room_cap,
    room_mode,
)


def test_up_to_three_people_stay_a_mesh_and_four_go_through_janus():
    assert room_mode(people=2, janus_configured=True) is RoomMode.MESH
    assert room_mode(people=3, janus_configured=True) is RoomMode.MESH
    assert room_mode(people=4, janus_configured=True) is RoomMode.SFU


def test_the_organisation_may_choose_janus_for_every_group_room_but_two_stay_peer_to_peer():
    assert room_mode(people=3, janus_configured=True, always_sfu=True) is RoomMode.SFU
    assert room_mode(people=2, janus_configured=True, always_sfu=True) is RoomMode.MESH


def test_without_janus_every_room_is_a_mesh_of_at_most_six():
    assert room_mode(people=9, janus_configured=False, always_sfu=True) is RoomMode.MESH
    assert room_cap(RoomMode.MESH) == MESH_CAP == 6
    assert full_room_refusal(mode=RoomMode.MESH, people=5, janus_configured=False) is None
    refusal = full_room_refusal(mode=RoomMode.MESH, people=6, janus_configured=False)
    assert refusal is not None and refusal.code == "room_full"
    assert "holds 6 people" in refusal.message and "Janus" in refusal.message


def test_a_janus_room_holds_at_least_twelve():
    assert room_cap(RoomMode.SFU) == SFU_CAP >= 12
    assert full_room_refusal(mode=RoomMode.SFU, people=11, janus_configured=True) is None
    assert full_room_refusal(mode=RoomMode.SFU, people=12, janus_configured=True) is not None
