"""The visit icons, drawn (no image files): the virtual-visit icon (R-VISIT-1) and the four
video controls (R-VISIT-10)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

VIRTUAL_COLOUR = "#1f8a70"


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pix, painter


def _camera(painter: QPainter, size: float, colour: QColor, *, struck: bool = False) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    body = QRectF(size * 0.08, size * 0.28, size * 0.58, size * 0.44)
    painter.drawRoundedRect(body, size * 0.08, size * 0.08)
    lens = QPainterPath()
    lens.moveTo(QPointF(size * 0.66, size * 0.44))
    lens.lineTo(QPointF(size * 0.92, size * 0.30))
    lens.lineTo(QPointF(size * 0.92, size * 0.70))
    lens.lineTo(QPointF(size * 0.66, size * 0.56))
    lens.closeSubpath()
    painter.drawPath(lens)
    if struck:
        painter.setPen(_pen(QColor("#ffffff"), size * 0.16))
        painter.drawLine(QPointF(size * 0.15, size * 0.15), QPointF(size * 0.85, size * 0.85))
        painter.setPen(_pen(colour, size * 0.08))
        painter.drawLine(QPointF(size * 0.15, size * 0.15), QPointF(size * 0.85, size * 0.85))


def virtual_icon(size: int = 22) -> QIcon:
    """R-VISIT-1: a video camera in a green disc, beside every virtual visit."""
    pix, painter = _canvas(size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(VIRTUAL_COLOUR))
    painter.drawEllipse(QRectF(0, 0, size, size))
    painter.translate(size * 0.18, size * 0.18)
    _camera(painter, size * 0.64, QColor("#ffffff"))
    painter.end()
    return QIcon(pix)


def in_person_icon(size: int = 22) -> QIcon:
    """A plain grey dot: the same width as the virtual icon, so that the rows line up."""
    pix, painter = _canvas(size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#c5ced6"))
    painter.drawEllipse(QRectF(size * 0.35, size * 0.35, size * 0.3, size * 0.3))
    painter.end()
    return QIcon(pix)


def hang_up_icon(size: int = 32) -> QIcon:
    pix, painter = _canvas(size)
    painter.setPen(_pen(QColor("#ffffff"), size * 0.16))
    path = QPainterPath()
    path.moveTo(QPointF(size * 0.14, size * 0.62))
    path.cubicTo(
        QPointF(size * 0.30, size * 0.30),
        QPointF(size * 0.70, size * 0.30),
        QPointF(size * 0.86, size * 0.62),
    )
    painter.drawPath(path)
    painter.end()
    return QIcon(pix)


def switch_camera_icon(size: int = 32) -> QIcon:
    pix, painter = _canvas(size)
    white = QColor("#ffffff")
    _camera(painter, size, white)
    painter.setPen(_pen(QColor("#33414b"), size * 0.07))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(size * 0.2, size * 0.36, size * 0.32, size * 0.28), 30 * 16, 300 * 16)
    painter.end()
    return QIcon(pix)


def camera_icon(size: int = 32, *, on: bool = True) -> QIcon:
    pix, painter = _canvas(size)
    _camera(painter, size, QColor("#ffffff"), struck=not on)
    painter.end()
    return QIcon(pix)


def mic_icon(size: int = 32, *, on: bool = True) -> QIcon:
    pix, painter = _canvas(size)
    white = QColor("#ffffff")
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(white)
    painter.drawRoundedRect(
        QRectF(size * 0.37, size * 0.12, size * 0.26, size * 0.46), size * 0.13, size * 0.13
    )
    painter.setPen(_pen(white, size * 0.07))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(size * 0.26, size * 0.26, size * 0.48, size * 0.44), 180 * 16, 180 * 16)
    painter.drawLine(QPointF(size * 0.5, size * 0.70), QPointF(size * 0.5, size * 0.86))
    if not on:
        painter.setPen(_pen(QColor("#d64545"), size * 0.09))
        painter.drawLine(QPointF(size * 0.18, size * 0.15), QPointF(size * 0.82, size * 0.85))
    painter.end()
    return QIcon(pix)
