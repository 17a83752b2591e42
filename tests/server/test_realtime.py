"""The realtime hub in process: authentication, rooms, relaying, refusals (R-ROOM-2/7/8/9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from contextlib import ExitStack
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import login_headers
from vtconnect_care.server.models import AuditEvent, ChatMessage
from vtconnect_care.server.realtime import hub

pytestmark = pytest.mark.timeout(60)
WS = "/api/v1/ws"


def ws(client: TestClient, username: str, stack: ExitStack, **extra):
    headers = login_headers(client, username, audience="app")
    sock = stack.enter_context(client.websocket_connect(WS, headers={**headers, **extra}))
    hello = sock.receive_json()
    assert hello["type"] == "hello", hello
    sock.hello = hello  # type: ignore[attr-defined]
    sock.headers = headers  # type: ignore[attr-defined]
    return sock


def wait(sock, kind: str, limit: int = 20) -> dict:
    """The next message of this type, skipping others (presence etc.); bounded."""
    for _ in range(limit):
        msg = sock.receive_json()
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message")


def host(client: TestClient, headers: dict, *usernames: str) -> dict:
    body = {"invitee_usernames": list(usernames)}
    r = client.post("/api/v1/sessions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_whole_session_over_the_hub(demo_api, demo_app):
    """Host, arrive, Begin, signal, chat, End: R-ROOM-2, R-ROOM-7, the relay stays in the room."""
    with ExitStack() as stack:
        patel = ws(demo_api, "dr.patel", stack)
        alex = ws(demo_api, "alex.active", stack)
        kim = ws(demo_api, "nurse.kim", stack)  # a stranger to this session
        session = host(demo_api, patel.headers, "alex.active")
        sid = session["id"]
        hosted = wait(alex, "hosted")
        assert hosted["session"]["id"] == sid
        patel.send_json({"type": "join", "session_id": sid, "ref": "j1"})
        joined = wait(patel, "joined")
        assert joined["ref"] == "j1" and joined["ice_servers"] == []
        # R-ROOM-2: nobody here yet, Begin is refused
        patel.send_json({"type": "begin", "session_id": sid})
        assert wait(patel, "error")["code"] == "nobody_here"
        alex.send_json({"type": "join", "session_id": sid})
        wait(alex, "joined")
        presence = wait(patel, "presence")
        assert presence["member"]["username"] == "alex.active"
        assert presence["member"]["status"] == "present"
        # only the host begins
        alex.send_json({"type": "begin", "session_id": sid})
        assert wait(alex, "error")["code"] == "forbidden"
        patel.send_json({"type": "begin", "session_id": sid})
        assert wait(patel, "session.begun")["session"]["state"] == "begun"
        assert wait(alex, "session.begun")["session"]["state"] == "begun"
        # signalling reaches only its addressee, with the sender named by the server
        alex_id, patel_id = alex.hello["account"]["id"], patel.hello["account"]["id"]
        offer = {"kind": "offer", "pc": "p1", "sdp": "v=0\r\n"}
        patel.send_json({"type": "signal", "session_id": sid, "to": alex_id, "signal": offer})
        got = wait(alex, "signal")
        assert got["from"] == patel_id and got["signal"] == offer
        # the stranger can neither join, chat, signal nor end
        kim_id = kim.hello["account"]["id"]
        for msg in (
            {"type": "join", "session_id": sid},
            {"type": "chat", "session_id": sid, "body": "hi"},
            {"type": "signal", "session_id": sid, "to": alex_id, "signal": offer},
            {"type": "end", "session_id": sid},
        ):
            kim.send_json(msg)
            assert wait(kim, "error")["code"] in {"forbidden", "not_joined"}
        # nor can a member address someone outside the room
        alex.send_json({"type": "signal", "session_id": sid, "to": kim_id, "signal": offer})
        assert wait(alex, "error")["code"] == "not_in_room"
        # chat both ways, stored with the session
        alex.send_json({"type": "chat", "session_id": sid, "body": "Hello doctor"})
        assert wait(patel, "chat")["body"] == "Hello doctor"
        assert wait(alex, "chat")["sender_id"] == alex_id  # the sender's copy confirms it
        patel.send_json({"type": "chat", "session_id": sid, "body": "Hello Alex"})
        got = wait(alex, "chat")
        assert (got["body"], got["sender_name"]) == ("Hello Alex", "Priya Patel")
        history = demo_api.get(f"/api/v1/sessions/{sid}/chat", headers=alex.headers).json()
        assert [m["body"] for m in history][-2:] == ["Hello doctor", "Hello Alex"]
        assert demo_api.get(f"/api/v1/sessions/{sid}/chat", headers=kim.headers).status_code == 404
        # R-ROOM-7: the client's End is refused, and audited
        alex.send_json({"type": "end", "session_id": sid})
        err = wait(alex, "error")
        assert err["code"] == "forbidden" and "Only the practitioner" in err["message"]
        patel.send_json({"type": "end", "session_id": sid})
        assert wait(alex, "session.ended")["session_id"] == sid
        assert wait(patel, "session.ended")["by"] == patel_id
        # the hub heard nothing from kim's attempts that it relayed
        kim.send_json({"type": "ping"})
        assert wait(kim, "pong")["type"] == "pong"
    with demo_app.state.session_factory() as db:
        actions = set(db.scalars(select(AuditEvent.action)))
    assert {"care_session.begin", "care_session.end", "care_session.end_refused"} <= actions
    detail = demo_api.get(f"/api/v1/sessions/{sid}", headers=patel.headers).json()
    assert detail["state"] == "ended"


def test_bad_oversized_and_flooding_messages_are_refused_not_fatal(demo_app, demo_api, caplog):
    # flood control's clock stands still, so no token comes back however slow the machine is
    demo_app.state.hub.clock = lambda: 1000.0
    with ExitStack() as stack:
        alex = ws(demo_api, "alex.active", stack)
        alex.send_text("{not json")
        assert wait(alex, "error")["code"] == "bad_message"
        alex.send_text(json.dumps({"type": "teleport"}))
        assert wait(alex, "error")["code"] == "bad_message"
        alex.send_text(json.dumps({"type": "chat", "session_id": "1; drop", "body": "x"}))
        assert wait(alex, "error")["code"] == "bad_message"
        alex.send_text("x" * 70_000)
        assert wait(alex, "error")["code"] == "too_large"
        alex.send_json({"type": "ping"})
        assert wait(alex, "pong")["type"] == "pong"
        for _ in range(120):
            alex.send_json({"type": "ping"})
        replies = [alex.receive_json() for _ in range(120)]
        kinds = [m["type"] for m in replies]
        # the burst (less the five messages above) is answered, the rest is refused
        assert kinds.count("pong") == hub.BURST - 5
        assert {m.get("code") for m in replies if m["type"] == "error"} == {"rate_limited"}
        # another socket is untouched by alex's flood
        bea = ws(demo_api, "bea.active", stack)
        bea.send_json({"type": "ping"})
        assert wait(bea, "pong")["type"] == "pong"
    assert "bad message" in caplog.text and "floods" in caplog.text


def test_sockets_without_a_valid_token_or_from_a_foreign_origin_are_refused(demo_api):
    from starlette.websockets import WebSocketDisconnect

    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "auth", "token": "not-a-token"})
        assert sock.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as exc:
            sock.receive_json()
        assert exc.value.code == 4401
    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "join", "session_id": 1})
        assert sock.receive_json()["code"] == "not_authenticated"
    # a browser (the visit page) authenticates with its first message
    headers = login_headers(demo_api, "alex.active", audience="app")
    token = headers["Authorization"].split()[1]
    with demo_api.websocket_connect(WS, headers={"origin": "http://portal.test"}) as sock:
        sock.send_json({"type": "auth", "token": token})
        assert sock.receive_json()["type"] == "hello"
    with pytest.raises(WebSocketDisconnect):
        with demo_api.websocket_connect(WS, headers={"origin": "https://evil.example"}) as sock:
            sock.receive_json()


def test_a_dropped_socket_keeps_the_place_and_the_person_comes_back(demo_api, demo_app, clock):
    """R-ROOM-9: a dropped person is kept >= 60 s, is offered the session, re-joins."""
    with ExitStack() as stack:
        patel = ws(demo_api, "dr.patel", stack)
        sid = host(demo_api, patel.headers, "alex.active")["id"]
        patel.send_json({"type": "join", "session_id": sid})
        wait(patel, "joined")
        with ExitStack() as inner:
            alex = ws(demo_api, "alex.active", inner)
            alex.send_json({"type": "join", "session_id": sid})
            wait(alex, "joined")
            wait(patel, "presence")
        assert wait(patel, "presence")["member"]["status"] == "dropped"
        clock.advance(timedelta(seconds=59))
        demo_api.portal.call(demo_app.state.hub.sweep_once)
        alex = ws(demo_api, "alex.active", stack)
        assert [s["id"] for s in alex.hello["sessions"]] == [sid]  # offered for re-join
        alex.send_json({"type": "join", "session_id": sid})
        assert wait(alex, "joined")["session"]["state"] == "hosted"
        assert wait(patel, "presence")["member"]["status"] == "present"
        patel.send_json({"type": "begin", "session_id": sid})
        wait(alex, "session.begun")


def test_a_place_dropped_too_long_is_given_up_with_a_notice_for_the_host(demo_api, demo_app, clock):
    """R-ROOM-8 for a client who never came back; a client's leave gives the same notice."""
    with ExitStack() as stack:
        patel = ws(demo_api, "dr.patel", stack)
        sid = host(demo_api, patel.headers, "alex.active", "bea.active")["id"]
        patel.send_json({"type": "join", "session_id": sid})
        wait(patel, "joined")
        with ExitStack() as inner:
            alex = ws(demo_api, "alex.active", inner)
            alex.send_json({"type": "join", "session_id": sid})
            wait(alex, "joined")
            wait(patel, "presence")
        assert wait(patel, "presence")["member"]["status"] == "dropped"
        clock.advance(timedelta(seconds=61))
        demo_api.portal.call(demo_app.state.hub.sweep_once)
        assert wait(patel, "presence")["member"]["status"] == "left"
        notice = wait(patel, "chat")
        assert notice["kind"] == "notice" and notice["body"] == "Alex Morgan has left the session."
        bea = ws(demo_api, "bea.active", stack)
        bea.send_json({"type": "join", "session_id": sid})
        wait(bea, "joined")
        bea.send_json({"type": "leave", "session_id": sid})
        wait(bea, "left")
        assert wait(patel, "chat")["body"].endswith("has left the session.")
    with demo_app.state.session_factory() as db:
        kinds = list(db.scalars(select(ChatMessage.kind).where(ChatMessage.session_id == sid)))
    assert kinds == ["notice", "notice"]


