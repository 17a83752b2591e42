"""The header switch between the Appointment screen and the Schedule view, for staff only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from .controller import VisitsController
from .schedule_view import ScheduleView

NAV_STYLE = """
QPushButton#NavTab { border: none; border-bottom: 3px solid transparent; border-radius: 0;
    padding: 8px 14px; background: transparent; color: #52606d; font-weight: 600; }
QPushButton#NavTab:checked { color: #1f5f7a; border-bottom: 3px solid #1f6f8b; }
QPushButton#NavTab:focus { border: 1px dashed #1f6f8b; }
"""


class StaffNav(QWidget):
    """Two tabs: Appointments (Ctrl+1) and Schedule (Ctrl+2)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(NAV_STYLE)
        self.setAccessibleName("Screens")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 0, 0, 0)
        lay.setSpacing(4)
        self.group = QButtonGroup(self)
        self.appointments = QPushButton("Appointments")
        self.schedule = QPushButton("Schedule")
        for button, key in ((self.appointments, "Ctrl+1"), (self.schedule, "Ctrl+2")):
            button.setObjectName("NavTab")
            button.setCheckable(True)
            button.setAccessibleName(button.text())
            button.setToolTip(f"{button.text()} ({key})")
            self.group.addButton(button)
            lay.addWidget(button)
        self.appointments.setChecked(True)


def install_schedule(window: Any, **options: Any) -> VisitsController:
    """Add the Schedule view and its header switch to a MainWindow; returns its controller.

    ``options`` go to VisitsController (tests pass ``drafts`` and ``ice_servers``)."""
    view = ScheduleView()
    window.schedule = view
    window.stack.addWidget(view)
    nav = StaffNav()
    header_layout = window.header.layout()
    header_layout.insertWidget(3, nav)  # after the menu, the logo and the title
    window.staff_nav = nav
    nav.hide()

    def provider() -> Any:
        return getattr(window.device_panel, "_provider", None) or window.services.devices

    controller = VisitsController(
        view,
        lambda: window.controller.api,
        timezone=window.services.timezone,
        provider_source=provider,
        parent_window=window,
        **options,
    )
    controller.account_source = lambda: window.controller.account
    window.visits = controller

    def show(which: str) -> None:
        if which == "schedule":
            window.stack.setCurrentWidget(view)
            controller.load(view.day)
            view.visits.setFocus()
        else:
            window.stack.setCurrentWidget(window.appointments)
            window.appointments.setFocus()

    def on_page(_index: int) -> None:
        current = window.stack.currentWidget()
        staff = current in (window.appointments, view)
        nav.setVisible(staff)
        if current is window.appointments:
            nav.appointments.setChecked(True)
        elif current is view:
            nav.schedule.setChecked(True)
        elif current is window.login:
            controller.shutdown()  # signed out: close the dialog and windows, forget the token

    nav.appointments.clicked.connect(lambda: show("appointments"))
    nav.schedule.clicked.connect(lambda: show("schedule"))
    window.stack.currentChanged.connect(on_page)

    def shortcut(which: str) -> None:
        if nav.isVisible():
            show(which)

    for key, which in (("Ctrl+1", "appointments"), ("Ctrl+2", "schedule")):
        QShortcut(QKeySequence(key), window).activated.connect(lambda w=which: shortcut(w))
    closer = _CloseWatcher(controller, window)
    window.installEventFilter(closer)
    return controller


class _CloseWatcher(QObject):
    """Shuts the visits down when the main window closes (calls left, not ended)."""

    def __init__(self, controller: VisitsController, window: QObject) -> None:
        super().__init__(window)
        self.controller = controller

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
        return False
