"""A visit's call on the realtime hub in process: the invite token authenticates the page.

R-VISIT-6, 7, 11, 12, 14 over real WebSockets (Starlette's test client), real database.
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.conftest import login_headers
from vtconnect_care.domain import visit_messages as vmsg

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"
WS = "/api/v1/ws"


def wait(sock, kind: str, limit: int = 20) -> dict:
    """The next message of this type, skipping others (presence etc.); bounded."""
    for _ in range(limit):
        msg = sock.receive_json()
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message")


def page_socket(client, token: str, stack: ExitStack):
    """The browser page's socket: no header, the invite token in the auth message."""
    sock = stack.enter_context(client.websocket_connect(WS))
    sock.send_json({"type": "auth", "token": token})
    return sock


@pytest.fixture
def visit(demo_api):
    """nurse.kim's virtual visit with a copied link, clocked in."""
    kim = login_headers(demo_api, "nurse.kim", audience="app")
    rows = demo_api.get(f"{API}/visits", headers=kim).json()["visits"]
    v = next(r for r in rows if r["is_virtual"])
    link = demo_api.post(f"{API}/visits/{v['id']}/copy-link", headers=kim).json()["link"]
    assert demo_api.post(f"{API}/visits/{v['id']}/clock-in", headers=kim).status_code == 200
    return {"id": v["id"], "kim": kim, "token": link.rsplit("/", 1)[1]}


def test_r_visit_11_12_a_whole_visit_call_over_the_hub(demo_api, visit):
    token, kim = visit["token"], visit["kim"]
    with ExitStack() as stack:
        # the client's page arrives first and waits (the employee has not joined yet)
        joined = demo_api.post(f"{API}/visit-links/join", json={"token": token})
        assert joined.status_code == 200, joined.text
        room, employee_id = joined.json()["care_session_id"], joined.json()["employee_account_id"]
        page = page_socket(demo_api, token, stack)
        hello = wait(page, "hello")
        assert hello["account"]["name"] == "Bea Lindqvist"
        assert [s["id"] for s in hello["sessions"]] == [room]  # confined to the visit's room
        page.send_json({"type": "join", "session_id": room})
        wait(page, "joined")

        # the employee joins through REST (R-VISIT-6: clocked in) and then the same room
        r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
        assert r.status_code == 200, r.text
        assert r.json()["care_session_id"] == room and r.json()["state"] == "in_call"
        emp = stack.enter_context(demo_api.websocket_connect(WS, headers=kim))
        wait(emp, "hello")
        emp.send_json({"type": "join", "session_id": room})
        members = wait(emp, "joined")["session"]["members"]
        client_id = next(m["account_id"] for m in members if m["role"] == "participant")
        assert wait(page, "presence")["member"]["status"] == "present"

        # signalling is relayed both ways (the newcomer, the employee, offers)
        emp.send_json(
            {
                "type": "signal",
                "session_id": room,
                "to": client_id,
                "signal": {"kind": "offer", "pc": "p1", "sdp": "v=0 offer"},
            }
        )
        got = wait(page, "signal")
        assert got["from"] == employee_id and got["signal"]["sdp"] == "v=0 offer"
        page.send_json(
            {
                "type": "signal",
                "session_id": room,
                "to": employee_id,
                "signal": {
                    "kind": "ice",
                    "pc": "p1",
                    "candidate": {"candidate": "c", "sdpMid": "0"},
                },
            }
        )
        assert wait(emp, "signal")["signal"]["candidate"]["candidate"] == "c"

        # the page may not reach any other room
        page.send_json({"type": "join", "session_id": room + 1000})
        assert wait(page, "error")["code"] == "forbidden"

        # R-VISIT-11: the client hangs up; the employee is told; the link still works
        page.send_json({"type": "leave", "session_id": room})
        wait(page, "left")
        r = demo_api.post(f"{API}/visit-links/hang-up", json={"token": token})
        assert r.status_code == 200 and r.json()["state"] == "client_left"
        assert wait(emp, "visit.client_hung_up")["message"] == (
            "The client has hung up. If the session is not supposed to be over, please reach out "
            "to the client."
        )
        detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
        assert detail["virtual_session"]["notice"] == vmsg.CLIENT_HUNG_UP

        # the client comes back
        assert demo_api.post(f"{API}/visit-links/join", json={"token": token}).status_code == 200
        page.send_json({"type": "join", "session_id": room})
        wait(page, "joined")

        # R-VISIT-12: the caregiver hangs up; the page is told; over for good
        r = demo_api.post(f"{API}/visits/{visit['id']}/hang-up", headers=kim)
        assert r.status_code == 200, r.text
        ended = wait(page, "visit.ended")
        assert (
            ended["message"] == "Your session with the client is over. You can now close the page."
        )

    # the same link then refuses: the page, its socket and its REST join
    page_html = demo_api.get(f"/visit/{token}")
    assert page_html.status_code == 410 and vmsg.LINK_REASON_FINISHED in page_html.text
    r = demo_api.post(f"{API}/visit-links/join", json={"token": token})
    assert r.status_code == 409 and r.json()["error"]["code"] == "finished"
    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "auth", "token": token})
        refused = sock.receive_json()
        assert refused["type"] == "error" and refused["code"] == "finished"
        with pytest.raises(WebSocketDisconnect):
            sock.receive_json()
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_ended"


