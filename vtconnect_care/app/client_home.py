"""The client's home: their practitioners, upcoming appointments, and the hosted/re-join offers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import local_time
from .widgets import MessageLabel, card, label


class OfferArea(QFrame):
    """Where "you are being hosted" and the re-join offer (R-ROOM-9) appear; empty for now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setAccessibleName("Session invitations")
        lay = QHBoxLayout(self)
        self.text = label("", None, wrap=True)
        lay.addWidget(self.text, 1)
        self.join_button = QPushButton("Join")
        self.join_button.setObjectName("Primary")
        self.join_button.setAccessibleName("Join the session")
        lay.addWidget(self.join_button)
        self._on_join: Callable[[], object] | None = None
        self.join_button.clicked.connect(self._join)
        self.hide()

    def offer(self, text: str, button: str, on_join: Callable[[], object]) -> None:
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.join_button.setText(button)
        self.join_button.setAccessibleName(button)
        self._on_join = on_join
        self.show()

    def withdraw(self) -> None:
        self._on_join = None
        self.hide()

    def _join(self) -> None:
        if self._on_join is not None:
            self._on_join()


class ClientHome(QWidget):
    """Times are shown in ``zone`` (the computer's when None), as 'Tue 24 Nov, 09:30'."""

    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenBackground")
        self.zone = zone
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(16)
        head = QHBoxLayout()
        self.title = label("Welcome", "CardTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested)
        head.addWidget(self.refresh_button)
        outer.addLayout(head)
        self.message = MessageLabel()
        outer.addWidget(self.message)
        self.offers = OfferArea()
        outer.addWidget(self.offers)
        self.waiting = label(
            "When your practitioner starts a session with you, it will appear here.",
            "Muted",
            wrap=True,
        )
        outer.addWidget(self.waiting)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        left, left_lay = card()
        left_lay.addWidget(label("Your practitioners", "SectionTitle"))
        self.practitioners = QListWidget()
        self.practitioners.setAccessibleName("Your practitioners")
        left_lay.addWidget(self.practitioners, 1)
        columns.addWidget(left, 1)
        right, right_lay = card()
        right_lay.addWidget(label("Upcoming appointments", "SectionTitle"))
        self.appointments = QListWidget()
        self.appointments.setAccessibleName("Upcoming appointments")
        right_lay.addWidget(self.appointments, 1)
        columns.addWidget(right, 1)
        outer.addLayout(columns, 1)

    def set_data(self, account: dict, practitioners: list[dict], upcoming: list[dict]) -> None:
        self.title.setText(f"Welcome, {account.get('first_name') or account.get('username')}")
        self.practitioners.clear()
        for p in practitioners:
            dept = f"  ·  {p['department']}" if p.get("department") else ""
            self.practitioners.addItem(f"{p['full_name']}{dept}")
        if not practitioners:
            self.practitioners.addItem("No practitioner is assigned to you yet.")
        self.appointments.clear()
        for a in upcoming:
            who = a.get("practitioner", {}).get("full_name", "")
            when = local_time.short_when(a["starts_at"], self.zone)
            self.appointments.addItem(f"{when}   {a['title']}\nwith {who}")
        if not upcoming:
            self.appointments.addItem("No upcoming appointments.")

    def reset(self) -> None:
        """Signed out: none of the last account's practitioners or appointments stay."""
        self.title.setText("Welcome")
        self.practitioners.clear()
        self.appointments.clear()
        self.clear_message()

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def show_info(self, text: str) -> None:
        self.message.show_info(text)

    def clear_message(self) -> None:
        self.message.clear_message()
