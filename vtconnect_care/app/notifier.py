"""Telling the person something happened while they look elsewhere: a desktop notification
(the system tray's message, where the platform has a tray) and the window's taskbar entry asking
for attention, and the ding outside a call (through the speaker chosen in the device panel).

``Notifier`` is the seam: the app passes ``DesktopNotifier``; tests pass a recording fake.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from . import resources
from .devices import choose_device, open_device

log = logging.getLogger("vtconnect.app.notify")

SHOWN_MS = 10_000


class Notifier(Protocol):
    def notify(self, title: str, text: str, window: QWidget | None = None) -> None:
        """Say ``title`` (and ``text``) on the desktop; ``window`` asks for attention."""
        ...


def arrived(name: str) -> tuple[str, str]:
    """R-ROOM-2: the first arrival in the Care Room, for the host."""
    return f"{name} has arrived", "They are in the Care Room: click Begin to start the session."


def hosted(host: str) -> tuple[str, str]:
    """R-ROOM-1: a client is being hosted."""
    return (
        f"{host} is hosting you",
        f"{host} has opened a Care Session for you: choose Join in VTConnect Care.",
    )


class DesktopNotifier:
    """QSystemTrayIcon.showMessage where the platform supports it (Windows, macOS, most Linux
    desktops); everywhere, QApplication.alert on the window (its taskbar entry flashes), so it
    also reaches a person whose window is behind others or minimised. A click on the message
    brings the window to the front."""

    def __init__(self) -> None:
        self._tray: QSystemTrayIcon | None = None
        self._window: QWidget | None = None
        self.last: tuple[str, str] | None = None  # what was said last (for the self-test)

    @staticmethod
    def tray_supported() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and self.tray_supported():
            tray = QSystemTrayIcon(QIcon(str(resources.icon_path())))
            tray.setToolTip("VTConnect Care")
            tray.messageClicked.connect(self._bring_forward)
            tray.show()
            self._tray = tray
        return self._tray

    def notify(self, title: str, text: str, window: QWidget | None = None) -> None:
        self.last = (title, text)
        self._window = window
        tray = self._tray_icon()
        if tray is not None:
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, SHOWN_MS)
        else:
            log.info("no system tray here: the notification is the window's attention request")
        if window is not None:
            QApplication.alert(window, 0)  # until the window is activated

    def _bring_forward(self) -> None:
        window = self._window
        if window is not None:
            if window.isMinimized():
                window.showNormal()
            window.raise_()
            window.activateWindow()

    def close(self) -> None:
        """At exit (idempotent): the tray icon goes."""
        if self._tray is not None:
            self._tray.hide()
            self._tray.deleteLater()
            self._tray = None


async def play_ding(provider: Any, settings: Any = None) -> bool:
    """The ding through the chosen speaker, outside a call (a client being hosted). False
    when there is no speaker to play it on (then the system's own beep)."""
    from .care_room import sounds

    preferred = settings.device("speaker") if settings is not None else None
    device = await asyncio.to_thread(choose_device, provider, "speaker", preferred)
    sink = await asyncio.to_thread(open_device, provider, "speaker", device, start=True)
    if sink is None:
        QApplication.beep()
        return False
    try:
        await sounds.SoundPlayer().play("ding", sounds.ding(), sink)
        await asyncio.sleep(0.3)  # let the last piece play out before the device closes
    finally:
        await asyncio.to_thread(sink.close)
    return True
