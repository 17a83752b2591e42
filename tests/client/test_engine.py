"""The call engine in process against a real server process: toggles without renegotiation.

Two CallEngines share one event loop here (the end-to-end test runs them in separate
processes); media are SYNTHETIC (a pattern camera, a tone, a null sink that meters).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from tests.helpers.server import ServerProcess
from vtconnect_care.client.call_http import login
from vtconnect_care.client.engine import CallEngine, MediaSet, RealtimeError
from vtconnect_care.client.ice import rtc_configuration
from vtconnect_care.client.media.synthetic import read_band_colour, shows_name

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]
PASSWORD = "VTConnect-demo-1"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("engine")) as proc:
        yield proc


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


def test_ice_servers_are_always_explicit():
    """aiortc falls back to a public STUN server on None: we never hand it None."""
    assert rtc_configuration(None).iceServers == []
    config = rtc_configuration(
        [{"urls": ["turn:t.example:3478"], "username": "1:2", "credential": "x"}]
    )
    assert config.iceServers[0].username == "1:2"


def test_camera_microphone_and_speakers_toggle_mid_call_without_renegotiation(server):
    """R-ROOM-3: black pictures, silence, nothing played; the same peer connection throughout."""

    async def scenario() -> None:
        patel_login = await login(server.url, "dr.patel", PASSWORD)
        alex_login = await login(server.url, "alex.active", PASSWORD)
        last: dict[str, np.ndarray] = {}

        def keep(name: str):
            def on_frame(_: int, frame) -> None:
                if np.random.random() < 0.2:  # convert only some frames
                    last[name] = frame.to_ndarray(format="bgr24")

            return on_frame

        patel = CallEngine(
            server.url,
            patel_login["token"],
            MediaSet.synthetic("Priya Patel", width=320, height=240),
            ice_servers=[],
            on_video_frame=keep("patel"),
        )
        alex = CallEngine(
            server.url,
            alex_login["token"],
            MediaSet.synthetic("Alex Morgan", width=320, height=240),
            ice_servers=[],
            on_video_frame=keep("alex"),
        )
        try:
            await patel.start()
            await alex.start()
            sid = await patel.host(usernames=["alex.active"])
            await alex.join(sid)
            with pytest.raises(RealtimeError) as refused:
                await alex.begin()
            assert refused.value.code == "forbidden"
            await patel.begin()
            await until(lambda: "patel" in last and shows_name(last["patel"], "Alex Morgan"))
            pc = patel.peers[alex.my_id].pc
            sink = patel.media.speaker
            await until(lambda: sink.samples_written > 48_000 and sink.level_dbfs > -40)

            alex.set_camera_enabled(False)
            alex.set_mic_enabled(False)
            last.pop("patel")
            await until(lambda: "patel" in last and max(read_band_colour(last["patel"])) < 30, 5)
            await until(lambda: sink.level_dbfs < -60, 5)
            alex.set_camera_enabled(True)
            alex.set_mic_enabled(True)
            last.pop("patel")
            await until(lambda: "patel" in last and shows_name(last["patel"], "Alex Morgan"), 5)
            await until(lambda: sink.level_dbfs > -40, 5)

            patel.set_speaker_enabled(False)
            await asyncio.sleep(0.1)  # let a mix already on its way land
            written = sink.samples_written
            await asyncio.sleep(0.3)
            assert sink.samples_written == written
            patel.set_speaker_enabled(True)
            await until(lambda: sink.samples_written > written, 3)
            assert patel.peers[alex.my_id].pc is pc  # never renegotiated

            await patel.end()
            await until(lambda: alex.state == "ended")
        finally:
            await alex.close()
            await patel.close()
            await patel.close()  # idempotent
        assert patel.state == "closed" and not patel.peers

    asyncio.run(scenario())


def test_the_realtime_client_keeps_trying_then_gives_up_and_stops_on_a_refused_token(server):
    from tests.helpers.server import free_port
    from vtconnect_care.client.realtime import RealtimeClient, ws_url

    assert RealtimeClient("ws://x", "t", on_message=print).reconnect_for >= 45  # issue 5

    async def scenario() -> None:
        states: list[str] = []
        down = RealtimeClient(
            f"ws://127.0.0.1:{free_port()}/api/v1/ws",
            "token",
            on_message=lambda m: None,
            on_state=lambda state, data: states.append(state),
            reconnect_for=0.6,
        )
        started = time.monotonic()
        with pytest.raises(ConnectionError):
            await down.start(timeout=10)
        assert states == ["gave_up"] and time.monotonic() - started >= 0.6
        await down.close()
        await down.close()  # idempotent

        refused_states: list[str] = []
        refused = RealtimeClient(
            ws_url(server.url),
            "not-a-token",
            on_message=lambda m: None,
            on_state=lambda state, data: refused_states.append(state),
        )
        with pytest.raises(RealtimeError) as exc:
            await refused.start(timeout=10)
        assert exc.value.code in {"session_expired", "not_authenticated"}
        assert refused_states == ["refused"]
        await refused.close()

    asyncio.run(scenario())


def test_a_three_person_mesh(server):
    """Every pair gets its own peer connection; each person sees both others by content."""

    async def scenario() -> None:
        people = {"dr.patel": "Priya Patel", "alex.active": "Alex Morgan", "bea.active": None}
        engines: dict[str, CallEngine] = {}
        seen: dict[str, dict[int, np.ndarray]] = {}
        try:
            for username in people:
                info = await login(server.url, username, PASSWORD)
                name = info["account"]["full_name"]
                people[username] = name
                seen[username] = {}

                def keep(store=seen[username]):
                    def on_frame(account_id: int, frame) -> None:
                        if np.random.random() < 0.2:
                            store[account_id] = frame.to_ndarray(format="bgr24")

                    return on_frame

                engines[username] = CallEngine(
                    server.url,
                    info["token"],
                    MediaSet.synthetic(name, width=160, height=120, fps=15),
                    ice_servers=[],
                    on_video_frame=keep(),
                    warm_up=False,
                )
                await engines[username].start()
            patel, alex, bea = engines.values()
            sid = await patel.host(usernames=["alex.active", "bea.active"])
            await alex.join(sid)
            await bea.join(sid)
            await patel.begin()
            names = {e.my_id: people[u] for u, e in engines.items()}
            for username, engine in engines.items():
                others = [i for i in names if i != engine.my_id]
                store = seen[username]
                await until(
                    lambda store=store, others=others: all(
                        i in store and shows_name(store[i], names[i]) for i in others
                    ),
                    15,
                )
                assert sorted(engine.peers) == sorted(others)
        finally:
            for engine in engines.values():
                await engine.close()

    asyncio.run(scenario())
