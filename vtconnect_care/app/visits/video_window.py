"""The visit's video window: the client's video, the self view in the bottom right, hang up,
switch camera, camera on/off and mute at the bottom (R-VISIT-10; their labels show in full
screen), the notices of R-VISIT-9, 11 and 12, and the visit's notes beside the video.

Closing the window is not ending the session (R-VISIT-14): only Hang up ends it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
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
from ..call.frames import FrameStore
from ..call.grid import FramePacer
from ..call.pauses import AUDIO_ONLY, AUDIO_ONLY_TIP, VIDEO_BACK
from ..call.states import TileState
from ..call.tiles import RemoteTile, SelfView
from . import icons
from .notes import NotesPanel

FLASH_MS = 4000  # how long a passing answer (e.g. switch camera) stays before the call's notice
WAITING_TEXT = "Waiting for the client's video…"


class ClientTile(RemoteTile):
    """The client's picture; while the call waits or is over, a caption instead of a stale
    last picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, "", FrameStore(), parent, waiting_text=WAITING_TEXT)
        self.radius = 0.0
        self.blank_text: str | None = WAITING_TEXT

    @property
    def caption(self) -> str:
        return self.blank_text if self.blank_text is not None else super().caption

    def label_text(self) -> str:
        return self.name

    def _draw_label(self, p, rect) -> None:
        if not self.name:
            return
        if self.blank_text is not None:  # waiting: the caption says it, not a state badge
            badges, self.badges = self.badges, []
            super()._draw_label(p, rect)
            self.badges = badges
            return
        super()._draw_label(p, rect)


