"""A visit call on the fake engine with its video window, Alex Morgan in the call (for the
call tests and screenshot scripts of this folder)."""

from __future__ import annotations

from tests.app.call.test_controller import ALEX, FakeVisitsApi, member
from tests.app.care_room.conftest import RecordingDevices
from tests.helpers.fake_engine import FakeEngine
from vtconnect_care.app.visits.call import VisitCall
from vtconnect_care.app.visits.video_window import VideoWindow


def visit_call_and_window(made: list[FakeEngine]) -> tuple[VisitCall, VideoWindow]:
    call = VisitCall(
        FakeVisitsApi(),
        5,
        token="t",
        name="Jin Kim",
        devices=RecordingDevices("Jin Kim"),
        engine_factory=FakeEngine.factory(made, {"id": 1, "full_name": "Jin Kim"}),
    )
    window = VideoWindow("Video session with Alex Morgan")
    window.stage.name = "Alex Morgan"
    return call, window


async def client_in_call(call: VisitCall, window: VideoWindow, made: list[FakeEngine], frame):
    """Join, watch, and have Alex arrive with a first picture; the fake engine."""
    await call.join()
    window.watch(call)
    engine = made[0]
    engine.emit("participant_joined", member=member(ALEX, "present"), returned=False)
    call.frames.put(ALEX["id"], frame)
    engine.emit("first_frame", account_id=ALEX["id"], at=0.0)
    return engine
