"""Quality shown per person: the word, the bars, the tooltip and the accessible name a person
gets on a remote tile, in the Care Room and in the visit window (fake engine, milliseconds)."""

from __future__ import annotations

import numpy as np
import pytest
from av import VideoFrame
from PySide6.QtGui import QTextDocumentFragment

from tests.app.call.test_controller import ALEX, PATEL, member, session
from tests.app.call.visit_window import client_in_call, visit_call_and_window
from tests.app.care_room.conftest import RecordingDevices
from tests.app.conftest import run
from tests.helpers.fake_engine import FakeEngine
from vtconnect_care.app.call import status as say
from vtconnect_care.app.call.quality import QualityBadge
from vtconnect_care.app.call.states import TileState
from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
from vtconnect_care.domain import call_quality as q
from vtconnect_care.domain.call_quality import QualityLevel, Reason, Verdict

LOSSY = {"loss_in": 0.21, "loss_out": 0.02, "rtt_ms": 180.0, "kbps_in": 240.0, "fps_in": 14.0}


def tooltip_lines(widget) -> list[str]:
    """The tooltip as a person reads it (it is rich text, so that Qt wraps it)."""
    text = QTextDocumentFragment.fromHtml(widget.toolTip()).toPlainText()
    return [line for line in text.splitlines() if line.strip()]


def picture(level: int = 128) -> VideoFrame:
    image = np.full((120, 160, 3), level, np.uint8)
    image[::7, ::5] = 255 if level else 0
    return VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")


@pytest.fixture
def room(qloop):
    made: list[FakeEngine] = []
    request = RoomRequest(
        account=PATEL, portal_url="http://x", token="t", people=(ALEX,), devices=RecordingDevices()
    )
    window = CareRoomWindow(
        CareRoomController(request, engine_factory=FakeEngine.factory(made, PATEL))
    )
    window.resize(900, 600)
    window.show()
    yield window, made
    window.force_close()
    run(qloop, window.controller.aclose(), 5)


async def in_call(window, made) -> FakeEngine:
    c = window.controller
    await c.start()
    engine = made[0]
    engine.join_session(session("begun", "present"))
    engine.emit("begun", session=engine.session)
    c.frames.put(2, picture())
    engine.emit("first_frame", account_id=2, at=0.0)
    return engine


def test_r_quality_2_the_care_room_tile_says_poor_in_words_and_why(room, qloop):
    """Not by colour alone: bars, the word, a tooltip with what is wrong and what to try, and
    an accessible name; the tile's own state follows a poor verdict."""
    window, made = room
    c = window.controller

    async def scenario():
        engine = await in_call(window, made)
        tile = window.grid.tiles[2]
        assert c.tile_states[2] is TileState.CONNECTED
        assert not tile.quality.isVisible()  # not judged yet: no label
        engine.emit_quality(2, "poor", "loss_in", "low_bitrate", **LOSSY)
        assert c.tile_states[2] is TileState.POOR
        badge = tile.quality
        assert badge.isVisible() and badge.word == "Poor" and badge.level is QualityLevel.POOR
        tip = tooltip_lines(badge)
        assert tip[0] == "Poor connection"
        assert tip[1] == "Sound and picture from this person are being lost on the way."
        assert tip[1] == q.PROBLEMS[Reason.LOSS_IN]
        assert q.ADVICE[Reason.LOSS_IN] in tip and q.ADVICE[Reason.LOW_BITRATE] in tip
        assert tip[-1] == (
            "Round trip 180 ms, lost 21% in, 2% out, 240 kbps received, 14 pictures a second."
        )
        assert badge.accessibleName() == "Connection with Alex Morgan: Poor"
        assert q.PROBLEMS[Reason.LOSS_IN] in badge.accessibleDescription()
        assert tile.badges == []  # "Poor" once, in the label, not twice on the tile
        assert tile.accessibleDescription() == "Alex Morgan: Poor connection"
        # better again
        engine.emit_quality(2, "good", rtt_ms=40.0, loss_in=0.0, loss_out=0.0)
        assert c.tile_states[2] is TileState.CONNECTED
        assert badge.word == "Good" and badge.accessibleName().endswith(": Good")
        assert tooltip_lines(badge)[1] == q.ALL_CLEAR
        c.check_health()  # the frame judgement agrees with the verdict
        assert c.tile_states[2] is TileState.CONNECTED
        engine.emit_quality(2, "fair", "jitter", jitter_ms=70.0)
        assert badge.word == "Fair" and c.tile_states[2] is TileState.CONNECTED
        assert badge.geometry().right() < tile.width() and badge.y() == 8  # top-right corner
        # the person drops: the caption says so, the stale label goes
        engine.emit("participant_dropped", member=member(ALEX, "dropped"))
        assert c.tile_states[2] is TileState.RECONNECTING and not badge.isVisible()
        engine.emit("participant_left", member=member(ALEX, "left"))
        assert 2 not in c.quality

    run(qloop, scenario(), 5)


