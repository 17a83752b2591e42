"""The Care Room's hamburger: camera, microphone and speakers on and off (R-ROOM-3), full
screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from .. import resources
from ..call.pauses import AUDIO_ONLY, AUDIO_ONLY_TIP

ICON_COLOUR = "#f5f7fa"
SHORTCUTS = {
    "microphone": "Ctrl+M",
    "camera": "Ctrl+E",
    "chat": "Ctrl+T",
    "participants": "Ctrl+P",
    "full_screen": "F11",
}


def icon_button(parent: QWidget, kind: str, name: str, shortcut: str) -> QToolButton:
    """One of the room's round icon buttons, named and with its shortcut in the tooltip."""
    button = QToolButton(parent)
    button.setObjectName("RoomIcon")
    button.setIcon(resources.icon(kind, ICON_COLOUR))
    button.setIconSize(QSize(22, 22))
    button.setAccessibleName(name)
    button.setToolTip(f"{name} ({shortcut})")
    return button


class DeviceMenuButton(QToolButton):
    """The hamburger and its menu; the actions belong to ``owner`` (the room window)."""

    def __init__(self, owner: QWidget, controller) -> None:
        super().__init__(owner)
        self.owner = owner
        self.setObjectName("RoomIcon")
        self.setIcon(resources.icon("hamburger", ICON_COLOUR))
        self.setIconSize(QSize(22, 22))
        self.setAccessibleName("Menu: camera, microphone and speakers")
        self.setToolTip("Camera, microphone and speakers")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.devices = QMenu(self)
        self.devices.setAccessibleName("Devices")
        self.camera_action = self._toggle("Camera", "camera", controller.set_camera)
        self.mic_action = self._toggle("Microphone", "microphone", controller.set_microphone)
        self.speaker_action = self._toggle("Speakers", None, controller.set_speakers)
        self.audio_only_action = QAction(AUDIO_ONLY, owner)
        self.audio_only_action.setCheckable(True)
        self.audio_only_action.setToolTip(AUDIO_ONLY_TIP)
        self.audio_only_action.setStatusTip(AUDIO_ONLY_TIP)
        self.audio_only_action.toggled.connect(controller.set_audio_only)
        self.devices.addAction(self.audio_only_action)
        self.devices.addSeparator()
        self.full_action = QAction("Full screen", owner)
        self.full_action.setCheckable(True)
        self.full_action.setShortcut(QKeySequence(SHORTCUTS["full_screen"]))
        self.devices.addAction(self.full_action)
        self.setMenu(self.devices)

    def _toggle(self, text: str, key: str | None, setter: Callable[[bool], None]) -> QAction:
        action = QAction(text, self.owner)
        action.setCheckable(True)
        action.setChecked(True)
        if key:
            action.setShortcut(QKeySequence(SHORTCUTS[key]))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the window's own
        action.toggled.connect(setter)
        action.toggled.connect(lambda on, t=text: action.setText(t if on else f"{t} (off)"))
        self.devices.addAction(action)
        return action
