"""The visit's video window: the client's video, the self view in the bottom right, hang up,
switch camera, camera on/off and mute at the bottom (R-VISIT-10; their labels show in full
screen), the notices of R-VISIT-9, 11 and 12, and the visit's notes beside the video.

Closing the window is not ending the session (R-VISIT-14): only Hang up ends it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QImage, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import resources
from ..widgets import scaled_font
from . import icons
from .notes import NotesPanel

STAGE = QColor("#1b2329")
REPAINT_MS = 33
FLASH_MS = 4000  # how long a passing answer (e.g. switch camera) stays before the call's notice
WAITING_TEXT = "Waiting for the client's video…"

STYLE = """
#VideoArea { background: #1b2329; }
#CallNotice { border-radius: 8px; padding: 10px 12px; font-size: 14px; }
#CallNotice[kind="info"] { background: #e8f4f6; color: #1f4f5a; border: 1px solid #b6dde3; }
#CallNotice[kind="warning"] { background: #fff7e0; color: #5c4300; border: 1px solid #f0d48a; }
#CallNotice[kind="error"] { background: #fdecec; color: #8a1c1c; border: 1px solid #f5b5b5; }
#CallNotice[kind="over"] { background: #e7f6ee; color: #1d5e3d; border: 1px solid #a8dcc0; }
QToolButton#CallControl { background: #3a4852; color: #ffffff; border: 2px solid transparent;
    border-radius: 28px; padding: 10px; min-width: 36px; min-height: 36px; font-size: 13px; }
QToolButton#CallControl:hover { background: #4a5a66; }
QToolButton#CallControl:focus { border: 2px solid #8fd3df; }
QToolButton#CallControl[labelled="true"], QToolButton#HangUp[labelled="true"] {
    border-radius: 14px; min-width: 104px; min-height: 64px; padding: 6px 10px; }
QToolButton#FullScreen { background: #3a4852; color: #ffffff; border: 2px solid transparent;
    border-radius: 10px; padding: 10px 14px; min-width: 120px; font-size: 13px; }
QToolButton#FullScreen:focus { border: 2px solid #8fd3df; }
QToolButton#CallControl:checked { background: #c9d3da; color: #1b2329; }
QToolButton#CallControl:disabled { background: #2b353c; color: #6f7d87; }
QToolButton#HangUp { background: #c62f2f; color: #ffffff; border: 2px solid transparent;
    border-radius: 28px; padding: 10px; min-width: 52px; min-height: 36px; font-size: 13px; }
QToolButton#HangUp:hover { background: #a82525; }
QToolButton#HangUp:focus { border: 2px solid #ffd0d0; }
QToolButton#HangUp:disabled { background: #5a3535; color: #b89a9a; }
#NotesPanel { background: #ffffff; border-left: 1px solid #dde3e8; }
"""


def _image_from_frame(frame: Any, size: QSize) -> QImage | None:
    """The client's picture, scaled by libswscale to fit ``size`` with its aspect kept."""
    try:
        w, h = frame.width, frame.height
        scale = min(size.width() / w, size.height() / h)
        tw, th = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
        rgb = np.ascontiguousarray(frame.to_ndarray(format="rgb24", width=tw, height=th))
    except Exception:  # noqa: BLE001 - an odd frame is skipped
        return None
    return QImage(rgb.data, tw, th, rgb.strides[0], QImage.Format.Format_RGB888).copy()


