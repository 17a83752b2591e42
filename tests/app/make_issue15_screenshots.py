"""The screens that issue 15's defects 2-10 fixed, for docs/screenshots (run under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.make_issue15_screenshots

A demo server process and a real MainWindow on a computer with no devices and no keyring (the
labelled stand-ins, Remember me off): the login form with a message, the Appointment screen with
a banner and after another account's sign-out, the device panel's stand-ins, dr.patel's schedule
and the visit dialog with its copied link and an in-person visit. Then, on the fake engine, the
Care Room's device notice, its ended state and the participants' words, and the visit window's
hang-up question and Close. (Defect 1 is the browser page: tests/web/test_visit_page.py.)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.helpers.keyring import NoKeyring
from tests.helpers.screens import OUT, save, wait_for


async def settle() -> None:
    await asyncio.sleep(0.4)  # let the window paint before grabbing it


async def sign_in(window, username: str, password: str | None = None) -> None:
    from tests.conftest import DEMO_PASSWORD

    controller = window.controller
    if controller.state == "home":
        controller.sign_out()
    await wait_for(lambda: controller.state == "login")
    window.login.username.setText(username)
    window.login.password.setText(password or DEMO_PASSWORD)
    window.login.submit()
    if password is None:
        await wait_for(lambda: controller.state == "home")


async def app_screens(window) -> None:
    from vtconnect_care.client.portal_api import UNREACHABLE

    controller = window.controller
    window.start()
    await wait_for(lambda: controller.state == "login")
    await sign_in(window, "dr.patel", "not-the-password")  # defects 7 and 9: the form's words
    await wait_for(lambda: window.login.message.isVisible())
    await settle()
    save(window, "app-login-message")

    await sign_in(window, "dr.patel")
    screen = window.appointments
    await wait_for(lambda: screen.appointments.count() > 0)
    screen.show_error(UNREACHABLE)  # defect 9: the banner's padding
    await settle()
    save(window, "app-appointments-banner")
    screen.select_names("Bea Lindqvist")

    await sign_in(window, "nurse.kim")  # defect 2: nothing of dr.patel's selection survives
    await wait_for(lambda: screen.people.count() > 0)
    await settle()
    save(window, "app-appointments-next-account")

    window.set_devices_open(True)  # defect 6: the labelled stand-ins, tested
    panel = window.device_panel
    await wait_for(lambda: panel.loaded)
    panel.rows["camera"].test_button.click()
    panel.rows["microphone"].test_button.click()
    await wait_for(lambda: panel.frames_shown > 10 and panel.rows["microphone"].meter.value() > 0)
    await settle()
    save(window, "app-devices-stand-ins")
    panel.stop_tests()
    window.set_devices_open(False)

    await visit_dialogs(window)


async def visit_dialogs(window) -> None:
    """Defect 10 and the demo data: nurse.kim's in-person visit (one reason, once), then
    dr.patel's schedule and the running virtual visit with the link it copied."""
    window.show_staff_screen("schedule")
    view = window.schedule
    await wait_for(lambda: len(view.rows()) >= 2)
    in_person = next(r for r in view.rows() if not r.get("is_virtual"))
    view.select(in_person["id"])
    view.more.click()
    await wait_for(lambda: window.visits.dialog is not None and window.visits.dialog.isVisible())
    dialog = window.visits.dialog
    await wait_for(lambda: dialog.detail.get("id") == in_person["id"])
    await settle()
    save(dialog, "app-visit-dialog-in-person")
    dialog.close()

    await sign_in(window, "dr.patel")
    window.show_staff_screen("schedule")
    await wait_for(lambda: len(view.rows()) >= 2)
    await settle()
    save(window, "app-visit-schedule-patel")
    running = view.rows()[0]
    view.select(running["id"])
    view.more.click()
    await wait_for(lambda: window.visits.dialog.isVisible())
    await wait_for(lambda: dialog.detail.get("id") == running["id"])
    done: list[str] = []
    window.visits.action_done.connect(done.append)
    dialog.buttons["copy_invite_link"].click()
    await wait_for(lambda: "copy_invite_link" in done)
    await settle()
    save(dialog, "app-visit-dialog-link")
    dialog.close()


