"""The AppController through its shell interface (app/shell.py), with a hand-written shell
instead of the main window, against a real demo server: the controller only ever talks to
the shell, never to widgets."""

from __future__ import annotations

from tests.app.conftest import run, wait_signal, wait_until
from tests.conftest import DEMO_PASSWORD
from vtconnect_care.app.app_controller import AppController
from vtconnect_care.app.devices import SyntheticDevices
from vtconnect_care.app.services import AppServices
from vtconnect_care.app.shell import Shell
from vtconnect_care.client.app_config import SystemConfig
from vtconnect_care.client.portal_api import PortalApi
from vtconnect_care.domain import messages


class FakeOffers:
    """Where the hosted offers would appear (an OfferArea's two methods)."""

    def offer(self, text, button, on_join) -> None: ...

    def withdraw(self) -> None: ...


class FakeShell:
    """Records what the controller asked for, in order; answers the portal question."""

    def __init__(self, portal: str | None = None) -> None:
        self.calls: list[tuple] = []
        self.portal = portal
        self.devices = SyntheticDevices("Test Person")

    def _note(self, *call) -> None:
        self.calls.append(call)

    def names(self) -> list[str]:
        return [call[0] for call in self.calls]

    async def ask_portal(self, current):
        self._note("ask_portal", current)
        return self.portal

    def close(self) -> bool:
        self._note("close")
        return True

    def device_provider(self):
        return self.devices

    def set_device_provider(self, provider) -> None:
        self._note("set_device_provider", provider)

    def release_devices(self) -> None:
        self._note("release_devices")

    def set_portal(self, url, can_change) -> None:
        self._note("set_portal", url, can_change)

    def set_remember_available(self, available) -> None:
        self._note("set_remember_available", available)

    def reset_login(self, username, remember) -> None:
        self._note("reset_login", username, remember)

    def show_login(self) -> None:
        self._note("show_login")

    def set_busy(self, busy, text=None) -> None:
        self._note("set_busy", busy, text)

    def submit_login(self) -> None:
        self._note("submit_login")

    def ask_code(self, text, *, error=False) -> None:
        self._note("ask_code", text, error)

    def show_message(self, text, *, error=False, retry=False) -> None:
        self._note("show_message", text, error, retry)

    def show_home(self, account) -> None:
        self._note("show_home", account["username"])

    def show_staff_home(self, account, today, candidates) -> None:
        self._note("show_staff_home", today, candidates)

    def show_client_home(self, account, practitioners, upcoming) -> None:
        self._note("show_client_home", practitioners, upcoming)

    def show_signed_out(self) -> None:
        self._note("show_signed_out")


def controller_for(shell: FakeShell, portal_url: str | None, user_settings, launches=None):
    services = AppServices(
        settings=user_settings,
        api_factory=lambda url: PortalApi(url, timeout=10),
        load_system_config=SystemConfig,
        launch_care_room=launches or (lambda request: None),
        portal_flag=portal_url,
        devices_from_config=False,
    )
    return AppController(services, shell, FakeOffers(), FakeOffers())


def test_the_fake_shell_is_a_shell():
    shell: Shell = FakeShell()  # mypy checks the protocol; this checks the names at run time
    wanted = {name for name in dir(Shell) if not name.startswith("_")}
    assert wanted <= set(dir(shell))


def test_sign_in_shows_the_staff_home_through_the_shell(portal, qloop, user_settings, test_keyring):
    shell = FakeShell()
    controller = controller_for(shell, portal.url, user_settings)

    async def scenario():
        controller.start()
        await wait_until(lambda: controller.state == "login", what="the sign-in form")
        assert ("set_portal", portal.url, True) in shell.calls
        assert shell.names()[-1] == "show_login"
        controller.sign_in("dr.patel", "wrong-password", False)
        await wait_signal(controller.login_failed, 20)
        assert shell.calls[-1] == ("show_message", messages.INVALID_CREDENTIALS, True, False)
        shell.calls.clear()
        controller.sign_in("dr.patel", DEMO_PASSWORD, False)
        await wait_signal(controller.home_loaded, 20)
        assert shell.names()[:2] == ["set_busy", "set_busy"]  # "Signing in…" at once
        assert ("show_home", "dr.patel") in shell.calls
        _name, today, candidates = shell.calls[-1]
        assert today["appointments"] and candidates["can_host"]
        controller.host([{"id": 1, "full_name": "Alex Morgan", "kind": "client"}])
        assert shell.calls[-1] == ("release_devices",)  # the camera is given back first
        await controller.sign_out()
        signed_out = ["reset_login", "show_signed_out", "set_busy", "show_login", "show_message"]
        assert shell.names()[-5:] == signed_out
        assert shell.calls[-1] == ("show_message", "You are signed out.", False, False)
        controller.shutdown()

    run(qloop, scenario())


def test_no_portal_address_closes_the_shell(qloop, user_settings, test_keyring):
    shell = FakeShell(portal=None)  # the person cancels the first-run question
    controller = controller_for(shell, None, user_settings)

    async def scenario():
        await controller.start()
        assert shell.calls == [("ask_portal", None), ("close",)]
        controller.shutdown()

    run(qloop, scenario())


class SwitchablePortal(PortalApi):
    """The real client; while ``down`` is set its home reads fail as an unreachable portal does."""

    down = False

    async def appointments_today(self, tz: str = "UTC") -> dict:
        if SwitchablePortal.down:
            from vtconnect_care.client.portal_api import UNREACHABLE, PortalUnreachable

            raise PortalUnreachable(UNREACHABLE, code="unreachable")
        return await super().appointments_today(tz)


def test_the_unreachable_banner_goes_soon_after_the_portal_is_back(
    portal, qloop, user_settings, test_keyring
):
    """Issue 15 defect 5: not a minute later at the next refresh, but within seconds."""
    from vtconnect_care.client.portal_api import UNREACHABLE

    shell = FakeShell()
    services = AppServices(
        settings=user_settings,
        api_factory=lambda url: SwitchablePortal(url, timeout=10),
        load_system_config=SystemConfig,
        launch_care_room=lambda request: None,
        portal_flag=portal.url,
        devices_from_config=False,
        refresh_seconds=600.0,  # the regular refresh would not come during this test
        retry_seconds=0.05,
    )
    controller = AppController(services, shell, FakeOffers(), FakeOffers())

    async def scenario():
        controller.start()
        await wait_until(lambda: controller.state == "login", what="the sign-in form")
        controller.sign_in("dr.patel", DEMO_PASSWORD, False)
        await wait_signal(controller.home_loaded, 20)
        SwitchablePortal.down = True
        shell.calls.clear()
        controller.refresh()
        await wait_until(lambda: ("show_message", UNREACHABLE, True, False) in shell.calls)
        await wait_until(lambda: controller._misses >= 2, what="a few tries while down")
        SwitchablePortal.down = False
        await wait_signal(controller.home_loaded, 5)  # the next quick try: back
        assert shell.names()[-1] == "show_staff_home"  # which clears the message
        assert not controller._soon.isActive()
        controller.shutdown()

    try:
        run(qloop, scenario())
    finally:
        SwitchablePortal.down = False
