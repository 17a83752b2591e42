"""Decides what the app does: portal choice, sign-in, remember me, home data, sign-out, expiry.

Screens only display and forward intent; this controller calls the services (all network and
disk work awaited off the Qt thread) and tells its shell (app/shell.py: the main window) what
to show. The window wires its screens' intents to the controller's methods.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from vtconnect_care.client.app_config import (
    PortalChoice,
    PortalSource,
    SystemConfig,
    resolve_portal_url,
)
from vtconnect_care.client.portal_api import (
    CodeNeeded,
    PortalApi,
    PortalError,
    PortalUnreachable,
    SessionExpired,
)
from vtconnect_care.domain import messages

from .devices import provider_for
from .notifier import play_ding
from .presence import PresenceController
from .services import AppServices, HostRequest
from .shell import Shell
from .tasks import TaskGroup

log = logging.getLogger("vtconnect.app")

SIGNED_OUT = "You are signed out."
CLIENT_NOT_ACTIVE = messages.ACCOUNT_PENDING_APP


class AppController(QObject):
    """One per window. ``state`` is 'starting', 'portal', 'login', 'home' or 'closed'.

    ``offers`` is where the hosted and re-join offers appear for a client (an OfferArea),
    ``staff_offers`` where they appear for staff (presence.FloatingOffer over the window)."""

    state_changed = Signal(str)
    home_loaded = Signal()
    login_failed = Signal(str)  # the message shown
    code_requested = Signal(str)  # two-step sign-in asks for the code (the sentence shown)

    def __init__(
        self,
        services: AppServices,
        shell: Shell,
        offers: Any,
        staff_offers: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.shell = shell
        self.tasks = TaskGroup()
        self.api: PortalApi | None = None
        self.account: dict | None = None
        self.portal: PortalChoice | None = None
        self.system: SystemConfig | None = None
        self.rooms: list[object] = []
        self.state = "starting"
        self._retry = None
        self._refresh = QTimer(self)
        self._refresh.setInterval(int(services.refresh_seconds * 1000))
        self._refresh.timeout.connect(self.refresh)
        # the portal could not be reached: try again soon, not at the next minute's refresh, so
        # the banner goes within seconds of the portal coming back (issue 15 defect 5)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self.refresh)
        self._misses = 0
        self._keyring = True  # whether this computer has a keyring (known once started)
        self.presence = PresenceController(
            offers, self.join, staff_offers=staff_offers, alert=self._alert, parent=self
        )

    def _set_state(self, state: str) -> None:
        self.state = state
        self.state_changed.emit(state)

    @property
    def portal_url(self) -> str | None:
        return self.portal.url if self.portal else None

    # --- start: portal address and a remembered session ---------------------------------------

    def start(self) -> asyncio.Task | None:
        return self.tasks.spawn(self._start(), "start")

    async def _start(self) -> None:
        self.system = await asyncio.to_thread(self.services.load_system_config)
        if self.system.problem:
            log.warning("system config %s ignored: %s", self.system.path, self.system.problem)
        if self.services.devices_from_config:
            self.shell.set_device_provider(provider_for(self.system.devices))
        try:
            choice = resolve_portal_url(
                flag=self.services.portal_flag,
                system=self.system,
                user=self.services.settings.portal_url,
            )
        except ValueError as exc:  # a bad --portal-url
            log.warning("portal address from the command line ignored: %s", exc)
            choice = resolve_portal_url(
                flag=None, system=self.system, user=self.services.settings.portal_url
            )
        if choice.url is None:
            self._set_state("portal")
            url = await self.shell.ask_portal(None)
            if url is None:
                self.shell.close()
                return
            self.services.settings.portal_url = url
            choice = PortalChoice(url, PortalSource.USER, True)
        self.portal = choice
        shell = self.shell
        shell.set_portal(choice.url, choice.can_change)
        shell.reset_login(self.services.settings.last_username, self.services.settings.remember_me)
        self._keyring = await asyncio.to_thread(self.services.session_store.available)
        if not self._keyring:  # said once here; sign-ins then leave the keyring alone
            log.info("no secure keyring on this computer: Remember me is off")
            shell.set_remember_available(False)
        await self._restore()

    async def _restore(self) -> None:
        url = self.portal_url
        if not self._keyring:
            self.show_login()
            return
        saved = await asyncio.to_thread(self.services.session_store.load, url)
        if saved is None:
            self.show_login()
            return
        self.shell.reset_login(saved.username, True)  # "Signing in…" as that person
        self.shell.show_login()
        self.shell.set_busy(True)
        api = self.services.api_factory(url)
        api.token = saved.token
        try:
            account = await api.me()
        except SessionExpired:
            api.close()
            await asyncio.to_thread(self.services.session_store.clear, url)
            self.show_login(error=messages.SESSION_EXPIRED)
            return
        except PortalUnreachable as exc:
            api.close()
            self._retry = self._restore
            self.show_login(error=exc.message, retry=True)
            return
        except PortalError as exc:
            api.close()
            self.show_login(error=exc.message)
            return
        await self._enter(api, account)

    def show_login(self, *, error: str | None = None, info: str | None = None, retry=False):
        self.shell.set_busy(False)
        self.shell.show_login()
        if error:
            self.shell.show_message(error, error=True, retry=retry)
            self.login_failed.emit(error)
        elif info:
            self.shell.show_message(info)
        self._set_state("login")

    def retry(self) -> None:
        action, self._retry = self._retry, None
        if action is not None:
            self.shell.set_busy(True)
            self.tasks.spawn(action(), "retry")
        else:
            self.shell.submit_login()

    def change_portal(self) -> None:
        self.tasks.spawn(self._change_portal(), "change portal")

    async def _change_portal(self) -> None:
        url = await self.shell.ask_portal(self.portal_url)
        if url is None or url == self.portal_url:
            return
        self.services.settings.portal_url = url
        self.portal = PortalChoice(url, PortalSource.USER, True)
        self.shell.set_portal(url, True)
        self.shell.show_message(f"Portal address changed to {url}.")

    # --- sign in -----------------------------------------------------------------------------

    def sign_in(self, username: str, password: str, remember: bool, code: str = "") -> None:
        self.shell.set_busy(True)  # "Signing in…" at once, before any network
        self.tasks.spawn(self._sign_in(username, password, remember, code), "sign in")

    async def _sign_in(self, username: str, password: str, remember: bool, code="") -> None:
        self.shell.set_busy(True)
        api = self.services.api_factory(self.portal_url)
        try:
            result = await api.login(username, password, code or None)
        except CodeNeeded as exc:  # two-step sign-in: the same form asks for the code
            api.close()
            self.shell.ask_code(exc.message, error=exc.code == "two_factor_invalid")
            self.code_requested.emit(exc.message)
            return
        except PortalUnreachable as exc:
            api.close()
            self._retry = None  # Retry submits the form again
            self.show_login(error=exc.message, retry=True)
            return
        except PortalError as exc:
            api.close()
            self.show_login(error=exc.message)
            return
        account = result.account
        if account.get("kind") == "client" and account.get("status", "active") != "active":
            await api.logout()  # the server refuses these too (R-LOGIN-4)
            api.close()
            self.show_login(error=CLIENT_NOT_ACTIVE)
            return
        settings = self.services.settings
        settings.last_username = username
        settings.remember_me = remember
        store = self.services.session_store
        if not self._keyring:
            pass  # nothing to save or forget (and no warning at every sign-in)
        elif remember:
            await asyncio.to_thread(store.save, self.portal_url, username, result.token)
        else:
            await asyncio.to_thread(store.clear, self.portal_url)
        await self._enter(api, account)  # the shell forgets the typed password

    def forgot_password(self, username: str) -> None:
        self.shell.set_busy(True, "Sending…")
        self.tasks.spawn(self._forgot(username), "forgot password")

    async def _forgot(self, username: str) -> None:
        shell = self.shell
        shell.set_busy(True, "Sending…")
        api = self.services.api_factory(self.portal_url)
        try:
            text = await api.forgot_password(username)
        except PortalError as exc:
            shell.set_busy(False)
            shell.show_message(exc.message, error=True, retry=isinstance(exc, PortalUnreachable))
            return
        finally:
            api.close()
        shell.set_busy(False)
        shell.show_message(text)

    # --- home --------------------------------------------------------------------------------

    async def _enter(self, api: PortalApi, account: dict) -> None:
        self.api = api
        self.account = account
        self.shell.show_home(account)
        self._set_state("home")
        self._refresh.start()
        # hosted and re-join offers (R-ROOM-1, R-ROOM-9)
        self.presence.start(api.base_url, api.token or "", account)
        await self._load_home()

    def refresh(self) -> asyncio.Task | None:
        if self.api is None:
            return None
        return self.tasks.spawn(self._load_home(), "refresh")

    async def _load_home(self) -> None:
        api, account = self.api, self.account
        if api is None or account is None:
            return
        try:
            if account.get("kind") == "staff":
                today = await api.appointments_today(self.services.timezone)
                candidates = await api.hosting_candidates()
                self.shell.show_staff_home(account, today, candidates)
            else:
                practitioners = await api.my_practitioners()
                upcoming = await api.my_appointments()
                self.shell.show_client_home(account, practitioners, upcoming)
        except SessionExpired as exc:
            await self.session_lost(exc.message or messages.SESSION_EXPIRED)
            return
        except PortalError as exc:
            self.shell.show_message(exc.message, error=True)
            if isinstance(exc, PortalUnreachable) and self.api is api:
                self._retry_soon()
            return
        self._misses = 0
        self._soon.stop()
        self.home_loaded.emit()

    def _retry_soon(self) -> None:
        """Back off from retry_seconds, doubling, never beyond the regular refresh."""
        wait = min(self.services.retry_seconds * 2**self._misses, self.services.refresh_seconds)
        self._misses += 1
        self._soon.start(int(wait * 1000))

    async def session_lost(self, message: str) -> None:
        """The server no longer knows our session: back to login with the message."""
        await self._leave(forget=True)
        self.show_login(error=message)

    def _alert(self, title: str, text: str) -> None:
        """Someone hosts this person: a desktop notification and the ding (issue 15)."""
        window = self.shell if isinstance(self.shell, QWidget) else None
        self.services.desktop_notifier().notify(title, text, window)
        sound = self.services.alert_sound or play_ding
        self.tasks.spawn(sound(self.shell.device_provider(), self.services.settings), "ding")

    # --- host --------------------------------------------------------------------------------

    def host(self, people: list[dict]) -> object:
        """The Care Room seam: the launcher from the services opens the room."""
        if self.api is None or self.account is None:
            return None
        return self._launch(tuple(people), None)

    def join(self, session_id: int) -> object:
        """Join (or re-join) a session the person is hosted in, through the same seam."""
        return self._launch((), session_id)

    def _launch(self, people: tuple, session_id: int | None) -> object:
        if self.api is None or self.account is None:
            return None
        self.shell.release_devices()  # device tests release the camera first
        request = HostRequest(
            self.account,
            people,
            self.api,
            session_id,
            self.shell.device_provider(),
            self.services.settings,
            self.services.desktop_notifier(),
        )
        room = self.services.launch_care_room(request)
        if room is not None:
            self.rooms.append(room)
            if session_id is None:
                self.presence.watch(room)  # its window closing mid-session: offer re-join
        return room

    # --- sign out and shutdown ----------------------------------------------------------------

    def sign_out(self) -> asyncio.Task | None:
        return self.tasks.spawn(self._sign_out(), "sign out")

    async def _sign_out(self) -> None:
        api = self.api
        if api is not None:
            try:
                await api.logout()
            except PortalError as exc:
                log.info("sign-out on the server failed: %s", exc)
        await self._leave(forget=True)
        self.show_login(info=SIGNED_OUT)

    async def _leave(self, *, forget: bool) -> None:
        self._refresh.stop()
        self._soon.stop()
        self._misses = 0
        self.presence.stop()
        api, self.api, self.account = self.api, None, None
        if api is not None:
            api.close()
        if forget and self.portal_url and self._keyring:
            await asyncio.to_thread(self.services.session_store.clear, self.portal_url)
        self.shell.reset_login(
            self.services.settings.last_username, self.services.settings.remember_me
        )
        self.shell.show_signed_out()

    def shutdown(self) -> None:
        """At window close (idempotent): stop timers and tasks, close the API client."""
        self._refresh.stop()
        self._soon.stop()
        self.presence.stop()
        self.tasks.cancel_all()
        if self.api is not None:
            self.api.close()
        self.state = "closed"
