"""The engine's group-room link (client/engine/sfu.py) through the server's relay to a real Janus.

Five people, each sending once (SYNTHETIC camera and tone, 160x120 so five fit on two cores),
each seeing every other person's own picture (the name band's colour) and hearing them; a
person leaving is dropped from everyone's link. The hub that carries the steps in the product
is stood in for by a direct call of the relay (the relay's own checks are what is tested here).
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from tests.helpers import janus
from vtconnect_care.client.engine.sfu import SfuLink
from vtconnect_care.client.engine.tracks import AudioMixer, LocalAudioTrack, LocalVideoTrack
from vtconnect_care.client.media.audio import NullSink
from vtconnect_care.client.media.synthetic import SyntheticCamera, SyntheticTone, shows_name
from vtconnect_care.domain.errors import Refusal
from vtconnect_care.server.sfu.janus_api import JanusConnection
from vtconnect_care.server.sfu.relay import SfuRelay
from vtconnect_care.server.sfu.video_rooms import VideoRooms

pytestmark = [
    pytest.mark.skipif(janus.skip_reason() is not None, reason=str(janus.skip_reason())),
    pytest.mark.timeout(120),
]

NAMES = {1: "Dr Patel", 2: "Alex Morgan", 3: "Bea Active", 4: "Nurse Kim", 5: "Carl Inactive"}


@pytest.fixture(scope="module")
def janus_server(tmp_path_factory):
    server = janus.start(tmp_path_factory.mktemp("janus"))
    yield server
    server.stop()


async def until(check, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


class Person:
    def __init__(self, account_id: int, relay: SfuRelay, session_id: int) -> None:
        self.id = account_id
        self.camera = SyntheticCamera(NAMES[account_id], 160, 120, 15)
        self.sink = NullSink()
        self.tracks = (
            LocalAudioTrack(SyntheticTone(), lambda: True),
            LocalVideoTrack(self.camera, lambda: True),
        )
        self.pictures: dict[int, np.ndarray] = {}

        async def request(step: dict) -> dict:
            return await relay.step(
                session_id=session_id, account_id=account_id, display=NAMES[account_id], step=step
            )

        def on_frame(other: int, frame) -> None:
            if np.random.random() < 0.3:  # convert only some frames
                self.pictures[other] = frame.to_ndarray(format="bgr24")

        self.mixer = AudioMixer(self.sink, lambda: True)
        self.link = SfuLink(
            my_id=lambda: account_id,
            local=self.tracks,
            mixer=self.mixer,
            ice=lambda: [],
            request=request,
            emit=lambda *a, **k: None,
            on_video_frame=on_frame,
            marks={},
        )

    def sees(self, other: int) -> bool:
        picture = self.pictures.get(other)
        return picture is not None and shows_name(picture, NAMES[other])

    def hears(self, other: int) -> bool:
        peer = self.link.peers.get(other)
        return peer is not None and peer.audio_frames > 50  # a second of their sound

    async def close(self) -> None:
        await self.link.close_all()
        await self.mixer.close()
        for track in self.tracks:
            track.stop()


def test_five_people_each_send_once_and_see_and_hear_everyone_else(janus_server):
    async def scenario() -> None:
        connection = JanusConnection(janus_server.url, janus_server.api_secret)
        people: dict[int, Person] = {}

        async def on_event(session_id: int, account_id: int | None, event: dict) -> None:
            if event["kind"] == "publishers":  # the hub tells the whole room
                for person in people.values():
                    asyncio.ensure_future(person.link.on_publishers(event["feeds"]))

        rooms = VideoRooms(
            connection, admin_key=janus_server.admin_key, server_secret="k" * 32, on_event=on_event
        )
        relay = SfuRelay(rooms)
        try:
            for account in NAMES:
                people[account] = Person(account, relay, 9)
                people[account].mixer.start()
                await people[account].link.publish()
            everyone = [(a, b) for a in NAMES for b in NAMES if a != b]
            await until(lambda: all(people[a].sees(b) for a, b in everyone), 40)
            await until(lambda: all(people[a].hears(b) for a, b in everyone))
            await until(lambda: all(p.sink.samples_written > 48_000 for p in people.values()))
            for person in people.values():
                assert person.link.publisher is not None
                assert set(person.link.peers) == set(NAMES) - {person.id}  # one per other person

            await relay.step(session_id=9, account_id=5, display="x", step={"op": "leave"})
            await until(lambda: all(5 not in p.link.peers for a, p in people.items() if a != 5))
        finally:
            for person in people.values():
                await person.close()
            await rooms.close()
            await connection.close()

    asyncio.run(scenario())


def test_a_bad_or_unknown_step_is_refused_with_a_reason(janus_server):
    async def scenario() -> None:
        connection = JanusConnection(janus_server.url, janus_server.api_secret)
        rooms = VideoRooms(
            connection, admin_key=janus_server.admin_key, server_secret="k" * 32, on_event=_ignore
        )
        relay = SfuRelay(rooms)
        try:
            for step, code in [
                ({"op": "mine"}, "bad_message"),
                ({"op": "publish", "sdp": 5}, "bad_message"),
                ({"op": "subscribe", "feed": 10**400}, "bad_message"),
                ({"op": "subscribe", "feed": 3}, "media_server_refused"),
            ]:
                with pytest.raises(Refusal) as refused:
                    await relay.step(session_id=3, account_id=1, display="x", step=step)
                assert refused.value.code == code, step
        finally:
            await rooms.close()
            await connection.close()

    asyncio.run(scenario())


async def _ignore(*_args) -> None:
    return None
