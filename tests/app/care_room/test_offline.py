"""The Care Room tells the person when the portal cannot be reached, and offers Close."""

from __future__ import annotations

from tests.app.conftest import run, wait_until
from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
from vtconnect_care.app.care_room.controller import CONNECTING, UNREACHABLE
from vtconnect_care.client.engine import CallEngine

from .conftest import FPS, SIZE, RecordingDevices


def quick_engine(portal_url, token, media, ice_servers, *, on_event, on_video_frame):
    return CallEngine(
        portal_url,
        token,
        media,
        [],
        on_event=on_event,
        on_video_frame=on_video_frame,
        reconnect_for=0.3,  # give up at once: nothing listens there
        warm_up=False,
    )


def test_unreachable_portal_is_said_in_words(qloop, qapp):
    request = RoomRequest(
        account={"id": 1, "full_name": "Priya Patel"},
        portal_url="http://127.0.0.1:9",  # the discard port: nothing answers
        token="x",
        people=({"id": 2, "full_name": "Alex Morgan"},),
        devices=RecordingDevices("Priya Patel"),
        video_size=SIZE,
        fps=FPS,
    )
    window = CareRoomWindow(CareRoomController(request, engine_factory=quick_engine))
    window.show()
    statuses: list[str] = []
    window.controller.status_changed.connect(statuses.append)

    async def scenario():
        window.controller.start()
        await wait_until(lambda: window.controller.phase == "offline", 15, "offline")
        assert statuses[0] == CONNECTING
        assert window.waiting_text.text() == UNREACHABLE
        assert window.waiting_title.text() == "Not connected"
        assert window.close_button.isVisible() and not window.begin_button.isVisible()
        assert window.participants.colour_of("Alex Morgan") == "#e0464e"  # not arrived
        assert not window.chat.field.isEnabled()  # nothing typed would reach anyone
        assert window.chat.field.placeholderText() == "Not connected."
        window.close_button.click()
        assert not window.isVisible()
        await window.controller.aclose()

    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # this room is the only window here
    try:
        run(qloop, scenario(), timeout=30)
    finally:
        qapp.setQuitOnLastWindowClosed(quits)
