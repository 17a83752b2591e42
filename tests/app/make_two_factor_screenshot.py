"""The app's two-step sign-in prompt, for docs/screenshots (run under Xvfb):

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python -m tests.app.make_two_factor_screenshot

Starts a demo server process, turns two-step sign-in on for nurse.kim through the API (as the
portal's set-up page does), signs in to a real MainWindow with the password and grabs the
login form asking for the code (docs/screenshots/app-login-code.png).
"""

from __future__ import annotations

import asyncio
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
    window.login.username.setText("nurse.kim")
    window.login.password.setText(DEMO_PASSWORD)
    window.login.submit()
    await wait_for(lambda: not window.login.code.isHidden())
    window.login.code.setText("4821")  # being typed
    await asyncio.sleep(0.4)  # let the window paint before grabbing it
    save(window, "app-login-code")


def main() -> int:
    import pyotp
    from PySide6.QtCore import QSettings

    from tests.conftest import DEMO_PASSWORD
    from tests.helpers.rest import login, rest
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
        headers = login(server.url, "nurse.kim", audience="portal")
        body = rest(
            server.url, "POST", "/auth/two-factor/enrol", {"password": DEMO_PASSWORD}, headers
        )
        code = pyotp.TOTP(body["secret"]).now()
        rest(server.url, "POST", "/auth/two-factor/confirm", {"code": code}, headers)
        settings = UserSettings(QSettings(str(tmp / "user.ini"), QSettings.Format.IniFormat))
        services = AppServices(
            settings=settings,
            session_store=NoKeyring(),
            devices=SyntheticDevices("Jin Kim"),
            load_system_config=SystemConfig,
            portal_flag=server.url,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.resize(1200, 800)
        window.show()
        with loop:
            loop.run_until_complete(asyncio.wait_for(scenario(window), 60))
            window.close()
            loop.run_until_complete(asyncio.sleep(0.1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
