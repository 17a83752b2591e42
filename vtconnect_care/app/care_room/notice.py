"""The room's notice line: the devices' notices (shown with the controls) and the call's own."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLabel, QWidget


class RoomNotice(QLabel):
    """What happens to the call itself (video paused, audio only) shows even while the controls
    are hidden; the devices' notices only with them."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("", parent)
        self.setObjectName("RoomNotice")
        self.setAccessibleName("Device notices")
        self.setWordWrap(True)
        self.call_notice = ""
        self.hide()

    def show_notices(self, devices: Sequence[str], call: str, controls_visible: bool) -> None:
        self.call_notice = call
        self.setText("\n".join(n for n in (*devices, call) if n))
        self.follow_controls(controls_visible)

    def follow_controls(self, controls_visible: bool) -> None:
        self.setVisible(bool(self.text()) and (controls_visible or bool(self.call_notice)))
