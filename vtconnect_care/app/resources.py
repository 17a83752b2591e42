"""Paths to the app's icons, style sheet and sounds (source tree or installed package)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    for candidate in (_HERE.parent / "resources", _HERE.parents[1] / "resources"):
        if (candidate / "style.qss").is_file():
            return candidate
    raise FileNotFoundError("the app's resources folder is missing")


def path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def icon_path() -> Path:
    return path("icons", "vtconnect-care.svg")


def ding_path() -> Path:
    return path("sounds", "ding.wav")


def style_sheet() -> str:
    """The style sheet, with ``@ICONS@`` pointing at the icons folder (Qt needs a path)."""
    icons = path("icons").as_posix()
    return path("style.qss").read_text(encoding="utf-8").replace("@ICONS@", icons)


def style(name: str) -> str:
    """A window's own style sheet, ``resources/<name>.qss`` (``@ICONS@`` as above)."""
    icons = path("icons").as_posix()
    return path(f"{name}.qss").read_text(encoding="utf-8").replace("@ICONS@", icons)


def icon(name: str, colour: str | None = None, size: int = 48):
    """The SVG icon ``resources/icons/<name>.svg`` as a QIcon; ``colour`` replaces the file's
    ``currentColor`` so one file serves light and dark backgrounds."""
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    data = path("icons", f"{name}.svg").read_text(encoding="utf-8")
    if colour is not None:
        data = data.replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(data.encode("utf-8")))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return QIcon(QPixmap.fromImage(image))
