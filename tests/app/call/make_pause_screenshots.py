"""Video paused on a weak connection, for docs/screenshots (under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.call.make_pause_screenshots

The Care Room and the visit window on the fake engine (no server): the engine's own events say
that my video to Alex is paused (a weak path) and that Alex's to me is too, exactly as the real
engine's adaptation sends them; then the visit window with "Audio only" chosen.
"""

from __future__ import annotations

import asyncio
import sys

from tests.helpers.screens import OUT, save, wait_for


async def care_room(window, made) -> None:
    from tests.app.call.test_controller import session

    c = window.controller
    await c.start()
    engine = made[0]
    engine.join_session(session("begun", "present"))
    engine.emit("begun", session=engine.session)
    from tests.app.call.test_quality import picture

    c.frames.put(2, picture())  # the call was going: Alex's pictures had come
    engine.emit("first_frame", account_id=2, at=0.0)
    engine.emit("video_paused", account_id=2, reason="weak")
    engine.emit("remote_video", account_id=2, on=False, reason="weak")
    await wait_for(lambda: 2 in window.grid.tiles and window.notice.isVisible())
    await asyncio.sleep(0.5)  # let it paint
    save(window, "care-room-weak")
    window.force_close()
    await c.aclose()


async def visit_window(call, window, made) -> None:
    from tests.app.call.test_quality import picture
    from tests.app.call.visit_window import client_in_call

    await client_in_call(call, window, made, picture())
    window.audio_only.click()
    await asyncio.sleep(0.5)
    save(window, "app-visit-audio-only")
    await call.hang_up()
    window.close()


def main() -> int:
    from tests.app.call.test_controller import ALEX, PATEL
    from tests.app.call.visit_window import visit_call_and_window
    from tests.app.care_room.conftest import RecordingDevices
    from tests.helpers.fake_engine import FakeEngine
    from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
    from vtconnect_care.app.event_loop import make_loop
    from vtconnect_care.app.main import make_application

    OUT.mkdir(parents=True, exist_ok=True)
    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    loop = make_loop(app)
    made: list[FakeEngine] = []
    request = RoomRequest(
        account=PATEL, portal_url="http://x", token="t", people=(ALEX,), devices=RecordingDevices()
    )
    room = CareRoomWindow(
        CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    )
    room.resize(1120, 700)
    room.show()
    visit_made: list[FakeEngine] = []
    call, video = visit_call_and_window(visit_made)
    video.audio_only_toggled.connect(call.set_audio_only)
    video.show()
    with loop:
        loop.run_until_complete(asyncio.wait_for(care_room(room, made), 60))
        loop.run_until_complete(asyncio.wait_for(visit_window(call, video, visit_made), 60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
