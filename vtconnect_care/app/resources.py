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
