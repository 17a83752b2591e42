"""Video tiles (remote people and the self view), the grid that adapts to the number of people,
and the pacer that repaints them at the display's pace.

A remote tile keeps no frames of its own: at paint time it takes the newest frame from the
``FrameStore`` and converts it, scaled to the tile, in one libswscale call. Frames that arrive
faster than the display repaints are never converted at all.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from vtconnect_care.client.media import name_colour

from .frames import FrameStore

log = logging.getLogger("vtconnect.care_room")

BACKGROUND = QColor("#1b2329")
STATE_COLOURS = {
    "connected": QColor("#3fb37f"),
    "connecting": QColor("#8fa9b8"),
    "reconnecting": QColor("#f0b429"),
    "poor network": QColor("#f08c29"),
    "waiting": QColor("#8fa9b8"),
}
STATE_TEXT = {
    "connecting": "Connecting…",
    "reconnecting": "Reconnecting…",
    "poor network": "Poor network connection",
    "waiting": "Waiting to begin",
}
ASPECT = 4 / 3


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def fit(width: int, height: int, src_w: int, src_h: int) -> tuple[int, int]:
    """The largest even size with the source's aspect inside width x height."""
    if src_w <= 0 or src_h <= 0 or width <= 0 or height <= 0:
        return 0, 0
    scale = min(width / src_w, height / src_h)
    return max(2, int(src_w * scale) & ~1), max(2, int(src_h * scale) & ~1)


