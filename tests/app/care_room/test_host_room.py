"""The practitioner's Care Room against a real server and a CLI participant (SYNTHETIC media):
waiting, the ding and Begin, video, chat opening by itself, participant dots, the controls
shown and hidden by a click, a client leaving (the notice) and End for everyone."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from tests.app.conftest import run, wait_until
from tests.app.test_login import sign_in, start
from vtconnect_care.app.care_room import sounds
from vtconnect_care.app.care_room.controller import RECONNECTING, WAITING
from vtconnect_care.app.care_room.participants import DOTS

GREEN, RED, GREY = DOTS["present"][0], DOTS["absent"][0], DOTS["left"][0]


async def host_room(window, launcher, *names: str):
    await start(window)
    await sign_in(window, "dr.patel")
    window.appointments.select_names(*names)
    window.appointments.host_button.click()  # R-ROOM-1
    (room,) = launcher.windows
    assert room.isVisible() and room.controller.hosting
    await wait_until(lambda: room.controller.phase == "waiting", 20, "waiting room")
    return room


async def event(participant, kind: str, pred=lambda e: True, timeout: float = 20.0) -> dict:
    return await asyncio.to_thread(participant.wait, kind, pred, timeout)


def click(widget, at: QPoint | None = None) -> None:
    pos = at if at is not None else widget.rect().center()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def test_host_waits_dings_begins_chats_and_ends(
    portal, make_window, qloop, launcher, devices, participants, user_settings
):
    user_settings.set_device("speaker", "Test speaker B")  # the chosen speaker
    window = make_window(portal.url, launches=launcher)

    async def scenario():
        room = await host_room(window, launcher, "Alex Morgan")
        c = room.controller
        # R-ROOM-1/2: waiting, Begin visible but not clickable, Alex not arrived (red)
        assert room.status.text() == WAITING
        assert room.waiting.isVisible() and room.begin_button.isVisible()
        assert not room.begin_button.isEnabled()
        assert room.participants.colour_of("Alex Morgan") == RED  # R-ROOM-5
        assert room.end_button.isVisible() and room.leave_button.isHidden()  # R-ROOM-7
        assert c.sounds.played == []
        # issue 16: the host's wait for Alex, on the row and on the waiting card
        assert room.participants.waits["Alex Morgan"].startswith("you have waited ")
        assert room.waiting.times.text().startswith("You have been waiting ")
        assert room.waiting.times.text().endswith(" for Alex Morgan.")

        alex = participants("alex.active", "join")
        await wait_until(lambda: room.begin_button.isEnabled(), 30, "Begin enabled")
        # R-ROOM-2: the ding, once, through the chosen speaker
        assert c.sounds.played == ["ding"]
        chosen = devices.speakers["Test speaker B"]
        await wait_until(lambda: chosen.samples_written >= len(sounds.ding()), 5, "ding played")
        assert chosen.peak_dbfs > -30
        assert "Test speaker A" not in devices.speakers
        assert room.participants.colour_of("Alex Morgan") == GREEN
        assert "Alex Morgan has arrived" in room.status.text()
        assert room.participants.waits["Alex Morgan"].startswith("waiting ")  # since arriving
        assert room.waiting.times.text().startswith("Alex Morgan has been waiting ")

        click(room.begin_button)
        await wait_until(lambda: room.grid.tiles, 10, "a tile")
        (tile,) = room.grid.tiles.values()
        assert tile.name == "Alex Morgan"
        await wait_until(lambda: tile.converted > 3 and tile.state == "connected", 30, "video")
        assert not room.waiting.isVisible()
        assert room.participants.waits == {}  # begun: nobody waits any more
        # frames are converted only when painted: never more than received
        slot = c.frames.get(tile.account_id)
        assert tile.converted <= slot.seq

        # the connection drops: "Reconnecting…" with a sound, then back in the call by itself
        statuses: list[str] = []
        c.status_changed.connect(statuses.append)
        c.engine.realtime.cut()
        await wait_until(lambda: RECONNECTING in statuses, 10, "reconnecting shown")
        assert c.sounds.played == ["ding", "connection_lost"]
        await wait_until(lambda: c.phase == "in_call", 20, "back in the call")
        assert room.status.text() == "In session with Alex Morgan."

        # R-ROOM-4: an incoming message opens the chat by itself
        assert not room.chat.isVisible()
        alex.send("chat Good morning, doctor")
        await wait_until(lambda: "Good morning, doctor" in room.chat.texts(), 10, "chat")
        assert room.chat_open and room.chat.isVisible()
        room.chat.field.setText("Good morning, Alex")
        click(room.chat.send_button)
        await event(alex, "chat", lambda e: e.get("body") == "Good morning, Alex")
        # the message icon closes and opens it
        click(room.chat_button)
        assert not room.chat.isVisible()
        click(room.chat_button)
        assert room.chat.isVisible()

        # R-ROOM-6: a click on the video hides the controls, another shows them again
        room.set_participants_open(True)
        assert room.participants.isVisible()
        click(tile, tile.rect().center())
        assert not room.controls_visible
        for widget in (room.hamburger, room.end_button, room.chat, room.participants):
            assert not widget.isVisible()
        click(room, QPoint(room.width() // 2, room.height() - 30))
        assert room.controls_visible
        for widget in (room.hamburger, room.end_button, room.chat, room.participants):
            assert widget.isVisible()

        # R-ROOM-3: the hamburger turns the camera off and on; the self view says so
        room.camera_action.trigger()
        assert not c.camera_on and c.engine.camera_enabled is False
        assert room.self_view.caption == "Your camera is off"
        room.camera_action.trigger()
        assert c.camera_on and room.self_view.caption == ""
        # ... and the other person's camera off is shown on their tile and in the status
        alex.send("camera off")
        await wait_until(lambda: tile.camera_off, 10, "camera off seen")
        assert "Alex Morgan's camera is off" in tile.caption
        assert room.status.text() == "Alex Morgan's camera is off."
        alex.send("camera on")
        await wait_until(lambda: not tile.camera_off, 10, "camera on seen")

        # keyboard: Ctrl+M microphone, Ctrl+E camera, Ctrl+T chat; F11 full screen
        ctrl = Qt.KeyboardModifier.ControlModifier
        QTest.keyClick(room, Qt.Key.Key_M, ctrl)
        assert not c.mic_on and not room.mic_action.isChecked()
        assert "Microphone off" in room.self_view.badges
        QTest.keyClick(room, Qt.Key.Key_M, ctrl)
        assert c.mic_on and room.self_view.badges == []
        QTest.keyClick(room, Qt.Key.Key_E, ctrl)
        assert not c.camera_on
        QTest.keyClick(room, Qt.Key.Key_E, ctrl)
        assert c.camera_on
        QTest.keyClick(room, Qt.Key.Key_T, ctrl)
        assert not room.chat_open
        QTest.keyClick(room, Qt.Key.Key_T, ctrl)
        assert room.chat_open
        room.full_button.click()
        await wait_until(lambda: room.isFullScreen(), 5, "full screen")
        QTest.keyClick(room, Qt.Key.Key_Escape)
        await wait_until(lambda: not room.isFullScreen(), 5, "normal again")
        # every control has an accessible name
        unnamed = [
            b.objectName() or b.text()
            for b in room.findChildren(QAbstractButton)
            if not b.accessibleName()
        ]
        assert unnamed == []

        # R-ROOM-8: the client leaves; the host's chat shows the notice
        alex.send("leave")
        notice = "Alex Morgan has left the session."
        await wait_until(lambda: notice in room.chat.texts(), 10, "leave notice")
        assert room.participants.colour_of("Alex Morgan") == GREY
        await wait_until(lambda: not room.grid.tiles, 5, "tile removed")

        # R-ROOM-7: End asks first; Cancel keeps the session, End session ends it
        click(room.end_button)
        assert room.end_confirm is not None and room.end_confirm.isVisible()
        end_face = room.confirm_end_button.grab().toImage()  # the destructive choice is red
        centre = end_face.pixelColor(end_face.width() // 2, 3)
        assert centre.red() > 150 and centre.green() < 100, centre.name()
        room.end_confirm.reject()
        await asyncio.sleep(0)
        assert c.phase == "in_call"
        room.close()  # closing the window asks the same question instead of walking away
        assert room.isVisible() and room.end_confirm is not None
        room.end_confirm.reject()
        await asyncio.sleep(0)
        assert room.isVisible() and c.phase == "in_call"
        click(room.end_button)
        click(room.confirm_end_button)
        await wait_until(lambda: c.phase == "ended", 10, "ended")
        assert room.status.text() == "You ended the session."
        assert room.close_button.isVisible() and not room.end_button.isVisible()
        click(room.close_button)
        assert not room.isVisible()

    run(qloop, scenario(), timeout=90)
