"""A visit's video call for the employee: join through the visit API, the shared call
controller on the hub, the notices of R-VISIT-9, 11 and 12, hang-up and leaving (R-VISIT-14).

``VisitCall`` decides; the video window displays. HTTP and device opening run off the Qt
thread; the devices are the ones the person chose in the device panel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, Signal

from vtconnect_care.client.engine import EngineState, Event
from vtconnect_care.client.portal_api import PortalError
from vtconnect_care.client.visits_api import VisitsApi
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.transitions import StateMachine, moves

from ..call.controller import CallController, EngineFactory, default_engine
from ..call.media import switch_camera
from ..call.states import CallPhase, TileState

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


class VisitCallState(StrEnum):
    IDLE = "idle"
    JOINING = "joining"
    WAITING = "waiting"  # the client is not there
    IN_CALL = "in_call"
    CLIENT_LEFT = "client_left"  # R-VISIT-11: they may come back
    OVER = "over"  # R-VISIT-12: the caregiver hung up
    LEFT = "left"  # the window closed (R-VISIT-14)
    FAILED = "failed"


V = VisitCallState
_LIVE = (V.WAITING, V.IN_CALL, V.CLIENT_LEFT)
VISIT_MOVES = moves(
    {
        V.IDLE: (V.JOINING, V.LEFT),
        V.JOINING: (*_LIVE, V.OVER, V.FAILED, V.LEFT),
        V.WAITING: (V.IN_CALL, V.CLIENT_LEFT, V.OVER, V.FAILED, V.LEFT),
        V.IN_CALL: (V.WAITING, V.CLIENT_LEFT, V.OVER, V.FAILED, V.LEFT),
        V.CLIENT_LEFT: (V.WAITING, V.IN_CALL, V.OVER, V.FAILED, V.LEFT),
        V.FAILED: (V.OVER, V.LEFT),
        V.OVER: (),
        V.LEFT: (),
    }
)
PHASE_OF = {
    EngineState.WAITING: CallPhase.WAITING,
    EngineState.IN_CALL: CallPhase.IN_CALL,
    EngineState.RECONNECTING: CallPhase.RECONNECTING,
}


class VisitCall(CallController):
    state_changed = Signal(str)  # a VisitCallState
    notice_changed = Signal(str, str)  # sentence ('' to clear), kind: info, warning, over
    detail_changed = Signal(dict)  # the visit, as the server now sees it

    def __init__(
        self,
        api: VisitsApi,
        visit_id: int,
        *,
        token: str,
        name: str = "Me",
        devices: Any = None,
        settings: Any = None,
        ice_servers: list[dict] | None = None,
        engine_factory: EngineFactory = default_engine,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            name=name,
            portal_url=api.base_url,
            token=token,
            devices=devices,
            settings=settings,
            switchable_camera=True,
            ice_servers=ice_servers,
            engine_factory=engine_factory,
            parent=parent,
        )
        self.api = api
        self.visit_id = visit_id
        self.client_id = 0
        self.notice = ""
        self.detail: dict = {}
        self._machine = StateMachine(
            f"visit call {visit_id}",
            VisitCallState.IDLE,
            VISIT_MOVES,
            on_change=lambda _old, new: self.state_changed.emit(new),
            logger=log,
        )

    # --- state -------------------------------------------------------------------------------

    @property
    def state(self) -> VisitCallState:
        return self._machine.state

    @property
    def camera(self) -> Any:
        return self.opened.camera if self.opened is not None else None

    @property
    def frames_received(self) -> int:
        slot = self.frames.get(self.client_id)
        return slot.seq if slot is not None else 0

    @property
    def last_frame(self) -> Any:
        """The client's newest decoded picture (av.VideoFrame), or None."""
        slot = self.frames.get(self.client_id)
        return slot.frame if slot is not None else None

    def _set_state(self, state: VisitCallState) -> None:
        if self.state in (V.OVER, V.LEFT) and state is not self.state:
            return  # the call is finished here: late news changes nothing
        self._machine.move(state)

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
            self._set_state(V.WAITING)
            self._say(f"{notice} {vmsg.CLIENT_NOT_JOINED_HINT}", "warning")
        elif notice == vmsg.CLIENT_HUNG_UP:
            self._set_state(V.CLIENT_LEFT)
            self._say(notice, "warning")

    # --- join --------------------------------------------------------------------------------

    async def join(self) -> None:
        """Join (or re-join, R-VISIT-14) the visit's call. PortalError when refused."""
        self._set_state(V.JOINING)
        self.set_phase(CallPhase.CONNECTING)
        self._say(CONNECTING)
        try:
            joined = await self.api.join(self.visit_id)
        except PortalError as exc:
            self._fail(exc.message)
            raise
        self.detail = joined["visit"]
        self.detail_changed.emit(self.detail)
        self.client_id = int(joined["client_account_id"])
        self.tile_states[self.client_id] = TileState.CONNECTING
        if await self.open_devices() is None:
            return
        engine = self.make_engine()
        try:
            await engine.start()
            session = await engine.join(int(joined["care_session_id"]))
        except Exception as exc:
            await self._close_engine()
            self._fail(getattr(exc, "message", None) or OFFLINE)
            raise
        present = any(
            m["account_id"] == self.client_id and m["status"] == "present"
            for m in session.get("members", [])
        )
        self._set_state(V.IN_CALL if present else V.WAITING)
        self._say("")
        if not present:
            self._client_notice(self.detail)

    def _fail(self, text: str) -> None:
        self._set_state(V.FAILED)
        if not self.phase.over:
            self.set_phase(CallPhase.OFFLINE)
        self._say(text, "error")

    # --- the engine's events (on the loop) ---------------------------------------------------

    def on_engine_event(self, event: Event) -> None:
        if self.state in (V.OVER, V.LEFT):
            return
        kind, data = event.kind, event.data
        member = data.get("member") or {}
        client = member.get("account_id") == self.client_id
        if kind == "participant_joined" and client:
            self._set_state(V.IN_CALL)
            self._say("")
        elif kind == "participant_left" and client:
            self._set_state(V.CLIENT_LEFT)
            self._say(vmsg.CLIENT_HUNG_UP, "warning")  # R-VISIT-11: they may come back
            self.tasks.spawn(self.refresh(), "visit refresh")
        elif kind == "participant_dropped" and client:
            self._say(CLIENT_RECONNECTING, "warning")
            self.tasks.spawn(self._watch_drop(), "visit drop watch")
        elif kind == "state":
            self._engine_state(EngineState(data["state"]))
        elif kind == "first_frame" and data.get("account_id") == self.client_id:
            if self.state is not V.IN_CALL:
                self._set_state(V.IN_CALL)
                self._say("")

    def _engine_state(self, state: EngineState) -> None:
        phase = PHASE_OF.get(state)
        if phase is not None and not self.phase.over:
            self.set_phase(phase)
        if state is EngineState.RECONNECTING:
            self._say(RECONNECTING, "warning")
        elif state is EngineState.OFFLINE:
            self._fail(OFFLINE)
        elif state is EngineState.ENDED:
            self._set_state(V.OVER)
            if not self.phase.over:
                self.set_phase(CallPhase.ENDED)
            self._say(vmsg.SESSION_OVER, "over")

    def is_dropped(self, account_id: int) -> bool:
        return self.notice == CLIENT_RECONNECTING

    async def _watch_drop(self) -> None:
        """A dropped client may have closed the page (their hang-up reaches the server by REST,
        R-VISIT-11) or may come back: ask the server for a while, the truth either way."""
        for _ in range(DROP_CHECKS):
            await self.refresh()
            if self.state is not V.IN_CALL or self.notice != CLIENT_RECONNECTING:
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
        if self.state not in (V.OVER, V.LEFT, V.IN_CALL):
            self._client_notice(detail)
        elif (
            self.state is V.IN_CALL
            and (detail.get("virtual_session") or {}).get("state") == "client_left"
        ):
            self._client_notice(detail)

    # --- the controls (R-VISIT-10) ----------------------------------------------------------

    def set_mic_enabled(self, on: bool) -> None:
        self.set_microphone(on)

    def set_camera_enabled(self, on: bool) -> None:
        self.set_camera(on)

    async def switch_camera(self) -> str | None:
        if self.camera is None:
            return None
        return await asyncio.to_thread(switch_camera, self.devices, self.camera)

    async def resend_invite(self) -> None:
        """R-VISIT-9's Resend: a fresh email; the notice shows the new time."""
        try:
            self.detail = await self.api.resend_invite(self.visit_id)
        except PortalError as exc:
            self._say(exc.message, "error")
            return
        self.detail_changed.emit(self.detail)
        if self.state is V.WAITING:
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
        self._set_state(V.OVER)
        self._say(body.get("message") or vmsg.SESSION_OVER, "over")
        await self._close_engine()

    async def leave(self) -> None:
        """The window closed: not an ending (R-VISIT-14); the devices are released."""
        if self.state is not V.OVER:
            self._set_state(V.LEFT)
        await self._close_engine()

    async def _close_engine(self) -> None:
        with contextlib.suppress(Exception):
            await self.close()
