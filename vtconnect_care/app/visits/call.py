"""A visit's video call for the employee: join through the visit API, the call engine on the
hub, the notices of R-VISIT-9, 11 and 12, hang-up and leaving (R-VISIT-14).

``VisitCall`` decides; the video window displays. All network work is awaited on the loop
(HTTP on worker threads); device opening runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from vtconnect_care.client.engine import CallEngine, Event, MediaSet
from vtconnect_care.client.portal_api import PortalError
from vtconnect_care.client.visits_api import VisitsApi
from vtconnect_care.domain import visit_messages as vmsg

from ..tasks import TaskGroup
from .media import SwitchableCamera, switch_camera

log = logging.getLogger("vtconnect.app.visits")

CONNECTING = "Connecting to the video session…"
CLIENT_BACK = "The client is in the video session."
RECONNECTING = "Your connection dropped: reconnecting to the video session…"
CLIENT_RECONNECTING = "The client's connection dropped: waiting for them to come back…"
OFFLINE = (
    "The video session cannot be reached. Check your internet connection, then choose Join "
    "video session again in the visit."
)

DROP_CHECKS = 10
DROP_CHECK_EVERY = 1.5  # seconds

MediaFactory = Callable[[], tuple[MediaSet, SwitchableCamera]]


class VisitCall(QObject):
    """``state``: 'idle', 'joining', 'waiting' (client not there), 'in_call', 'client_left',
    'over' (the caregiver hung up), 'left' (window closed), 'failed'."""

    state_changed = Signal(str)
    notice_changed = Signal(str, str)  # sentence ('' to clear), kind: info, warning, over
    detail_changed = Signal(dict)  # the visit, as the server now sees it
    media_changed = Signal(str, bool)  # 'camera' or 'microphone', on

    def __init__(
        self,
        api: VisitsApi,
        visit_id: int,
        *,
        token: str,
        media_factory: MediaFactory,
        provider: Any = None,
        ice_servers: list[dict] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.visit_id = visit_id
        self.token = token
        self.media_factory = media_factory
        self.provider = provider
        self.ice_servers = ice_servers
        self.engine: CallEngine | None = None
        self.camera: SwitchableCamera | None = None
        self.client_id = 0
        self.state = "idle"
        self.notice = ""
        self.detail: dict = {}
        self.last_frame: Any = None  # the client's newest decoded picture (av.VideoFrame)
        self.frames = 0
        self.tasks = TaskGroup()

    # --- state -------------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _say(self, sentence: str | None, kind: str = "info") -> None:
        self.notice = sentence or ""
        self.notice_changed.emit(self.notice, kind)

    def _client_notice(self, detail: dict) -> None:
        """R-VISIT-9 (with the Resend hint) or R-VISIT-11, from the server's session."""
        vs = detail.get("virtual_session") or {}
        notice = vs.get("notice")
        if vs.get("state") == "ended":
            return
        if notice and notice.startswith("The client has not joined"):
            self._set_state("waiting")
            self._say(f"{notice} {vmsg.CLIENT_NOT_JOINED_HINT}", "warning")
        elif notice == vmsg.CLIENT_HUNG_UP:
            self._set_state("client_left")
            self._say(notice, "warning")

    # --- join --------------------------------------------------------------------------------

    async def join(self) -> None:
        """Join (or re-join, R-VISIT-14) the visit's call. PortalError when refused."""
        self._set_state("joining")
        self._say(CONNECTING)
        try:
            joined = await self.api.join(self.visit_id)
        except PortalError as exc:
            self._set_state("failed")
            self._say(exc.message, "error")
            raise
        self.detail = joined["visit"]
        self.detail_changed.emit(self.detail)
        self.client_id = int(joined["client_account_id"])
        media, self.camera = await asyncio.to_thread(self.media_factory)
        engine = CallEngine(
            self.api.base_url,
            self.token,
            media,
            self.ice_servers,
            on_event=self._on_event,
            on_video_frame=self._on_frame,
        )
        self.engine = engine
        try:
            await engine.start()
            session = await engine.join(int(joined["care_session_id"]))
        except Exception as exc:
            await self._close_engine()
            self._set_state("failed")
            self._say(getattr(exc, "message", None) or OFFLINE, "error")
            raise
        present = any(
            m["account_id"] == self.client_id and m["status"] == "present"
            for m in session.get("members", [])
        )
        if present:
            self._set_state("in_call")
            self._say("")
        else:
            self._set_state("waiting")
            self._say("")
            self._client_notice(self.detail)

    # --- the engine's events (on the loop) ---------------------------------------------------

    def _on_frame(self, account_id: int, frame: Any) -> None:
        if account_id == self.client_id:
            self.last_frame = frame
            self.frames += 1

    def _on_event(self, event: Event) -> None:
        if self.state in ("over", "left"):
            return
        kind, data = event.kind, event.data
        member = data.get("member") or {}
        if kind == "participant_joined" and member.get("account_id") == self.client_id:
            self._set_state("in_call")
            self._say("")
        elif kind == "participant_left" and member.get("account_id") == self.client_id:
            self._set_state("client_left")
            self._say(vmsg.CLIENT_HUNG_UP, "warning")  # R-VISIT-11: they may come back
            self.tasks.spawn(self.refresh(), "visit refresh")
        elif kind == "participant_dropped" and member.get("account_id") == self.client_id:
            self._say(CLIENT_RECONNECTING, "warning")
            self.tasks.spawn(self._watch_drop(), "visit drop watch")
        elif kind == "state":
            state = data.get("state")
            if state == "reconnecting":
                self._say(RECONNECTING, "warning")
            elif state == "offline":
                self._set_state("failed")
                self._say(OFFLINE, "error")
            elif state == "ended":
                self._set_state("over")
                self._say(vmsg.SESSION_OVER, "over")
        elif kind == "first_frame" and data.get("account_id") == self.client_id:
            if self.state != "in_call":
                self._set_state("in_call")
                self._say("")

    async def _watch_drop(self) -> None:
        """A dropped client may have closed the page (their hang-up reaches the server by REST,
        R-VISIT-11) or may come back: ask the server for a while, the truth either way."""
        for _ in range(DROP_CHECKS):
            await self.refresh()
            if self.state != "in_call" or self.notice != CLIENT_RECONNECTING:
                return
            await asyncio.sleep(DROP_CHECK_EVERY)

    async def refresh(self) -> None:
        """Ask the server (the truth) for the visit; show its notice for the client."""
        try:
            detail = await self.api.detail(self.visit_id)
        except PortalError as exc:
            log.info("visit %s not refreshed: %s", self.visit_id, exc.message)
            return
        self.detail = detail
        self.detail_changed.emit(detail)
        if self.state not in ("over", "left", "in_call"):
            self._client_notice(detail)
        elif (
            self.state == "in_call"
            and (detail.get("virtual_session") or {}).get("state") == "client_left"
        ):
            self._client_notice(detail)

    # --- the controls (R-VISIT-10) ----------------------------------------------------------

    def set_mic_enabled(self, on: bool) -> None:
        if self.engine is not None:
            self.engine.set_mic_enabled(on)
        self.media_changed.emit("microphone", on)

    def set_camera_enabled(self, on: bool) -> None:
        if self.engine is not None:
            self.engine.set_camera_enabled(on)
        self.media_changed.emit("camera", on)

    async def switch_camera(self) -> str | None:
        if self.camera is None:
            return None
        return await asyncio.to_thread(switch_camera, self.provider, self.camera)

    async def resend_invite(self) -> None:
        """R-VISIT-9's Resend: a fresh email; the notice shows the new time."""
        try:
            self.detail = await self.api.resend_invite(self.visit_id)
        except PortalError as exc:
            self._say(exc.message, "error")
            return
        self.detail_changed.emit(self.detail)
        if self.state == "waiting":
            self._client_notice(self.detail)

    async def hang_up(self) -> None:
        """R-VISIT-12: the caregiver ends the session for good."""
        try:
            body = await self.api.hang_up(self.visit_id)
        except PortalError as exc:
            self._say(exc.message, "error")
            return
        self.detail = body.get("visit") or self.detail
        self.detail_changed.emit(self.detail)
        self._set_state("over")
        self._say(body.get("message") or vmsg.SESSION_OVER, "over")
        await self._close_engine()

    async def leave(self) -> None:
        """The window closed: not an ending (R-VISIT-14); the devices are released."""
        if self.state not in ("over",):
            self._set_state("left")
        await self._close_engine()

    async def _close_engine(self) -> None:
        engine, self.engine = self.engine, None
        self.tasks.cancel_all()
        if engine is not None:
            with contextlib.suppress(Exception):
                await engine.close()
