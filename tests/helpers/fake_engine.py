"""A hand-written fake of ``CallEngine`` for controller tests: no socket, no peer connection.

Pass ``FakeEngine.factory()`` as a controller's engine factory; the test then plays the hub's
part with ``engine.emit(kind, **data)`` and ``engine.move(state)``, and reads what the
controller asked for in ``engine.calls``.
"""

from __future__ import annotations

from typing import Any

from vtconnect_care.client.engine import EngineState, Event
from vtconnect_care.client.engine.link_stats import quality_event
from vtconnect_care.client.engine.states import ENGINE_MOVES
from vtconnect_care.client.realtime import RealtimeError
from vtconnect_care.domain.call_quality import QualityLevel, Reason, Verdict
from vtconnect_care.domain.transitions import StateMachine


class FakeLink:
    """The engine's LinkMonitor as far as the controllers use it."""

    def __init__(self) -> None:
        self.video_expected: dict[int, bool] = {}

    def expect_video(self, account_id: int, expected: bool) -> None:
        self.video_expected[account_id] = expected


class FakeEngine:
    def __init__(self, media: Any, *, on_event, on_video_frame, account: dict, refuse=None):
        self.media = media
        self.on_event = on_event
        self.on_video_frame = on_video_frame
        self.account = account
        self.refuse = refuse or {}  # command name -> RealtimeError to raise
        self.calls: list[tuple] = []
        self.session: dict | None = None
        self.closed = False
        self.camera_enabled = self.mic_enabled = self.speaker_enabled = True
        self.link = FakeLink()
        self._machine = StateMachine(
            "fake engine",
            EngineState.IDLE,
            ENGINE_MOVES,
            on_change=lambda _old, new: self.emit("state", state=new),
        )

    @classmethod
    def factory(cls, made: list[FakeEngine], account: dict, **options: Any):
        def make(portal_url, token, media, ice_servers, *, on_event, on_video_frame):
            engine = cls(
                media, on_event=on_event, on_video_frame=on_video_frame, account=account, **options
            )
            made.append(engine)
            return engine

        return make

    # --- what the hub would make happen ---------------------------------------------------------

    @property
    def state(self) -> EngineState:
        return self._machine.state

    @property
    def session_id(self) -> int | None:
        return int(self.session["id"]) if self.session else None

    def move(self, state: EngineState) -> None:
        self._machine.move(state)

    def emit(self, kind: str, /, **data: Any) -> None:
        self.on_event(Event(kind, data))

    def emit_quality(
        self, account_id: int, level: str, *reasons: str, **figures: float | None
    ) -> None:
        """The engine's ``quality`` event, as ``LinkMonitor`` sends it (sentences included)."""
        verdict = Verdict(QualityLevel(level), tuple(Reason(r) for r in reasons), figures)
        self.emit("quality", **quality_event(account_id, verdict))

    def join_session(self, session: dict, chat: list | None = None) -> None:
        self.session = session
        self.emit("joined", session=session, chat=chat or [])
        self.move(EngineState.IN_CALL if session["state"] == "begun" else EngineState.WAITING)

    # --- the engine's API -----------------------------------------------------------------------

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, *args))
        if name in self.refuse:
            raise self.refuse[name]

    async def start(self) -> dict:
        self._record("start")
        self.move(EngineState.CONNECTED)
        self.emit("media", notices=list(self.media.notices))
        return {"account": self.account, "sessions": []}

    async def host(self, client_ids=None, *, usernames=None) -> int:
        self._record("host", tuple(client_ids or ()))
        return 1

    async def join(self, session_id: int) -> dict:
        self._record("join", session_id)
        return self.session or {"id": session_id, "state": "hosted", "members": []}

    async def begin(self) -> None:
        self._record("begin")

    async def end(self) -> None:
        self._record("end")

    async def leave(self) -> None:
        self._record("leave")

    async def send_chat(self, text: str) -> None:
        self._record("chat", text)

    def set_camera_enabled(self, on: bool) -> None:
        self.camera_enabled = on

    def set_mic_enabled(self, on: bool) -> None:
        self.mic_enabled = on

    def set_speaker_enabled(self, on: bool) -> None:
        self.speaker_enabled = on

    def set_audio_only(self, on: bool) -> None:
        self.audio_only = on
        self.emit("audio_only", on=on)  # as the real engine does

    def stats(self) -> dict:
        return {}

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.media.close()
            self.move(EngineState.CLOSED)


__all__ = ["FakeEngine", "RealtimeError"]
