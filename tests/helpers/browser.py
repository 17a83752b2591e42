"""Debian's Chromium driven by Playwright: never downloads a browser."""

from __future__ import annotations

import os
import shutil

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium")


def chromium_executable() -> str | None:
    explicit = os.environ.get("VTCONNECT_CHROMIUM")
    if explicit:
        return explicit
    for path in CANDIDATES:
        if os.path.exists(path):
            return path
    return shutil.which("chromium")


# Fake media devices so pages that call getUserMedia work on a machine with no camera or
# microphone (Chromium's own synthetic sources, clearly not real devices).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream=fps=30",
    "--autoplay-policy=no-user-gesture-required",
]