def test_a_server_restart_loses_no_session(demo_settings):
    """R-ROOM-9: state is in the database; a new server process picks the session up."""
    from vtconnect_care.server.app import create_app

    with TestClient(create_app(demo_settings)) as first:
        headers = login_headers(first, "dr.patel", audience="app")
        sid = host(first, headers, "alex.active")["id"]
        with first.websocket_connect(WS, headers=headers) as patel:
            patel.receive_json()
            patel.send_json({"type": "join", "session_id": sid})
            wait(patel, "joined")
    demo_settings.demo = False  # the same database, not re-seeded
    with TestClient(create_app(demo_settings)) as second, ExitStack() as stack:
        alex = ws(second, "alex.active", stack)
        assert [s["id"] for s in alex.hello["sessions"]] == [sid]
        alex.send_json({"type": "join", "session_id": sid})
        assert wait(alex, "joined")["session"]["state"] == "hosted"
        current = second.get("/api/v1/sessions/current", headers=alex.headers).json()
        assert [s["id"] for s in current] == [sid]


def test_turn_credentials_only_for_members_of_a_live_session(demo_settings, clock):
    from vtconnect_care.server.app import create_app

    demo_settings.ice_servers = ["stun:stun.example.org:3478", "turn:turn.example.org:3478"]
    demo_settings.turn_secret = "s3cret"  # noqa: S105 - a test secret
    with TestClient(create_app(demo_settings)) as client:
        patel = login_headers(client, "dr.patel", audience="app")
        kim = login_headers(client, "nurse.kim", audience="app")
        sid = host(client, patel, "alex.active")["id"]
        r = client.get(f"/api/v1/sessions/{sid}/ice-servers", headers=patel)
        assert r.status_code == 200
        stun, turn = r.json()["ice_servers"]
        assert stun == {"urls": ["stun:stun.example.org:3478"]}
        expiry, account = turn["username"].split(":")
        assert int(expiry) == int((clock.now() + timedelta(hours=1)).timestamp())
        digest = hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()
        assert turn["credential"] == base64.b64encode(digest).decode()
        assert client.get(f"/api/v1/sessions/{sid}/ice-servers", headers=kim).status_code == 404
        with client.websocket_connect(WS, headers=patel) as sock:
            sock.receive_json()
            sock.send_json({"type": "end", "session_id": sid})
            wait(sock, "session.ended")
        r = client.get(f"/api/v1/sessions/{sid}/ice-servers", headers=patel)
        assert r.status_code == 409