async def care_room(room, made) -> None:
    """Defects 3 and 4, and the participants' state in words (fake engine, no camera)."""
    from tests.app.call.test_controller import ALEX, member, session
    from tests.app.call.test_quality import picture

    c = room.controller
    await c.start()
    engine = made[0]
    engine.join_session(session("hosted", "absent"))
    room.set_participants_open(True)
    await wait_for(lambda: room.notice.isVisible())
    await settle()
    save(room, "care-room-waiting-words")
    engine.emit("participant_joined", member=member(ALEX, "present"), returned=False)
    from vtconnect_care.client.engine import EngineState

    engine.session = session("begun", "present")
    engine.emit("begun", session=engine.session)
    engine.move(EngineState.IN_CALL)
    room.set_participants_open(False)
    c.frames.put(2, picture())
    engine.emit("first_frame", account_id=2, at=0.0)
    room.set_chat_open(True)
    await wait_for(lambda: 2 in room.grid.tiles)
    await settle()
    save(room, "care-room-device-notice")
    engine.emit("ended", session_id=9, by=1)
    await wait_for(lambda: c.phase == "ended")
    room.set_participants_open(True)
    await settle()
    save(room, "care-room-ended")
    room.force_close()
    await c.aclose()


async def visit_window(visits, call, window, made) -> None:
    """Defect 8: Hang up asks first; then the window offers Close."""
    from tests.app.call.test_quality import picture
    from tests.app.call.visit_window import client_in_call

    await client_in_call(call, window, made, picture())
    asked = visits.tasks.spawn(visits._hang_up(call, window), "hang up")
    await wait_for(lambda: visits.confirm_box is not None and visits.confirm_box.isVisible())
    await settle()
    save(visits.confirm_box, "app-visit-hang-up-confirm")
    from PySide6.QtWidgets import QMessageBox

    visits.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    await asked
    await settle()
    save(window, "app-visit-over")
    window.close()


def main() -> int:
    import keyring
    from keyring.backends import fail
    from PySide6.QtCore import QSettings

    from tests.app.call.test_controller import ALEX, PATEL
    from tests.app.call.visit_window import visit_call_and_window
    from tests.app.care_room.conftest import NoCamera
    from tests.app.test_device_panel import NothingPluggedIn
    from tests.helpers.fake_engine import FakeEngine
    from tests.helpers.server import ServerProcess
    from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
    from vtconnect_care.app.event_loop import make_loop
    from vtconnect_care.app.main import make_application
    from vtconnect_care.app.main_window import MainWindow
    from vtconnect_care.app.services import AppServices
    from vtconnect_care.app.user_settings import UserSettings
    from vtconnect_care.app.visits.controller import VisitsController
    from vtconnect_care.app.visits.drafts import DraftStore
    from vtconnect_care.app.visits.schedule_view import ScheduleView
    from vtconnect_care.client.app_config import SystemConfig

    keyring.set_keyring(fail.Keyring())  # no keyring here (importing the fakes offers one)
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="vt-issue15-shots-"))
    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    loop = make_loop(app)
    with ServerProcess(tmp / "server") as server:
        settings = UserSettings(QSettings(str(tmp / "user.ini"), QSettings.Format.IniFormat))
        services = AppServices(
            settings=settings,
            session_store=NoKeyring(),
            devices=NothingPluggedIn(),
            load_system_config=SystemConfig,
            portal_flag=server.url,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.resize(1200, 800)
        window.show()

        made: list[FakeEngine] = []
        request = RoomRequest(
            account=PATEL, portal_url="http://x", token="t", people=(ALEX,), devices=NoCamera()
        )
        room = CareRoomWindow(
            CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
        )
        room.resize(1120, 700)
        visit_made: list[FakeEngine] = []
        call, video = visit_call_and_window(visit_made)
        call.state_changed.connect(video.set_state)
        call.notice_changed.connect(video.show_notice)
        visits = VisitsController(ScheduleView(), lambda: None, drafts=DraftStore(tmp / "drafts"))
        with loop:
            loop.run_until_complete(asyncio.wait_for(app_screens(window), 120))
            window.close()
            room.show()
            loop.run_until_complete(asyncio.wait_for(care_room(room, made), 60))
            video.show()
            shots = visit_window(visits, call, video, visit_made)
            loop.run_until_complete(asyncio.wait_for(shots, 60))
            loop.run_until_complete(asyncio.sleep(0.2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
