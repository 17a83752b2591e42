"""Notifications that reach people (issue 15): the first arrival in the Care Room dings and is
said on the desktop ("Alex Morgan has arrived") even when the window is behind others; a client
being hosted hears the ding and gets a desktop notification. Fake engine, fake notifier."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from tests.app.call.test_controller import ALEX, PATEL, member, session
from tests.app.care_room.conftest import RecordingDevices
from tests.app.conftest import run, wait_until
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.notifier import RecordingNotifier
from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
from vtconnect_care.app.notifier import DesktopNotifier, play_ding
from vtconnect_care.app.presence import HOSTED, PresenceController


@pytest.fixture
def room(qloop):
    made: list[FakeEngine] = []
    notifier = RecordingNotifier()
    devices = RecordingDevices("Priya Patel")
    request = RoomRequest(
        account=PATEL,
        portal_url="http://x",
        token="t",
        people=(ALEX,),
        devices=devices,
        notifier=notifier,
    )
    window = CareRoomWindow(
        CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    )
    window.show()
    yield window, made, notifier
    window.force_close()
    run(qloop, window.controller.aclose(), 5)


def test_r_room_2_the_first_arrival_dings_and_is_a_desktop_notification(room, qloop):
    window, made, notifier = room
    c = window.controller
    other = QWidget()  # another window in front of the Care Room
    other.show()
    other.raise_()
    other.activateWindow()

    async def scenario():
        await c.start()
        engine = made[0]
        engine.join_session(session("hosted", "absent"))
        await wait_until(lambda: c.media is not None, 5, "the room's devices")
        assert notifier.shown == []
        engine.emit("participant_joined", member=member(ALEX, "present"), returned=False)
        assert c.sounds.played == ["ding"]
        assert notifier.titles() == ["Alex Morgan has arrived"]
        title, text, shown_for = notifier.shown[0]
        assert shown_for is window and "Begin" in text
        # a second arrival, or Alex coming back, is no new first arrival
        engine.emit("participant_left", member=member(ALEX, "left"))
        engine.emit("participant_joined", member=member(ALEX, "present"), returned=True)
        assert len(notifier.shown) == len(c.sounds.played)

    try:
        run(qloop, scenario(), 10)
    finally:
        other.close()


def test_a_client_being_hosted_gets_a_sound_and_a_notification_once(qapp):
    alerts: list[tuple[str, str]] = []
    offers = []

    class Offers:
        def offer(self, text, button, on_join):
            offers.append(text)

        def withdraw(self):
            pass

    presence = PresenceController(Offers(), lambda sid: None, alert=lambda *a: alerts.append(a))
    presence.account = {"id": 2, "full_name": "Alex Morgan"}
    hosted = {
        "id": 9,
        "state": "hosted",
        "host_id": 1,
        "host_name": "Priya Patel",
        "members": [member(PATEL, "present", "host"), member(ALEX, "absent")],
    }
    presence._on_message({"type": "hosted", "session": hosted})
    assert offers == [HOSTED.format(host="Priya Patel")]
    assert alerts == [
        (
            "Priya Patel is hosting you",
            "Priya Patel has opened a Care Session for you: choose Join in VTConnect Care.",
        )
    ]
    presence._on_state("connected", {"sessions": [hosted]})  # the socket came back
    assert len(alerts) == 1 and len(offers) == 2


def test_the_app_controller_alerts_with_the_ding_through_the_chosen_speaker(qloop, user_settings):
    from tests.app.test_app_controller import FakeOffers, FakeShell
    from vtconnect_care.app.app_controller import AppController
    from vtconnect_care.app.services import AppServices
    from vtconnect_care.client.app_config import SystemConfig

    devices = RecordingDevices("Alex Morgan")
    user_settings.set_device("speaker", "Test speaker B")
    shell = FakeShell()
    shell.devices = devices
    notifier = RecordingNotifier()
    services = AppServices(
        settings=user_settings,
        load_system_config=SystemConfig,
        devices_from_config=False,
        notifier=notifier,
    )
    controller = AppController(services, shell, FakeOffers(), FakeOffers())

    async def scenario():
        controller._alert("Priya Patel is hosting you", "…")
        assert notifier.titles() == ["Priya Patel is hosting you"]
        await wait_until(lambda: "Test speaker B" in devices.speakers, 5, "the speaker opened")
        sink = devices.speakers["Test speaker B"]
        from vtconnect_care.app.care_room import sounds

        await wait_until(lambda: sink.samples_written >= len(sounds.ding()), 5, "the ding")
        controller.shutdown()

    run(qloop, scenario(), 10)


def test_the_desktop_notifier_without_a_tray_asks_for_the_windows_attention(qapp, qloop):
    """Offscreen has no system tray: the notification is then the taskbar's attention
    request, and it never fails."""
    notifier = DesktopNotifier()
    window = QWidget()
    window.show()
    notifier.notify("Alex Morgan has arrived", "They are in the Care Room.", window)
    assert notifier.last == ("Alex Morgan has arrived", "They are in the Care Room.")
    assert DesktopNotifier.tray_supported() is False
    notifier.close()
    notifier.close()  # idempotent
    window.close()
    assert run(qloop, play_ding(None), 5) is False  # no speaker at all: the system beep
