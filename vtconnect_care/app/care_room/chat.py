"""The Care Room's chat panel: messages and notices (R-ROOM-4, R-ROOM-8), a field and Send."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.domain.times import hhmm

from .. import local_time

MAX_CHARS = 2000  # the hub's limit (docs/protocol.md)
WRITE = "Write a message…"
CLOSED = "The session has ended."  # the field's placeholder; the description says the rest
CLOSED_WHY = "The session has ended: messages can no longer be sent."
OFFLINE = "Not connected."
OFFLINE_WHY = "The Care Room cannot be reached, so messages cannot be sent."


def _time(iso: str | None) -> str:
    """'14:05' in this computer's zone; nothing for a missing or broken time."""
    shown = hhmm(iso, local_time.zone(local_time.system_zone()))
    return shown if shown != iso else ""


class ChatPanel(QFrame):
    send_requested = Signal(str)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RoomChat")
        self.setAccessibleName("Chat")
        self.messages: list[dict] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 10, 12)
        lay.setSpacing(8)
        head = QHBoxLayout()
        title = QLabel("Chat")
        title.setObjectName("RoomPanelTitle")
        title.setAccessibleName("Chat")
        head.addWidget(title)
        head.addStretch(1)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setObjectName("RoomPanelClose")
        self.close_button.setAccessibleName("Close the chat")
        self.close_button.setToolTip("Close the chat (Ctrl+T)")
        self.close_button.clicked.connect(self.close_requested)
        head.addWidget(self.close_button)
        lay.addLayout(head)
        self.view = QTextBrowser()
        self.view.setObjectName("RoomChatView")
        self.view.setAccessibleName("Chat messages")
        self.view.setOpenLinks(False)
        lay.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.setSpacing(6)
        self.field = QLineEdit()
        self.field.setPlaceholderText(WRITE)
        self.field.setAccessibleName("Message to send")
        self.field.setMaxLength(MAX_CHARS)
        self.field.returnPressed.connect(self._send)
        row.addWidget(self.field, 1)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("RoomSend")
        self.send_button.setAccessibleName("Send the message")
        self.send_button.clicked.connect(self._send)
        row.addWidget(self.send_button)
        lay.addLayout(row)

    def add(self, message: dict, mine: bool) -> None:
        self.messages.append(message)
        body = html.escape(message.get("body", "")).replace("\n", "<br>")
        when = _time(message.get("created_at"))
        if message.get("kind") == "notice":
            block = (
                f'<p style="color:#f0c36b; margin:6px 0;"><i>{body}</i>'
                f' <span style="color:#8a99a6; font-size:11px;">{when}</span></p>'
            )
        else:
            who = "You" if mine else html.escape(message.get("sender_name") or "")
            colour = "#9fd3de" if mine else "#ffffff"
            block = (
                f'<p style="margin:6px 0;"><b style="color:{colour};">{who}</b>'
                f' <span style="color:#8a99a6; font-size:11px;">{when}</span><br>'
                f'<span style="color:#e4e7eb;">{body}</span></p>'
            )
        self.view.append(block)
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def texts(self) -> list[str]:
        return [m.get("body", "") for m in self.messages]

    def _send(self) -> None:
        text = self.field.text().strip()
        if text and self.field.isEnabled():
            self.send_requested.emit(text)
            self.field.clear()

    def set_open_for_messages(
        self, open_: bool, closed: str = CLOSED, why: str = CLOSED_WHY
    ) -> None:
        """Once the session is over the field says so and takes nothing (issue 15 defect 4)."""
        self.field.setEnabled(open_)
        self.send_button.setEnabled(open_)
        self.field.setPlaceholderText(WRITE if open_ else closed)
        for widget in (self.field, self.send_button):
            widget.setToolTip("" if open_ else why)
            widget.setAccessibleDescription("" if open_ else why)
        if not open_:
            self.field.clear()

    def focus_field(self) -> None:
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
