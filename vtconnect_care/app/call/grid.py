"""The grid that lays remote tiles out for their number, and the pacer that repaints tiles at
the display's pace (never queued)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from .frames import FrameStore
from .states import TileState
from .tiles import RemoteTile

ASPECT = 4 / 3


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
        self._order: list[RemoteTile] = []
        self.setAccessibleName("Video of the other people")

    def sync(self, people: list[tuple[int, str, TileState, bool]]) -> None:
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

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._layout()

    def _layout(self) -> None:
        order = self._order
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
        tiles = [t for t in self._tiles() if t.isVisible()]
        painted = False
        for tile in tiles:
            if tile.due():
                painted = painted or hasattr(tile, "new_picture_rect")
                # only the picture's area when only the picture changed
                rect = tile.new_picture_rect() if hasattr(tile, "new_picture_rect") else None
                if rect is not None:
                    tile.update(rect)
                else:
                    tile.update()
        if painted:  # a remote picture goes up: a self view nearly due goes with it
            for tile in tiles:
                if getattr(tile, "due_soon", None) is not None and tile.due_soon():
                    tile.update()
