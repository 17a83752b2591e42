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


def repolish(widget: QWidget) -> None:
    """Apply the style sheet again after a property or object name that it matches changed
    (Qt styles a widget once, when it is first polished)."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def grow_to_fit(window: QWidget) -> None:
    """Make a window tall enough for its wrapped text at its width: a window does not grow
    for its labels' height-for-width by itself, and a message shown later was cut off."""
    layout = window.layout()
    if layout is None:
        return
    layout.invalidate()
    needed = layout.totalHeightForWidth(window.width())
    if needed > window.height():
        window.resize(window.width(), needed)


PADDING = 11  # a message's text to its box: the style's 10 px inside a 1 px border


class MessageLabel(QLabel):
    """An inline message: error or info; hidden when empty, announced via its accessible name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName("Message")
        # the text's distance to the box that style.qss draws (left, top, right, bottom): as
        # contents margins, which count in heightForWidth; applied after each restyle, which
        # may reset them
        self.padding = (PADDING, PADDING, PADDING, PADDING)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "ErrorBox")

    def show_info(self, text: str) -> None:
        self._show(text, "InfoBox")

    def _show(self, text: str, kind: str) -> None:
        self.setObjectName(kind)
        repolish(self)
        self.setContentsMargins(*self.padding)
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
