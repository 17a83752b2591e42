"""The header switch between the Appointment screen and the Schedule view, for staff only.

Styled by style.qss (``QPushButton#NavTab``); the main window decides which screen it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

APPOINTMENTS = "appointments"
SCHEDULE = "schedule"


class StaffNav(QWidget):
    """Two tabs: Appointments (Ctrl+1) and Schedule (Ctrl+2); ``chosen`` says which one."""

    chosen = Signal(str)  # APPOINTMENTS or SCHEDULE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.appointments.clicked.connect(lambda: self.chosen.emit(APPOINTMENTS))
        self.schedule.clicked.connect(lambda: self.chosen.emit(SCHEDULE))

    def mark(self, which: str) -> None:
        """Show ``which`` as the current screen (without emitting ``chosen``)."""
        (self.schedule if which == SCHEDULE else self.appointments).setChecked(True)
