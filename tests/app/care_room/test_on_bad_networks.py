"""The practitioner's Care Room on a bad network, as the practitioner sees it (issue 18).

The Care Room runs here, in the test's own namespace; the portal server and alex.active's CLI
participant (SYNTHETIC camera and tone) run in the lab's namespace "far", behind one veth pair
that the lab caps, breaks or makes lossy (tests/helpers/netlab.py). Real sockets, aiortc, VP8
and Opus. What is asserted is what the window shows: the notice that video is paused to keep
the sound clear, the caption on Alex's tile, video coming back, the picture through an outage.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.app.care_room.conftest import RecordingDevices
from tests.app.conftest import run, wait_until
from tests.helpers.netlab import ROOT, NetLab, available, participant, portal_server
from tests.helpers.rest import login
from vtconnect_care.app.call import pauses
from vtconnect_care.app.call.states import TileState
from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest

pytestmark = [pytest.mark.network, pytest.mark.timeout(240)]


@pytest.fixture(autouse=True)
def _lab_available() -> None:
    ok, why = available()
    if not ok:
        pytest.skip(f"network lab unavailable: {why}")


def frames_from(c, account_id: int) -> int:
    slot = c.frames.get(account_id)
    return slot.seq if slot is not None else 0


async def more_frames(c, account_id: int, count: int, timeout: float, what: str) -> None:
    start = frames_from(c, account_id)
    await wait_until(lambda: frames_from(c, account_id) >= start + count, timeout, what)


def test_a_thin_link_pauses_video_with_a_notice_and_it_comes_back(qloop, tmp_path: Path):
    with NetLab(["far"], [(ROOT, "far")]) as lab:
        server, url = portal_server(lab, "far", tmp_path / "server")
        alex = participant(lab, "far", url, "alex.active", "--stats-every", "1", "--follow", "join")
        try:
            alex_id = alex.wait("hello")["account"]["id"]
            token = login(url, "dr.patel")["Authorization"].split()[1]
            request = RoomRequest(
                account={"id": 0, "full_name": "Priya Patel", "username": "dr.patel"},
                portal_url=url,
                token=token,
                people=({"id": alex_id, "full_name": "Alex Morgan"},),
                devices=RecordingDevices("Priya Patel"),
                video_size=(640, 480),
                fps=30.0,
            )
            window = CareRoomWindow(CareRoomController(request))
            window.resize(900, 600)
            window.show()
            try:
                run(qloop, scenario(window, lab, alex_id), 200)
            finally:
                window.force_close()
                run(qloop, window.controller.aclose(), 10)
        finally:
            alex.stop()
            server.stop()


async def scenario(window, lab: NetLab, alex: int) -> None:
    c = window.controller
    await c.start()
    await wait_until(lambda: c.can_begin, 30, "Alex arrived")
    await c.begin()
    await wait_until(lambda: alex in window.grid.tiles, 15, "Alex's tile")
    await more_frames(c, alex, 60, 30, "video from Alex")
    tile = window.grid.tiles[alex]
    session = c.engine.session_id

    # a thin mobile link: video pauses by itself, both sides are told, the sound goes on
    lab.cap(150)
    await wait_until(
        lambda: pauses.WEAK_PAUSED in window.notice.text() and window.notice.isVisible(),
        25,
        "the weak-connection notice",
    )
    await wait_until(
        lambda: tile.caption == pauses.paused_caption("Alex Morgan", "weak"), 25, "Alex's caption"
    )
    # paused is not reconnecting (even if the pictures dried up before the pause)
    # (a thin link may also read as poor quality: that is said on the tile, and still no
    # "Reconnecting…")
    await wait_until(
        lambda: c.tile_states[alex] in (TileState.CONNECTED, TileState.POOR),
        3,
        "tile not reconnecting",
    )
    audio = c.engine.stats()[alex]["audio_frames"]
    await asyncio.sleep(3.0)  # three seconds of the capped call
    assert c.engine.stats()[alex]["audio_frames"] - audio >= 100  # 150 a second would be all

    # the link recovers: video comes back by itself
    lab.uncap()
    await wait_until(lambda: tile.caption == "", 30, "Alex's video back")
    await wait_until(lambda: window.notice.text() in ("", pauses.VIDEO_BACK), 30, "notice gone")
    await more_frames(c, alex, 30, 15, "pictures after the cap")

    # five seconds of nothing at all: the same call carries media again, nobody clicks
    lab.outage()
    await asyncio.sleep(5.0)  # the outage itself
    lab.restore()
    # how soon is bench/network.py's figure (outage5); here: back by itself, in the same call
    await more_frames(c, alex, 15, 30, "pictures after the outage")
    assert c.engine.session_id == session and c.phase == "in_call"
