"""The room's notice line: the devices' notices (shown with the controls) and the call's own."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

DEVICE_NOTICE_MS = 10_000  # how long "No camera is available…" stays (issue 15 defect 3)


class RoomNotice(QLabel):
    """What happens to the call itself (video paused, audio only) shows even while the controls
    are hidden, as long as it lasts; the devices' notices only with the controls, and only for
    a while (the self view and the menu keep saying it): a click dismisses them sooner."""

    changed = Signal()  # shown, hidden or reworded: the window places it again

    def __init__(self, parent: QWidget, *, device_ms: int = DEVICE_NOTICE_MS) -> None:
        super().__init__("", parent)
        self.setObjectName("RoomNotice")
        self.setAccessibleName("Device notices")
        self.setToolTip("Click to dismiss")
        self.setWordWrap(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.call_notice = ""
        self.devices: tuple[str, ...] = ()
        self.dismissed: set[str] = set()  # device notices already shown for their time
        self._controls_visible = True
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(device_ms)
        self.timer.timeout.connect(self.dismiss)
        self.hide()

    def show_notices(self, devices: Sequence[str], call: str, controls_visible: bool) -> None:
        self.call_notice = call
        self.devices = tuple(n for n in devices if n and n not in self.dismissed)
        if self.devices and not self.timer.isActive():
            self.timer.start()
        self.setText("\n".join(n for n in (*self.devices, call) if n))
        self.follow_controls(controls_visible)

    def dismiss(self) -> None:
        """The device notices go (timer or click); the call's own stays while it is true."""
        self.timer.stop()
        self.dismissed.update(self.devices)
        self.show_notices((), self.call_notice, self._controls_visible)

    def clear(self) -> None:
        self.timer.stop()
        self.devices, self.call_notice = (), ""
        self.setText("")
        self.follow_controls(self._controls_visible)

    def follow_controls(self, controls_visible: bool) -> None:
        self._controls_visible = controls_visible
        shown = bool(self.text()) and (controls_visible or bool(self.call_notice))
        self.setVisible(shown)
        self.changed.emit()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.devices:
            self.dismiss()
            event.accept()
            return
        super().mouseReleaseEvent(event)