class SelfView(QWidget):
    """How the client sees you (R-VISIT-10): the local camera's newest picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Self view: how the client sees you")
        self.source: Any = None  # a VideoSource (latest() -> VideoSample)
        self.camera_on = True
        self._seq = -1

    def tick(self) -> None:
        sample = self.source.latest() if self.source is not None else None
        if sample is not None and sample.seq != self._seq:
            self._seq = sample.seq
            self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.fillRect(self.rect(), QColor("#27323a"))
        sample = self.source.latest() if self.source is not None else None
        if sample is not None and self.camera_on:
            img = np.ascontiguousarray(sample.image)
            image = QImage(
                img.data, img.shape[1], img.shape[0], img.strides[0], QImage.Format.Format_BGR888
            )
            p.drawImage(self.rect(), image)
        else:
            p.setPen(QColor("#c5ced6"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Camera off")
        p.setPen(QColor("#ffffff"))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        p.end()


class VideoStage(QWidget):
    """The client's video filling the stage, the self view in its bottom-right corner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VideoArea")
        self.setAccessibleName("The client's video")
        self.setMinimumSize(480, 360)
        self.frame: Any = None
        self.caption = WAITING_TEXT
        self.name = ""  # the client's name, shown on their video
        self.self_view = SelfView(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        w = max(160, self.width() // 4)
        h = w * 3 // 4
        margin = 14
        self.self_view.setGeometry(
            QRect(self.width() - w - margin, self.height() - h - margin, w, h)
        )

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.fillRect(self.rect(), STAGE)
        image = _image_from_frame(self.frame, self.size()) if self.frame is not None else None
        if image is not None:
            x = (self.width() - image.width()) // 2
            y = (self.height() - image.height()) // 2
            p.drawImage(x, y, image)
            if self.name:  # whose video this is, bottom left, clear of the self view
                metrics = p.fontMetrics()
                box = QRect(
                    x + 12, y + image.height() - 40, metrics.horizontalAdvance(self.name) + 20, 28
                )
                p.fillRect(box, QColor(0, 0, 0, 150))
                p.setPen(QColor("#ffffff"))
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, self.name)
        else:
            p.setPen(QColor("#c5ced6"))
            p.setFont(scaled_font(p.font(), 1.2))
            p.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.caption,
            )
        p.end()


def _control(text: str, icon, name: str = "CallControl", *, checkable=False) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setText(text)
    button.setIcon(icon)
    button.setIconSize(QSize(30, 30))
    button.setAccessibleName(text)
    button.setToolTip(text)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    return button