class _Tile(QWidget):
    """Shared painting: the picture or a clear placeholder, the name and the state."""

    placeholder = ""  # when set, drawn instead of a picture
    label_at_top = True  # the name stays clear of the panels along the bottom

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.state = "connecting"
        self.badges: list[str] = []
        self.radius = 10.0
        self.paints = 0
        self._image: QImage | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.setMinimumSize(120, 90)

    # the picture of this tile, as a QImage sized for the rect; None for a placeholder
    def picture(self, width: int, height: int) -> QImage | None:  # pragma: no cover - abstract
        return None

    def label_text(self) -> str:
        return self.name

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.paints += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        clip = QPainterPath()
        clip.addRoundedRect(rect, self.radius, self.radius)
        p.setClipPath(clip)
        p.fillRect(rect, BACKGROUND)
        image = None
        if not self.placeholder:
            try:
                image = self.picture(self.width(), self.height())
            except Exception:  # noqa: BLE001 - an odd frame: the placeholder instead
                log.exception("drawing a picture failed")
        if image is not None:
            x = (self.width() - image.width()) / 2
            y = (self.height() - image.height()) / 2
            p.drawImage(int(x), int(y), image)
        else:
            self._draw_placeholder(p, rect)
        self._draw_label(p, rect)
        p.end()

    def _draw_placeholder(self, p: QPainter, rect: QRectF) -> None:
        b, g, r = name_colour(self.name)
        size = max(36.0, min(rect.width(), rect.height()) * 0.32)
        circle = QRectF(rect.center().x() - size / 2, rect.center().y() - size * 0.75, size, size)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(r, g, b))
        p.drawEllipse(circle)
        font = QFont(self.font())
        font.setPixelSize(int(size * 0.38))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        p.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(self.name))
        font.setPixelSize(max(11, int(size * 0.2)))
        font.setBold(False)
        p.setFont(font)
        p.setPen(QColor("#e4e7eb"))
        text_rect = QRectF(rect.left() + 8, circle.bottom() + 8, rect.width() - 16, size)
        p.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            self.placeholder,
        )

    def _draw_label(self, p: QPainter, rect: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(12 if rect.width() < 320 else 14)
        p.setFont(font)
        metrics = p.fontMetrics()
        parts = [self.label_text(), *self.badges]
        text = "  ·  ".join(x for x in parts if x)
        dot = 10
        width = metrics.horizontalAdvance(text) + dot + 26
        height = metrics.height() + 10
        top = self.label_at_top
        y = rect.top() + 8 if top else rect.bottom() - height - 8
        pill = QRectF(rect.left() + 8, y, width, height)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(pill, height / 2, height / 2)
        p.setBrush(STATE_COLOURS.get(self.state, STATE_COLOURS["connecting"]))
        p.drawEllipse(QRectF(pill.left() + 10, pill.center().y() - dot / 2, dot, dot))
        p.setPen(QPen(QColor("#ffffff")))
        p.drawText(
            pill.adjusted(dot + 16, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            text,
        )


class RemoteTile(_Tile):
    """One other person: their newest picture, their name and connection state."""

    def __init__(self, account_id: int, name: str, store: FrameStore, parent=None) -> None:
        super().__init__(name, parent)
        self.account_id = account_id
        self.store = store
        self.camera_off = False
        self.painted_seq = -1
        self.converted = 0  # frames converted for painting (<= frames received)
        self._cache: tuple[int, int, int] | None = None
        self.setAccessibleName(f"Video of {name}")
        self.set_state("connecting", False)

    @property
    def placeholder(self) -> str:  # type: ignore[override]
        if self.camera_off:
            return f"{self.name}'s camera is off"
        slot = self.store.get(self.account_id)
        if slot is None or slot.frame is None:
            return STATE_TEXT.get(self.state, "Connecting…")
        return ""

    def set_state(self, state: str, camera_off: bool) -> None:
        self.state, self.camera_off = state, camera_off
        self.badges = [] if state == "connected" else [STATE_TEXT.get(state, state).rstrip("…")]
        description = "camera off" if camera_off else state
        self.setAccessibleDescription(f"{self.name}: {description}")
        self.update()

    def label_text(self) -> str:
        return self.name

    def due(self) -> bool:
        slot = self.store.get(self.account_id)
        return slot is not None and slot.seq != self.painted_seq

    def picture(self, width: int, height: int) -> QImage | None:
        slot = self.store.get(self.account_id)
        if slot is None or slot.frame is None:
            return None
        frame = slot.frame
        w, h = fit(width, height, frame.width, frame.height)
        if w == 0:
            return None
        key = (slot.seq, w, h)
        if self._cache != key or self._image is None:
            # conversion and scaling in one step, only for the frame actually shown
            plane = frame.reformat(width=w, height=h, format="rgb24").planes[0]
            data = np.frombuffer(plane, np.uint8)  # rows of line_size bytes (maybe padded)
            image = QImage(data.data, w, h, plane.line_size, QImage.Format.Format_RGB888)
            self._image = image.copy()
            self._cache = key
            self.converted += 1
        self.painted_seq = slot.seq
        return self._image


class SelfView(_Tile):
    """My own camera, bottom right; camera off and no camera drawn as such, never black."""

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(name, parent)
        self.source = None  # a VideoSource
        self.camera_on = True
        self.mic_on = True
        self.no_camera = False
        self.state = "connected"
        self.radius = 8.0
        self._seq = -1
        self._looked = 0.0
        self.setAccessibleName("Your video (self view)")
        self.refresh_state()

    def set_source(self, source, *, no_camera: bool) -> None:
        self.source, self.no_camera = source, no_camera
        self.refresh_state()

    def set_devices(self, camera_on: bool, mic_on: bool) -> None:
        self.camera_on, self.mic_on = camera_on, mic_on
        self.refresh_state()

    def refresh_state(self) -> None:
        if self.no_camera:
            self.placeholder = "No camera found. Others see a picture with your name."
        elif not self.camera_on:
            self.placeholder = "Your camera is off"
        elif self.source is None:
            self.placeholder = "Starting your camera…"
        else:
            self.placeholder = ""
        self.badges = [] if self.mic_on else ["Microphone off"]
        parts = ["camera off" if not self.camera_on else "camera on"]
        parts.append("microphone off" if not self.mic_on else "microphone on")
        self.setAccessibleDescription(", ".join(parts))
        self.update()

    def label_text(self) -> str:
        return "You"

    def due(self) -> bool:
        """At the camera's own rate (a synthetic camera draws a picture on each look)."""
        if self.placeholder or self.source is None:
            return False
        period = 1.0 / max(1.0, float(getattr(self.source, "fps", 30.0)))
        return time.monotonic() - self._looked >= period

    def picture(self, width: int, height: int) -> QImage | None:
        self._looked = time.monotonic()
        sample = self.source.latest() if self.source is not None else None
        if sample is None:
            return None
        if sample.seq != self._seq or self._image is None:
            image = sample.image
            h, w = image.shape[:2]
            self._image = QImage(image.data, w, h, image.strides[0], QImage.Format.Format_BGR888)
            self._image = self._image.copy()
            self._seq = sample.seq
        tw, th = fit(width, height, self._image.width(), self._image.height())
        return self._image.scaled(
            tw, th, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
        )


def grid_shape(count: int, width: int, height: int) -> tuple[int, int]:
    """(columns, rows) that give the biggest 4:3 tiles for ``count`` people in width x height."""
    if count <= 0:
        return 0, 0
    best, best_area = (1, count), -1.0
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        w, h = width / cols, height / rows
        tile_w = min(w, h * ASPECT)
        area = tile_w * tile_w / ASPECT
        if area > best_area + 1e-6:
            best, best_area = (cols, rows), area
    return best


class VideoGrid(QWidget):
    """The remote tiles, laid out in the grid that suits their number (1, 2, 2x2, 3x2...)."""

    GAP = 8

    def __init__(self, store: FrameStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tiles: dict[int, RemoteTile] = {}
        self.setAccessibleName("Video of the other people")

    def sync(self, people: list[tuple[int, str, str, bool]]) -> None:
        """``people``: (account_id, name, state, camera_off) of everyone shown, in order."""
        wanted = {p[0] for p in people}
        for account_id in list(self.tiles):
            if account_id not in wanted:
                tile = self.tiles.pop(account_id)
                tile.hide()
                tile.deleteLater()
        order = []
        for account_id, name, state, camera_off in people:
            tile = self.tiles.get(account_id)
            if tile is None:
                tile = self.tiles[account_id] = RemoteTile(account_id, name, self.store, self)
                tile.show()
            tile.set_state(state, camera_off)
            order.append(tile)
        self._order = order
        self._layout()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._layout()

    def _layout(self) -> None:
        order = getattr(self, "_order", [])
        cols, rows = grid_shape(len(order), self.width(), self.height())
        if not order:
            return
        gap = self.GAP
        cell_w = (self.width() - gap * (cols + 1)) / cols
        cell_h = (self.height() - gap * (rows + 1)) / rows
        for i, tile in enumerate(order):
            row, col = divmod(i, cols)
            in_row = min(cols, len(order) - row * cols)  # centre a short last row
            offset = (cols - in_row) * (cell_w + gap) / 2
            x = gap + offset + col * (cell_w + gap)
            y = gap + row * (cell_h + gap)
            tile.setGeometry(int(x), int(y), int(cell_w), int(cell_h))


class FramePacer(QObject):
    """Repaints the tiles that have a new picture, once per display refresh (never queued)."""

    def __init__(self, tiles: Callable[[], list], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tiles = tiles
        screen = QGuiApplication.primaryScreen()
        rate = screen.refreshRate() if screen is not None else 60.0
        self.interval_ms = max(8, round(1000.0 / (rate if rate and rate > 1 else 60.0)))
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(self.interval_ms)
        self.timer.timeout.connect(self.tick)
        self.ticks = 0

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def tick(self) -> None:
        self.ticks += 1
        for tile in self._tiles():
            if tile.isVisible() and tile.due():
                tile.update()
