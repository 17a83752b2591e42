"""The Care Room's waiting card (R-ROOM-2) and the End confirmation (R-ROOM-7)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

HOST_HINT = "You will hear a ding when someone arrives; Begin is then available."
CLIENT_HINT = "Your practitioner will begin the session shortly."
END_QUESTION = "End the session for everyone?"
END_DETAIL = "Everyone in the Care Room will be disconnected. This cannot be undone."


class Panel(QFrame):
    """A floating panel: clicks inside it never toggle the controls."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation, True)


def _centred(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class WaitingCard(Panel):
    """Title, what is happening, Begin (the host), a hint, and Close once it is over."""

    def __init__(self, host: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("RoomWaiting")
        self.setAccessibleName("Waiting room")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 26, 32, 26)
        lay.setSpacing(14)
        self.title = _centred("Care Room", "RoomWaitingTitle")
        self.title.setWordWrap(False)
        lay.addWidget(self.title)
        self.text = _centred("", "RoomWaitingText")
        lay.addWidget(self.text)
        self.times = _centred("", "RoomWaitingTimes")  # issue 16: who has waited how long
        self.times.setAccessibleName("Waiting times")
        self.times.hide()
        lay.addWidget(self.times)
        self.begin_button = QPushButton("Begin")
        self.begin_button.setObjectName("RoomBegin")
        self.begin_button.setAccessibleName("Begin the session")
        self.begin_button.setToolTip("Begin becomes available once a participant has arrived.")
        self.begin_button.setEnabled(False)
        self.begin_button.setVisible(host)
        lay.addWidget(self.begin_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.hint = _centred("", "RoomWaitingHint")
        lay.addWidget(self.hint)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("RoomPlain")
        self.close_button.setAccessibleName("Close the Care Room")
        self.close_button.hide()
        lay.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.set_host(host)

    def set_times(self, lines: list[str]) -> None:
        text = "\n".join(lines)
        if text != self.times.text():
            self.times.setText(text)
            self.times.setAccessibleDescription(text)
        self.times.setVisible(bool(lines))

    def set_host(self, host: bool) -> None:
        self.hint.setText(HOST_HINT if host else CLIENT_HINT)


def end_confirmation(parent: QWidget) -> tuple[QMessageBox, QPushButton]:
    """R-ROOM-7's question, styled by the room (``RoomConfirm`` in care_room.qss), Cancel the
    default; returns the box and its End button."""
    box = QMessageBox(parent)
    box.setObjectName("RoomConfirm")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("End the session")
    box.setText(END_QUESTION)
    box.setInformativeText(END_DETAIL)
    end = box.addButton("End session", QMessageBox.ButtonRole.DestructiveRole)
    end.setObjectName("RoomConfirmEnd")
    end.style().unpolish(end)  # the box polished the button before it had its name
    end.style().polish(end)
    end.setAccessibleName("End the session for everyone")
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    cancel.setAccessibleName("Cancel: keep the session going")
    box.setDefaultButton(cancel)
    box.setAccessibleName(END_QUESTION)
    return box, end
