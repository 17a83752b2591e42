"""Real calls: a server process and two call engines in their own processes, synthetic media.

Frames are checked by content: each side's synthetic camera paints a colour band derived from
the person's name, and the receiver compares it with the sender's name (SYNTHETIC cameras and
tones stand in for devices; everything else is real: sockets, aiortc, VP8, Opus).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.server import ServerProcess

from .participants import Participant

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    """One server for the module (the restart test, last, restarts it)."""
    with ServerProcess(tmp_path_factory.mktemp("server")) as proc:
        yield proc


@pytest.fixture
def people(server) -> Iterator[dict[str, Participant]]:
    started: dict[str, Participant] = {}
    yield started
    for p in started.values():
        p.stop()


def _video_ok(other_id: int, *, more_than: int = 0):
    def check(event: dict) -> bool:
        peer = event["peers"].get(str(other_id), {})
        return (
            event["matches"].get(str(other_id)) is True
            and peer.get("video_frames", 0) > more_than
            and peer.get("audio_frames", 0) > 0
        )

    return check


def _frames(event: dict, other_id: int) -> int:
    return event["peers"].get(str(other_id), {}).get("video_frames", 0)


def test_a_call_between_two_engines(server, people):
    """Video and audio both ways (by content), chat, R-ROOM-7, a cut socket, a stranger."""
    alex = people["alex"] = Participant(server.url, "alex.active", "--follow", "join")
    alex_id = alex.wait("hello")["account"]["id"]
    patel = people["patel"] = Participant(
        server.url, "dr.patel", "--auto-begin", "host", "alex.active"
    )
    patel_id = patel.wait("hello")["account"]["id"]
    sid = patel.wait("joined")["session_id"]
    patel.wait("begun")
    alex.wait("begun")
    # each receives the other's pattern and sound
    patel.wait("stats", _video_ok(alex_id, more_than=30))
    alex.wait("stats", _video_ok(patel_id, more_than=30))

    # chat both ways
    alex.send("chat Good morning, doctor")
    got = patel.wait("chat", lambda e: e["sender_id"] == alex_id)
    assert got["body"] == "Good morning, doctor"
    patel.send("chat Good morning, Alex")
    assert alex.wait("chat", lambda e: e["sender_id"] == patel_id)["body"] == "Good morning, Alex"

    # a stranger can neither join nor send into the room
    kim = people["kim"] = Participant(server.url, "nurse.kim", "join", str(sid))
    refused = kim.wait("refused")
    assert refused["code"] == "forbidden"
    kim.send("chat let me in")
    assert kim.wait("refused")["code"] in {"not_joined", "forbidden"}

    # the client's socket is cut: it comes back into the same session and video flows again
    before = _frames(patel.wait("stats"), alex_id)
    alex.send("cut")
    assert patel.wait("participant_dropped")["member"]["account_id"] == alex_id
    back = patel.wait("participant_joined", lambda e: e["member"]["account_id"] == alex_id)
    assert back["returned"] is True
    alex.wait("state", lambda e: e["state"] == "in_call")
    patel.wait("stats", _video_ok(alex_id, more_than=before + 30))

    # a failed peer connection is replaced by a new one; media is back within 3 s
    first_pc = patel.wait("stats")["peers"][str(alex_id)]["pc"]
    alex.send("break")
    alex.wait("done", lambda e: e["command"] == "break")
    broke_at = alex.events[-1]["t"]
    ff = patel.wait("first_frame", lambda e: e["account_id"] == alex_id)
    assert ff["at"] - broke_at < 3.0, ff["at"] - broke_at
    stats = patel.wait("stats", _video_ok(alex_id))
    assert stats["peers"][str(alex_id)]["pc"] != first_pc

    # R-ROOM-7: End from the client is refused; End from the host ends it for both
    alex.send("end")
    refused = alex.wait("refused")
    assert refused["code"] == "forbidden"
    assert refused["message"] == "Only the practitioner can end the session."
    patel.send("end")
    assert patel.wait("ended")["session_id"] == sid
    assert alex.wait("ended")["by"] == patel_id


def test_a_server_restart_loses_no_session(server, people):
    """R-ROOM-9: the server goes away mid-call; both engines reconnect and re-join by themselves."""
    alex = people["alex"] = Participant(server.url, "alex.active", "--follow", "join")
    alex_id = alex.wait("hello")["account"]["id"]
    patel = people["patel"] = Participant(
        server.url,
        "dr.patel",
        "--auto-begin",
        "--width",
        "320",
        "--height",
        "240",
        "host",
        "alex.active",
    )
    patel_id = patel.wait("hello")["account"]["id"]
    sid = patel.wait("begun")["session_id"]
    patel.wait("stats", _video_ok(alex_id, more_than=10))

    server.stop()
    patel.wait("state", lambda e: e["state"] == "reconnecting")
    alex.wait("state", lambda e: e["state"] == "reconnecting")
    server.start()
    for person in (patel, alex):
        assert person.wait("joined", timeout=20)["session_id"] == sid
        person.wait("state", lambda e: e["state"] == "in_call")
    alex.send("chat still here")
    assert patel.wait("chat", lambda e: e["sender_id"] == alex_id)["body"] == "still here"
    before = _frames(patel.wait("stats"), alex_id)
    patel.wait("stats", _video_ok(alex_id, more_than=before + 15))
    alex.wait("stats", _video_ok(patel_id))