class VideoWindow(QWidget):
    """Displays a ``VisitCall`` and forwards the person's intent; decides nothing itself."""

    hang_up_requested = Signal()
    resend_requested = Signal()
    switch_camera_requested = Signal()
    mute_toggled = Signal(bool)  # True: muted
    camera_toggled = Signal(bool)  # True: camera off
    closed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setStyleSheet(STYLE)
        try:
            from PySide6.QtGui import QIcon

            self.setWindowIcon(QIcon(str(resources.icon_path())))
        except FileNotFoundError:
            pass
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        left = QFrame()
        left.setObjectName("VideoArea")
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(16, 16, 16, 12)
        left_lay.setSpacing(10)
        self.notice_box = QFrame()
        self.notice_box.setObjectName("CallNotice")
        notice_lay = QHBoxLayout(self.notice_box)
        notice_lay.setContentsMargins(0, 0, 0, 0)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Video session message")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        notice_lay.addWidget(self.notice, 1)
        self.resend = QPushButton("Resend invite")
        self.resend.setAccessibleName("Resend invite to client")
        self.resend.clicked.connect(self.resend_requested)
        self.resend.hide()
        notice_lay.addWidget(self.resend)
        self.notice_box.hide()
        left_lay.addWidget(self.notice_box)
        self.stage = VideoStage()
        left_lay.addWidget(self.stage, 1)

        bar = QHBoxLayout()
        self.bar = bar
        bar.setSpacing(14)
        bar.addStretch(1)
        self.mute = _control("Mute", icons.mic_icon(on=True), checkable=True)
        self.mute.toggled.connect(self._mute_toggled)
        self.camera = _control("Camera off", icons.camera_icon(on=True), checkable=True)
        self.camera.toggled.connect(self._camera_toggled)
        self.switch = _control("Switch camera", icons.switch_camera_icon())
        self.switch.clicked.connect(self.switch_camera_requested)
        self.hang_up = _control("Hang up", icons.hang_up_icon(), "HangUp")
        self.hang_up.clicked.connect(self.hang_up_requested)
        self.full_screen = _control(
            "Full screen", icons.camera_icon(), "FullScreen", checkable=True
        )
        self.full_screen.setText("Full screen")
        self.full_screen.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.full_screen.toggled.connect(self._full_screen_toggled)
        self.controls = [self.hang_up, self.switch, self.camera, self.mute]
        for button in self.controls:
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.full_screen)
        left_lay.addLayout(bar)
        outer.addWidget(left, 1)

        self.notes = NotesPanel()
        self.notes.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.notes.setFixedWidth(340)
        outer.addWidget(self.notes)

        QShortcut(QKeySequence("Ctrl+M"), self).activated.connect(self.mute.toggle)
        QShortcut(QKeySequence("Ctrl+E"), self).activated.connect(self.camera.toggle)
        QShortcut(QKeySequence(Qt.Key.Key_F11), self).activated.connect(self.full_screen.toggle)
        self.mute.setToolTip("Mute (Ctrl+M)")
        self.camera.setToolTip("Camera off (Ctrl+E)")
        self.full_screen.setToolTip("Full screen: shows the button labels (F11)")
        self.setTabOrder(self.hang_up, self.switch)
        self.setTabOrder(self.switch, self.camera)
        self.setTabOrder(self.camera, self.mute)
        self.setTabOrder(self.mute, self.full_screen)
        self.setTabOrder(self.full_screen, self.notes.editor)

        self._frame_source: Any = None
        self._timer = QTimer(self, interval=REPAINT_MS)
        self._timer.timeout.connect(self._tick)
        self._seen = -1
        self._lasting: tuple[str, str] = ("", "info")  # the call's notice under a flash
        self._flash_timer = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self.show_notice(*self._lasting))
        self.resize(1180, 720)

    # --- display -----------------------------------------------------------------------------

    def watch(self, call: Any) -> None:
        """Repaint from ``call.last_frame`` and the local camera at the display's pace."""
        self._frame_source = call
        self._timer.start()

    def set_self_source(self, source: Any) -> None:
        self.stage.self_view.source = source

    def _tick(self) -> None:
        call = self._frame_source
        if call is not None and call.frames != self._seen:
            self._seen = call.frames
            self.stage.frame = call.last_frame
            self.stage.update()
        self.stage.self_view.tick()

    def flash(self, text: str) -> None:
        """A passing answer, then back to the call's own notice."""
        lasting = self._lasting
        self.show_notice(text, "info")
        self._lasting = lasting
        self._flash_timer.start()

    def show_notice(self, text: str, kind: str = "info") -> None:
        self._flash_timer.stop()
        self._lasting = (text, kind)
        self.notice.setText(text)
        self.notice.setAccessibleDescription(text)
        self.notice_box.setProperty("kind", kind)
        self.notice_box.style().unpolish(self.notice_box)
        self.notice_box.style().polish(self.notice_box)
        self.notice_box.setVisible(bool(text))
        self.resend.setVisible(text.startswith("The client has not joined"))
        if kind == "over":
            self.stage.frame = None
            self.stage.caption = text
            self.stage.update()

    def set_state(self, state: str) -> None:
        over = state in ("over", "failed")
        for button in self.controls:
            button.setEnabled(not over)
        if state in ("waiting", "client_left", "joining"):
            self.stage.frame = None
            self.stage.caption = WAITING_TEXT
            self.stage.update()
        if over:
            self._timer.stop()
            self.stage.self_view.source = None
            self.stage.self_view.update()

    def _mute_toggled(self, muted: bool) -> None:
        text = "Unmute" if muted else "Mute"
        self.mute.setText(text)
        self.mute.setAccessibleName(text)
        self.mute.setIcon(icons.mic_icon(on=not muted))
        self.mute_toggled.emit(muted)

    def _camera_toggled(self, off: bool) -> None:
        text = "Camera on" if off else "Camera off"
        self.camera.setText(text)
        self.camera.setAccessibleName(text)
        self.camera.setIcon(icons.camera_icon(on=not off))
        self.stage.self_view.camera_on = not off
        self.stage.self_view.update()
        self.camera_toggled.emit(off)

    def _full_screen_toggled(self, on: bool) -> None:
        (self.showFullScreen if on else self.showNormal)()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.WindowStateChange:
            full = self.isFullScreen()
            style = (
                Qt.ToolButtonStyle.ToolButtonTextUnderIcon
                if full
                else Qt.ToolButtonStyle.ToolButtonIconOnly
            )
            for button in self.controls:
                button.setToolButtonStyle(style)
                button.setProperty("labelled", full)
                button.style().unpolish(button)
                button.style().polish(button)
                button.updateGeometry()
            self.bar.invalidate()
            QTimer.singleShot(0, self.bar.activate)
            self.full_screen.blockSignals(True)
            self.full_screen.setChecked(full)
            self.full_screen.setText("Exit full screen" if full else "Full screen")
            self.full_screen.setAccessibleName(self.full_screen.text())
            self.full_screen.blockSignals(False)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()
        self.closed.emit()
        super().closeEvent(event)
