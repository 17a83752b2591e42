"""What the Care Room window shows around the call (fake engine, milliseconds): the device
notice goes away and covers nothing (issue 15 defect 3); the ended state (defect 4); the
participants' state in words as well as colour."""

from __future__ import annotations

import pytest

from tests.app.call.test_controller import ALEX, PATEL, member, session
from tests.app.call.test_quality import picture
from tests.app.care_room.conftest import NoCamera
from tests.app.conftest import run, wait_until
from tests.helpers.fake_engine import FakeEngine
from vtconnect_care.app.call.media import NO_CAMERA
from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
from vtconnect_care.app.care_room.chat import CLOSED, CLOSED_WHY
from vtconnect_care.app.care_room.participants import DOTS


@pytest.fixture
def room(qloop):
    made: list[FakeEngine] = []
    request = RoomRequest(
        account=PATEL, portal_url="http://x", token="t", people=(ALEX,), devices=NoCamera()
    )
    window = CareRoomWindow(
        CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    )
    window.resize(900, 600)
    window.show()
    yield window, made
    window.force_close()
    run(qloop, window.controller.aclose(), 5)


async def in_call(window, made) -> FakeEngine:
    c = window.controller
    await c.start()
    engine = made[0]
    engine.join_session(session("begun", "present"))
    engine.emit("begun", session=engine.session)
    c.frames.put(2, picture())
    engine.emit("first_frame", account_id=2, at=0.0)
    return engine


def below(upper, lower) -> bool:
    return upper.geometry().bottom() < lower.geometry().top()


def apart(a, b) -> bool:
    return not a.geometry().intersects(b.geometry())


def test_the_device_notice_covers_no_video_and_goes_away(room, qloop):
    """Issue 15 defect 3: "No camera is available…" sits above the video, beside the chat,
    and leaves after a while (or at a click); it does not come back for the same device."""
    window, made = room
    window.notice.timer.setInterval(200)  # the product's is 10 s

    async def scenario():
        await in_call(window, made)
        await wait_until(lambda: window.notice.isVisible(), 5, "the device notice")
        assert NO_CAMERA in window.notice.text()
        assert below(window.notice, window.grid)  # the strip above the video, not over it
        window.set_chat_open(True)
        assert apart(window.notice, window.chat) and apart(window.grid, window.chat)
        assert below(window.notice, window.grid)
        await wait_until(lambda: not window.notice.isVisible(), 5, "the notice gone")
        assert window.grid.geometry().top() == 60  # the video takes the space back
        window.controller.notices_changed.emit(window.controller.notices)  # said again
        assert not window.notice.isVisible()

    run(qloop, scenario(), 10)


def test_a_click_dismisses_the_device_notice(room, qloop):
    window, made = room
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    async def scenario():
        await in_call(window, made)
        await wait_until(lambda: window.notice.isVisible(), 5, "the device notice")
        QTest.mouseClick(window.notice, Qt.MouseButton.LeftButton)
        assert not window.notice.isVisible() and window.controls_visible

    run(qloop, scenario(), 10)


def test_the_ended_state_is_readable_takes_no_message_and_no_dot_stays_green(room, qloop):
    """Issue 15 defect 4: the card beside the open chat, the chat closed for new messages,
    nobody shown present."""
    window, made = room
    c = window.controller

    async def scenario():
        engine = await in_call(window, made)
        window.set_chat_open(True)
        assert window.participants.colour_of("Alex Morgan") == DOTS["present"][0]
        engine.emit("ended", session_id=9, by=1)
        await wait_until(lambda: c.phase == "ended", 5, "ended")
        assert window.waiting.isVisible() and window.waiting_title.text() == "The session has ended"
        assert window.chat.isVisible() and apart(window.waiting, window.chat)
        assert not window.chat.field.isEnabled() and not window.chat.send_button.isEnabled()
        assert window.chat.field.placeholderText() == CLOSED
        assert window.chat.field.accessibleDescription() == CLOSED_WHY
        sent_before = [call for call in engine.calls if call[0] == "chat"]
        assert c.send_chat("anyone there?") is None
        assert [call for call in engine.calls if call[0] == "chat"] == sent_before
        for name in ("Alex Morgan", "Priya Patel"):
            assert window.participants.status[name] == "ended"
            assert window.participants.colour_of(name) != DOTS["present"][0]
        rows = [window.participants.list.item(i) for i in range(window.participants.list.count())]
        assert all(row.text().endswith("the session has ended") for row in rows)

    run(qloop, scenario(), 10)


def test_participant_state_is_said_in_words_not_only_by_colour(room, qloop):
    window, made = room

    async def scenario():
        await window.controller.start()
        made[0].join_session(session("hosted", "absent"))
        rows = {
            window.participants.list.item(i).text().split("\n")[0]: window.participants.list.item(i)
            for i in range(window.participants.list.count())
        }
        alex = rows["Alex Morgan"]
        assert alex.text().split("\n")[1] == "not yet arrived" == alex.toolTip()
        made[0].emit("participant_joined", member=member(ALEX, "present"), returned=False)
        rows = [window.participants.list.item(i) for i in range(window.participants.list.count())]
        assert any(r.text() == "Alex Morgan\npresent" for r in rows)

    run(qloop, scenario(), 10)