def test_r_visit_14_employee_closing_the_window_is_not_an_ending(demo_api, visit):
    kim = visit["kim"]
    room = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim).json()["care_session_id"]
    with demo_api.websocket_connect(WS, headers=kim) as emp:
        wait(emp, "hello")
        emp.send_json({"type": "join", "session_id": room})
        wait(emp, "joined")
    # the window closed without hanging up: Join video session again re-joins the same room
    again = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert again.status_code == 200 and again.json()["care_session_id"] == room
    assert demo_api.get(f"/visit/{visit['token']}").status_code == 200


def test_r_visit_7_a_superseded_link_cannot_open_the_socket(demo_api, visit):
    admin = login_headers(demo_api, "olivia.admin")
    r = demo_api.put(
        f"{API}/visits/{visit['id']}/schedule",
        headers=admin,
        json={"starts_at": "2026-11-23T16:00:00Z", "ends_at": "2026-11-23T16:45:00Z"},
    )
    assert r.status_code == 200, r.text
    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "auth", "token": visit["token"]})
        refused = sock.receive_json()
        assert refused["code"] == "superseded" and refused["message"] == vmsg.LINK_REASON_SUPERSEDED
    page = demo_api.get(f"/visit/{visit['token']}")
    assert page.status_code == 410 and "The time of your visit has changed" in page.text


def test_a_made_up_token_is_not_a_visit_link(demo_api):
    with demo_api.websocket_connect(WS) as sock:
        sock.send_json({"type": "auth", "token": "made-up"})
        refused = sock.receive_json()  # no visit link: the login-token authenticator says no
        assert refused["type"] == "error" and refused["code"] != "finished"
    page = demo_api.get("/visit/made-up")
    assert page.status_code == 404 and vmsg.LINK_REASON_INVALID in page.text
    r = demo_api.post(f"{API}/visit-links/join", json={"token": ""})
    assert r.status_code == 422


def test_r_visit_15_clocking_out_before_the_call_tells_a_waiting_page(demo_api, visit):
    token, kim = visit["token"], visit["kim"]
    room = demo_api.post(f"{API}/visit-links/join", json={"token": token}).json()["care_session_id"]
    with ExitStack() as stack:
        page = page_socket(demo_api, token, stack)
        wait(page, "hello")
        page.send_json({"type": "join", "session_id": room})
        wait(page, "joined")
        r = demo_api.post(f"{API}/visits/{visit['id']}/clock-out", headers=kim)
        assert r.status_code == 200, r.text
        assert r.json()["visit"]["virtual_session"]["ended_by"] == "clock_out"
        assert wait(page, "visit.ended")["message"] == vmsg.LINK_REASON_FINISHED
    assert demo_api.get(f"/visit/{token}").status_code == 410


def test_r_visit_12_ending_the_room_on_the_hub_is_the_caregivers_hang_up(demo_api, visit):
    token, kim = visit["token"], visit["kim"]
    room = demo_api.post(f"{API}/visit-links/join", json={"token": token}).json()["care_session_id"]
    demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    with ExitStack() as stack:
        page = page_socket(demo_api, token, stack)
        wait(page, "hello")
        page.send_json({"type": "join", "session_id": room})
        wait(page, "joined")
        emp = stack.enter_context(demo_api.websocket_connect(WS, headers=kim))
        wait(emp, "hello")
        emp.send_json({"type": "join", "session_id": room})
        wait(emp, "joined")
        emp.send_json({"type": "end", "session_id": room})
        assert wait(page, "session.ended")["session_id"] == room
    # no new session for the visit, ever: the link, the page's join and the employee's join
    assert demo_api.post(f"{API}/visit-links/join", json={"token": token}).status_code == 409
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert r.status_code == 409 and r.json()["error"]["code"] == "session_ended"
    assert demo_api.get(f"/visit/{token}").status_code == 410
