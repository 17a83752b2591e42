"""The device panel with a connection test's result, for docs/screenshots (run under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.make_precall_screenshot

Starts a demo server process (or uses the one at ``--portal URL``), signs a client in to a
real MainWindow (SYNTHETIC camera and tone), runs "Test connection" for real, and grabs the
window with the result (docs/screenshots/app-precall.png). The committed picture was taken
with the app in a network namespace whose way out is capped at 300 kbit/s (tc tbf) and the
server in another (``--portal http://10.77.0.1:8600``), so that it shows advice and a reason.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from pathlib import Path

from tests.helpers.keyring import NoKeyring
from tests.helpers.screens import OUT, save, wait_for


async def scenario(window) -> None:
    from tests.conftest import DEMO_PASSWORD

    controller = window.controller
    window.start()
    await wait_for(lambda: controller.state == "login")
    window.login.username.setText("alex.active")
    window.login.password.setText(DEMO_PASSWORD)
    window.login.submit()
    await wait_for(lambda: controller.state == "home")
    window.set_devices_open(True)
    panel = window.device_panel
    await wait_for(lambda: panel.loaded)
    box = panel.connection_test
    box.test_button.click()
    await wait_for(lambda: box.result is not None, timeout=30)
    box.test_button.setFocus()
    await asyncio.sleep(0.2)
    bar = window.drawer.verticalScrollBar()
    bar.setValue(bar.maximum())  # the panel's foot: the connection test
    await asyncio.sleep(0.4)  # let the window paint before grabbing it
    save(window, "app-precall")


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QSettings

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
    parser = argparse.ArgumentParser()
    parser.add_argument("--portal", help="a running demo portal to test against")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as stack:
        portal = args.portal or stack.enter_context(ServerProcess(tmp / "server")).url
        settings = UserSettings(QSettings(str(tmp / "user.ini"), QSettings.Format.IniFormat))
        services = AppServices(
            settings=settings,
            session_store=NoKeyring(),
            devices=SyntheticDevices("Alex Morgan"),
            load_system_config=SystemConfig,
            portal_flag=portal,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.resize(1200, 800)
        window.show()
        with loop:
            loop.run_until_complete(asyncio.wait_for(scenario(window), 90))
            window.close()
            loop.run_until_complete(asyncio.sleep(0.1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
