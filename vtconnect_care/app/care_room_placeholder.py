"""A stand-in Care Room window, opened by Host until the Care Room issue lands (R-ROOM-1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QListWidget, QPushButton, QVBoxLayout, QWidget

from .widgets import label

if TYPE_CHECKING:
    from .services import HostRequest


class CareRoomPlaceholder(QWidget):
    def __init__(self, request: HostRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setObjectName("ScreenBackground")
        self.setWindowTitle("VTConnect Care – Care Room")
        self.setAccessibleName("Care Room")
        self.resize(640, 420)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 24, 28, 24)
        lay.addWidget(label("Care Room", "CardTitle"))
        lay.addWidget(
            label(
                "Waiting for at least one participant to arrive before the session can begin.",
                "Muted",
                wrap=True,
            )
        )
        self.participants = QListWidget()
        self.participants.setAccessibleName("Participants")
        for person in request.people:
            self.participants.addItem(f"{person['full_name']}  (not yet arrived)")
        lay.addWidget(self.participants, 1)
        self.leave_button = QPushButton("Leave")
        self.leave_button.setAccessibleName("Leave the Care Room")
        self.leave_button.clicked.connect(self.close)
        lay.addWidget(self.leave_button)
