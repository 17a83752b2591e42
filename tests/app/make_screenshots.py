"""Screenshots of the app for docs/screenshots (run under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.make_screenshots

Starts a demo server process, drives a real MainWindow (SYNTHETIC camera and tone) and grabs
the login screen, the first-run portal address dialog, the device test panel, the Appointment
screen, a client's home, and an employee's Schedule view with a visit's details (a virtual
visit scheduled to run now, so that its buttons are live).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.helpers.keyring import NoKeyring
from tests.helpers.screens import OUT, save, wait_for

_wait = wait_for


def _save(window, name: str) -> Path:
    return save(window, f"app-{name}")


async def portal_dialog(window) -> None:
    """The first-run question, with an address that is not one (its message shown)."""
    from vtconnect_care.app.portal_dialog import PortalDialog

    dialog = PortalDialog(None, window)
    dialog.show()
    dialog.edit.setText("care example org?x=1")
    dialog.ok_button.click()
    await asyncio.sleep(0.3)
    _save(dialog, "portal-address")
    dialog.close()
    dialog.deleteLater()


async def sign_in(window, username: str) -> None:
    from tests.conftest import DEMO_PASSWORD

    controller = window.controller
    if controller.state == "home":
        controller.sign_out()
    await _wait(lambda: controller.state == "login")
    window.login.username.setText(username)
    window.login.password.setText(DEMO_PASSWORD)
    window.login.submit()
    await _wait(lambda: controller.state == "home")


async def schedule(window, visit_id: int) -> None:
    """nurse.kim's Schedule view, then the details of the visit running now."""
    await sign_in(window, "nurse.kim")
    window.show_staff_screen("schedule")
    view = window.schedule
    await _wait(lambda: any(r["id"] == visit_id for r in view.rows()))
    view.select(visit_id)
    view.visits.setFocus()
    await asyncio.sleep(0.3)
    _save(window, "visit-schedule")
    view.more.click()
    await _wait(lambda: window.visits.dialog is not None and window.visits.dialog.isVisible())
    dialog = window.visits.dialog
    await _wait(lambda: dialog.detail.get("id") == visit_id)
    done: list[str] = []
    window.visits.action_done.connect(done.append)
    for key in ("send_invite", "clock_in"):  # the invite sent and clocked in: Join is live
        dialog.buttons[key].click()
        await _wait(lambda k=key: k in done)
    window.visits.action_done.disconnect(done.append)
    await asyncio.sleep(0.3)
    _save(dialog, "visit-dialog")
    dialog.close()


async def scenario(window, visit_id: int) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.conftest import DEMO_PASSWORD

    controller = window.controller
    window.start()
    await _wait(lambda: controller.state == "login")
    window.login.username.setText("dr.patel")
    window.login.username.setFocus()
    await asyncio.sleep(0.3)  # let the window paint before grabbing it
    _save(window, "login")
    await portal_dialog(window)

    window.login.password.setText(DEMO_PASSWORD)
    window.login.submit()
    await _wait(lambda: controller.state == "home")
    await _wait(lambda: window.appointments.appointments.count() > 0)
    screen = window.appointments
    family = next(
        screen.appointments.item(i)
        for i in range(screen.appointments.count())
        if "Family" in screen.appointments.item(i).text()
    )
    screen.appointments.setCurrentItem(family)
    screen._appointment_chosen(family)
    screen.host_button.setFocus()
    QApplication.processEvents()
    await asyncio.sleep(0.3)
    _save(window, "appointments")

    screen.clear_selection()
    window.set_devices_open(True)
    panel = window.device_panel
    await _wait(lambda: panel.loaded)
    panel.rows["camera"].test_button.click()
    panel.rows["microphone"].test_button.click()
    await _wait(lambda: panel.frames_shown > 10 and panel.rows["microphone"].meter.value() > 0)
    await asyncio.sleep(0.3)
    _save(window, "devices")
    panel.stop_tests()
    window.set_devices_open(False)

    await sign_in(window, "bea.active")
    await _wait(lambda: window.client_home.practitioners.count() > 0)
    await asyncio.sleep(0.3)
    _save(window, "client-home")
    await schedule(window, visit_id)


def main() -> int:
    from PySide6.QtCore import QSettings

    from tests.app.visits.conftest import visit_now
    from tests.helpers.server import ServerProcess
    from vtconnect_care.app.devices import SyntheticDevices
    from vtconnect_care.app.event_loop import make_loop
    from vtconnect_care.app.main import make_application
    from vtconnect_care.app.main_window import MainWindow
    from vtconnect_care.app.services import AppServices
    from vtconnect_care.app.user_settings import UserSettings
    from vtconnect_care.client.app_config import SystemConfig

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="vt-shots-"))
    app = make_application()
    loop = make_loop(app)
    with ServerProcess(tmp / "server") as server:
        visit_id = visit_now(server.url)  # blocking REST, before the loop runs
        settings = UserSettings(QSettings(str(tmp / "user.ini"), QSettings.Format.IniFormat))

        services = AppServices(
            settings=settings,
            session_store=NoKeyring(),
            devices=SyntheticDevices("Dr Priya Patel"),
            load_system_config=SystemConfig,
            portal_flag=server.url,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.resize(1200, 800)
        window.show()
        with loop:
            loop.run_until_complete(asyncio.wait_for(scenario(window, visit_id), 90))
            window.close()
            loop.run_until_complete(asyncio.sleep(0.1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
