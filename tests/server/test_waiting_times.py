"""Waiting times before Begin (issue 16) from a real session over the hub, on the injected clock:
someone present has waited since they first arrived, the host has waited for someone absent
since the host arrived, and once the session has begun nobody waits."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from tests.server.test_realtime import host, wait
from tests.server.test_session_log import _socket

pytestmark = pytest.mark.timeout(60)


def waits(session: dict) -> dict[str, int | None]:
    return {m["username"]: m["waited_seconds"] for m in session["members"]}


def presence_of(sock, username: str) -> dict:
    for _ in range(20):
        msg = sock.receive_json()
        if msg["type"] == "presence" and msg["member"]["username"] == username:
            return msg["member"]
    raise AssertionError(f"no presence of {username}")


def test_waits_count_from_arrival_and_from_the_hosts_arrival_until_begin(demo_api, clock):
    with ExitStack() as stack:
        patel, headers = _socket(demo_api, stack, "dr.patel")
        alex, _ = _socket(demo_api, stack, "alex.active")
        sid = host(demo_api, headers, "alex.active", "bea.active")["id"]
        patel.send_json({"type": "join", "session_id": sid})
        joined = wait(patel, "joined")["session"]
        assert waits(joined) == {"dr.patel": None, "alex.active": 0, "bea.active": 0}

        clock.advance(minutes=2)
        alex.send_json({"type": "join", "session_id": sid})
        wait(alex, "joined")
        assert presence_of(patel, "alex.active")["waited_seconds"] == 0  # just arrived

        clock.advance(minutes=3)
        detail = demo_api.get(f"/api/v1/sessions/{sid}", headers=headers).json()
        # Alex: 3 min since arriving; Bea: the host has waited 5 min for her
        assert waits(detail) == {"dr.patel": None, "alex.active": 180, "bea.active": 300}

        alex.send_json({"type": "leave", "session_id": sid})
        wait(alex, "left")
        left = presence_of(patel, "alex.active")
        assert (left["status"], left["waited_seconds"]) == ("left", 300)  # waited for again
        clock.advance(minutes=1)
        alex.send_json({"type": "join", "session_id": sid})
        wait(alex, "joined")
        back = presence_of(patel, "alex.active")
        assert (back["status"], back["waited_seconds"]) == ("present", 240)  # since first came

        patel.send_json({"type": "begin", "session_id": sid})
        wait(patel, "session.begun")
        clock.advance(minutes=1)
        detail = demo_api.get(f"/api/v1/sessions/{sid}", headers=headers).json()
        assert set(waits(detail).values()) == {None}  # begun: nobody waits
