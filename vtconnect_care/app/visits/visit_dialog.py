"""The visit dialog ("More Details"): the visit, and Send invite to client, Copy invite link,
Resend invite to client, Clock in, Clock out and Join video session, each enabled and explained
as the server's rules say (R-VISIT-4, 5, 6, 7, 13, 15)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.domain import visit_messages as vmsg

from ..widgets import MessageLabel, label
from . import icons
from .schedule_view import hhmm, visit_status

ORDER = (
    ("send_invite", vmsg.SEND_INVITE),
    ("copy_invite_link", vmsg.COPY_INVITE),
    ("resend_invite", vmsg.RESEND_INVITE),
    ("clock_in", vmsg.CLOCK_IN),
    ("clock_out", vmsg.CLOCK_OUT),
    ("join_video", vmsg.JOIN_VIDEO),
)


class VisitDialog(QDialog):
    action_requested = Signal(str)  # a key of ORDER

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Visit details")
        self.setAccessibleName("Visit details")
        self.setMinimumWidth(640)
        self.detail: dict = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        head = QHBoxLayout()
        self.icon = QLabel()
        self.icon.setAccessibleName("Virtual visit icon")
        head.addWidget(self.icon)
        self.title = label("", "CardTitle", wrap=True)
        head.addWidget(self.title, 1)
        lay.addLayout(head)
        facts = QVBoxLayout()
        facts.setSpacing(4)
        self.when = label("", None, wrap=True)
        self.service = label("", "Muted", wrap=True)
        self.status = label("", "Muted", wrap=True)
        self.status.setAccessibleName("Visit status")
        for widget in (self.when, self.service, self.status):
            facts.addWidget(widget)
        lay.addLayout(facts)
        self.message = MessageLabel()
        self.message.setContentsMargins(10, 8, 10, 8)
        lay.addWidget(self.message)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, QLabel] = {}
        for row, (key, text) in enumerate(ORDER):
            button = QPushButton(text)
            button.setAccessibleName(text)
            button.setMinimumWidth(210)
            button.clicked.connect(lambda _=False, k=key: self.action_requested.emit(k))
            if key == "join_video":
                button.setObjectName("Primary")
            reason = label("", "Hint", wrap=True)
            reason.setAccessibleName(f"{text}: why")
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(reason, row, 1)
            self.buttons[key], self.reasons[key] = button, reason
        lay.addLayout(grid)
        lay.addStretch(1)
        close = QHBoxLayout()
        close.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close visit details")
        self.close_button.clicked.connect(self.close)
        close.addWidget(self.close_button)
        lay.addLayout(close)
        keys = [k for k, _ in ORDER]
        for a, b in zip(keys, keys[1:], strict=False):
            self.setTabOrder(self.buttons[a], self.buttons[b])
        self.setTabOrder(self.buttons[keys[-1]], self.close_button)

    def set_detail(self, detail: dict, zone=None) -> None:
        """Show the visit as the server sees it; every button as its rules say."""
        self.detail = detail
        client = (detail.get("client") or {}).get("full_name", "")
        virtual = bool(detail.get("is_virtual"))
        self.title.setText(f"Visit with {client}")
        self.setWindowTitle(f"Visit with {client}")
        self.icon.setVisible(virtual)
        self.icon.setPixmap(icons.virtual_icon(28).pixmap(28, 28))
        when = f"{hhmm(detail.get('starts_at'), zone)} to {hhmm(detail.get('ends_at'), zone)}"
        self.when.setText(f"{when}  ·  {'Virtual visit' if virtual else 'In-person visit'}")
        service = detail.get("service") or {}
        self.service.setText(f"{service.get('name', '')} ({service.get('code', '')})")
        status = visit_status(detail, zone)
        vs = detail.get("virtual_session") or {}
        if vs.get("last_invite_sent_at"):
            status += f" · last invite sent at {hhmm(vs['last_invite_sent_at'], zone)}"
        self.status.setText(status)
        self.status.setAccessibleDescription(status)
        for key, _ in ORDER:
            state = (detail.get("buttons") or {}).get(key) or {}
            button, reason = self.buttons[key], self.reasons[key]
            button.setText(state.get("label") or button.text())
            button.setAccessibleName(button.text())
            enabled = bool(state.get("enabled"))
            button.setEnabled(enabled)
            why = state.get("reason") or ""
            reason.setText(why)
            reason.setVisible(bool(why))
            button.setToolTip(why)
            button.setAccessibleDescription(why)
            reason.setStyleSheet("" if enabled else "color: #7b4a00;")
        self.adjustSize()

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def show_info(self, text: str) -> None:
        self.message.show_info(text)

    def clear_message(self) -> None:
        self.message.clear_message()

    def set_busy(self, busy: bool) -> None:
        for key, button in self.buttons.items():
            state = (self.detail.get("buttons") or {}).get(key) or {}
            button.setEnabled(not busy and bool(state.get("enabled")))
