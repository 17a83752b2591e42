"""The visit icons (SVG files in resources/icons): the virtual-visit icon (R-VISIT-1) and the
four video controls (R-VISIT-10)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from .. import resources

ON_DARK = "#ffffff"


def virtual_icon(size: int = 22) -> QIcon:
    """R-VISIT-1: a video camera in a green disc, beside every virtual visit."""
    return resources.icon("virtual", size=size * 2)


def in_person_icon(size: int = 22) -> QIcon:
    """A plain grey dot: the same width as the virtual icon, so that the rows line up."""
    return resources.icon("in-person", size=size * 2)


def hang_up_icon(size: int = 32) -> QIcon:
    return resources.icon("hang-up", ON_DARK, size * 2)


def switch_camera_icon(size: int = 32) -> QIcon:
    return resources.icon("switch-camera", ON_DARK, size * 2)


def camera_icon(size: int = 32, *, on: bool = True) -> QIcon:
    return resources.icon("camera" if on else "camera-off", ON_DARK, size * 2)


def mic_icon(size: int = 32, *, on: bool = True) -> QIcon:
    return resources.icon("mic" if on else "mic-off", ON_DARK, size * 2)
