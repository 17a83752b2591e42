"""Video tiles: one other person's newest picture, and the self view.

A remote tile keeps no frames of its own: at paint time it takes the newest frame from the
``FrameStore`` and converts it, scaled to the tile, in one step (``image.frame_image``). Frames
that arrive faster than the display repaints are never converted at all. With no picture, a
tile draws the person's initials and a caption saying why, never a black square.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from vtconnect_care.client.media import name_colour
from vtconnect_care.domain.call_quality import Verdict

from .frames import FrameStore
from .image import Converter, frame_image, sample_picture
from .quality import QualityBadge
from .states import TileState
from .status import TILE_TEXT

log = logging.getLogger("vtconnect.call")

BACKGROUND = QColor("#1b2329")
DOT_COLOURS = {
    TileState.CONNECTED: QColor("#3fb37f"),
    TileState.CONNECTING: QColor("#8fa9b8"),
    TileState.RECONNECTING: QColor("#f0b429"),
    TileState.POOR: QColor("#f08c29"),
}


def initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


class Tile(QWidget):
    """Shared painting: the picture or the initials with a caption, the name and the state."""

    label_at_top = True  # the name stays clear of the panels along the bottom

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.state = TileState.CONNECTING
        self.badges: list[str] = []
        self.radius = 10.0
        self.paints = 0
        self._image: QImage | None = None
        self._label: tuple[tuple, QImage] | None = None  # (what it says, the pill drawn)
        self.picture_rect: QRect | None = None  # where the last picture was painted
        self._convert = Converter()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.setMinimumSize(120, 90)

    @property
    def caption(self) -> str:
        """When not empty, drawn (with the initials) instead of a picture."""
        return ""

    def picture(self, width: int, height: int) -> QImage | None:
        return None  # the picture of this tile sized for the rect; None: the caption

    def label_text(self) -> str:
        return self.name

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.paints += 1
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        # the rounded card, then the picture on it: clipped to the rounded corners only when
        # it reaches one (a fitted picture fills one side, so it rarely does; a clip path on
        # every paint costs more than the picture)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(BACKGROUND)
        last = self.picture_rect
        if last is None or not last.contains(event.rect()):  # a new picture covers it all
            p.drawRoundedRect(rect, self.radius, self.radius)
        image = None
        if not self.caption:
            try:
                image = self.picture(self.width(), self.height())
            except Exception:  # noqa: BLE001 - an odd frame: the caption instead
                log.exception("drawing a picture failed")
        if image is not None:
            x = int((self.width() - image.width()) / 2)
            y = int((self.height() - image.height()) / 2)
            if x < self.radius and y < self.radius:
                clip = QPainterPath()
                clip.addRoundedRect(rect, self.radius, self.radius)
                p.setClipPath(clip)
            p.drawImage(x, y, image)
            p.setClipping(False)
            self.picture_rect = QRect(x, y, image.width(), image.height())
        else:
            self.picture_rect = None  # the next picture repaints the whole tile
            self._draw_caption(p, rect)
        self._draw_label(p, rect)
        p.end()

    def _draw_caption(self, p: QPainter, rect: QRectF) -> None:
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
            self.caption or self.fallback_caption(),
        )

    def fallback_caption(self) -> str:
        return ""

    def _draw_label(self, p: QPainter, rect: QRectF) -> None:
        """The name pill: drawn once per text, state and size, then copied (a tile repaints
        at the video's rate, and whenever the self view over it does)."""
        parts = [self.label_text(), *self.badges]
        text = "  ·  ".join(x for x in parts if x)
        pixel_size = 12 if rect.width() < 320 else 14
        dot = DOT_COLOURS.get(self.state, DOT_COLOURS[TileState.CONNECTING])
        ratio = self.devicePixelRatioF()
        key = (text, dot.rgba(), pixel_size, ratio)
        if self._label is None or self._label[0] != key:
            self._label = (key, self._render_label(text, dot, pixel_size, ratio))
        image = self._label[1]
        height = image.height() / ratio
        y = rect.top() + 8 if self.label_at_top else rect.bottom() - height - 8
        p.drawImage(QPointF(rect.left() + 8, y), image)

    def _render_label(self, text: str, dot_colour: QColor, pixel_size: int, ratio: float) -> QImage:
        font = QFont(self.font())
        font.setPixelSize(pixel_size)
        metrics = QFontMetrics(font)
        dot = 10
        width = metrics.horizontalAdvance(text) + dot + 26
        height = metrics.height() + 10
        image = QImage(
            max(1, round(width * ratio)),
            max(1, round(height * ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(font)
        pill = QRectF(0, 0, width, height)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(pill, height / 2, height / 2)
        p.setBrush(dot_colour)
        p.drawEllipse(QRectF(pill.left() + 10, pill.center().y() - dot / 2, dot, dot))
        p.setPen(QPen(QColor("#ffffff")))
        p.drawText(
            pill.adjusted(dot + 16, 0, 0, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        p.end()
        return image


class RemoteTile(Tile):
    """One other person: their newest picture, their name and connection state (in words
    beside the coloured dot: never by colour alone), and the quality of their connection
    (bars and a word in the top-right corner, with a tooltip) once the engine judged it."""

    def __init__(
        self,
        account_id: int,
        name: str,
        store: FrameStore,
        parent: QWidget | None = None,
        *,
        waiting_text: str | None = None,
    ) -> None:
        super().__init__(name, parent)
        self.account_id = account_id
        self.store = store
        self.camera_off = False
        self.paused_text: str | None = None  # their video is paused (pauses.paused_caption)
        self.waiting_text = waiting_text  # instead of "Connecting…" before any picture
        self.painted_seq = -1
        self.converted = 0  # frames converted for painting (<= frames received)
        self._cache: tuple[int, int, int] | None = None
        self._source_size: tuple[int, int] | None = None
        self.verdict: Verdict | None = None
        self.quality = QualityBadge(self)
        self.setAccessibleName(f"Video of {name}")
        self.set_state(TileState.CONNECTING, False)

    @property
    def caption(self) -> str:
        if self.paused_text:
            return self.paused_text
        if self.camera_off:
            return f"{self.name}'s camera is off"
        slot = self.store.get(self.account_id)
        if slot is None or slot.frame is None:
            if self.waiting_text is not None:
                return self.waiting_text
            return TILE_TEXT.get(self.state, TILE_TEXT[TileState.CONNECTING])
        return ""

    def set_state(self, state: TileState, camera_off: bool) -> None:
        self.state, self.camera_off = TileState(state), camera_off
        labelled = self._show_quality()
        # poor with a quality label showing: the label says it, once
        plain = self.state is TileState.CONNECTED or (self.state is TileState.POOR and labelled)
        self.badges = [] if plain else [TILE_TEXT[self.state].rstrip("…")]
        description = "camera off" if camera_off else TILE_TEXT.get(self.state, "connected")
        self.setAccessibleDescription(f"{self.name}: {description}")
        self.update()

    def set_quality(self, verdict: Verdict | None) -> None:
        """The engine's verdict on this person's connection (None: not judged yet)."""
        self.verdict = verdict
        self.set_state(self.state, self.camera_off)

    def _show_quality(self) -> bool:
        """The label shows while pictures arrive; connecting or stalled, the caption says it."""
        live = self.state in (TileState.CONNECTED, TileState.POOR)
        self.quality.show_verdict(self.name, self.verdict if live else None)
        self._place_quality()
        return live and self.verdict is not None

    def _place_quality(self) -> None:
        self.quality.move(self.width() - self.quality.width() - 8, 8)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_quality()

    def set_paused(self, text: str | None) -> None:
        if text != self.paused_text:
            self.paused_text = text
            self.setAccessibleDescription(f"{self.name}: {text}" if text else "")
            self.set_state(self.state, self.camera_off) if not text else self.update()

    def due(self) -> bool:
        slot = self.store.get(self.account_id)
        return slot is not None and slot.seq != self.painted_seq

    def new_picture_rect(self) -> QRect | None:
        """The area a new picture repaints: the last one's, when it is of the same size (the
        name pill, the quality label and the bands beside the picture stay as they are);
        None when the whole tile must be painted."""
        slot = self.store.get(self.account_id)
        if slot is None or slot.frame is None or self.picture_rect is None:
            return None
        if self._source_size != (slot.frame.width, slot.frame.height) or self.caption:
            return None
        return self.picture_rect

    def picture(self, width: int, height: int) -> QImage | None:
        slot = self.store.get(self.account_id)
        if slot is None or slot.frame is None:
            return None
        key = (slot.seq, width, height)
        if self._cache != key or self._image is None:
            # conversion and scaling in one step, only for the frame actually shown
            self._image = frame_image(slot.frame, width, height, self._convert)
            if self._image is None:
                return None
            self._cache = key
            self._source_size = (slot.frame.width, slot.frame.height)
            self.converted += 1
        self.painted_seq = slot.seq
        return self._image


class SelfView(Tile):
    """My own camera; camera off and no camera drawn as such, never black."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.source: Any = None  # a VideoSource
        self.camera_on = True
        self.mic_on = True
        self.no_camera = False
        self.state = TileState.CONNECTED
        self.radius = 8.0
        self._caption = ""
        self._key: tuple[int, int, int] | None = None
        self._sample: Any = None  # the camera's picture last looked at
        self._looked = 0.0
        self.setAccessibleName("Your video (self view)")
        self.refresh_state()

    @property
    def caption(self) -> str:
        return self._caption

    def set_source(self, source: Any, *, no_camera: bool) -> None:
        self.source, self.no_camera = source, no_camera
        self._sample = None
        self.refresh_state()

    def set_devices(self, camera_on: bool, mic_on: bool) -> None:
        self.camera_on, self.mic_on = camera_on, mic_on
        self.refresh_state()

    def refresh_state(self) -> None:
        if self.no_camera:
            self._caption = "No camera found. Others see a picture with your name."
        elif not self.camera_on:
            self._caption = "Your camera is off"
        elif self.source is None:
            self._caption = "Starting your camera…"
        else:
            self._caption = ""
        self.badges = [] if self.mic_on else ["Microphone off"]
        parts = ["camera off" if not self.camera_on else "camera on"]
        parts.append("microphone off" if not self.mic_on else "microphone on")
        self.setAccessibleDescription(", ".join(parts))
        self.update()

    def label_text(self) -> str:
        return "You"

    def due(self) -> bool:
        """At the camera's own rate (a synthetic camera draws a picture on each look)."""
        if self._caption or self.source is None:
            return False
        return time.monotonic() - self._looked >= self._period()

    def due_soon(self) -> bool:
        """Half its period gone: painted along with a remote picture (one pass for both: each
        of the self view's paints repaints the tile under it)."""
        if self._caption or self.source is None:
            return False
        return time.monotonic() - self._looked >= self._period() / 2

    def _period(self) -> float:
        return 1.0 / max(1.0, float(getattr(self.source, "fps", 30.0)))

    def picture(self, width: int, height: int) -> QImage | None:
        """The camera's newest picture at most at its rate: a repaint in between (the tile
        under the self view repainting with each of its pictures) paints the one it has."""
        now = time.monotonic()
        if self._sample is None or now - self._looked >= self._period() / 2:
            self._looked = now
            # the picture being sent where the source can say (a synthetic camera draws a
            # new one on each look): the self view draws nothing of its own
            look = getattr(self.source, "peek", None) or getattr(self.source, "latest", None)
            sample = look() if look is not None else None
            if sample is not None:
                self._sample = sample
        sample = self._sample
        if sample is None:
            return None
        key = (sample.seq, width, height)
        if key != self._key or self._image is None:
            # converted and scaled to the tile in one step, once per picture
            self._image = sample_picture(sample, width, height, self._convert)
            self._key = key
        return self._image
