"""What the self-test's checks share: their failure, the synthetic camera's name, the build."""

from __future__ import annotations

import sys

CAMERA_NAME = "Self Test"
# Qt platform for the checks; offscreen unless set (xcb or wayland: check the real display too).
PLATFORM_ENV = "VTCONNECT_SELF_TEST_PLATFORM"


class CheckError(Exception):
    """A check's own sentence for what is wrong."""


def frozen() -> bool:
    """True in the PyInstaller package."""
    return bool(getattr(sys, "frozen", False))


def version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(distribution)
    except PackageNotFoundError:
        module = sys.modules.get(distribution)
        return getattr(module, "__version__", "?")
