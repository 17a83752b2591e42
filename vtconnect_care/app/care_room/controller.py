"""The Care Room's controller: the room's own rules (R-ROOM-1..9) on the shared call controller.

Widgets only display the controller's state (phase, members, tile states, chat, status sentence)
and forward intent (Begin, End, Leave, chat, device toggles). All network work runs as tasks on
the qasync loop; device opening runs on a worker thread (``app.call.controller``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from vtconnect_care.client import call_http
from vtconnect_care.client.engine import CallEngine, EngineState, Event, RealtimeError
from vtconnect_care.domain.care_room import MemberRole, SessionState

from .. import notifier
from ..call import status as say
from ..call.controller import CallController, EngineFactory, default_engine
from ..call.states import CallPhase, TileState
from . import sounds
from .waiting_clock import WaitingClock

log = logging.getLogger("vtconnect.care_room")

# the sentences, importable from here as before
CONNECTING, WAITING, UNREACHABLE = say.CONNECTING, say.WAITING, say.UNREACHABLE
RECONNECTING, REJOINING, OFFLINE = say.RECONNECTING, say.REJOINING, say.OFFLINE
POOR = TileState.POOR
HERE = ("present", "dropped")

PHASE_OF = {  # the engine's state -> the room's phase
    EngineState.WAITING: CallPhase.WAITING,
    EngineState.IN_CALL: CallPhase.IN_CALL,
    EngineState.RECONNECTING: CallPhase.RECONNECTING,
}


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
    notifier: Any = None  # a notifier.Notifier: the first arrival on the desktop too

    @property
    def hosting(self) -> bool:
        return self.session_id is None


class CareRoomController(CallController):
    status_changed = Signal(str)
    members_changed = Signal()
    chat_added = Signal(dict, bool)  # the message; True if it should open the chat (R-ROOM-4)
    can_begin_changed = Signal(bool)
    attention = Signal(str, str)  # title, text: for a desktop notification (the first arrival)

    def __init__(
        self,
        request: RoomRequest,
        *,
        engine_factory: EngineFactory | None = default_engine,
        parent: QObject | None = None,
    ) -> None:
        account = request.account
        super().__init__(
            name=account.get("full_name") or account.get("username") or "Me",
            portal_url=request.portal_url,
            token=request.token,
            devices=request.devices,
            settings=request.settings,
            video_size=request.video_size,
            fps=request.fps,
            engine_factory=engine_factory,
            parent=parent,
        )
        self.request = request
        self.sounds = sounds.SoundPlayer()
        self.status = ""
        self.session: dict | None = None
        self.members: dict[int, dict] = {}
        self.chat: list[dict] = []
        self.can_begin = False
        self.ended_text = ""
        self.my_id: int | None = account.get("id")
        self.waits = WaitingClock()  # issue 16: who has waited how long before Begin
        for person in request.people:  # before the session is known: everyone not yet arrived
            self.members[person["id"]] = {
                "account_id": person["id"],
                "name": person["full_name"],
                "role": MemberRole.PARTICIPANT.value,
                "status": "absent",
            }
        self.phase_changed.connect(lambda _phase: self._update_can_begin())

    # --- derived state ----------------------------------------------------------------------

    @property
    def session_state(self) -> SessionState | None:
        return SessionState(self.session["state"]) if self.session else None

    @property
    def begun(self) -> bool:
        return self.session_state is SessionState.BEGUN

    @property
    def in_call(self) -> bool:
        """The session has begun and this room is still part of it (the window's video)."""
        return self.begun and self.phase in (CallPhase.IN_CALL, CallPhase.RECONNECTING)

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
        return sorted(people, key=lambda m: (m.get("role") != MemberRole.HOST, m["name"]))

    def present_others(self) -> list[int]:
        return [m["account_id"] for m in self.others() if m["status"] in HERE]

    def name_of(self, account_id: int) -> str:
        member = self.members.get(account_id)
        return member["name"] if member else "Someone"

    # --- life -------------------------------------------------------------------------------

    def start(self) -> asyncio.Task | None:
        return self.tasks.spawn(self._start(), "care room start")

    async def _start(self) -> None:
        req = self.request
        self.set_phase(CallPhase.CONNECTING)
        self._set_status(say.CONNECTING)
        # the ding is read from disk (then cached) here, never on the Qt thread at the arrival
        self.tasks.spawn(asyncio.to_thread(sounds.ding), "read the ding")
        if await self.open_devices() is None:
            return
        engine = self.make_engine()
        try:
            hello = await engine.start()
            self.my_id = int(hello["account"]["id"])
            if req.session_id is None:
                await engine.host([int(p["id"]) for p in req.people])
            else:
                await engine.join(req.session_id)
        except (RealtimeError, call_http.PortalError) as exc:
            self._failed(exc.message)
        except (ConnectionError, TimeoutError, OSError) as exc:
            log.info("care room could not start: %s", exc)
            self._failed(say.UNREACHABLE)

    def _failed(self, text: str) -> None:
        if not self.phase.over:
            self.set_phase(CallPhase.OFFLINE)
        self._set_status(text)

    def closing(self) -> None:
        self.sounds.close()

    # --- commands (from the window) ---------------------------------------------------------

    def begin(self) -> asyncio.Task | None:
        return self.tasks.spawn(self._command(lambda e: e.begin()), "begin")

    def end(self) -> asyncio.Task | None:
        return self.tasks.spawn(self._command(lambda e: e.end()), "end")

    def send_chat(self, text: str) -> asyncio.Task | None:
        text = text.strip()
        if not text or not self.phase.live:  # an ended session takes no message
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
            self._set_status(say.NOT_CONNECTED)

    def _play(self, name: str, samples: Any) -> None:
        if self.media is None or not self.speaker_on:
            return
        self.sounds.play(name, samples, self.media.speaker)  # the chosen speaker

    # --- the engine's events ----------------------------------------------------------------

    def on_engine_event(self, event: Event) -> None:
        handler = getattr(self, f"_ev_{event.kind}", None)
        if handler is not None:
            handler(**event.data)

    def _ev_state(self, state: str) -> None:
        if self.phase.over:
            return
        engine_state = EngineState(state)
        if engine_state is EngineState.OFFLINE:
            self._failed(say.OFFLINE)
            return
        if engine_state is EngineState.REJOINING:
            self._set_status(say.REJOINING)
            return
        phase = PHASE_OF.get(engine_state)
        if phase is None:
            return
        if phase is CallPhase.RECONNECTING and self.phase is not CallPhase.RECONNECTING:
            self._play("connection_lost", sounds.connection_lost())
        self.set_phase(phase)
        if phase is CallPhase.WAITING:
            self._waiting_status()
        elif phase is CallPhase.IN_CALL:
            self._set_status(self._call_status())
        else:
            self._set_status(say.RECONNECTING)

    def _ev_sfu_state(self, state: str, message: str | None = None) -> None:
        """A group room's own connection to the media server: away (said), or back."""
        if self.phase.over:
            return
        if state == "unavailable":
            self._set_status(say.MEDIA_SERVER_AWAY)
        elif state == "connected" and self.status == say.MEDIA_SERVER_AWAY:
            self._set_status(self._call_status())

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
            self.tile_states.setdefault(other, TileState.CONNECTING)
        self.tiles_changed.emit()

    def _ev_participant_joined(self, member: dict, returned: bool) -> None:
        was_anyone = any(
            m["status"] == "present" for i, m in self.members.items() if i != self.my_id
        )
        self._update_member(member)
        if self.phase is CallPhase.WAITING and self.hosting and not was_anyone:
            self._play("ding", sounds.ding())  # R-ROOM-2: the first arrival
            self.attention.emit(*notifier.arrived(member["name"]))  # also out of sight
        if self.begun:
            self.tile_states[member["account_id"]] = TileState.CONNECTING
            self.tiles_changed.emit()
            self._set_status(say.arrival_text(member["name"], returned=returned))
        else:
            self._waiting_status()
        self._update_can_begin()

    def _ev_participant_dropped(self, member: dict) -> None:
        self._update_member(member)
        if member["account_id"] in self.tile_states:
            self.set_tile(member["account_id"], TileState.RECONNECTING)
        self._set_status(say.dropped_text(member["name"]))
        self._update_can_begin()

    def _ev_participant_left(self, member: dict) -> None:
        self._update_member(member)
        self.forget_tile(member["account_id"])
        self._set_status(say.left_text(member["name"]))
        self._update_can_begin()

    def _ev_chat(self, **message: Any) -> None:
        self.chat.append(message)
        mine = message.get("sender_id") is not None and message.get("sender_id") == self.my_id
        self.chat_added.emit(message, not mine)  # R-ROOM-4: an incoming message opens the chat

    def _ev_ended(self, session_id: int | None, by: int | None) -> None:
        if self.phase.over:
            return
        by_me = by is not None and by == self.my_id
        self.ended_text = say.ended_text(self.host_name, by_me=by_me)
        if self.session:
            self.session = {**self.session, "state": SessionState.ENDED.value}
        self.waits.stop()
        self.tile_states.clear()
        self.can_begin = False
        self.can_begin_changed.emit(False)
        self._set_status(self.ended_text)
        self.set_phase(CallPhase.ENDED)
        self.tiles_changed.emit()
        self.release_engine()  # release the camera and microphone at once

    def _ev_error(self, code: str | None, message: str | None) -> None:
        if message:
            self._set_status(message)

    # --- the shared controller's hooks ------------------------------------------------------

    def is_dropped(self, account_id: int) -> bool:
        return self.members.get(account_id, {}).get("status") == "dropped"

    def camera_changed(self, account_id: int, dark: bool) -> None:
        if self.phase is CallPhase.IN_CALL:
            self._set_status(say.camera_text(self.name_of(account_id), off=dark))

    # --- helpers ----------------------------------------------------------------------------

    def _take_session(self, session: dict) -> None:
        self.session = session
        for member in session.get("members", []):
            self.members[member["account_id"]] = dict(member)
        if session.get("state") == SessionState.HOSTED.value:
            self.waits.take_all(session.get("members", []))
        else:
            self.waits.stop()
        self.members_changed.emit()
        self._update_can_begin()

    def _update_member(self, member: dict) -> None:
        self.members[member["account_id"]] = dict(member)
        if not self.begun:
            self.waits.take(member)
        if self.session:
            self.session["members"] = [
                member if m["account_id"] == member["account_id"] else m
                for m in self.session.get("members", [])
            ]
        self.members_changed.emit()

    def _update_can_begin(self) -> None:
        can = (
            self.hosting
            and self.phase is CallPhase.WAITING
            and any(self.members[i]["status"] == "present" for i in self.present_others())
        )
        if can != self.can_begin:
            self.can_begin = can
            self.can_begin_changed.emit(can)

    def _waiting_status(self) -> None:
        here = [self.members[i]["name"] for i in self.present_others()]
        self._set_status(
            say.waiting_status(hosting=self.hosting, host_name=self.host_name, here=here)
        )

    def _call_status(self) -> str:
        off = [self.name_of(i) for i, dark in self.camera_off.items() if dark]
        here = [self.name_of(i) for i in self.present_others()]
        return say.call_status(here=here, camera_off=off)

    def _set_status(self, text: str) -> None:
        self.status = text
        self.status_changed.emit(text)
