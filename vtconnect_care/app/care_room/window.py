"""The Care Room window: the video grid, the self view and the controls floating over them.

Hamburger top left (camera, microphone, speakers: R-ROOM-3), message and participant icons
bottom left (R-ROOM-4, R-ROOM-5), End (host) or Leave (client) top right (R-ROOM-7); a click
anywhere on the video shows or hides all of these (R-ROOM-6). The window shows what the
controller says and forwards what the person asks for.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from .. import resources
from ..call.grid import FramePacer, VideoGrid
from ..call.states import CallPhase, TileState
from ..call.tiles import SelfView
from . import chat, layout, waiting_clock
from .chat import ChatPanel
from .controller import CareRoomController
from .menu import SHORTCUTS, DeviceMenuButton, icon_button
from .notice import RoomNotice
from .participants import ParticipantsPanel
from .waiting import WaitingCard, end_confirmation

TITLE = "VTConnect Care – Care Room"
TITLES = {
    CallPhase.IDLE: "Care Room",
    CallPhase.CONNECTING: "Care Room",
    CallPhase.WAITING: "Waiting room",
    CallPhase.ENDED: "The session has ended",
    CallPhase.OFFLINE: "Not connected",
}


class CareRoomWindow(QWidget):
    finished = Signal(object, bool)  # session id (or None), whether the session ended

    def __init__(self, controller: CareRoomController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        controller.setParent(self)
        self.setObjectName("CareRoom")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(resources.style("care_room"))
        self.setWindowTitle(TITLE)
        self.setWindowIcon(QIcon(str(resources.icon_path())))
        self.setAccessibleName("Care Room")
        self.setMinimumSize(720, 480)
        self.resize(1120, 720)
        self.controls_visible = True
        self.chat_open = False
        self.participants_open = False
        self.end_confirm: QMessageBox | None = None
        self._finished = False
        self._close_confirmed = False  # a host's close asks to End first (R-ROOM-7)
        self._close_after_end = False
        host = controller.hosting

        self.grid = VideoGrid(controller.frames, self)

        self.waiting = WaitingCard(host, self)
        self.waiting_title, self.waiting_text = self.waiting.title, self.waiting.text
        self.waiting_hint = self.waiting.hint
        self.begin_button, self.close_button = self.waiting.begin_button, self.waiting.close_button
        self.begin_button.clicked.connect(self._begin)
        self.close_button.clicked.connect(self.close)

        self.self_view = SelfView(controller.request.account.get("full_name", "You"), self)

        self.status = QLabel("", self)
        self.status.setObjectName("RoomStatus")
        self.status.setAccessibleName("Care Room status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice = RoomNotice(self)

        # --- the controls that a click on the video shows or hides (R-ROOM-6) ---
        self.hamburger = DeviceMenuButton(self, controller)
        self.menu = self.hamburger.devices
        self.camera_action, self.mic_action = (
            self.hamburger.camera_action,
            self.hamburger.mic_action,
        )
        self.speaker_action, self.full_action = (
            self.hamburger.speaker_action,
            self.hamburger.full_action,
        )
        self.full_action.toggled.connect(self.set_full_screen)
        self.audio_only_action = self.hamburger.audio_only_action

        # R-ROOM-7: the host has End, a client only Leave (both built; the role shows one)
        self.end_button = QPushButton("End", self)
        self.end_button.setAccessibleName("End the session for everyone")
        self.end_button.setToolTip("End the session for everyone")
        self.end_button.clicked.connect(self.ask_end)
        self.leave_button = QPushButton("Leave", self)
        self.leave_button.setAccessibleName("Leave the session")
        self.leave_button.setToolTip("Leave the session; you can re-join while it goes on")
        self.leave_button.clicked.connect(self.leave)
        for button in (self.end_button, self.leave_button):
            button.setObjectName("RoomEnd")
        self._host_shown = host
        (self.leave_button if host else self.end_button).hide()

        self.full_button = icon_button(self, "full-screen", "Full screen", SHORTCUTS["full_screen"])
        self.full_button.setCheckable(True)
        self.full_button.toggled.connect(self.full_action.setChecked)
        self.chat_button = icon_button(self, "chat", "Chat", SHORTCUTS["chat"])
        self.chat_button.setCheckable(True)
        self.chat_button.toggled.connect(self.set_chat_open)
        self.people_button = icon_button(self, "people", "Participants", SHORTCUTS["participants"])
        self.people_button.setCheckable(True)
        self.people_button.toggled.connect(self.set_participants_open)

        self.chat = ChatPanel(self)
        self.chat.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation, True)
        self.chat.send_requested.connect(controller.send_chat)
        self.chat.close_requested.connect(lambda: self.set_chat_open(False))
        self.chat.hide()
        self.participants = ParticipantsPanel(self)
        self.participants.setAttribute(Qt.WidgetAttribute.WA_NoMousePropagation, True)
        self.participants.hide()

        for key, slot in (
            ("microphone", self.mic_action.toggle),
            ("camera", self.camera_action.toggle),
            ("chat", lambda: self.set_chat_open(not self.chat_open)),
            ("participants", lambda: self.set_participants_open(not self.participants_open)),
        ):
            QShortcut(QKeySequence(SHORTCUTS[key]), self, activated=slot)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self._escape)

        self.pacer = FramePacer(self._painted_tiles, self)
        self.wait_ticker = QTimer(self, interval=waiting_clock.TICK_MS)
        self.wait_ticker.timeout.connect(self._tick_waits)  # the waiting times count on
        self.wait_ticker.start()

        c = controller
        c.phase_changed.connect(self._on_phase)
        c.status_changed.connect(self._on_status)
        c.members_changed.connect(self._on_members)
        c.tiles_changed.connect(self._on_tiles)
        c.chat_added.connect(self._on_chat)
        c.can_begin_changed.connect(self.begin_button.setEnabled)
        c.media_changed.connect(self._on_media)
        c.notices_changed.connect(self._on_notices)
        c.pauses_changed.connect(self._on_pauses)
        c.media_ready.connect(self._on_media_ready)
        c.attention.connect(self._attention)
        self.notice.changed.connect(self._place)
        self._on_members()
        self._on_phase(c.phase)
        self._place()

    # --- building helpers ---------------------------------------------------------------------

    @property
    def exit_button(self) -> QPushButton:
        """End for the host, Leave for everyone else."""
        return self.end_button if self.controller.hosting else self.leave_button

    def _apply_role(self) -> None:
        """A host who re-joins learns they host from the session itself."""
        host = self.controller.hosting
        if host == self._host_shown:
            return
        self._host_shown = host
        other = self.leave_button if host else self.end_button
        other.hide()
        self.exit_button.setVisible(
            self.controls_visible and self.controller.phase is not CallPhase.ENDED
        )
        self.waiting.set_host(host)
        self._on_phase(self.controller.phase)

    def _painted_tiles(self) -> list:
        return [*self.grid.tiles.values(), self.self_view]

    def overlay_widgets(self) -> list[QWidget]:
        """What a click on the video shows or hides (R-ROOM-6)."""
        return [
            self.hamburger,
            self.exit_button,
            self.full_button,
            self.chat_button,
            self.people_button,
        ]

    # --- showing and hiding -------------------------------------------------------------------

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self.set_controls_visible(not self.controls_visible)
        super().mouseReleaseEvent(event)

    def set_controls_visible(self, visible: bool) -> None:
        self.controls_visible = visible
        for widget in self.overlay_widgets():
            widget.setVisible(visible)
        ended = self.controller.phase in (CallPhase.ENDED, CallPhase.OFFLINE)
        self.exit_button.setVisible(visible and not ended)
        self.hamburger.setVisible(visible and not ended)
        self.chat.setVisible(visible and self.chat_open)
        self.participants.setVisible(visible and self.participants_open)
        self.notice.follow_controls(visible)
        self._place()

    def set_chat_open(self, open_: bool) -> None:
        self.chat_open = open_
        if self.chat_button.isChecked() != open_:
            self.chat_button.setChecked(open_)
        if open_ and not self.controls_visible:
            self.set_controls_visible(True)
        self.chat.setVisible(open_ and self.controls_visible)
        if open_:
            self.chat.focus_field()
        self._place()

    def set_participants_open(self, open_: bool) -> None:
        self.participants_open = open_
        if self.people_button.isChecked() != open_:
            self.people_button.setChecked(open_)
        if open_ and not self.controls_visible:
            self.set_controls_visible(True)
        self.participants.setVisible(open_ and self.controls_visible)
        self._place()

    def set_full_screen(self, on: bool) -> None:
        if self.full_button.isChecked() != on:
            self.full_button.setChecked(on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def _escape(self) -> None:
        if self.isFullScreen():
            self.full_action.setChecked(False)
        elif self.chat_open:
            self.set_chat_open(False)

    # --- geometry -----------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        layout.place(self)

    # --- the controller's news ----------------------------------------------------------------

    def _on_phase(self, phase: str) -> None:
        c = self.controller
        phase = CallPhase(phase)
        in_call = c.in_call
        ended = phase in (CallPhase.ENDED, CallPhase.OFFLINE)
        self.waiting.setVisible(not in_call)
        self.begin_button.setVisible(c.hosting and not ended and not in_call)
        self.close_button.setVisible(ended)
        self.waiting_hint.setVisible(
            phase in (CallPhase.CONNECTING, CallPhase.WAITING, CallPhase.IDLE)
        )
        title = TITLES.get(phase)
        if title is not None:
            self.waiting_title.setText(title)
        self.exit_button.setVisible(self.controls_visible and not ended)
        self.hamburger.setVisible(self.controls_visible and not ended)
        if ended:
            self.notice.clear()  # device notices no longer matter
        if phase is CallPhase.OFFLINE:  # nothing typed is silently dropped
            self.chat.set_open_for_messages(False, chat.OFFLINE, chat.OFFLINE_WHY)
        else:
            self.chat.set_open_for_messages(not ended)
        self.self_view.setVisible(not ended)
        if in_call:
            self.pacer.start()
        elif ended:
            self.pacer.stop()
            self.grid.sync([])
            if self.end_confirm is not None:
                self.end_confirm.reject()
        self._on_tiles()
        self._on_members()  # the dots: nobody is present in an ended session
        self._place()
        if ended:
            self.close_button.setFocus()
            if self._close_after_end and phase is CallPhase.ENDED:
                self.close()

    def _on_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)
        self.waiting_text.setText(text)
        self._place()

    def _on_members(self) -> None:
        c = self.controller
        self._apply_role()
        me = {
            "name": c.request.account.get("full_name", "You"),
            "status": "present",
            "role": "host" if c.hosting else "participant",
        }
        others = c.others()
        if c.phase is CallPhase.WAITING:  # issue 16: how long each has waited before Begin
            me, others, lines = waiting_clock.with_waits(c, me, others)
            self.waiting.set_times(lines)
        else:
            self.waiting.set_times([])
        if c.phase is CallPhase.ENDED:  # no green dot stays behind (issue 15 defect 4)
            me = {**me, "status": "ended"}
            others = [{**m, "status": "ended"} for m in others]
        self.participants.set_members(others, me)
        self._place()

    def _tick_waits(self) -> None:
        if self.controller.phase is CallPhase.WAITING:
            self._on_members()

    def _on_tiles(self) -> None:
        c = self.controller
        in_call = c.in_call
        people = []
        if in_call:
            for account_id in c.present_others():
                state = c.tile_states.get(account_id, TileState.CONNECTING)
                people.append(
                    (account_id, c.name_of(account_id), state, c.camera_off.get(account_id, False))
                )
        self.grid.sync(people)
        for account_id, tile in self.grid.tiles.items():
            tile.set_quality(c.quality.get(account_id))
            tile.set_paused(c.pauses.caption(account_id, c.name_of(account_id)))
        self.waiting.setVisible(not in_call)
        self.status.setVisible(in_call)  # before the call, the waiting card says it
        self._place()

    def _on_chat(self, message: dict, incoming: bool) -> None:
        sender = message.get("sender_id")
        self.chat.add(message, mine=sender is not None and sender == self.controller.my_id)
        if incoming:  # R-ROOM-4: an incoming message opens the chat by itself
            if not self.chat_open:
                self.set_chat_open(True)

    def _on_media(self, device: str, on: bool) -> None:
        c = self.controller
        self.self_view.set_devices(c.camera_on, c.mic_on)
        action = {
            "camera": self.camera_action,
            "microphone": self.mic_action,
            "speaker": self.speaker_action,
            "audio_only": self.audio_only_action,
        }[device]
        if action.isChecked() != on:
            action.setChecked(on)

    def _on_notices(self, notices: list[str]) -> None:
        self.notice.show_notices(notices, self.controller.pauses.notice(), self.controls_visible)
        self._place()

    def _on_pauses(self) -> None:
        self._on_notices(self.controller.notices)
        self._on_tiles()

    def _attention(self, title: str, text: str) -> None:
        """The first arrival on the desktop too: behind other windows, the host still hears
        the ding and sees the notification (the taskbar entry asks for attention)."""
        notifier = self.controller.request.notifier
        if notifier is not None:
            notifier.notify(title, text, self)

    def _on_media_ready(self) -> None:
        c = self.controller
        if c.media is not None:
            self.self_view.set_source(c.media.camera, no_camera="camera" in c.missing)
        self.pacer.start()

    # --- intent ---------------------------------------------------------------------------------

    def _begin(self) -> None:
        self.begin_button.setEnabled(False)
        self.controller.begin()

    def ask_end(self, *, closing: bool = False) -> None:
        """R-ROOM-7: End asks for confirmation, then ends the session for everyone."""
        if self.end_confirm is not None:
            self.end_confirm.raise_()
            return
        box, self.confirm_end_button = end_confirmation(self)
        self.end_confirm = box

        def done(_result: int) -> None:
            if box.clickedButton() is self.confirm_end_button:
                self._close_after_end = closing
                self.controller.end()
            self.end_confirm = None
            box.deleteLater()

        box.finished.connect(done)
        box.open()

    def leave(self) -> None:
        """A client leaves (R-ROOM-8: the host is told); they may re-join (R-ROOM-9)."""
        self.controller.close(leave=True)
        self.close()

    # --- close ----------------------------------------------------------------------------------

    def force_close(self) -> None:
        """Close without asking (app shutdown, tests): a host then only hangs up."""
        self._close_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        c = self.controller
        live = c.phase.live
        if c.hosting and live and not self._close_confirmed:
            event.ignore()  # the practitioner ends the session rather than walk away from it
            self.ask_end(closing=True)
            return
        self.pacer.stop()
        self.wait_ticker.stop()
        session_id = c.session_id
        ended = c.phase is CallPhase.ENDED
        if c.phase is not CallPhase.CLOSED:
            # closing the window: a client leaves; a host only hangs up (the place is kept)
            c.close(leave=not c.hosting and not ended)
        if not self._finished:
            self._finished = True
            self.finished.emit(session_id, ended)
        super().closeEvent(event)
