"""Video paused, in the windows: "Audio only" chosen, or a path too weak for video; what each
side sees (the notice, the tile's caption) and that a paused tile is not "Reconnecting…"
(fake engine, milliseconds)."""

from __future__ import annotations

import time

from tests.app.call.test_controller import ALEX
from tests.app.call.test_quality import in_call, room  # noqa: F401 - the fixture
from tests.app.conftest import run
from vtconnect_care.app.call import pauses
from vtconnect_care.app.call.states import TileState


def test_a_weak_path_pauses_my_video_with_a_notice_and_video_coming_back_says_so(room, qloop):  # noqa: F811
    window, made = room

    async def scenario():
        engine = await in_call(window, made)
        window.set_controls_visible(False)  # the notice shows even with the controls hidden
        engine.emit("video_paused", account_id=2, reason="weak")
        assert window.notice.isVisible() and pauses.WEAK_PAUSED in window.notice.text()
        engine.emit("video_resumed", account_id=2)
        assert window.notice.text() == pauses.VIDEO_BACK

    run(qloop, scenario(), 5)


def test_their_paused_video_is_a_caption_not_a_reconnect(room, qloop):  # noqa: F811
    window, made = room
    c = window.controller

    async def scenario():
        engine = await in_call(window, made)
        engine.emit("remote_video", account_id=2, on=False, reason="weak")
        tile = window.grid.tiles[2]
        name = ALEX["full_name"]
        assert tile.caption == pauses.paused_caption(name, "weak")
        assert "weak" in tile.accessibleDescription()
        slot = c.frames.get(2)
        slot.arrivals.clear()
        slot.arrivals.append(time.monotonic() - 10)  # no pictures for a long while
        c.check_health()
        assert c.tile_states[2] is TileState.CONNECTED  # paused, not "Reconnecting…"
        c.tile_states[2] = TileState.RECONNECTING  # as if the pictures had dried up before
        c.check_health()
        assert c.tile_states[2] is TileState.CONNECTED
        engine.emit("remote_video", account_id=2, on=False, reason="chosen")
        assert tile.caption == f"{name} chose audio only"
        engine.emit("remote_video", account_id=2, on=True, reason=None)
        assert tile.caption == ""

    run(qloop, scenario(), 5)


def test_audio_only_from_the_menu_reaches_the_engine_and_is_said(room, qloop):  # noqa: F811
    window, made = room

    async def scenario():
        engine = await in_call(window, made)
        window.audio_only_action.trigger()
        assert engine.audio_only is True
        assert pauses.AUDIO_ONLY_ON in window.notice.text()
        assert window.grid.tiles[2].caption == pauses.AUDIO_ONLY_CAPTION  # no frozen picture
        window.audio_only_action.trigger()
        assert engine.audio_only is False and pauses.AUDIO_ONLY_ON not in window.notice.text()

    run(qloop, scenario(), 5)


def test_the_visit_window_has_audio_only_and_says_a_weak_connection(qloop, qapp):
    from tests.app.call.test_quality import picture
    from tests.app.call.visit_window import client_in_call, visit_call_and_window

    made: list = []
    call, window = visit_call_and_window(made)
    window.audio_only_toggled.connect(call.set_audio_only)  # as VisitsController wires it
    window.show()

    async def scenario():
        engine = await client_in_call(call, window, made, picture())
        assert window.audio_only.isVisible() and window.audio_only.text() == pauses.AUDIO_ONLY
        window.audio_only.click()
        assert engine.audio_only is True and window.notice.text() == pauses.AUDIO_ONLY_ON
        window.audio_only.click()
        assert engine.audio_only is False and window.notice.text() == ""
        engine.emit("video_paused", account_id=2, reason="weak")
        assert window.notice.text() == pauses.WEAK_PAUSED
        engine.emit("remote_video", account_id=2, on=False, reason="weak")
        assert window.stage.client.caption == pauses.paused_caption("Alex Morgan", "weak")
        await call.hang_up()

    run(qloop, scenario(), 5)
    window.close()
    window.deleteLater()
