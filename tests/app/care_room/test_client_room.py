"""The client's side against a real server and a CLI host (SYNTHETIC media): "you are being
hosted" with Join (R-ROOM-1), Leave only (R-ROOM-7), the re-join offer after leaving and after
signing in again (R-ROOM-9), and End by the practitioner for everyone."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.app.conftest import run, wait_until
from tests.app.test_login import sign_in, start
from vtconnect_care.app.care_room import CareRoomLauncher
from vtconnect_care.app.presence import HOSTED, REJOIN

from .conftest import FPS, SIZE, RecordingDevices


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


async def event(participant, kind: str, pred=lambda e: True, timeout: float = 20.0) -> dict:
    return await asyncio.to_thread(participant.wait, kind, pred, timeout)


def test_client_is_hosted_joins_leaves_rejoins_and_is_ended(
    portal, make_window, qloop, participants
):
    launcher = CareRoomLauncher(devices=RecordingDevices("Alex Morgan"), video_size=SIZE, fps=FPS)
    window = make_window(portal.url, launches=launcher)
    offers = window.client_home.offers

    async def scenario():
        await start(window)
        await sign_in(window, "alex.active")
        assert offers.isHidden()

        # R-ROOM-1: the practitioner hosts; the client's app shows it with Join
        host = participants("dr.patel", "host", "alex.active")
        await wait_until(lambda: offers.isVisible(), 20, "hosted offer")
        assert offers.text.text() == HOSTED.format(host="Priya Patel")
        assert offers.join_button.text() == "Join"
        click(offers.join_button)
        assert offers.isHidden()
        (room,) = launcher.windows
        c = room.controller
        assert not c.hosting
        # R-ROOM-7: a client has Leave, never End
        assert room.end_button.isHidden() and room.leave_button.isVisible()
        assert not room.begin_button.isVisible()
        await wait_until(lambda: c.phase == "waiting", 20, "waiting")
        assert room.status.text() == "Waiting for Priya Patel to begin the session…"
        # issue 16: the client sees their own wait (the host's own is not theirs to see)
        await wait_until(lambda: room.waiting.times.isVisible(), 10, "the client's wait")
        assert room.waiting.times.text().startswith("You have been waiting ")
        assert room.participants.waits["Alex Morgan"].startswith("waiting ")
        assert "Priya Patel" not in room.participants.waits

        await event(host, "participant_joined")
        host.send("begin")
        await wait_until(lambda: room.grid.tiles, 15, "host tile")
        (tile,) = room.grid.tiles.values()
        assert tile.name == "Priya Patel"
        await wait_until(lambda: tile.converted > 2, 30, "host video")

        # the practitioner writes: the client's chat opens by itself (R-ROOM-4)
        host.send("chat Hello Alex, can you hear me?")
        await wait_until(lambda: room.chat_open and room.chat.isVisible(), 10, "chat opened")
        assert "Priya Patel" in room.chat.view.toPlainText()

        # Leave: the host is told in the chat (R-ROOM-8) and the client is offered to re-join
        click(room.leave_button)
        assert not room.isVisible()
        notice = await event(host, "chat", lambda e: e.get("kind") == "notice")
        assert notice["body"] == "Alex Morgan has left the session."
        await wait_until(lambda: offers.isVisible(), 10, "re-join offer")
        assert offers.text.text() == REJOIN.format(host="Priya Patel")
        assert offers.join_button.text() == "Re-join"
        await c.aclose()

        # R-ROOM-9: coming back to the app (signing in again) offers the session in progress
        window.controller.sign_out()
        await wait_until(lambda: window.controller.state == "login", 10, "signed out")
        assert offers.isHidden()
        await sign_in(window, "alex.active")
        await wait_until(lambda: offers.isVisible(), 20, "offer after sign-in")
        assert offers.join_button.text() == "Re-join"
        click(offers.join_button)
        room2 = launcher.windows[-1]
        assert room2 is not room
        await wait_until(lambda: room2.grid.tiles, 20, "back in the call")
        (tile2,) = room2.grid.tiles.values()
        # the chat so far comes back with the session, still from the practitioner
        assert room2.chat.texts()[:1] == ["Hello Alex, can you hear me?"]
        assert "You" not in room2.chat.view.toPlainText().split()
        await wait_until(lambda: tile2.converted > 2, 30, "host video again")

        # the practitioner ends the session for everyone (R-ROOM-7)
        host.send("end")
        await wait_until(lambda: room2.controller.phase == "ended", 15, "ended")
        assert room2.status.text() == "Priya Patel has ended the session."
        assert room2.close_button.isVisible() and not room2.leave_button.isVisible()
        assert not room2.grid.tiles
        click(room2.close_button)
        assert offers.isHidden()
        await room2.controller.aclose()

    run(qloop, scenario(), timeout=100)