def test_only_practitioners_host_their_own_clients(demo_api):
    """R-HOST-1 / R-HOST-2 at the session endpoint."""
    kim = login_headers(demo_api, "nurse.kim", audience="app")
    r = demo_api.post("/api/v1/sessions", json={"invitee_usernames": ["alex.active"]}, headers=kim)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    alex = login_headers(demo_api, "alex.active", audience="app")
    r = demo_api.post("/api/v1/sessions", json={"invitee_usernames": ["bea.active"]}, headers=alex)
    assert r.status_code == 403
    r = demo_api.post("/api/v1/sessions", json={"invitee_ids": "x"}, headers=kim)
    assert r.status_code == 422 and "error" in r.json()


def test_a_pluggable_authenticator_can_confine_a_socket_to_one_session(demo_api, demo_app):
    """The extension point for the visit page: another kind of token, limited to its session."""
    from vtconnect_care.server.models import Account
    from vtconnect_care.server.realtime.principal import Principal

    patel_headers = login_headers(demo_api, "dr.patel", audience="app")
    first = host(demo_api, patel_headers, "alex.active")["id"]
    second = host(demo_api, patel_headers, "alex.active")["id"]

    class VisitLinkAuthenticator:  # stands in for the visit engineer's (a hand-written fake)
        def authenticate(self, db, settings, token):
            if not token.startswith("visit-"):
                return None
            account = db.scalar(select(Account).where(Account.username == "alex.active"))
            return Principal(account=account, via="visit", session_ids=frozenset({second}))

    demo_app.state.hub.authenticators.insert(0, VisitLinkAuthenticator())
    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "auth", "token": "visit-abc"})
        hello = sock.receive_json()
        assert [s["id"] for s in hello["sessions"]] == [second]
        sock.send_json({"type": "join", "session_id": first})
        assert wait(sock, "error")["code"] == "forbidden"
        sock.send_json({"type": "join", "session_id": second})
        assert wait(sock, "joined")["session"]["id"] == second
