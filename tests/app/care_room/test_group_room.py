"""A group room through Janus in the Care Room (issue 14): the media server going away is said
in words, and the call's own status comes back when it returns. Fake engine."""

from __future__ import annotations

from tests.app.care_room.test_room_screen import in_call, room  # noqa: F401 - the fixture
from tests.app.conftest import run
from vtconnect_care.app.call import status as say


def test_the_media_server_away_and_back_is_said_in_words(room, qloop):  # noqa: F811
    window, made = room
    c = window.controller

    async def scenario():
        engine = await in_call(window, made)
        in_call_status = c.status
        engine.emit("sfu_state", state="unavailable", message="gone")
        assert c.status == say.MEDIA_SERVER_AWAY
        assert window.status.text() == say.MEDIA_SERVER_AWAY  # the call's status line
        engine.emit("sfu_state", state="connected")
        assert c.status == in_call_status
        assert window.status.text() == in_call_status

    run(qloop, scenario(), 10)
