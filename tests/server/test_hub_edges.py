"""Issue 12 at the hub: tokens serve only their audience (defect 3) and odd input gets a
clean answer, never a dropped socket (defect 6); revocation and expiry reach open sockets."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from datetime import timedelta

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.conftest import login_headers

pytestmark = pytest.mark.timeout(60)
WS = "/api/v1/ws"


def refused_with(sock) -> tuple[dict, int]:
    """The error the hub sends before closing, and the close code."""
    error = sock.receive_json()
    with pytest.raises(WebSocketDisconnect) as closed:
        sock.receive_json()
    return error, closed.value.code


def test_defect_3_a_portal_sign_in_does_not_open_the_hub(demo_api):
    headers = login_headers(demo_api, "alex.active", audience="portal")
    with demo_api.websocket_connect(WS, headers=headers) as sock:
        error, code = refused_with(sock)
    assert error["code"] == "wrong_audience" and code == 4401


def test_defect_3_a_pending_clients_portal_token_is_refused_by_the_app_api_and_the_hub(demo_api):
    headers = login_headers(demo_api, "dana.pending", audience="portal")  # the portal lets in
    assert demo_api.get("/api/v1/auth/me", headers=headers).status_code == 200
    for path in ("/api/v1/me/practitioners", "/api/v1/me/appointments", "/api/v1/sessions/current"):
        r = demo_api.get(path, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "account_pending", path
    with demo_api.websocket_connect(WS, headers=headers) as sock:
        error, code = refused_with(sock)
    assert error["code"] == "account_pending" and code == 4401


def test_defect_3_staff_portal_tokens_stay_off_the_apps_endpoints(demo_api):
    portal = login_headers(demo_api, "dr.patel", audience="portal")
    app = login_headers(demo_api, "dr.patel", audience="app")
    r = demo_api.get("/api/v1/appointments/today", headers=portal)
    assert r.status_code == 401 and r.json()["error"]["code"] == "wrong_audience"
    assert demo_api.get("/api/v1/appointments/today", headers=app).status_code == 200
    assert demo_api.get("/api/v1/visits", headers=portal).status_code == 200  # served to both


@pytest.mark.parametrize(
    "raw",
    [
        '{"type":"join","session_id":1' + "0" * 400 + "}",  # 10^400
        '{"type":"join","session_id":9223372036854775808}',  # 2^63
        '{"type":"signal","session_id":1,"to":1' + "0" * 30 + ',"signal":{"kind":"ice","pc":"a"}}',
        "[" * 1000 + "]" * 1000,
        '{"type":"chat","session_id":1,"body":' + "[" * 1000 + "]" * 1000 + "}",
        '{"type":"signal","session_id":1,"to":2,"signal":{"kind":"ice","pc":"a","candidate":'
        + '{"x":' * 900
        + "1"
        + "}" * 901
        + "}}",
    ],
)
def test_defect_6_huge_ids_and_deep_json_get_an_error_and_the_socket_lives(demo_api, raw):
    headers = login_headers(demo_api, "alex.active", audience="app")
    with demo_api.websocket_connect(WS, headers=headers) as sock:
        assert sock.receive_json()["type"] == "hello"
        sock.send_text(raw)
        error = sock.receive_json()
        assert error["type"] == "error" and error["code"] in {"bad_message", "too_deep"}
        sock.send_json({"type": "ping", "ref": "still-here"})
        assert sock.receive_json() == {"type": "pong", "ref": "still-here"}


def test_defect_6_an_overlong_token_is_a_clean_refusal(demo_api):
    with demo_api.websocket_connect(WS, headers={"Authorization": "Bearer " + "x" * 5000}) as s:
        error, code = refused_with(s)
    assert error["type"] == "error" and code == 4401


def test_password_change_closes_the_accounts_other_sockets_at_once(demo_api):
    headers = login_headers(demo_api, "alex.active", audience="app")
    portal = login_headers(demo_api, "alex.active", audience="portal")
    with demo_api.websocket_connect(WS, headers=headers) as sock:
        assert sock.receive_json()["type"] == "hello"
        r = demo_api.post(
            "/api/v1/auth/password/change",
            json={"current_password": "VTConnect-demo-1", "new_password": "a fresh passphrase 7"},
            headers=portal,
        )
        assert r.status_code == 200, r.text
        started = time.monotonic()  # the change is committed: the socket hears of it now
        error, code = refused_with(sock)
        assert time.monotonic() - started <= 1.0
    assert error["code"] == "session_expired" and code == 4401


def test_an_expired_session_is_closed_on_its_next_message(demo_api, clock):
    headers = login_headers(demo_api, "alex.active", audience="app")
    with ExitStack() as stack:
        sock = stack.enter_context(demo_api.websocket_connect(WS, headers=headers))
        assert sock.receive_json()["type"] == "hello"
        clock.advance(timedelta(hours=13))  # past the absolute session lifetime
        sock.send_text(json.dumps({"type": "ping"}))
        error, code = refused_with(sock)
    assert error["code"] == "session_expired" and code == 4401
