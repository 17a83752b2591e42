"""The main window: a header with the hamburger, the device drawer and the screens.

``MainWindow(services)`` builds everything from the services it is given (tests and the
self-test inject fakes); ``start()`` begins the portal and sign-in flow on the running loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from . import resources
from .app_controller import AppController
from .appointment_screen import AppointmentScreen
from .client_home import ClientHome
from .device_panel import DevicePanel
from .devices import DeviceProvider
from .login_screen import LoginScreen
from .portal_dialog import PortalDialog
from .services import AppServices
from .widgets import hamburger_icon, label

TITLE = "VTConnect Care"


class HeaderBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HeaderBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 16, 8)
        lay.setSpacing(12)
        self.hamburger = QToolButton()
        self.hamburger.setObjectName("Hamburger")
        self.hamburger.setIcon(hamburger_icon(26))
        self.hamburger.setIconSize(QSize(26, 26))
        self.hamburger.setCheckable(True)
        self.hamburger.setAccessibleName("Menu: test camera, microphone and speakers")
        self.hamburger.setToolTip("Test your camera, microphone and speakers (Ctrl+D)")
        lay.addWidget(self.hamburger)
        logo = QLabel()
        logo.setPixmap(QPixmap(str(resources.path("icons", "vtconnect-care-64.png"))).scaled(
            30, 30, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        ))
        logo.setAccessibleName("VTConnect Care logo")
        lay.addWidget(logo)
        lay.addWidget(label(TITLE, "HeaderTitle"))
        lay.addStretch(1)
        self.user = label("", "HeaderUser")
        self.user.setAccessibleName("Signed in as")
        lay.addWidget(self.user)
        self.sign_out = QPushButton("Sign out")
        self.sign_out.setAccessibleName("Sign out")
        lay.addWidget(self.sign_out)
        self.set_user(None)

    def set_user(self, account: dict | None) -> None:
        if account is None:
            self.user.setText("")
            self.user.hide()
            self.sign_out.hide()
            return
        org = (account.get("organization") or {}).get("name", "")
        text = f"{account.get('full_name', account.get('username', ''))}"
        self.user.setText(f"{text}  ·  {org}" if org else text)
        self.user.setAccessibleName(f"Signed in as {text}")
        self.user.show()
        self.sign_out.show()


class MainWindow(QMainWindow):
    sign_out_requested = Signal()

    def __init__(self, services: AppServices | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if services is None:  # the user's own settings and devices
            from .user_settings import UserSettings

            services = AppServices(settings=UserSettings())
        self.services = services
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(resources.icon_path())))
        self.setAccessibleName(TITLE)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = HeaderBar()
        outer.addWidget(self.header)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.device_panel = DevicePanel(services.devices, services.settings)
        self.drawer = QScrollArea()
        self.drawer.setObjectName("DrawerScroll")
        self.drawer.setWidget(self.device_panel)
        self.drawer.setWidgetResizable(True)
        self.drawer.setFixedWidth(420)
        self.drawer.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.drawer.setAccessibleName("Device test panel")
        self.drawer.hide()
        body.addWidget(self.drawer)
        self.stack = QStackedWidget()
        self.login = LoginScreen()
        self.appointments = AppointmentScreen(self._host)
        self.client_home = ClientHome()
        self.starting = QWidget()
        self.starting.setObjectName("ScreenBackground")
        for screen in (self.starting, self.login, self.appointments, self.client_home):
            self.stack.addWidget(screen)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.header.hamburger.toggled.connect(self.set_devices_open)
        self.header.sign_out.clicked.connect(self.sign_out_requested)
        self.device_panel.closed.connect(lambda: self.set_devices_open(False))
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.header.hamburger.toggle)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape), self, activated=lambda: self.set_devices_open(False)
        )

        self.portal_dialog: PortalDialog | None = None
        self.controller = AppController(services, self)
        from .visits import install_schedule  # the Schedule view beside Appointments (issue 8)

        self.visits = install_schedule(self)
        geometry = services.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1120, 740)

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

    def set_device_provider(self, provider: DeviceProvider) -> None:
        self.device_panel.set_provider(provider)

    # --- screens -----------------------------------------------------------------------------

    def show_login(self) -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.focus_first()

    def show_home(self, account: dict) -> None:
        self.header.set_user(account)
        screen = self.current_home(account)
        self.stack.setCurrentWidget(screen)
        screen.setFocus()

    def show_signed_out(self) -> None:
        self.header.set_user(None)
        self.stack.setCurrentWidget(self.login)

    def current_home(self, account: dict | None = None):
        account = account or self.controller.account or {}
        return self.appointments if account.get("kind") == "staff" else self.client_home

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

    # --- close -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.services.settings.set_geometry(self.saveGeometry())
        self.device_panel.close_devices()
        self.controller.shutdown()
        super().closeEvent(event)
