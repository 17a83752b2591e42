"""The call controllers' states with the fake engine: no server, no peer connection, in
milliseconds. (The real-process Care Room and visit tests are in tests/app/care_room and
tests/app/visits.)"""

from __future__ import annotations

import pytest

from tests.app.care_room.conftest import RecordingDevices
from tests.app.conftest import run
from tests.helpers.fake_engine import FakeEngine
from vtconnect_care.app.call import status as say
from vtconnect_care.app.call.states import CallPhase, TileState
from vtconnect_care.app.care_room.controller import CareRoomController, RoomRequest
from vtconnect_care.app.visits.call import VisitCall, VisitCallState
from vtconnect_care.client.engine import EngineState
from vtconnect_care.client.realtime import RealtimeError
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.transitions import WrongMoveError

PATEL = {"id": 1, "full_name": "Priya Patel", "username": "dr.patel"}
ALEX = {"id": 2, "full_name": "Alex Morgan"}


def member(person: dict, status: str, role: str = "participant") -> dict:
    return {"account_id": person["id"], "name": person["full_name"], "status": status, "role": role}


def session(state: str, alex: str) -> dict:
    return {
        "id": 9,
        "state": state,
        "host_id": 1,
        "host_name": "Priya Patel",
        "members": [member(PATEL, "present", "host"), member(ALEX, alex)],
    }


@pytest.fixture
def room(qloop):
    made: list[FakeEngine] = []
    request = RoomRequest(
        account=PATEL, portal_url="http://x", token="t", people=(ALEX,), devices=RecordingDevices()
    )
    controller = CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    phases: list[str] = []
    controller.phase_changed.connect(phases.append)
    yield controller, made, phases
    run(qloop, controller.aclose(), 5)


def test_host_waits_begins_reconnects_and_ends(room, qloop):
    c, made, phases = room

    async def scenario():
        await c.start()
        engine = made[0]
        assert ("host", (2,)) in engine.calls and c.phase is CallPhase.CONNECTING
        engine.join_session(session("hosted", "absent"))
        assert c.phase is CallPhase.WAITING and c.status == say.WAITING and not c.can_begin
        engine.emit("participant_joined", member=member(ALEX, "present"), returned=False)
        assert c.can_begin and c.status.startswith("Alex Morgan has arrived")  # R-ROOM-2
        await c.begin()
        assert ("begin",) in engine.calls
        engine.session = session("begun", "present")
        engine.emit("begun", session=engine.session)
        engine.move(EngineState.IN_CALL)
        assert c.phase is CallPhase.IN_CALL and c.in_call and not c.can_begin
        assert c.tile_states[2] is TileState.CONNECTING
        engine.emit("first_frame", account_id=2, at=0.0)
        assert c.tile_states[2] is TileState.CONNECTED
        engine.move(EngineState.RECONNECTING)  # our socket dropped
        assert c.phase is CallPhase.RECONNECTING and c.status == say.RECONNECTING
        engine.move(EngineState.REJOINING)
        assert c.status == say.REJOINING
        engine.join_session(session("begun", "present"))
        assert c.phase is CallPhase.IN_CALL and c.status == "In session with Alex Morgan."
        engine.emit("ended", session_id=9, by=1)
        assert c.phase is CallPhase.ENDED and c.status == say.YOU_ENDED
        assert c.engine is None and not c.tile_states  # camera and microphone released at once

    run(qloop, scenario(), 5)
    assert phases == ["connecting", "waiting", "in_call", "reconnecting", "in_call", "ended"]
    with pytest.raises(WrongMoveError):
        c.set_phase(CallPhase.IN_CALL)  # an ended room never comes back


def test_a_refused_command_is_said_and_changes_nothing(room, qloop):
    c, made, _ = room

    async def scenario():
        await c.start()
        made[0].refuse["end"] = RealtimeError("forbidden", "Only the practitioner can end.")
        made[0].join_session(session("begun", "present"))
        await c.end()
        assert c.status == "Only the practitioner can end." and c.phase is CallPhase.IN_CALL

    run(qloop, scenario(), 5)


def test_a_participant_who_drops_and_leaves(room, qloop):
    c, made, _ = room

    async def scenario():
        await c.start()
        engine = made[0]
        engine.join_session(session("begun", "present"))
        engine.emit("begun", session=engine.session)
        engine.emit("participant_dropped", member=member(ALEX, "dropped"))
        assert c.tile_states[2] is TileState.RECONNECTING
        assert c.status == say.dropped_text("Alex Morgan")
        engine.emit("participant_left", member=member(ALEX, "left"))
        assert 2 not in c.tile_states and c.status == "Alex Morgan has left the session."

    run(qloop, scenario(), 5)


def test_the_offline_engine_is_final(room, qloop):
    c, made, _ = room

    async def scenario():
        await c.start()
        made[0].move(EngineState.OFFLINE)
        assert c.phase is CallPhase.OFFLINE and c.status == say.OFFLINE

    run(qloop, scenario(), 5)


class FakeVisitsApi:
    base_url = "http://x"

    def __init__(self) -> None:
        self.hung_up = False

    async def join(self, visit_id: int) -> dict:
        notice = "The client has not joined the session yet. The last invite was sent at 10:02."
        visit = {"id": visit_id, "virtual_session": {"state": "waiting", "notice": notice}}
        return {"visit": visit, "client_account_id": 2, "care_session_id": 9}

    async def detail(self, visit_id: int) -> dict:
        return {"id": visit_id, "virtual_session": {"state": "client_left", "notice": ""}}

    async def hang_up(self, visit_id: int) -> dict:
        self.hung_up = True
        return {"visit": {"id": visit_id}, "message": vmsg.SESSION_OVER}


def test_a_visit_call_uses_the_devices_chosen_in_the_device_panel(qloop, user_settings):
    """The device panel saves the choice (UserSettings); the visit call opens those devices."""
    devices = RecordingDevices("Jin Kim")
    user_settings.set_device("speaker", "Test speaker B")
    made: list[FakeEngine] = []
    call = VisitCall(
        FakeVisitsApi(),
        5,
        token="t",
        name="Jin Kim",
        devices=devices,
        settings=user_settings,
        engine_factory=FakeEngine.factory(made, {"id": 1, "full_name": "Jin Kim"}),
    )
    states: list[str] = []
    call.state_changed.connect(states.append)

    async def scenario():
        await call.join()
        assert call.media.speaker is devices.speakers["Test speaker B"]
        assert call.camera is not None and call.camera.device.name == "Synthetic camera"
        assert call.state is VisitCallState.WAITING
        assert call.notice.endswith(vmsg.CLIENT_NOT_JOINED_HINT)  # R-VISIT-9
        engine = made[0]
        engine.emit("participant_joined", member=member(ALEX, "present"), returned=False)
        assert call.state is VisitCallState.IN_CALL and call.notice == ""
        engine.emit("participant_left", member=member(ALEX, "left"))
        assert call.state is VisitCallState.CLIENT_LEFT and call.notice == vmsg.CLIENT_HUNG_UP
        await call.hang_up()
        assert call.state is VisitCallState.OVER and call.phase is CallPhase.CLOSED
        assert engine.closed
        engine.emit("participant_joined", member=member(ALEX, "present"), returned=True)
        assert call.state is VisitCallState.OVER  # late news changes nothing

    run(qloop, scenario(), 5)
    assert states == ["joining", "waiting", "in_call", "client_left", "over"]
