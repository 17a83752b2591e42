"""Two real server processes sharing one database and a real redis-server (issue 13).

A call whose two people are on different processes (presence, chat, signalling, End), a logout
on one process closing the socket on the other within a second, and a restart of one process
mid-call that loses nothing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.redis_server import RedisServer, redis_missing
from tests.helpers.rest import login, rest
from tests.helpers.server import ServerProcess

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(redis_missing() is not None, reason=redis_missing() or ""),
]
PG_URL = os.environ.get("VTCONNECT_TEST_POSTGRES_URL")


class Socket:
    """A hub socket as the app opens it (Bearer header), with bounded waits."""

    def __init__(self, server: ServerProcess, headers: dict[str, str]) -> None:
        from websockets.sync.client import connect

        url = server.url.replace("http://", "ws://") + "/api/v1/ws"
        self.ws = connect(url, additional_headers=headers, open_timeout=15).__enter__()
        self.hello = self.wait("hello")

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def wait(self, kind: str, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if msg["type"] == kind:
                return msg

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def pair(tmp_path: Path, redis: RedisServer) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Process A seeds the demo data; B opens the same database; both on one Redis."""
    env = {"VTCONNECT_REDIS_URL": redis.url}
    if PG_URL:
        from tests.conftest import _fresh_pg_schema

        env["VTCONNECT_DATABASE_URL"] = _fresh_pg_schema(PG_URL)
    a = ServerProcess(tmp_path / "data", env=env).start()
    b = ServerProcess(tmp_path / "data", demo=False, env=env)
    try:
        b.start()
        yield a, b
    finally:
        b.stop()
        a.stop()


def _call(a: ServerProcess, b: ServerProcess) -> tuple[Socket, Socket, int, dict, dict]:
    """dr.patel on A hosts alex.active on B; both join; Begin. Returns the sockets and ids."""
    patel_h, alex_h = login(a.url, "dr.patel"), login(b.url, "alex.active")
    patel, alex = Socket(a, patel_h), Socket(b, alex_h)
    sid = rest(a.url, "POST", "/sessions", {"invitee_usernames": ["alex.active"]}, patel_h)["id"]
    assert alex.wait("hosted")["session"]["id"] == sid  # from A's REST to B's socket
    patel.send({"type": "join", "session_id": sid})
    patel.wait("joined")
    alex.send({"type": "join", "session_id": sid})
    alex.wait("joined")
    assert patel.wait("presence")["member"]["status"] == "present"
    patel.send({"type": "begin", "session_id": sid})
    assert alex.wait("session.begun")["session"]["state"] == "begun"
    return patel, alex, sid, patel_h, alex_h


def test_a_call_across_two_processes_presence_chat_signalling_and_end(pair):
    a, b = pair
    patel, alex, sid, _, _ = _call(a, b)
    patel_id, alex_id = patel.hello["account"]["id"], alex.hello["account"]["id"]
    offer = {"kind": "offer", "pc": "p1", "sdp": "v=0\r\n"}
    patel.send({"type": "signal", "session_id": sid, "to": alex_id, "signal": offer})
    got = alex.wait("signal")
    assert got["from"] == patel_id and got["signal"] == offer
    answer = {"kind": "answer", "pc": "p1", "sdp": "v=0 answer\r\n"}
    alex.send({"type": "signal", "session_id": sid, "to": patel_id, "signal": answer, "ref": "s"})
    assert alex.wait("ack")["ref"] == "s"
    assert patel.wait("signal")["signal"] == answer
    alex.send({"type": "chat", "session_id": sid, "body": "Hello from B"})
    assert patel.wait("chat")["body"] == "Hello from B"
    # a client's End is refused on its own process, the host's End reaches the other
    alex.send({"type": "end", "session_id": sid})
    assert alex.wait("error")["code"] == "forbidden"
    patel.send({"type": "end", "session_id": sid})
    assert alex.wait("session.ended")["by"] == patel_id
    # and B's copy of the room knows it ended: signalling is refused there now
    alex.send({"type": "signal", "session_id": sid, "to": patel_id, "signal": answer})
    assert alex.wait("error")["code"] in {"session_ended", "not_joined"}
    patel.close()
    alex.close()


def test_a_logout_on_one_process_closes_the_socket_on_the_other_within_a_second(pair):
    from websockets.exceptions import ConnectionClosed

    a, b = pair
    headers = login(a.url, "alex.active")
    sock = Socket(b, headers)
    rest(a.url, "POST", "/auth/logout", None, headers)
    started = time.monotonic()  # the logout is committed on A: B's socket hears of it now
    refused = sock.wait("error", timeout=5)
    with pytest.raises(ConnectionClosed) as closed:
        sock.wait("never", timeout=5)
    took = time.monotonic() - started
    assert refused["code"] == "session_expired"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert took <= 1.0, f"the revocation took {took:.2f} s"


def test_a_restart_of_one_process_mid_call_loses_nothing(pair):
    a, b = pair
    patel, alex, sid, _, alex_h = _call(a, b)
    alex.send({"type": "chat", "session_id": sid, "body": "before the restart"})
    assert patel.wait("chat")["body"] == "before the restart"
    b.stop()  # B goes away mid-call (alex's socket with it) and comes back on its port
    b.start()
    alex = Socket(b, alex_h)
    assert [s["id"] for s in alex.hello["sessions"]] == [sid]  # offered for re-join
    alex.send({"type": "join", "session_id": sid})
    joined = alex.wait("joined")
    assert joined["session"]["state"] == "begun"
    assert [m["body"] for m in joined["chat"]][-1] == "before the restart"
    alex_id = alex.hello["account"]["id"]
    offer = {"kind": "offer", "pc": "p2", "sdp": "v=0\r\n"}
    patel.send({"type": "signal", "session_id": sid, "to": alex_id, "signal": offer})
    assert alex.wait("signal")["signal"]["pc"] == "p2"
    patel.close()
    alex.close()


def test_workers_above_one_need_redis(tmp_path, monkeypatch, capsys):
    from vtconnect_care.server import cli

    monkeypatch.delenv("VTCONNECT_REDIS_URL", raising=False)
    assert cli.main(["--workers", "2", "--data-dir", str(tmp_path)]) == 2
    assert "needs Redis" in capsys.readouterr().err


def test_vtconnect_server_workers_2_carries_a_call(tmp_path, redis):
    """`vtconnect-server --workers 2` with Redis: whichever worker each socket lands on."""
    env = {"VTCONNECT_REDIS_URL": redis.url}
    if PG_URL:
        from tests.conftest import _fresh_pg_schema

        env["VTCONNECT_DATABASE_URL"] = _fresh_pg_schema(PG_URL)
    with ServerProcess(tmp_path / "data", env=env, args=["--workers", "2"]) as server:
        server.wait_for_line("Application startup complete", timeout=60)
        server.wait_for_line("Application startup complete", timeout=60)
        patel, alex, sid, _, _ = _call(server, server)
        offer = {"kind": "offer", "pc": "w1", "sdp": "v=0\r\n"}
        alex_id = alex.hello["account"]["id"]
        patel.send({"type": "signal", "session_id": sid, "to": alex_id, "signal": offer})
        assert alex.wait("signal")["signal"]["pc"] == "w1"
        patel.close()
        alex.close()