def test_r_quality_4_a_camera_turned_off_is_no_video_fault(room, qloop):
    window, made = room
    c = window.controller

    async def scenario():
        engine = await in_call(window, made)
        for _ in range(12):
            c.frames.put(2, picture(0))  # black pictures: the camera is off
        c.check_health()
        assert c.camera_off[2] and engine.link.video_expected == {2: False}
        for _ in range(12):
            c.frames.put(2, picture())
        c.check_health()
        assert engine.link.video_expected == {2: True}

    run(qloop, scenario(), 5)


def test_the_visit_window_shows_the_clients_quality(qloop, qapp):
    made: list[FakeEngine] = []
    call, window = visit_call_and_window(made)
    window.show()

    async def scenario():
        engine = await client_in_call(call, window, made, picture())
        engine.emit_quality(2, "poor", "delay", rtt_ms=1800.0)
        badge = window.stage.client.quality
        assert badge.isVisible() and badge.word == "Poor"
        assert badge.accessibleName() == "Connection with Alex Morgan: Poor"
        assert q.PROBLEMS[Reason.DELAY] in tooltip_lines(badge)
        assert q.ADVICE[Reason.DELAY] in tooltip_lines(badge)
        assert call.tile_states[2] is TileState.POOR
        await call.hang_up()

    run(qloop, scenario(), 5)
    window.close()
    window.deleteLater()


def test_the_badge_draws_bars_and_a_word_and_hides_without_a_verdict(qapp):
    badge = QualityBadge()
    assert badge.level is None and not badge.isVisible()
    verdict = Verdict(QualityLevel.FAIR, (Reason.JITTER,), {"jitter_ms": 61.0})
    badge.show_verdict("Bea", verdict)
    assert badge.word == "Fair" and tooltip_lines(badge)[0] == "Fair connection"
    assert tooltip_lines(badge)[-1] == "Jitter 61 ms."
    assert say.quality_tooltip(verdict).splitlines() == tooltip_lines(badge)
    image = badge.grab().toImage()
    assert image.width() >= 50 and not image.isNull()
    badge.show_verdict("Bea", None)
    assert badge.level is None and badge.toolTip() == "" and badge.accessibleName() == ""
    badge.deleteLater()


def test_judge_tile_follows_the_verdict_once_there_is_one():
    now = 100.0
    facts = {"dropped": False, "last": now - 0.1, "first": now - 10, "now": now}
    assert say.judge_tile(TileState.CONNECTED, rate=2.0, **facts) is TileState.POOR
    good = say.judge_tile(TileState.POOR, rate=2.0, quality=QualityLevel.GOOD, **facts)
    assert good is TileState.CONNECTED  # the verdict weighed the frame rate with the rest
    poor = say.judge_tile(TileState.CONNECTED, rate=30.0, quality=QualityLevel.POOR, **facts)
    assert poor is TileState.POOR
    stalled = {**facts, "last": now - 5}
    assert (
        say.judge_tile(TileState.POOR, rate=0.0, quality=QualityLevel.POOR, **stalled)
        is TileState.RECONNECTING
    )
    assert say.TILE_TEXT[TileState.POOR] == q.TITLES[QualityLevel.POOR]
    assert say.figures_text(None) == "" and say.figures_text({"loss_in": 0.0}) == "Lost 0% in"
