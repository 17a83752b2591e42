"""Group rooms through a real Janus (R-ROOM-MODE): rooms locked to the server, media forwarded.

Janus is Debian's package, started per module with a generated config on free ports
(tests/helpers/janus.py); the people are real aiortc peer connections sending SYNTHETIC video
(a solid colour per person), checked by colour at every receiver.
"""

from __future__ import annotations

import asyncio
import fractions
import json

import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from av import VideoFrame
from websockets.asyncio.client import connect

from tests.helpers import janus
from vtconnect_care.server.sfu.janus_api import JanusConnection, JanusError, JanusSession
from vtconnect_care.server.sfu.video_rooms import VideoRooms

pytestmark = pytest.mark.skipif(janus.skip_reason() is not None, reason=str(janus.skip_reason()))

COLOURS = {1: (220, 40, 40), 2: (40, 200, 40), 3: (40, 40, 220)}


@pytest.fixture(scope="module")
def janus_server(tmp_path_factory):
    server = janus.start(tmp_path_factory.mktemp("janus"))
    yield server
    server.stop()


class ColourTrack(VideoStreamTrack):
    """SYNTHETIC: a solid-colour 160x120 picture, 15 a second."""

    def __init__(self, colour: tuple[int, int, int]) -> None:
        super().__init__()
        self._image = np.empty((120, 160, 3), dtype=np.uint8)
        self._image[:, :] = colour

    async def recv(self) -> VideoFrame:
        pts, _ = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(self._image, format="rgb24")
        frame.pts, frame.time_base = pts, fractions.Fraction(1, 90000)
        return frame


def near(colour: np.ndarray, expected: tuple[int, int, int]) -> bool:
    return float(np.abs(colour - np.array(expected)).max()) < 40


class Person:
    """One member: a publishing and a subscribing peer connection, as the app's engine has."""

    def __init__(self, account_id: int, rooms: VideoRooms) -> None:
        self.id = account_id
        self.rooms = rooms
        self.publisher = RTCPeerConnection()
        self.publisher.addTrack(ColourTrack(COLOURS[account_id]))
        self.subscribers: list[RTCPeerConnection] = []
        self.seen: dict[str, asyncio.Future] = {}

    async def publish(self, session_id: int) -> None:
        await self.publisher.setLocalDescription(await self.publisher.createOffer())
        offer = {"type": "offer", "sdp": self.publisher.localDescription.sdp}
        answer = await self.rooms.publish(
            session_id, self.id, display=f"person {self.id}", offer=offer
        )
        await self.publisher.setRemoteDescription(RTCSessionDescription(**answer))

    async def subscribe(self, session_id: int, feeds: list[int]) -> None:
        for feed in feeds:
            if feed == self.id:
                continue
            offer = await self.rooms.subscribe(session_id, self.id, feed)
            pc = RTCPeerConnection()
            self.subscribers.append(pc)
            pc.on("track", self._on_track)
            await pc.setRemoteDescription(RTCSessionDescription(**offer))
            await pc.setLocalDescription(await pc.createAnswer())
            answer = {"type": "answer", "sdp": pc.localDescription.sdp}
            await self.rooms.start(session_id, self.id, feed, answer)

    def _on_track(self, track) -> None:
        async def pull() -> None:
            while True:
                frame = await track.recv()
                mean = frame.to_ndarray(format="rgb24").reshape(-1, 3).mean(axis=0)
                for account, colour in COLOURS.items():
                    if near(mean, colour):
                        future = self.seen.setdefault(
                            str(account), asyncio.get_running_loop().create_future()
                        )
                        if not future.done():
                            future.set_result(True)

        asyncio.ensure_future(pull())

    async def saw(self, account_id: int, timeout: float = 15.0) -> bool:
        future = self.seen.setdefault(str(account_id), asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        await self.publisher.close()
        for pc in self.subscribers:
            await pc.close()


def test_a_stranger_without_the_api_secret_is_refused_by_janus(janus_server):
    async def scenario() -> dict:
        async with connect(janus_server.url, subprotocols=["janus-protocol"]) as ws:
            await ws.send(json.dumps({"janus": "create", "transaction": "stranger"}))
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

    answer = asyncio.run(scenario())
    assert answer["janus"] == "error"
    assert answer["error"]["code"] == 403


def test_rooms_are_created_with_a_secret_and_pin_and_removed_at_end(janus_server):
    async def scenario() -> None:
        connection = JanusConnection(janus_server.url, janus_server.api_secret)
        events: list = []

        async def sink(session_id, account_id, event):
            events.append((session_id, account_id, event))

        rooms = VideoRooms(
            connection, admin_key=janus_server.admin_key, server_secret="k" * 32, on_event=sink
        )
        keys = await rooms.ensure_room(41)
        assert keys.secret and keys.pin
        assert (await rooms.ensure_room(41)) == keys  # one room per Care Session

        # Knowing the room number is not enough: without its PIN Janus refuses the join.
        session = await JanusSession.create(connection)
        handle = await session.attach()
        with pytest.raises(JanusError) as refused:
            await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": keys.room,
                    "pin": "guess",
                    "id": 999,
                },
            )
        assert refused.value.code == 433  # JANUS_VIDEOROOM_ERROR_UNAUTHORIZED
        # Nor can anyone create rooms without the admin key.
        with pytest.raises(JanusError):
            await session.message(handle, {"request": "create", "room": 77})

        await rooms.destroy_room(41)
        exists, _ = await session.message(handle, {"request": "exists", "room": keys.room})
        assert exists["exists"] is False
        await session.destroy()
        await rooms.close()
        await connection.close()

    asyncio.run(scenario())


def test_three_people_each_send_once_and_see_the_two_others(janus_server):
    async def scenario() -> None:
        connection = JanusConnection(janus_server.url, janus_server.api_secret)
        announced: list[list[int]] = []
        everyone_live = asyncio.Event()

        async def sink(session_id, account_id, event):
            if event["kind"] == "publishers":
                assert account_id is None  # for the whole room, in whatever process
                announced.append(event["feeds"])
                if event["feeds"] == [1, 2, 3]:
                    everyone_live.set()

        rooms = VideoRooms(
            connection, admin_key=janus_server.admin_key, server_secret="k" * 32, on_event=sink
        )
        people = [Person(account, rooms) for account in COLOURS]
        try:
            for person in people:
                await person.publish(7)
            await asyncio.wait_for(everyone_live.wait(), 15)  # each publisher's WebRTC is up
            for person in people:
                await person.subscribe(7, announced[-1])
            for person in people:
                for other in COLOURS:
                    if other != person.id:
                        assert await person.saw(other), f"{person.id} never saw {other}"
                assert str(person.id) not in person.seen or not person.seen[str(person.id)].done()
            # Someone leaves: the others are told who still publishes.
            await rooms.leave(7, 3)
            assert announced[-1] == [1, 2]
        finally:
            for person in people:
                await person.close()
            await rooms.close()
            await connection.close()

    asyncio.run(scenario())
