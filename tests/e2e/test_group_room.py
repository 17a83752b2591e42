"""Group Care Rooms through a real Janus (issue 14, R-ROOM-MODE), end to end.

A real server process with a real Janus (Debian's package, generated config on free ports), the
call engines the app uses, SYNTHETIC cameras (160x120 at 15 fps, so several people fit on two
cores). Hosting four or more people makes a room through Janus; each engine sends once and sees
every other person's own picture; a stranger cannot reach the room; Janus restarting mid-call
comes back by itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from tests.helpers import janus
from tests.helpers.server import ServerProcess
from vtconnect_care.client.call_http import login
from vtconnect_care.client.engine import CallEngine, MediaSet
from vtconnect_care.client.engine.sfu import SfuRoom
from vtconnect_care.client.media.synthetic import shows_name
from vtconnect_care.client.realtime import RealtimeError

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(180),
    pytest.mark.skipif(janus.skip_reason() is not None, reason=str(janus.skip_reason())),
]
PASSWORD = "VTConnect-demo-1"
GROUP = ["dr.patel", "alex.active", "bea.active", "nurse.kim", "cara.coord"]


@pytest.fixture(scope="module")
def janus_server(tmp_path_factory) -> Iterator[janus.JanusServer]:
    server = janus.start(tmp_path_factory.mktemp("janus"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, janus_server) -> Iterator[ServerProcess]:
    env = {
        "VTCONNECT_JANUS_URL": janus_server.url,
        "VTCONNECT_JANUS_API_SECRET": janus_server.api_secret,
        "VTCONNECT_JANUS_ADMIN_KEY": janus_server.admin_key,
    }
    with ServerProcess(tmp_path_factory.mktemp("group"), env=env) as proc:
        yield proc


async def until(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


class Group:
    """Engines for these usernames, each keeping the last picture it got from each person."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engines: dict[str, CallEngine] = {}
        self.names: dict[int, str] = {}
        self.seen: dict[str, dict[int, np.ndarray]] = {}

    async def add(self, username: str, *, fps: int = 15) -> CallEngine:
        info = await login(self.url, username, PASSWORD)
        name = info["account"]["full_name"]
        store: dict[int, np.ndarray] = {}
        self.seen[username] = store

        def on_frame(account_id: int, frame) -> None:
            if np.random.random() < 0.2:  # convert only some frames
                store[account_id] = frame.to_ndarray(format="bgr24")

        engine = CallEngine(
            self.url,
            info["token"],
            MediaSet.synthetic(name, width=160, height=120, fps=fps),
            ice_servers=[],
            on_video_frame=on_frame,
            warm_up=False,
        )
        await engine.start()
        self.engines[username] = engine
        self.names[engine.my_id] = name
        return engine

    def everyone_sees_everyone(self) -> bool:
        for username, engine in self.engines.items():
            store = self.seen[username]
            for other, name in self.names.items():
                if other != engine.my_id and not (
                    other in store and shows_name(store[other], name)
                ):
                    return False
        return True

    def forget_pictures(self) -> None:
        for store in self.seen.values():
            store.clear()

    async def close(self) -> None:
        for engine in self.engines.values():
            await engine.close()


def test_five_people_through_janus_each_send_once_and_see_everyone(server, janus_server):
    async def scenario() -> None:
        group = Group(server.url)
        try:
            for username in GROUP:
                await group.add(username)
            patel = group.engines["dr.patel"]
            sid = await patel.host(usernames=GROUP[1:])
            assert patel.session is not None and patel.session["media"] == "sfu"
            for username in GROUP[1:]:
                await group.engines[username].join(sid)
            await patel.begin()
            await until(group.everyone_sees_everyone, 60)
            for engine in group.engines.values():
                assert isinstance(engine.mesh, SfuRoom)
                assert engine.mesh.publisher is not None  # one sending connection
                assert len(engine.peers) == len(GROUP) - 1  # one receiving per other person

            # Janus restarts mid-call: everyone is told, and the room comes back by itself.
            janus_server.restart()
            group.forget_pictures()
            await until(group.everyone_sees_everyone, 60)
        finally:
            await group.close()

    asyncio.run(scenario())


def test_a_dropped_socket_comes_back_into_the_group_room_with_its_media_intact(server):
    """R-ROOM-9 in a group room: a dropped socket keeps the place, so Janus keeps forwarding;
    the socket comes back, the engine re-joins, and the same media carries on."""

    async def scenario() -> None:
        group = Group(server.url)
        try:
            for username in GROUP[:4]:
                await group.add(username)
            patel, alex = group.engines["dr.patel"], group.engines["alex.active"]
            sid = await patel.host(usernames=GROUP[1:4])
            for username in GROUP[1:4]:
                await group.engines[username].join(sid)
            await patel.begin()
            await until(group.everyone_sees_everyone, 60)
            first_publisher = alex.mesh.publisher
            alex.realtime.cut()  # the socket drops as on a network failure
            group.forget_pictures()
            await until(lambda: not alex.realtime.connected.is_set(), 10)
            await until(lambda: alex.realtime.connected.is_set() and alex.state == "in_call", 30)
            await until(group.everyone_sees_everyone, 30)
            assert alex.mesh.publisher is first_publisher  # never torn down
        finally:
            await group.close()

    asyncio.run(scenario())


SEVEN = [*GROUP, "dan.deptadmin", "olivia.admin"]


def test_seven_people_in_one_janus_room_all_receive_everyone(server):
    """More than a mesh holds (6): seven, at a small size and rate (two cores here)."""

    async def scenario() -> None:
        group = Group(server.url)
        try:
            for username in SEVEN:
                await group.add(username, fps=8)
            patel = group.engines["dr.patel"]
            sid = await patel.host(usernames=SEVEN[1:])
            for username in SEVEN[1:]:
                await group.engines[username].join(sid)
            await patel.begin()
            await until(group.everyone_sees_everyone, 90)
            assert all(len(e.peers) == 6 for e in group.engines.values())
        finally:
            await group.close()

    asyncio.run(scenario())


def test_a_stranger_cannot_step_into_a_group_room(server):
    async def scenario() -> None:
        group = Group(server.url)
        try:
            invited = ["alex.active", "nurse.kim", "cara.coord"]
            patel = await group.add("dr.patel")
            for username in invited:
                await group.add(username)
            sid = await patel.host(usernames=invited)
            stranger = await group.add("bea.active")  # not invited this time
            await group.engines["alex.active"].join(sid)
            await patel.begin()
            step = {"type": "sfu", "session_id": sid, "op": "subscribe", "feed": patel.my_id}
            with pytest.raises(RealtimeError) as refused:
                await stranger.realtime.request(step)
            assert refused.value.code == "forbidden"
        finally:
            await group.close()

    asyncio.run(scenario())
