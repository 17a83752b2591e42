"""Screenshots of the Care Room for docs/screenshots (run under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.care_room.make_screenshots

Starts a demo server process, signs in as dr.patel in a real MainWindow, hosts Alex Morgan and
Bea Lindqvist and grabs the waiting room (participants open); then a CLI participant (Alex,
SYNTHETIC media) arrives, the host begins, Alex writes, and the call is grabbed with chat open.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.helpers.keyring import NoKeyring
from tests.helpers.screens import OUT, save, wait_for

_wait = wait_for


def _save(window, name: str) -> Path:
    return save(window, f"care-room-{name}")


async def scenario(window, launcher, portal: str) -> None:
    from tests.conftest import DEMO_PASSWORD
    from tests.e2e.participants import Participant

    controller = window.controller
    window.start()
    await _wait(lambda: controller.state == "login")
    window.login.username.setText("dr.patel")
    window.login.password.setText(DEMO_PASSWORD)
    window.login.submit()
    await _wait(lambda: controller.state == "home")
    await _wait(lambda: window.appointments.appointments.count() > 0)
    window.appointments.select_names("Alex Morgan", "Bea Lindqvist")
    window.appointments.host_button.click()
    (room,) = launcher.windows
    room.resize(1120, 700)
    await _wait(lambda: room.controller.phase == "waiting")
    room.set_participants_open(True)
    await asyncio.sleep(0.5)
    _save(room, "waiting")

    alex = Participant(portal, "alex.active", "--width", "640", "--height", "480", "join")
    try:
        await _wait(lambda: room.begin_button.isEnabled())
        await asyncio.sleep(0.5)
        _save(room, "waiting-arrived")  # issue 16: who has waited how long
        room.set_participants_open(False)
        room.begin_button.click()
        await _wait(lambda: any(t.converted > 10 for t in room.grid.tiles.values()))
        alex.send("chat Good morning! I can see and hear you well.")
        await _wait(lambda: room.chat_open)
        room.chat.field.setText("Good morning, Alex. How have you been this week?")
        room.chat.send_button.click()
        await _wait(lambda: len(room.chat.messages) >= 2)
        room.chat.field.setText("")
        started = time.monotonic()
        await asyncio.sleep(1.0)
        tile = next(iter(room.grid.tiles.values()))
        slot = room.controller.frames.get(tile.account_id)
        print(
            f"frames received {slot.seq}, converted for painting {tile.converted}, "
            f"pacer every {room.pacer.interval_ms} ms, {time.monotonic() - started:.1f} s"
        )
        _save(room, "call")
        room.ask_end()
        await _wait(lambda: room.end_confirm is not None and room.end_confirm.isVisible())
        await asyncio.sleep(0.4)
        _save(room.end_confirm, "end-confirm")
        room.end_confirm.reject()
    finally:
        alex.send("quit")
        alex.stop()
    room.force_close()
    await room.controller.aclose()


def main() -> int:
    from PySide6.QtCore import QSettings

    from tests.helpers.server import ServerProcess
    from vtconnect_care.app.care_room import CareRoomLauncher
    from vtconnect_care.app.devices import SyntheticDevices
    from vtconnect_care.app.event_loop import make_loop
    from vtconnect_care.app.main import make_application
    from vtconnect_care.app.main_window import MainWindow
    from vtconnect_care.app.services import AppServices
    from vtconnect_care.app.user_settings import UserSettings
    from vtconnect_care.client.app_config import SystemConfig

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="vt-room-shots-"))
    app = make_application()
    loop = make_loop(app)
    with ServerProcess(tmp / "server") as server:
        settings = UserSettings(QSettings(str(tmp / "user.ini"), QSettings.Format.IniFormat))

        launcher = CareRoomLauncher()
        services = AppServices(
            settings=settings,
            session_store=NoKeyring(),
            devices=SyntheticDevices("Priya Patel"),
            load_system_config=SystemConfig,
            launch_care_room=launcher,
            portal_flag=server.url,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.resize(1100, 760)
        window.show()
        with loop:
            loop.run_until_complete(asyncio.wait_for(scenario(window, launcher, server.url), 120))
            window.close()
            loop.run_until_complete(asyncio.sleep(0.2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
