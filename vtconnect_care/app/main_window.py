"""The main window: a header with the hamburger, the device drawer and the screens.

``MainWindow(services)`` builds everything from the services it is given (tests and the
self-test inject fakes): the screens, the Schedule view for staff, and the AppController, to
which it is the shell (app/shell.py). ``start()`` begins the portal and sign-in flow on the
running loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import local_time, resources
from .app_controller import AppController
from .appointment_screen import AppointmentScreen
from .client_home import ClientHome
from .device_panel import DevicePanel
from .devices import DeviceProvider
from .header import TITLE, HeaderBar
from .login_screen import LoginScreen
from .portal_dialog import PortalDialog
from .presence import FloatingOffer
from .services import AppServices
from .visits import ScheduleView, StaffNav, VisitsController
from .visits.staff_nav import APPOINTMENTS, SCHEDULE


class MainWindow(QMainWindow):
    sign_out_requested = Signal()

    def __init__(self, services: AppServices | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if services is None:  # the user's own settings and devices
            from .user_settings import UserSettings

            services = AppServices(settings=UserSettings())
        self.services = services
        self.account: dict | None = None  # who is signed in, as shown
        self.portal_dialog: PortalDialog | None = None
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(resources.icon_path())))
        self.setAccessibleName(TITLE)
        self._build(services)
        self.controller = AppController(
            services, self, self.client_home.offers, FloatingOffer(self), parent=self
        )
        self.visits = VisitsController(
            self.schedule,
            lambda: self.controller.api,
            timezone=services.timezone,
            provider_source=self.device_provider,
            settings_source=lambda: services.settings,
            parent_window=self,
        )
        self.visits.account_source = lambda: self.controller.account
        self._wire()
        geometry = services.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1120, 740)

    def _build(self, services: AppServices) -> None:
        zone = local_time.zone(services.timezone)
        self.staff_nav = StaffNav()  # Appointments / Schedule, for staff (issue 8)
        self.staff_nav.hide()
        self.header = HeaderBar(self.staff_nav)
        self.device_panel = DevicePanel(
            services.devices, services.settings, session_source=lambda: self.controller.api
        )
        self.drawer = QScrollArea()
        self.drawer.setObjectName("DrawerScroll")
        self.drawer.setWidget(self.device_panel)
        self.drawer.setWidgetResizable(True)
        self.drawer.setFixedWidth(420)
        self.drawer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.drawer.setAccessibleName("Device test panel")
        # no Tab stop of its own: Tab goes to the panel's controls, which it scrolls into view
        self.drawer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.drawer.hide()
        self.stack = QStackedWidget()
        self.starting = QWidget()
        self.starting.setObjectName("ScreenBackground")
        self.login = LoginScreen()
        self.appointments = AppointmentScreen(self._host, zone=zone)
        self.client_home = ClientHome(zone=zone)
        self.schedule = ScheduleView()
        for screen in (self.starting, self.login, self.appointments, self.client_home):
            self.stack.addWidget(screen)
        self.stack.addWidget(self.schedule)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.header)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.drawer)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

    def _wire(self) -> None:
        """The screens' intents go to the controllers."""
        controller = self.controller
        self.login.submitted.connect(controller.sign_in)
        self.login.forgot_password.connect(controller.forgot_password)
        self.login.retry.connect(controller.retry)
        self.login.change_portal.connect(controller.change_portal)
        self.appointments.refresh_requested.connect(controller.refresh)
        self.client_home.refresh_requested.connect(controller.refresh)
        self.sign_out_requested.connect(controller.sign_out)
        self.header.hamburger.toggled.connect(self.set_devices_open)
        self.header.sign_out.clicked.connect(self.sign_out_requested)
        self.device_panel.closed.connect(self.release_devices)
        self.staff_nav.chosen.connect(self.show_staff_screen)
        self.stack.currentChanged.connect(self._screen_changed)
        QShortcut(QKeySequence("Ctrl+D"), self).activated.connect(self.header.hamburger.toggle)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.release_devices)
        for key, which in (("Ctrl+1", APPOINTMENTS), ("Ctrl+2", SCHEDULE)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda w=which: self._nav_key(w))

    # --- flow --------------------------------------------------------------------------------

    def start(self) -> asyncio.Task | None:
        return self.controller.start()

    def _host(self, people: list[dict]) -> object:
        return self.controller.host(people)

    async def ask_portal(self, current: str | None) -> str | None:
        dialog = PortalDialog(current, self)
        self.portal_dialog = dialog
        try:
            return await dialog.ask()
        finally:
            self.portal_dialog = None
            dialog.deleteLater()

    # --- devices -----------------------------------------------------------------------------

    def device_provider(self) -> DeviceProvider:
        return self.device_panel.provider

    def set_device_provider(self, provider: DeviceProvider) -> None:
        self.device_panel.set_provider(provider)

    def release_devices(self) -> None:
        self.set_devices_open(False)

    def set_devices_open(self, open_: bool) -> None:
        if self.header.hamburger.isChecked() != open_:
            self.header.hamburger.setChecked(open_)  # re-enters through toggled
            return
        if open_:
            self.drawer.show()
            if not self.device_panel.loaded:
                self.device_panel.refresh()
            self.device_panel.rows["camera"].combo.setFocus()
        else:
            self.device_panel.stop_tests()
            self.drawer.hide()
            self.header.hamburger.setFocus()

    # --- sign-in (the controller's shell) ----------------------------------------------------

    def set_portal(self, url: str, can_change: bool) -> None:
        self.login.set_portal(url, can_change)

    def set_remember_available(self, available: bool) -> None:
        self.login.set_remember_available(available)

    def reset_login(self, username: str | None, remember: bool) -> None:
        self.login.reset(username, remember)

    def show_login(self) -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.focus_first()

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        if text is None:
            self.login.set_busy(busy)
        else:
            self.login.set_busy(busy, text)

    def submit_login(self) -> None:
        self.login.submit()

    def ask_code(self, text: str, *, error: bool = False) -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.ask_code(text, error=error)

    def show_message(self, text: str, *, error: bool = False, retry: bool = False) -> None:
        if self.stack.currentWidget() is self.login or self.account is None:
            if error:
                self.login.show_error(text, retry=retry)
            else:
                self.login.show_info(text)
            return
        home = self.current_home()
        if error:
            home.show_error(text)
        else:
            home.show_info(text)

    # --- home --------------------------------------------------------------------------------

    def show_home(self, account: dict) -> None:
        self.account = account
        self.login.forget_password()
        self.header.set_user(account)
        screen = self.current_home()
        self.stack.setCurrentWidget(screen)
        screen.setFocus()

    def show_staff_home(self, account: dict, today: dict, candidates: dict) -> None:
        self.appointments.set_data(account, today, candidates)
        self.appointments.clear_message()

    def show_client_home(self, account: dict, practitioners: list, upcoming: list) -> None:
        self.client_home.set_data(account, practitioners, upcoming)
        self.client_home.clear_message()

    def show_signed_out(self) -> None:
        self.account = None
        self.header.set_user(None)
        for screen in (self.appointments, self.client_home, self.schedule):
            screen.reset()  # nothing of one account survives into the next (issue 15 defect 2)
        self.stack.setCurrentWidget(self.login)

    def current_home(self) -> AppointmentScreen | ClientHome:
        """The signed-in person's home screen (the Appointment screen for staff)."""
        staff = (self.account or {}).get("kind") == "staff"
        return self.appointments if staff else self.client_home

    # --- staff: Appointments and Schedule ----------------------------------------------------

    def show_staff_screen(self, which: str) -> None:
        if which == SCHEDULE:
            self.stack.setCurrentWidget(self.schedule)
            self.visits.load(self.schedule.day)
            self.schedule.visits.setFocus()
        else:
            self.stack.setCurrentWidget(self.appointments)
            self.appointments.setFocus()

    def _nav_key(self, which: str) -> None:
        if self.staff_nav.isVisible():
            self.show_staff_screen(which)

    def _screen_changed(self, _index: int) -> None:
        current = self.stack.currentWidget()
        self.staff_nav.setVisible(current in (self.appointments, self.schedule))
        if current is self.appointments:
            self.staff_nav.mark(APPOINTMENTS)
        elif current is self.schedule:
            self.staff_nav.mark(SCHEDULE)
        elif current is self.login:
            self.visits.shutdown()  # signed out: close the dialog and windows, forget the token

    # --- close -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.visits.shutdown()  # calls left, not ended (R-VISIT-14)
        self.services.settings.set_geometry(self.saveGeometry())
        self.device_panel.close_devices()
        self.controller.shutdown()
        close_notifier = getattr(self.services.notifier, "close", None)
        if close_notifier is not None:  # the tray icon goes with the window
            close_notifier()
        super().closeEvent(event)
