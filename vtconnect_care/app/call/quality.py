"""The quality label on a remote tile: signal bars and a word, never colour alone.

Good, Fair or Poor as the engine judged that person's connection (``domain.call_quality``): the
bars' number (3, 2, 1) and the word carry the level, the colour only repeats it. The tooltip says
what is wrong and what to try; screen readers get the same through the accessible name and
description.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from vtconnect_care.domain import call_quality
from vtconnect_care.domain.call_quality import QualityLevel, Verdict

from .. import resources
from .status import quality_tooltip

COLOURS = {
    QualityLevel.GOOD: "#3fb37f",
    QualityLevel.FAIR: "#f0b429",
    QualityLevel.POOR: "#f2665a",
}
ICON = 16
PAD = 8


class QualityBadge(QWidget):
    """A small pill with bars and the word; hidden until there is a verdict."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("QualityBadge")
        self.level: QualityLevel | None = None
        self.word = ""
        self._pixmap: QPixmap | None = None
        self._font = QFont(self.font())
        self._font.setPixelSize(13)
        self._font.setBold(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable by keyboard, read aloud
        self.hide()

    def show_verdict(self, name: str, verdict: Verdict | None) -> None:
        """Show ``verdict`` for the person called ``name``; None hides the label."""
        if verdict is None:
            self.level, self.word = None, ""
            self.setToolTip("")
            self.setAccessibleName("")
            self.setAccessibleDescription("")
            self.hide()
            return
        if verdict.level is not self.level:
            self._pixmap = resources.icon(
                f"signal-{verdict.level.value}", COLOURS[verdict.level], ICON * 2
            ).pixmap(ICON, ICON)
        self.level, self.word = verdict.level, verdict.word
        self.setToolTip(_rich(quality_tooltip(verdict)))
        self.setAccessibleName(call_quality.accessible_name(name, verdict.level))
        said = [*verdict.problems, *verdict.advice] or [call_quality.ALL_CLEAR]
        self.setAccessibleDescription(" ".join(said))
        self.resize(self.sizeHint())
        self.show()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        metrics = QFontMetrics(self._font)
        width = PAD + ICON + 5 + metrics.horizontalAdvance(self.word or "Poor") + PAD + 2
        return QSize(width, max(ICON, metrics.height()) + 10)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if self.level is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 160))
        p.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        if self._pixmap is not None:
            p.drawPixmap(int(PAD), int((rect.height() - ICON) / 2), self._pixmap)
        p.setFont(self._font)
        p.setPen(QColor("#ffffff"))
        p.drawText(
            rect.adjusted(PAD + ICON + 5, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            self.word,
        )
        p.end()


def _rich(text: str) -> str:
    """The tooltip's lines as rich text, so that Qt wraps them: the title in bold."""
    title, *rest = text.splitlines()
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in rest)
    return f"<qt><b>{html.escape(title)}</b>{lines}</qt>"
