"""Small shared widgets: cards, message boxes inside a screen, section titles, the menu icon."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from . import resources


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setObjectName("Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(28, 24, 28, 24)
    layout.setSpacing(12)
    return frame, layout


def label(text: str, name: str | None = None, *, wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    widget.setAccessibleName(text[:80] if text else (name or "label"))
    return widget


class MessageLabel(QLabel):
    """An inline message: error or info; hidden when empty, announced via its accessible name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Message")
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "ErrorBox")

    def show_info(self, text: str) -> None:
        self._show(text, "InfoBox")

    def _show(self, text: str, kind: str) -> None:
        self.setObjectName(kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()

    @property
    def kind(self) -> str:
        return self.objectName()


def hamburger_icon(size: int = 24, colour: str = "#1f5f7a"):
    """Three bars: resources/icons/hamburger.svg in ``colour``."""
    return resources.icon("hamburger", colour, size)


def scaled_font(font, factor: float):
    """A copy of ``font`` scaled by ``factor``, whether it is sized in points or in pixels
    (style sheets size fonts in pixels, and then ``pointSizeF()`` is -1)."""
    from PySide6.QtGui import QFont

    scaled = QFont(font)
    if scaled.pointSizeF() > 0:
        scaled.setPointSizeF(scaled.pointSizeF() * factor)
    elif scaled.pixelSize() > 0:
        scaled.setPixelSize(max(1, round(scaled.pixelSize() * factor)))
    return scaled
