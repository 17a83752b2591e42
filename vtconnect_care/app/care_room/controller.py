"""The Care Room's controller: drives the call engine and turns its events into what the room shows.

Widgets only display the controller's state (phase, members, tile states, chat, status sentence)
and forward intent (Begin, End, Leave, chat, device toggles). All network work runs as tasks on
the qasync loop; device opening runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from vtconnect_care.client import call_http
from vtconnect_care.client.engine import CallEngine, Event, MediaSet, RealtimeError

from ..tasks import TaskGroup
from . import sounds
from .frames import FrameStore
from .media import open_media

log = logging.getLogger("vtconnect.care_room")

# what the person reads (R-ROOM-1, R-ROOM-2 and the connection states)
CONNECTING = "Connecting to the Care Room…"
WAITING = "Waiting for participants…"
UNREACHABLE = "The Care Room could not be reached. Check your network connection, then try again."
RECONNECTING = "Reconnecting… The connection to the Care Room dropped."
REJOINING = "Reconnecting… Re-joining the session."
OFFLINE = (
    "The connection to the Care Room was lost and could not be restored. Check your network "
    "connection, then join again from the home screen."
)
POOR = "poor network"

POOR_FPS = 5.0  # received pictures per second under which a connection counts as poor
STALLED_AFTER = 1.5  # seconds without a picture: reconnecting (the engine replaces the peer)
HEALTH_EVERY_MS = 500

EngineFactory = Callable[..., CallEngine]


@dataclass
class RoomRequest:
    """Everything a Care Room needs: who I am, the portal, whom to host or which session to join."""

    account: dict
    portal_url: str
    token: str
    people: tuple[dict, ...] = ()  # host: the people to host
    session_id: int | None = None  # participant (or re-join): the session to join
    devices: Any = None  # a DeviceProvider; None: synthetic stand-ins
    settings: Any = None  # UserSettings with the chosen device names
    video_size: tuple[int, int] = (640, 480)
    fps: float = 30.0
    extra: dict = field(default_factory=dict)

    @property
    def hosting(self) -> bool:
        return self.session_id is None


def default_engine(portal_url, token, media, *, on_event, on_video_frame) -> CallEngine:
    # ice_servers=None: what the portal hands out with the join (nothing on a LAN by default)
    return CallEngine(
        portal_url, token, media, None, on_event=on_event, on_video_frame=on_video_frame
    )


class CareRoomController(QObject):
    phase_changed = Signal(
        str
    )  # connecting, waiting, in_call, reconnecting, ended, offline, closed
    status_changed = Signal(str)
    members_changed = Signal()
    tiles_changed = Signal()
    chat_added = Signal(dict, bool)  # the message; True if it should open the chat (R-ROOM-4)
    can_begin_changed = Signal(bool)
    media_changed = Signal(str, bool)  # device, on
    notices_changed = Signal(list)
    media_ready = Signal()

    def __init__(
        self,
        request: RoomRequest,
        *,
        engine_factory: EngineFactory = default_engine,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.engine_factory = engine_factory
        self.tasks = TaskGroup()
        self.frames = FrameStore()
        self.sounds = sounds.SoundPlayer()
        self.engine: CallEngine | None = None
        self.media: MediaSet | None = None
        self.missing: set[str] = set()
        self.phase = "idle"
        self.status = ""
        self.session: dict | None = None
        self.members: dict[int, dict] = {}
        self.tile_states: dict[int, str] = {}
        self.camera_off: dict[int, bool] = {}
        self.chat: list[dict] = []
        self.notices: list[str] = []
        self.can_begin = False
        self.camera_on = self.mic_on = self.speaker_on = True
        self.ended_text = ""
        self.my_id: int | None = request.account.get("id")
        for person in request.people:  # before the session is known: everyone not yet arrived
            self.members[person["id"]] = {
                "account_id": person["id"],
                "name": person["full_name"],
                "role": "participant",
                "status": "absent",
            }
        self._closing: asyncio.Task | None = None
        self._engine_closing: asyncio.Future | None = None
        self._health = QTimer(self)
        self._health.setInterval(HEALTH_EVERY_MS)
        self._health.timeout.connect(self._check_health)

    # --- derived state ----------------------------------------------------------------------

    @property
    def hosting(self) -> bool:
        """Hosting a new session, or (re-)joining one this person hosts (R-ROOM-9)."""
        if self.request.hosting:
            return True
        return bool(
            self.session and self.my_id is not None and self.session.get("host_id") == self.my_id
        )

    @property
    def host_name(self) -> str:
        if self.session:
            return self.session.get("host_name") or "The practitioner"
        if self.hosting:
            return self.request.account.get("full_name", "")
        return "your practitioner"

    @property
    def session_id(self) -> int | None:
        return int(self.session["id"]) if self.session else None

    def others(self) -> list[dict]:
        """Everyone else invited, the host first (the participants popup, R-ROOM-5)."""
        people = [m for i, m in self.members.items() if i != self.my_id]
        return sorted(people, key=lambda m: (m.get("role") != "host", m["name"]))

    def present_others(self) -> list[int]:
        return [m["account_id"] for m in self.others() if m["status"] in ("present", "dropped")]

    def name_of(self, account_id: int) -> str:
        member = self.members.get(account_id)
        return member["name"] if member else "Someone"

    # --- life -------------------------------------------------------------------------------

    def start(self) -> asyncio.Task:
        return self.tasks.spawn(self._start(), "care room start")

    async def _start(self) -> None:
        req = self.request
        self._set_phase("connecting")
        self._set_status(CONNECTING)
        name = req.account.get("full_name") or req.account.get("username") or "Me"
        # the ding is read from disk (then cached) here, never on the Qt thread at the arrival
        self.tasks.spawn(asyncio.to_thread(sounds.ding), "read the ding")
        opening = asyncio.ensure_future(
            asyncio.to_thread(
                open_media, name, req.devices, req.settings, size=req.video_size, fps=req.fps
            )
        )
        try:
            self.media, self.missing = await asyncio.shield(opening)
        except asyncio.CancelledError:  # closed while opening: release the devices once open
            opening.add_done_callback(_close_opened)
            raise
        if self.phase == "closed":
            self.media.close()
            return
        self.media_ready.emit()
        self.engine = self.engine_factory(
            req.portal_url,
            req.token,
            self.media,
            on_event=self._on_event,
            on_video_frame=self.frames.put,
        )
        self._health.start()
        try:
            hello = await self.engine.start()
            self.my_id = int(hello["account"]["id"])
            if req.session_id is None:
                await self.engine.host([int(p["id"]) for p in req.people])
            else:
                await self.engine.join(req.session_id)
        except RealtimeError as exc:
            self._failed(exc.message)
        except call_http.PortalError as exc:
            self._failed(exc.message)
        except (ConnectionError, TimeoutError, OSError) as exc:
            log.info("care room could not start: %s", exc)
            self._failed(UNREACHABLE)

    def _failed(self, text: str) -> None:
        self._set_phase("offline")
        self._set_status(text)

    def close(self, *, leave: bool = False) -> asyncio.Task:
        """Leave (a participant) or just hang up locally, then release everything.

        Idempotent: every call returns the same task."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(leave))
        return self._closing

    async def aclose(self, *, leave: bool = False) -> None:
        await self.close(leave=leave)

    async def _close(self, leave: bool) -> None:
        self._set_phase("closed")
        self._health.stop()
        self.sounds.close()
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
        if self.media is not None:
            self.media.close()  # idempotent; the engine closed it too if it started

    # --- commands (from the window) ---------------------------------------------------------

    def begin(self) -> asyncio.Task:
        return self.tasks.spawn(self._command(lambda e: e.begin()), "begin")

    def end(self) -> asyncio.Task:
        return self.tasks.spawn(self._command(lambda e: e.end()), "end")

    def send_chat(self, text: str) -> asyncio.Task | None:
        text = text.strip()
        if not text:
            return None
        return self.tasks.spawn(self._command(lambda e: e.send_chat(text)), "chat")

    async def _command(self, action: Callable[[CallEngine], Any]) -> None:
        if self.engine is None:
            return
        try:
            await action(self.engine)
        except RealtimeError as exc:
            self._set_status(exc.message)
        except (ConnectionError, TimeoutError):
            self._set_status("Not connected right now. Wait a moment, then try again.")

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

    def set_speakers(self, on: bool) -> None:
        self.speaker_on = on
        if self.engine is not None:
            self.engine.set_speaker_enabled(on)
        self.media_changed.emit("speaker", on)

    # --- sounds -----------------------------------------------------------------------------

    def _play(self, name: str, samples) -> None:
        if self.media is None or not self.speaker_on:
            return
        self.sounds.play(name, samples, self.media.speaker)  # the chosen speaker

    # --- the engine's events ----------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        handler = getattr(self, f"_ev_{event.kind}", None)
        if handler is not None:
            handler(**event.data)

    def _ev_state(self, state: str) -> None:
        if self.phase in ("closed", "ended"):
            return
        if state == "waiting":
            self._set_phase("waiting")
            self._waiting_status()
        elif state == "in_call":
            self._set_phase("in_call")
            self._set_status(self._call_status())
        elif state == "reconnecting":
            if self.phase != "reconnecting":
                self._play("connection_lost", sounds.connection_lost())
            self._set_phase("reconnecting")
            self._set_status(RECONNECTING)
        elif state == "rejoining":
            self._set_status(REJOINING)
        elif state == "offline":
            self._failed(OFFLINE)

    def _ev_media(self, notices: list[str]) -> None:
        self.notices = list(notices)
        self.notices_changed.emit(self.notices)

    def _ev_joined(self, session: dict, chat: list[dict]) -> None:
        first = self.session is None
        self._take_session(session)
        if first:
            for message in chat:
                self.chat.append(message)
                self.chat_added.emit(message, False)

    def _ev_begun(self, session: dict) -> None:
        self._take_session(session)
        for other in self.present_others():
            self.tile_states.setdefault(other, "connecting")
        self.tiles_changed.emit()

    def _ev_participant_joined(self, member: dict, returned: bool) -> None:
        was_anyone = any(
            m["status"] == "present" for i, m in self.members.items() if i != self.my_id
        )
        self._update_member(member)
        name = member["name"]
        if self.phase == "waiting" and self.hosting and not was_anyone:
            self._play("ding", sounds.ding())  # R-ROOM-2: the first arrival
        if self.session and self.session.get("state") == "begun":
            self.tile_states[member["account_id"]] = "connecting"
            self.tiles_changed.emit()
            self._set_status(f"{name} is back." if returned else f"{name} has joined.")
        else:
            self._waiting_status()
        self._update_can_begin()

    def _ev_participant_dropped(self, member: dict) -> None:
        self._update_member(member)
        if member["account_id"] in self.tile_states:
            self.tile_states[member["account_id"]] = "reconnecting"
            self.tiles_changed.emit()
        self._set_status(f"{member['name']}'s connection dropped. Waiting for them to come back…")
        self._update_can_begin()

    def _ev_participant_left(self, member: dict) -> None:
        self._update_member(member)
        self.tile_states.pop(member["account_id"], None)
        self.camera_off.pop(member["account_id"], None)
        self.frames.forget(member["account_id"])
        self.tiles_changed.emit()
        self._set_status(f"{member['name']} has left the session.")
        self._update_can_begin()

    def _ev_chat(self, **message: Any) -> None:
        self.chat.append(message)
        mine = message.get("sender_id") is not None and message.get("sender_id") == self.my_id
        self.chat_added.emit(message, not mine)  # R-ROOM-4: an incoming message opens the chat

    def _ev_first_frame(self, account_id: int, at: float) -> None:
        if account_id in self.tile_states:
            self.tile_states[account_id] = "connected"
            self.tiles_changed.emit()

    def _ev_peer_state(self, account_id: int, state: str) -> None:
        if account_id not in self.tile_states:
            return
        mapped = {
            "new": "connecting",
            "connecting": "connecting",
            "disconnected": "reconnecting",
            "failed": "reconnecting",
        }.get(state)
        if state == "connected":
            slot = self.frames.get(account_id)
            mapped = "connected" if slot is not None and slot.seq else "connecting"
        if mapped and self.tile_states[account_id] != mapped:
            self.tile_states[account_id] = mapped
            self.tiles_changed.emit()

    def _ev_ended(self, session_id: int | None, by: int | None) -> None:
        if self.phase in ("closed", "ended"):
            return
        if by is not None and by == self.my_id:
            self.ended_text = "You ended the session."
        else:
            self.ended_text = f"{self.host_name} has ended the session."
        if self.session:
            self.session = {**self.session, "state": "ended"}
        self.tile_states.clear()
        self.can_begin = False
        self.can_begin_changed.emit(False)
        self._health.stop()
        self._set_status(self.ended_text)
        self._set_phase("ended")
        self.tiles_changed.emit()
        engine, self.engine = self.engine, None
        if engine is not None:  # release the camera and microphone at once
            self._engine_closing = asyncio.ensure_future(engine.close())

    def _ev_error(self, code: str | None, message: str | None) -> None:
        if message:
            self._set_status(message)

    def _ev_media_toggled(self, device: str, enabled: bool) -> None:
        pass  # the window already shows what it asked for

    # --- helpers ----------------------------------------------------------------------------

    def _take_session(self, session: dict) -> None:
        self.session = session
        for member in session.get("members", []):
            self.members[member["account_id"]] = dict(member)
        self.members_changed.emit()
        self._update_can_begin()

    def _update_member(self, member: dict) -> None:
        self.members[member["account_id"]] = dict(member)
        if self.session:
            self.session["members"] = [
                member if m["account_id"] == member["account_id"] else m
                for m in self.session.get("members", [])
            ]
        self.members_changed.emit()

    def _update_can_begin(self) -> None:
        can = (
            self.hosting
            and self.phase == "waiting"
            and any(self.members[i]["status"] == "present" for i in self.present_others())
        )
        if can != self.can_begin:
            self.can_begin = can
            self.can_begin_changed.emit(can)

    def _waiting_status(self) -> None:
        if not self.hosting:
            self._set_status(f"Waiting for {self.host_name} to begin the session…")
            return
        here = [self.members[i]["name"] for i in self.present_others()]
        if not here:
            self._set_status(WAITING)
        else:
            who = here[0] if len(here) == 1 else ", ".join(here[:-1]) + " and " + here[-1]
            verb = "has" if len(here) == 1 else "have"
            self._set_status(f"{who} {verb} arrived. Click Begin to start the session.")

    def _call_status(self) -> str:
        off = [self.name_of(i) for i, dark in self.camera_off.items() if dark]
        if off:
            return f"{off[0]}'s camera is off."
        here = [self.name_of(i) for i in self.present_others()]
        if not here:
            return "Everyone else has left. You are alone in the session."
        if len(here) == 1:
            return f"In session with {here[0]}."
        return f"In session with {', '.join(here[:-1])} and {here[-1]}."

    def _check_health(self) -> None:
        """Per person: connected, reconnecting (no pictures), poor network, camera off."""
        if self.phase not in ("in_call", "reconnecting"):
            return
        now = time.monotonic()
        changed = False
        for other in list(self.tile_states):
            slot = self.frames.get(other)
            state = self.tile_states[other]
            member = self.members.get(other, {})
            if member.get("status") == "dropped":
                new = "reconnecting"
            elif slot is None or slot.last is None:
                new = state if state in ("connecting", "reconnecting") else "connecting"
            elif now - slot.last > STALLED_AFTER:
                new = "reconnecting"
            elif slot.rate(now) < POOR_FPS and now - slot.arrivals[0] > 2.0:
                new = POOR
            else:
                new = "connected"
            if new != state:
                self.tile_states[other] = new
                changed = True
            dark = bool(slot is not None and slot.dark and new != "reconnecting")
            if self.camera_off.get(other, False) != dark:
                self.camera_off[other] = dark
                changed = True
                if self.phase == "in_call":
                    name = self.name_of(other)
                    self._set_status(
                        f"{name}'s camera is off." if dark else f"{name}'s camera is on."
                    )
        if changed:
            self.tiles_changed.emit()

    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phase_changed.emit(phase)
            self._update_can_begin()

    def _set_status(self, text: str) -> None:
        self.status = text
        self.status_changed.emit(text)


def _close_opened(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result()[0].close()