class VideoStage(QWidget):
    """The client's video filling the stage, the self view in its bottom-right corner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VideoArea")
        self.setAccessibleName("The client's video")
        self.setMinimumSize(480, 360)
        self.client = ClientTile(self)
        self.self_view = SelfView("You", self)
        self.self_view.setAccessibleName("Self view: how the client sees you")

    @property
    def name(self) -> str:
        return self.client.name

    @name.setter
    def name(self, value: str) -> None:
        self.client.name = value
        self.client.setAccessibleName(f"Video of {value}")

    @property
    def frame(self) -> Any:
        """The client's picture on show (None while a caption stands instead)."""
        if self.client.blank_text is not None:
            return None
        slot = self.client.store.get(self.client.account_id)
        return slot.frame if slot is not None else None

    def watch(self, store: FrameStore, account_id: int) -> None:
        self.client.store, self.client.account_id = store, account_id
        self.client.blank_text = None
        self.client.update()

    def show_caption(self, text: str | None) -> None:
        """A caption instead of the picture (None: the picture again)."""
        self.client.blank_text = text
        self.client.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.client.setGeometry(self.rect())
        w = max(160, self.width() // 4)
        h = w * 3 // 4
        margin = 14
        self.self_view.setGeometry(
            QRect(self.width() - w - margin, self.height() - h - margin, w, h)
        )
        self.self_view.raise_()


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
    audio_only_toggled = Signal(bool)  # True: audio only
    closed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setStyleSheet(resources.style("visit_call"))
        self.setWindowIcon(QIcon(str(resources.icon_path())))
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
        self.audio_only = _control(
            AUDIO_ONLY, icons.camera_icon(on=False), "FullScreen", checkable=True
        )
        self.audio_only.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)  # in words
        self.audio_only.setToolTip(AUDIO_ONLY_TIP)
        self.audio_only.toggled.connect(self.audio_only_toggled)
        self.hang_up = _control("Hang up", icons.hang_up_icon(), "HangUp")
        self.hang_up.clicked.connect(self.hang_up_requested)
        self.full_screen = _control(
            "Full screen", icons.camera_icon(), "FullScreen", checkable=True
        )
        self.full_screen.setText("Full screen")
        self.full_screen.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.full_screen.toggled.connect(self._full_screen_toggled)
        self.controls = [self.hang_up, self.switch, self.camera, self.mute]  # R-VISIT-10
        for button in self.controls:
            bar.addWidget(button)
        # the session is over: "You can now close the page", and here is how (issue 15 defect 8)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("CloseWindow")
        self.close_button.setAccessibleName("Close this window")
        self.close_button.clicked.connect(self.close)
        self.close_button.hide()
        bar.addWidget(self.close_button)
        bar.addStretch(1)
        bar.addWidget(self.audio_only)  # beside the four of R-VISIT-10, not among them
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
        self.setTabOrder(self.mute, self.audio_only)
        self.setTabOrder(self.audio_only, self.full_screen)
        self.setTabOrder(self.full_screen, self.notes.editor)

        self.pacer = FramePacer(lambda: [self.stage.client, self.stage.self_view], self)
        self._lasting: tuple[str, str] = ("", "info")  # the call's notice under a flash
        self._flash_timer = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self.show_notice(*self._lasting))
        self.resize(1180, 720)

    # --- display -----------------------------------------------------------------------------

    def watch(self, call: Any) -> None:
        """Paint the client's newest picture and the local camera at the display's pace."""
        self.stage.watch(call.frames, call.client_id)
        call.tiles_changed.connect(lambda: self._sync_tile(call))
        call.pauses_changed.connect(lambda: self._sync_pauses(call))
        self._sync_tile(call)
        self.pacer.start()

    def _sync_tile(self, call: Any) -> None:
        """The client's connection as the call judges it, in words on their video."""
        state = call.tile_states.get(call.client_id, TileState.CONNECTING)
        self.stage.client.set_state(state, call.camera_off.get(call.client_id, False))
        self.stage.client.set_quality(call.quality.get(call.client_id))

    def _sync_pauses(self, call: Any) -> None:
        """Video paused (audio only, or a weak path): the client's tile and the call's notice."""
        client = self.stage.client
        client.set_paused(call.pauses.caption(call.client_id, client.name))
        if self.audio_only.isChecked() != call.pauses.audio_only:
            self.audio_only.setChecked(call.pauses.audio_only)
        if not call.notice:  # the visit's own notices (R-VISIT-9, 11, 12) come first
            text = call.pauses.notice()
            self.show_notice(text, "info" if text in ("", VIDEO_BACK) else "warning")

    def set_self_source(self, source: Any, *, no_camera: bool = False) -> None:
        self.stage.self_view.set_source(source, no_camera=no_camera)

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
            self.stage.show_caption(text)

    def set_state(self, state: str) -> None:
        over = state in ("over", "failed")
        for button in (*self.controls, self.audio_only):
            button.setEnabled(not over)
        if state in ("waiting", "client_left", "joining"):
            self.stage.show_caption(WAITING_TEXT)
        elif state == "in_call":
            self.stage.show_caption(None)
        self.close_button.setVisible(over)
        if over:
            self.pacer.stop()
            self.stage.self_view.set_source(None, no_camera=False)
            self.stage.self_view.hide()  # no camera is starting: the call is over
            self.close_button.setFocus()

    def _mute_toggled(self, muted: bool) -> None:
        text = "Unmute" if muted else "Mute"
        self.mute.setText(text)
        self.mute.setAccessibleName(text)
        self.mute.setIcon(icons.mic_icon(on=not muted))
        self.stage.self_view.set_devices(self.stage.self_view.camera_on, not muted)
        self.mute_toggled.emit(muted)

    def _camera_toggled(self, off: bool) -> None:
        text = "Camera on" if off else "Camera off"
        self.camera.setText(text)
        self.camera.setAccessibleName(text)
        self.camera.setIcon(icons.camera_icon(on=not off))
        self.stage.self_view.set_devices(not off, self.stage.self_view.mic_on)
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
        self.pacer.stop()
        self.closed.emit()
        super().closeEvent(event)
