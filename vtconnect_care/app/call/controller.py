"""CallController: what the Care Room and the visit window share around ``CallEngine``.

It opens the person's chosen devices on a worker thread, makes the engine through an engine
factory (tests pass a fake), keeps the call's phase (``CallPhase``, guarded moves), the newest
picture per person, each remote tile's state judged from the pictures, and the device toggles.
The windows' own rules live in their subclasses, which receive the engine's events through
``on_engine_event``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from vtconnect_care.client.engine import CallEngine, Event, MediaSet
from vtconnect_care.domain.call_quality import QualityLevel, Reason, Verdict
from vtconnect_care.domain.transitions import StateMachine

from ..tasks import TaskGroup
from .frames import FrameStore
from .media import OpenedMedia, open_media
from .pauses import VideoPauses
from .states import PHASE_MOVES, TILE_MOVES, CallPhase, TileState
from .status import judge_tile

log = logging.getLogger("vtconnect.call")

HEALTH_EVERY_MS = 500
PEER_TILE = {
    "new": TileState.CONNECTING,
    "connecting": TileState.CONNECTING,
    "disconnected": TileState.RECONNECTING,
    "failed": TileState.RECONNECTING,
}


class EngineFactory(Protocol):
    def __call__(
        self,
        portal_url: str,
        token: str,
        media: MediaSet,
        ice_servers: list[dict] | None,
        *,
        on_event: Callable[[Event], Any],
        on_video_frame: Callable[[int, Any], Any],
    ) -> Any: ...


def default_engine(
    portal_url: str,
    token: str,
    media: MediaSet,
    ice_servers: list[dict] | None,
    *,
    on_event: Callable[[Event], Any],
    on_video_frame: Callable[[int, Any], Any],
) -> CallEngine:
    # ice_servers=None: what the portal hands out with the join (nothing on a LAN by default)
    return CallEngine(
        portal_url, token, media, ice_servers, on_event=on_event, on_video_frame=on_video_frame
    )


class CallController(QObject):
    phase_changed = Signal(str)  # a CallPhase
    tiles_changed = Signal()
    media_changed = Signal(str, bool)  # device, on
    notices_changed = Signal(list)
    media_ready = Signal()
    pauses_changed = Signal()  # audio only, or someone's video paused or back (self.pauses)

    def __init__(
        self,
        *,
        name: str,
        portal_url: str,
        token: str,
        devices: Any = None,
        settings: Any = None,
        video_size: tuple[int, int] = (640, 480),
        fps: float = 30.0,
        switchable_camera: bool = False,
        ice_servers: list[dict] | None = None,
        engine_factory: EngineFactory | None = default_engine,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.portal_url = portal_url
        self.token = token
        self.devices = devices  # a DeviceProvider; None: synthetic stand-ins
        self.settings = settings  # UserSettings with the chosen device names
        self.video_size = video_size
        self.fps = fps
        self.switchable_camera = switchable_camera
        self.ice_servers = ice_servers
        self.engine_factory = engine_factory
        self.tasks = TaskGroup()
        self.frames = FrameStore()
        self.engine: Any = None
        self.opened: OpenedMedia | None = None
        self.notices: list[str] = []
        self.tile_states: dict[int, TileState] = {}
        self.camera_off: dict[int, bool] = {}
        self.quality: dict[int, Verdict] = {}  # the engine's verdict per person (quality event)
        self.camera_on = self.mic_on = self.speaker_on = True
        self.pauses = VideoPauses()
        self.peer_states: dict[int, str] = {}  # each connection's state as the engine said
        self._phase = StateMachine(
            "call", CallPhase.IDLE, PHASE_MOVES, on_change=self._phase_moved, logger=log
        )
        self._closing: asyncio.Task | None = None
        self._engine_closing: asyncio.Future | None = None
        self._health = QTimer(self)
        self._health.setInterval(HEALTH_EVERY_MS)
        self._health.timeout.connect(self.check_health)

    # --- state --------------------------------------------------------------------------------

    @property
    def phase(self) -> CallPhase:
        return self._phase.state

    def set_phase(self, phase: CallPhase) -> None:
        self._phase.move(phase)

    def _phase_moved(self, _old: CallPhase, new: CallPhase) -> None:
        self.phase_changed.emit(new)

    @property
    def media(self) -> MediaSet | None:
        return self.opened.media if self.opened is not None else None

    @property
    def missing(self) -> set[str]:
        return self.opened.missing if self.opened is not None else set()

    def set_tile(self, account_id: int, state: TileState) -> None:
        """One person's tile state (a guarded move); tiles_changed when it changed."""
        old = self.tile_states.get(account_id)
        if old is None:
            self.tile_states[account_id] = state
        elif old is not state:
            if state not in TILE_MOVES[old]:
                raise ValueError(f"tile {account_id}: {old} -> {state}")
            self.tile_states[account_id] = state
        else:
            return
        self.tiles_changed.emit()

    def forget_tile(self, account_id: int) -> None:
        self.tile_states.pop(account_id, None)
        self.camera_off.pop(account_id, None)
        self.quality.pop(account_id, None)
        self.frames.forget(account_id)
        self.tiles_changed.emit()

    # --- life ---------------------------------------------------------------------------------

    async def open_devices(self) -> OpenedMedia | None:
        """The chosen devices, opened on a worker thread; None if closed meanwhile."""
        opening = asyncio.ensure_future(
            asyncio.to_thread(
                open_media,
                self.name,
                self.devices,
                self.settings,
                size=self.video_size,
                fps=self.fps,
                switchable=self.switchable_camera,
            )
        )
        try:
            opened = await asyncio.shield(opening)
        except asyncio.CancelledError:  # closed while opening: release the devices once open
            opening.add_done_callback(_close_opened)
            raise
        if self.phase is CallPhase.CLOSED:
            opened.close()
            return None
        self.opened = opened
        self.media_ready.emit()
        return opened

    def make_engine(self) -> Any:
        assert self.opened is not None and self.engine_factory is not None
        self.engine = self.engine_factory(
            self.portal_url,
            self.token,
            self.opened.media,
            self.ice_servers,
            on_event=self._on_event,
            on_video_frame=self.frames.put,
        )
        if self.pauses.audio_only:  # chosen before the call started
            self.engine.set_audio_only(True)
        self._health.start()
        return self.engine

    def close(self, *, leave: bool = False) -> asyncio.Task:
        """Leave (if asked) or just hang up locally, then release everything.

        Idempotent: every call returns the same task."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(leave))
        return self._closing

    async def aclose(self, *, leave: bool = False) -> None:
        await self.close(leave=leave)

    async def _close(self, leave: bool) -> None:
        self.set_phase(CallPhase.CLOSED)
        self._health.stop()
        self.closing()
        self.tasks.cancel_all()
        engine, self.engine = self.engine, None
        if engine is not None:
            if leave and engine.session_id is not None:
                try:
                    await engine.leave()
                except Exception:  # noqa: BLE001 - leaving goes on regardless
                    log.info("leave failed", exc_info=True)
            await engine.close()
        if self._engine_closing is not None:
            await asyncio.gather(self._engine_closing, return_exceptions=True)
        if self.opened is not None:
            self.opened.close()  # idempotent; the engine closed it too if it started

    def closing(self) -> None:
        """A subclass's own clean-up at close (sounds, timers)."""

    def release_engine(self) -> None:
        """The session is over: stop the health checks and release camera and microphone now."""
        self._health.stop()
        engine, self.engine = self.engine, None
        if engine is not None:
            self._engine_closing = asyncio.ensure_future(engine.close())

    # --- the devices --------------------------------------------------------------------------

    def set_camera(self, on: bool) -> None:
        self.camera_on = on
        if self.engine is not None:
            self.engine.set_camera_enabled(on)
        self.media_changed.emit("camera", on)

    def set_microphone(self, on: bool) -> None:
        self.mic_on = on
        if self.engine is not None:
            self.engine.set_mic_enabled(on)
        self.media_changed.emit("microphone", on)

    def set_audio_only(self, on: bool) -> None:
        """Audio only: no video sent or received (the engine tells the others)."""
        if self.engine is not None:
            self.engine.set_audio_only(on)  # its audio_only event updates self.pauses
        elif self.pauses.on_event("audio_only", {"on": on}):
            self.pauses_changed.emit()
        self.media_changed.emit("audio_only", on)

    def set_speakers(self, on: bool) -> None:
        self.speaker_on = on
        if self.engine is not None:
            self.engine.set_speaker_enabled(on)
        self.media_changed.emit("speaker", on)

    # --- the engine's events ------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        kind, data = event.kind, event.data
        if self.pauses.on_event(kind, data):
            self.pauses_changed.emit()
        if kind == "media":
            self.notices = list(data["notices"])
            self.notices_changed.emit(self.notices)
        elif kind == "first_frame" and data["account_id"] in self.tile_states:
            self.set_tile(data["account_id"], TileState.CONNECTED)
        elif kind == "peer_state" and data["account_id"] in self.tile_states:
            self._peer_state(data["account_id"], data["state"])
        elif kind == "quality":
            self._quality(data)
        self.on_engine_event(event)

    def on_engine_event(self, event: Event) -> None:
        """A subclass's rules for the engine's events."""

    def _quality(self, data: dict) -> None:
        """Good, fair or poor from the engine's link statistics; a poor tile follows it."""
        account_id = data["account_id"]
        verdict = Verdict(
            QualityLevel(data["level"]),
            tuple(Reason(r) for r in data["reasons"]),
            data.get("figures"),
        )
        self.quality[account_id] = verdict
        state = self.tile_states.get(account_id)
        if state is TileState.CONNECTED and verdict.level is QualityLevel.POOR:
            self.set_tile(account_id, TileState.POOR)
        elif state is TileState.POOR and verdict.level is not QualityLevel.POOR:
            self.set_tile(account_id, TileState.CONNECTED)
        self.tiles_changed.emit()

    def _peer_state(self, account_id: int, state: str) -> None:
        self.peer_states[account_id] = state
        mapped = PEER_TILE.get(state)
        if state == "connected":
            slot = self.frames.get(account_id)
            mapped = TileState.CONNECTED if slot is not None and slot.seq else TileState.CONNECTING
        if mapped is not None:
            self.set_tile(account_id, mapped)

    # --- frame health -------------------------------------------------------------------------

    def health_applies(self) -> bool:
        return self.phase in (CallPhase.IN_CALL, CallPhase.RECONNECTING)

    def is_dropped(self, account_id: int) -> bool:
        return False

    def camera_changed(self, account_id: int, dark: bool) -> None:
        """A subclass's words for a camera turned off or on."""

    def check_health(self) -> None:
        """Per person: connected, poor, reconnecting (no pictures), and camera off."""
        if not self.health_applies():
            return
        now = time.monotonic()
        changed = False
        for other in list(self.tile_states):
            if self.pauses.quiet_by_design(other):
                # no pictures is what paused video looks like: a tile that went "Reconnecting…"
                # while the pictures dried up before the pause is connected, if its link is
                if (
                    self.tile_states[other] is TileState.RECONNECTING
                    and not self.is_dropped(other)
                    and self.peer_states.get(other, "connected") == "connected"
                ):
                    self.tile_states[other] = TileState.CONNECTED
                    changed = True
                continue
            slot = self.frames.get(other)
            state = self.tile_states[other]
            new = judge_tile(
                state,
                dropped=self.is_dropped(other),
                last=slot.last if slot is not None else None,
                first=slot.arrivals[0] if slot is not None and slot.arrivals else None,
                rate=slot.rate(now) if slot is not None else 0.0,
                now=now,
                quality=verdict.level if (verdict := self.quality.get(other)) else None,
            )
            if new is not state:
                self.tile_states[other] = new
                changed = True
            dark = bool(slot is not None and slot.dark and new is not TileState.RECONNECTING)
            if self.camera_off.get(other, False) != dark:
                self.camera_off[other] = dark
                changed = True
                if self.engine is not None:  # a camera that is off sends little: no fault
                    self.engine.link.expect_video(other, not dark)
                self.camera_changed(other, dark)
        if changed:
            self.tiles_changed.emit()


def _close_opened(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()
