"""A real call on a bad network: the server and the host (dr.patel) in namespace "near", the client
(alex.active) in "far", one veth pair between them that loses packets or goes dark.

Real processes, sockets, aiortc, VP8 and Opus; synthetic cameras and tones. The bounds are
generous (this is not the benchmark, bench/network.py is) but fail when the call falls apart.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.netlab import (
    LabProcess,
    NetLab,
    media_series,
    participant,
    per_second,
    portal_server,
)

pytestmark = [pytest.mark.network, pytest.mark.timeout(180)]

STATS = ["--stats-every", "0.5"]


@dataclass
class Call:
    lab: NetLab
    host: LabProcess
    client: LabProcess
    host_id: int
    client_id: int
    session_id: int

    def sides(self) -> list[tuple[LabProcess, int]]:
        """Each participant with the id of the person it receives from."""
        return [(self.host, self.client_id), (self.client, self.host_id)]


def wait_media(p: LabProcess, other: int, *, video: int, audio: int, timeout: float) -> float:
    """Wait until ``p`` has received this many more video and audio frames from ``other`` than
    it had so far; the time of the stats line that shows it."""
    series = media_series(p.events, other)
    start_video, start_audio = (series[-1].video, series[-1].audio) if series else (0, 0)
    deadline = time.monotonic() + timeout
    while True:
        event = p.wait("stats", timeout=max(0.1, deadline - time.monotonic()))
        now = media_series(p.events, other)[-1]
        if now.video - start_video >= video and now.audio - start_audio >= audio:
            return event["t"]


def wait_until(p: LabProcess, t: float) -> None:
    """Wait for ``p``'s first stats line at or after monotonic time ``t``."""
    p.wait("stats", lambda e: e["t"] >= t, timeout=t - time.monotonic() + 15)


@pytest.fixture(scope="module")
def call(tmp_path_factory) -> Iterator[Call]:
    with NetLab(["near", "far"]) as lab:
        server, url = portal_server(lab, "near", Path(tmp_path_factory.mktemp("server")))
        client = participant(lab, "far", url, "alex.active", *STATS, "--follow", "join")
        host = participant(
            lab, "near", url, "dr.patel", *STATS, "--auto-begin", "host", "alex.active"
        )
        try:
            client_id = client.wait("hello")["account"]["id"]
            host_id = host.wait("hello")["account"]["id"]
            session_id = host.wait("joined")["session_id"]
            the_call = Call(lab, host, client, host_id, client_id, session_id)
            for p, other in the_call.sides():
                wait_media(p, other, video=30, audio=50, timeout=60)
            yield the_call
        finally:
            for p in (host, client, server):
                p.stop()


def _held(call: Call, since: float) -> None:
    """Nobody's connection failed or closed, and the session never ended, since ``since``."""
    for p, _ in call.sides():
        broken = [
            e
            for e in p.events
            if e["t"] >= since
            and (
                e["event"] == "ended"
                or (e["event"] == "peer_state" and e["state"] in ("failed", "closed"))
                or (e["event"] == "joined" and e["session_id"] != call.session_id)
            )
        ]
        assert broken == [], f"{p.name}: the call fell apart: {broken}"


def test_a_call_holds_under_10_percent_loss_both_ways(call):
    call.lab.loss(10)
    start = time.monotonic()
    try:
        for p, _ in call.sides():
            wait_until(p, start + 15)
    finally:
        call.lab.clear()
    _held(call, start)
    for p, other in call.sides():
        fps, audio = per_second(media_series(p.events, other), start + 5, start + 15)
        assert fps >= 3, f"{p.name} receives {fps:.1f} video frames/s under 10% loss"
        assert audio >= 10, f"{p.name} receives {audio:.1f} audio frames/s of 50 under 10% loss"
    for p, other in call.sides():  # and all of it once the loss ends
        wait_media(p, other, video=60, audio=100, timeout=60)


def test_media_comes_back_after_a_5_s_outage_in_the_same_session(call):
    for p, other in call.sides():  # flowing before
        wait_media(p, other, video=15, audio=25, timeout=30)
    call.lab.outage()
    start = time.monotonic()
    try:
        for p, _ in call.sides():
            wait_until(p, start + 5)
        for p, other in call.sides():  # dark: at most what was in flight
            fps, audio = per_second(media_series(p.events, other), start + 1.5, start + 5)
            assert fps < 3 and audio < 5, f"{p.name} still receives during the outage"
    finally:
        call.lab.restore()
    back = time.monotonic()
    for p, other in call.sides():  # nobody sends a command: the engines recover by themselves
        wait_media(p, other, video=30, audio=50, timeout=45)
    _held_session(call, start)
    assert time.monotonic() - back < 45


def _held_session(call: Call, since: float) -> None:
    """The same session throughout (a replaced peer connection is allowed here)."""
    for p, _ in call.sides():
        later = [e for e in p.events if e["t"] >= since]
        assert not [e for e in later if e["event"] == "ended"], f"{p.name}: the session ended"
        joined = [e["session_id"] for e in later if e["event"] == "joined"]
        assert set(joined) <= {call.session_id}, f"{p.name} joined {joined}"
