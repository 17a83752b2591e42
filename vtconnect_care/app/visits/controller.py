"""Decides what the Schedule view, the visit dialog and the video window do: loads visits,
performs the dialog's actions through the visit API (the server is the truth), opens the
video call with its notes. Every network call is awaited off the Qt thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from vtconnect_care.client.portal_api import PortalError, SessionExpired
from vtconnect_care.client.visits_api import VisitsApi
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.times import hhmm

from .. import local_time
from ..tasks import TaskGroup
from .call import VisitCall
from .drafts import DraftStore, default_dir
from .notes import NotesAutosaver
from .schedule_view import ScheduleView
from .video_window import VideoWindow
from .visit_dialog import VisitDialog

log = logging.getLogger("vtconnect.app.visits")

INVITE_SENT = "The invite was sent to the client's email address."
INVITE_RESENT = "The invite was sent to the client's email address again."
LINK_COPIED = "The invite link was copied. Paste it into a message to the client."
CLOCKED_IN = "You clocked in at {time}."
CLOCKED_OUT = "You clocked out at {time}."
CALL_GOES_ON = "Your video session goes on: hang up in the video window when you are done."
SIGNED_OUT = "You are signed out: sign in again to see your schedule."


class VisitsController(QObject):
    """One per main window. ``api_source()`` gives the signed-in PortalApi (or None)."""

    schedule_loaded = Signal()
    detail_loaded = Signal(int)
    action_done = Signal(str)  # the action's key, once its answer is shown

    def __init__(
        self,
        view: ScheduleView,
        api_source: Callable[[], Any],
        *,
        timezone: str = "UTC",
        provider_source: Callable[[], Any] = lambda: None,
        settings_source: Callable[[], Any] = lambda: None,
        drafts: DraftStore | None = None,
        ice_servers: list[dict] | None = None,
        parent_window: QWidget | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.api_source = api_source
        self.timezone = timezone
        self.zone = local_time.zone(timezone)  # no zone data: the local offset
        self.provider_source = provider_source
        self.settings_source = settings_source  # the device choices of the device panel
        self.drafts = drafts or DraftStore(default_dir())
        self.ice_servers = ice_servers
        self.parent_window = parent_window
        self.tasks = TaskGroup()
        self.leaving = TaskGroup()  # calls being left: never cancelled, they release devices
        self.account_source: Callable[[], dict | None] = lambda: None
        self.api: VisitsApi | None = None
        self.dialog: VisitDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.calls: dict[int, VisitCall] = {}
        self.windows: dict[int, VideoWindow] = {}
        self.savers: dict[int, NotesAutosaver] = {}
        view.day_requested.connect(self.load)
        view.details_requested.connect(self.open_details)

    # --- the API of the signed-in person ----------------------------------------------------

    def _api(self) -> VisitsApi | None:
        portal = self.api_source()
        if portal is None or not portal.token:
            if self.api is not None:
                self.api.close()
                self.api = None
            return None
        if self.api is None or self.api.token != portal.token:
            if self.api is not None:
                self.api.close()
            self.api = VisitsApi(portal.base_url, portal.token, tz=self.timezone)
        return self.api

    # --- schedule ---------------------------------------------------------------------------

    def load(self, day: date | None = None) -> asyncio.Task | None:
        return self.tasks.spawn(self._load(day), "schedule")

    async def _load(self, day: date | None) -> None:
        api = self._api()
        if api is None:
            self.view.show_error(SIGNED_OUT)
            return
        try:
            body = await api.schedule(day.isoformat() if day else None)
        except PortalError as exc:
            self.view.show_error(exc.message)
            return
        self.view.clear_message()
        self.view.set_schedule(body, self.zone)
        self.schedule_loaded.emit()

    # --- the visit dialog -------------------------------------------------------------------

    def open_details(self, visit_id: int) -> asyncio.Task | None:
        if self.dialog is None:
            self.dialog = VisitDialog(self.parent_window or self.view)
            self.dialog.action_requested.connect(self.act)
        return self.tasks.spawn(self._open_details(visit_id), "visit details")

    async def _open_details(self, visit_id: int) -> None:
        api, dialog = self._api(), self.dialog
        if api is None or dialog is None:
            return
        try:
            detail = await api.detail(visit_id)
        except PortalError as exc:
            self.view.show_error(exc.message)
            return
        dialog.clear_message()
        dialog.set_detail(detail, self.zone)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        enabled = [b for b in dialog.buttons.values() if b.isEnabled()]
        join = dialog.buttons["join_video"]
        (join if join.isEnabled() else (enabled or [dialog.close_button])[0]).setFocus()
        self.detail_loaded.emit(visit_id)

    def act(self, key: str) -> asyncio.Task | None:
        dialog = self.dialog
        if dialog is None or not dialog.detail:
            return None
        return self.tasks.spawn(self._act(key, int(dialog.detail["id"])), f"visit {key}")

    async def _act(self, key: str, visit_id: int) -> None:
        api, dialog = self._api(), self.dialog
        if api is None or dialog is None:
            return
        dialog.set_busy(True)
        info = ""
        try:
            if key == "send_invite":
                detail, info = await api.send_invite(visit_id), INVITE_SENT
            elif key == "resend_invite":
                detail, info = await api.resend_invite(visit_id), INVITE_RESENT
            elif key == "copy_invite_link":
                link, detail = await api.copy_link(visit_id)
                QGuiApplication.clipboard().setText(link)
                dialog.show_link(link)  # what was copied, in full (issue 15 defect 10)
                info = LINK_COPIED
            elif key == "clock_in":
                detail = await api.clock_in(visit_id)
                info = CLOCKED_IN.format(time=self._hhmm(detail.get("clock_in_at")))
            elif key == "clock_out":
                got = await self._clock_out(api, visit_id)
                if got is None:
                    dialog.set_busy(False)
                    return
                detail, info = got
            elif key == "join_video":
                dialog.set_busy(False)
                await self.join_video(visit_id)
                return
            else:
                return
        except SessionExpired as exc:
            dialog.set_busy(False)
            dialog.show_error(exc.message)
            return
        except PortalError as exc:
            dialog.set_busy(False)
            dialog.show_error(exc.message)
            await self._refresh_detail(visit_id)  # the server's truth, with the reasons
            return
        dialog.set_detail(detail, self.zone)
        dialog.show_info(info)
        self.action_done.emit(key)
        self.load(self.view.day)

    def _hhmm(self, iso: str | None) -> str:
        return hhmm(iso, self.zone)

    async def _refresh_detail(self, visit_id: int) -> None:
        api, dialog = self._api(), self.dialog
        if api is None or dialog is None:
            return
        try:
            dialog.set_detail(await api.detail(visit_id), self.zone)
        except PortalError as exc:
            log.info("visit %s not refreshed: %s", visit_id, exc.message)

    async def _clock_out(self, api: VisitsApi, visit_id: int) -> tuple[dict, str] | None:
        """R-VISIT-13: during a live session, warn and clock out only if confirmed; the call
        itself goes on (R-VISIT-15: no new session can be opened afterwards)."""
        try:
            detail = await api.clock_out(visit_id)
        except PortalError as exc:
            if exc.code != "virtual_session_active":
                raise
            if not await self._confirm(exc.message or vmsg.CLOCK_OUT_WARNING):
                return None
            detail = await api.clock_out(visit_id, confirm=True)
            info = CLOCKED_OUT.format(time=self._hhmm(detail.get("clock_out_at")))
            return detail, f"{info} {CALL_GOES_ON}"
        return detail, CLOCKED_OUT.format(time=self._hhmm(detail.get("clock_out_at")))

    async def _confirm(
        self,
        text: str,
        *,
        title: str = vmsg.CLOCK_OUT,
        confirm: str = vmsg.CLOCK_OUT_OK,  # 004: "Tap OK to continue."
        name: str = "Clock out warning",
        parent: QWidget | None = None,
    ) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            parent if parent is not None else self.dialog,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(confirm)
        box.button(QMessageBox.StandardButton.No).setText(vmsg.CANCEL)
        box.setAccessibleName(name)
        box.setAccessibleDescription(text)
        self.confirm_box = box
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(code: int) -> None:
            if not answer.done():
                answer.set_result(code)

        box.finished.connect(finished)
        box.open()
        try:
            clicked = await answer
        finally:
            self.confirm_box = None
            box.deleteLater()
        return box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes or (
            clicked == QMessageBox.StandardButton.Yes
        )

    async def _hang_up(self, call: VisitCall, window: VideoWindow) -> None:
        """R-VISIT-12: hanging up ends the virtual session for good: asked first."""
        if self.confirm_box is not None:
            self.confirm_box.raise_()
            return
        if await self._confirm(
            vmsg.HANG_UP_CONFIRM,
            title=vmsg.HANG_UP_TITLE,
            confirm=vmsg.HANG_UP,
            name="Hang up and end the video session",
            parent=window,
        ):
            await call.hang_up()

    # --- the video window -------------------------------------------------------------------

    async def join_video(self, visit_id: int) -> VideoWindow | None:
        """R-VISIT-6/14: open (or bring back) the visit's video window and join the call."""
        window = self.windows.get(visit_id)
        call = self.calls.get(visit_id)
        if window is not None and call is not None and call.state not in ("left", "failed"):
            window.show()
            window.raise_()
            window.activateWindow()
            return window
        api, portal = self._api(), self.api_source()
        if api is None or portal is None:
            return None
        detail = (self.dialog.detail if self.dialog else {}) or {}
        client = (detail.get("client") or {}).get("full_name", "the client")
        provider = self.provider_source()
        me = (self.account_source() or {}).get("full_name") or "Me"
        call = VisitCall(
            api,
            visit_id,
            token=portal.token,
            name=me,
            devices=provider,
            settings=self.settings_source(),
            ice_servers=self.ice_servers,
            parent=self,
        )
        window = VideoWindow(f"Video session with {client}")
        window.stage.name = client
        self.calls[visit_id], self.windows[visit_id] = call, window
        call.notice_changed.connect(window.show_notice)
        call.state_changed.connect(window.set_state)
        call.detail_changed.connect(self._call_detail)
        window.mute_toggled.connect(lambda muted: call.set_mic_enabled(not muted))
        window.camera_toggled.connect(lambda off: call.set_camera_enabled(not off))
        window.audio_only_toggled.connect(call.set_audio_only)
        window.hang_up_requested.connect(
            lambda: self.tasks.spawn(self._hang_up(call, window), "hang up")
        )
        window.resend_requested.connect(lambda: self.tasks.spawn(call.resend_invite(), "resend"))
        window.switch_camera_requested.connect(lambda: self._switch(call, window))
        window.closed.connect(lambda: self._window_closed(visit_id))
        window.show()
        saver = self.savers.get(visit_id)
        try:
            await call.join()
        except Exception as exc:  # noqa: BLE001 - shown in the window and the dialog
            if self.dialog is not None and isinstance(exc, PortalError):
                self.dialog.show_error(exc.message)
            await self._refresh_detail(visit_id)
            return window
        window.set_self_source(call.camera, no_camera="camera" in call.missing)
        window.watch(call)
        if saver is None:
            saver = NotesAutosaver(api, visit_id, self.drafts, parent=self)
            self.savers[visit_id] = saver
            text = await saver.load(call.detail.get("notes") or "", call.detail["notes_version"])
        else:
            text = saver.text
        window.notes.attach(saver, text)
        await self._refresh_detail(visit_id)
        return window

    def _call_detail(self, detail: dict) -> None:
        if self.dialog is not None and self.dialog.detail.get("id") == detail.get("id"):
            self.dialog.set_detail(detail, self.zone)

    def _switch(self, call: VisitCall, window: VideoWindow) -> None:
        async def run() -> None:
            problem = await call.switch_camera()
            if problem:
                window.flash(problem)

        self.tasks.spawn(run(), "switch camera")

    def _window_closed(self, visit_id: int) -> None:
        """R-VISIT-14: closing the window leaves the call; it does not end the session."""
        call = self.calls.get(visit_id)
        saver = self.savers.get(visit_id)
        if saver is not None:
            saver.save_now()
        if call is not None:
            self.leaving.spawn(call.leave(), "leave call")
        self.tasks.spawn(self._refresh_detail(visit_id), "visit refresh")

    # --- shutdown ---------------------------------------------------------------------------

    async def aclose(self) -> None:
        for call in list(self.calls.values()):
            await call.leave()
        self.shutdown()

    def shutdown(self) -> None:
        """At sign-out or window close (idempotent); drafts stay on disk until confirmed."""
        for window in list(self.windows.values()):
            window.close()  # leaves the call (R-VISIT-14), through `leaving`
        for saver in self.savers.values():
            saver.close()
        self.windows.clear()
        self.calls.clear()
        self.savers.clear()  # unconfirmed drafts stay on disk and come back at the next join
        self.tasks.cancel_all()
        if self.dialog is not None:
            self.dialog.close()
        if self.api is not None:
            self.api.close()
            self.api = None


def drafts_in(folder: Path) -> DraftStore:
    return DraftStore(folder)
