"""The participant list: all invited, a green dot if present, red if not yet arrived (R-ROOM-5),
and the same in words on every row, so that colour is never the only sign (issue 15)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

DOTS = {  # status -> (colour, words)
    "present": ("#2fb170", "present"),
    "absent": ("#e0464e", "not yet arrived"),
    "dropped": ("#f0b429", "reconnecting"),
    "left": ("#8a99a6", "left the session"),
    "ended": ("#8a99a6", "the session has ended"),
}


def dot_icon(colour: str, size: int = 12) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pix)


class ParticipantsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RoomParticipants")
        self.setAccessibleName("Participants")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 12)
        lay.setSpacing(6)
        title = QLabel("Participants")
        title.setObjectName("RoomPanelTitle")
        title.setAccessibleName("Participants")
        lay.addWidget(title)
        self.list = QListWidget()
        self.list.setObjectName("RoomParticipantList")
        self.list.setAccessibleName("Participants and whether they are present")
        self.list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.list, 1)
        self.status: dict[str, str] = {}  # name -> status, for tests and screen readers
        self.waits: dict[str, str] = {}  # name -> waiting words (issue 16)

    def set_members(self, members: list[dict], me: dict | None = None) -> None:
        """One row per person; a member's ``wait`` (issue 16's words) follows the status.

        The same people in the same order are updated in place (the waiting times tick every
        few seconds), so a keyboard user's place in the list is kept."""
        rows = ([me] if me else []) + members
        same = self.list.count() == len(rows) and all(
            self.list.item(i).data(Qt.ItemDataRole.UserRole) == row["name"]
            for i, row in enumerate(rows)
        )
        if not same:
            self.list.clear()
        self.status = {}
        self.waits = {}
        for index, member in enumerate(rows):
            status = member.get("status", "absent")
            colour, words = DOTS.get(status, DOTS["absent"])
            if member.get("wait"):
                words = f"{words}\n{member['wait']}"  # a line of its own: the panel is narrow
                self.waits[member["name"]] = member["wait"]
            name = member["name"]
            suffix = " (you)" if member is me else ""
            role = "  ·  host" if member.get("role") == "host" else ""
            spoken = words.replace("\n", ", ")
            item = self.list.item(index) if same else QListWidgetItem()
            if not same or item.data(Qt.ItemDataRole.ToolTipRole) != spoken:
                item.setIcon(dot_icon(colour))
                item.setText(f"{name}{suffix}{role}\n{words}")
                item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}{suffix}: {spoken}")
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(spoken)
            if not same:
                self.list.addItem(item)
            self.status[name] = status
        lines = sum(3 if row.get("wait") else 2 for row in rows)
        height = 56 + 24 * max(2, lines)
        self.setFixedHeight(min(height, 320))

    def colour_of(self, name: str) -> str:
        return DOTS.get(self.status.get(name, "absent"), DOTS["absent"])[0]
