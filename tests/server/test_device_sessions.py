"""Signed-in devices and session control (issue 12; ASVS 7.4.x, 7.5.2; HIPAA automatic
logoff): list and end my sessions, an Org Admin ends all of someone's, deactivation ends them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import login_headers
from tests.server.test_portal import csrf, sign_in
from vtconnect_care.domain import devices
from vtconnect_care.server.models import Account, AuditEvent

ME = "/api/v1/auth/me"
PASSWORD = {"password": "VTConnect-demo-1"}


@pytest.fixture
def web(demo_settings, demo_app) -> Iterator[TestClient]:
    """A browser-like client on https (as tests/server/test_portal.py's)."""
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def account_id(app, username: str) -> int:
    with app.state.session_factory() as db:
        return db.scalar(select(Account.id).where(Account.username == username))


def test_a_person_sees_their_signed_in_devices(demo_api):
    app_headers = login_headers(demo_api, "dr.patel", audience="app")
    r = demo_api.post(
        "/api/v1/auth/login",
        json={"username": "dr.patel", "password": "VTConnect-demo-1", "audience": "portal"},
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"},
    )
    portal_headers = {"Authorization": f"Bearer {r.json()['token']}"}
    rows = demo_api.get("/api/v1/auth/devices", headers=portal_headers).json()
    assert len(rows) == 2
    assert [r["current"] for r in rows].count(True) == 1
    mine = next(r for r in rows if r["current"])
    assert mine["device"] == "Office Portal, Chrome on Linux"
    assert mine["address"] == "testclient" and "Chrome/131.0" in mine["user_agent"]
    assert {r["audience"] for r in rows} == {"app", "portal"}
    assert all(r["signed_in_at"] and r["last_used_at"] for r in rows)
    # nobody else's sessions show
    other = login_headers(demo_api, "nurse.kim")
    assert len(demo_api.get("/api/v1/auth/devices", headers=other).json()) == 1
    assert demo_api.get(ME, headers=app_headers).status_code == 200


def test_a_person_ends_one_device_and_then_the_others(demo_api):
    first = login_headers(demo_api, "dr.patel", audience="app")
    second = login_headers(demo_api, "dr.patel")
    third = login_headers(demo_api, "dr.patel")
    rows = demo_api.get("/api/v1/auth/devices", headers=second).json()
    app_row = next(r for r in rows if r["audience"] == "app")
    end = f"/api/v1/auth/devices/{app_row['id']}/end"
    wrong = demo_api.post(end, headers=second, json={"password": "not mine"})
    assert wrong.status_code == 422  # the current password first (ASVS 7.5.2)
    assert demo_api.get(ME, headers=first).status_code == 200
    r = demo_api.post(end, headers=second, json=PASSWORD)
    assert r.status_code == 200 and r.json()["message"] == devices.DEVICE_ENDED
    assert demo_api.get(ME, headers=first).status_code == 401
    assert demo_api.get(ME, headers=third).status_code == 200
    again = demo_api.post(end, headers=second, json=PASSWORD)
    assert again.status_code == 404
    others = demo_api.post("/api/v1/auth/devices/end-others", headers=second, json=PASSWORD)
    assert others.status_code == 200
    assert demo_api.get(ME, headers=third).status_code == 401
    assert demo_api.get(ME, headers=second).status_code == 200


def test_nobody_ends_another_persons_device_by_its_id(demo_api):
    victim = login_headers(demo_api, "nurse.kim")
    victim_id = demo_api.get("/api/v1/auth/devices", headers=victim).json()[0]["id"]
    attacker = login_headers(demo_api, "dr.patel")
    end = f"/api/v1/auth/devices/{victim_id}/end"
    assert demo_api.post(end, headers=attacker, json=PASSWORD).status_code == 404
    huge = "/api/v1/auth/devices/99999999999999999999/end"
    assert demo_api.post(huge, headers=attacker, json=PASSWORD).status_code in (404, 422)
    assert demo_api.get(ME, headers=victim).status_code == 200


def test_org_admin_ends_all_sessions_of_a_staff_member_and_a_client(demo_api, demo_app):
    kim = [login_headers(demo_api, "nurse.kim", audience=a) for a in ("app", "portal")]
    alex = login_headers(demo_api, "alex.active", audience="app")
    admin = login_headers(demo_api, "olivia.admin")
    for username, headers in (("nurse.kim", kim), ("alex.active", [alex])):
        r = demo_api.delete(
            f"/api/v1/accounts/{account_id(demo_app, username)}/sessions", headers=admin
        )
        assert r.status_code == 200, r.text
        assert all(demo_api.get(ME, headers=h).status_code == 401 for h in headers)
    assert demo_api.get(ME, headers=admin).status_code == 200
    with demo_app.state.session_factory() as db:
        acts = db.scalars(select(AuditEvent.action)).all()
    assert acts.count("sessions_ended_by_admin") == 2


def test_only_an_org_admin_ends_someone_elses_sessions(demo_api, demo_app):
    kim = login_headers(demo_api, "nurse.kim")
    for who in ("dan.deptadmin", "cara.coord", "dr.patel", "alex.active"):
        headers = login_headers(demo_api, who)
        r = demo_api.delete(
            f"/api/v1/accounts/{account_id(demo_app, 'nurse.kim')}/sessions", headers=headers
        )
        assert r.status_code == 403, who
    assert demo_api.get(ME, headers=kim).status_code == 200


def test_deactivating_a_staff_member_ends_their_sessions(demo_api, demo_app):
    kim = login_headers(demo_api, "nurse.kim", audience="app")
    admin = login_headers(demo_api, "olivia.admin")
    kim_id = account_id(demo_app, "nurse.kim")
    r = demo_api.post(f"/api/v1/staff/{kim_id}/deactivate", headers=admin)
    assert r.status_code == 200, r.text
    assert demo_api.get(ME, headers=kim).status_code == 401
    refused = demo_api.post(
        "/api/v1/auth/login",
        json={"username": "nurse.kim", "password": "VTConnect-demo-1", "audience": "app"},
    )
    assert refused.status_code == 403
    assert demo_api.post(f"/api/v1/staff/{kim_id}/reactivate", headers=admin).status_code == 200
    assert login_headers(demo_api, "nurse.kim")
    own = demo_api.post(
        f"/api/v1/staff/{account_id(demo_app, 'olivia.admin')}/deactivate", headers=admin
    )
    assert own.status_code == 403


def test_deactivating_a_client_in_the_portal_ends_their_sessions(web, demo_app):
    alex_app = web.post(
        "/api/v1/auth/login",
        json={"username": "alex.active", "password": "VTConnect-demo-1", "audience": "app"},
    ).json()["token"]
    sign_in(web, "olivia.admin")
    cid = account_id(demo_app, "alex.active")
    token = csrf(web, f"/portal/clients/{cid}")
    r = web.post(f"/portal/clients/{cid}/end-sessions", data={"csrf_token": token})
    assert r.status_code == 303
    assert web.get(ME, headers={"Authorization": f"Bearer {alex_app}"}).status_code == 401


def test_portal_devices_page_lists_and_signs_out_a_device(web, demo_app):
    other = web.post(
        "/api/v1/auth/login",
        json={"username": "dr.patel", "password": "VTConnect-demo-1", "audience": "app"},
    ).json()["token"]
    sign_in(web, "dr.patel")
    page = web.get("/portal/devices")
    assert page.status_code == 200
    assert "VTConnect Care app" in page.text and "This device" in page.text
    token = csrf(web, "/portal/devices")
    r = web.post("/portal/devices", data={"csrf_token": token, "end": "others", "password": "x"})
    assert r.status_code == 422  # the current password first (ASVS 7.5.2)
    assert web.get(ME, headers={"Authorization": f"Bearer {other}"}).status_code == 200
    r = web.post(
        "/portal/devices",
        data={"csrf_token": token, "end": "others", "password": "VTConnect-demo-1"},
    )
    assert r.status_code == 303 and "others_ended" in r.headers["location"]
    assert web.get(ME, headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert web.get("/portal/devices").status_code == 200  # this one stays


def test_portal_org_admin_ends_a_staff_members_sessions(web, demo_app):
    kim = web.post(
        "/api/v1/auth/login",
        json={"username": "nurse.kim", "password": "VTConnect-demo-1", "audience": "app"},
    ).json()["token"]
    sign_in(web, "olivia.admin")
    sid = account_id(demo_app, "nurse.kim")
    page = web.get(f"/portal/staff/{sid}")
    assert "End all sessions" in page.text and "Deactivate" in page.text
    token = csrf(web, f"/portal/staff/{sid}")
    r = web.post(f"/portal/staff/{sid}/end-sessions", data={"csrf_token": token})
    assert r.status_code == 303
    assert web.get(ME, headers={"Authorization": f"Bearer {kim}"}).status_code == 401


def test_portal_password_change_offers_to_sign_out_other_devices(web):
    other = web.post(
        "/api/v1/auth/login",
        json={"username": "nurse.kim", "password": "VTConnect-demo-1", "audience": "app"},
    ).json()["token"]
    sign_in(web, "nurse.kim")
    token = csrf(web, "/portal/security")
    new = "a long new passphrase 42"
    r = web.post(
        "/portal/security/password",
        data={
            "current_password": "VTConnect-demo-1",
            "new_password": new,
            "new_password_confirm": new,
            "end_other_sessions": "on",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303, r.text
    assert web.get(ME, headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert web.get("/portal/security").status_code == 200  # still signed in here
    wrong = web.post(
        "/portal/security/password",
        data={
            "current_password": "not it",
            "new_password": new + "x",
            "new_password_confirm": new + "x",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422


def test_signing_in_again_in_a_browser_ends_its_earlier_session(web):  # ASVS 7.2.4
    sign_in(web, "dr.patel")
    first = web.cookies.get("vt_portal")
    sign_in(web, "nurse.kim")
    second = web.cookies.get("vt_portal")
    assert first and second and first != second
    assert web.get(ME, headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert web.get(ME, headers={"Authorization": f"Bearer {second}"}).status_code == 200


@pytest.mark.timeout(60)
@pytest.mark.parametrize("how", ["deactivate", "end_all", "end_device"])
def test_ending_sessions_closes_the_hub_sockets_at_once(demo_api, demo_app, how):
    """Deactivation, an Org Admin's "end all" and ending one device reach the open socket
    (through tokens.revoke, which the hub follows) within a second."""
    import time

    from starlette.websockets import WebSocketDisconnect

    kim = login_headers(demo_api, "nurse.kim", audience="app")
    admin = login_headers(demo_api, "olivia.admin")
    kim_id = account_id(demo_app, "nurse.kim")
    own = login_headers(demo_api, "nurse.kim")
    rows = demo_api.get("/api/v1/auth/devices", headers=own).json()
    app_id = next(d["id"] for d in rows if d["audience"] == "app")
    with demo_api.websocket_connect("/api/v1/ws", headers=kim) as sock:
        assert sock.receive_json()["type"] == "hello"
        started = time.monotonic()
        if how == "deactivate":
            r = demo_api.post(f"/api/v1/staff/{kim_id}/deactivate", headers=admin)
        elif how == "end_all":
            r = demo_api.delete(f"/api/v1/accounts/{kim_id}/sessions", headers=admin)
        else:
            r = demo_api.post(f"/api/v1/auth/devices/{app_id}/end", headers=own, json=PASSWORD)
        assert r.status_code == 200, r.text
        error = sock.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            sock.receive_json()
        assert time.monotonic() - started <= 1.0
    assert error["code"] == "session_expired" and closed.value.code == 4401


def test_portal_org_admin_deactivates_and_reactivates_a_staff_member(web, demo_app):
    kim = web.post(
        "/api/v1/auth/login",
        json={"username": "nurse.kim", "password": "VTConnect-demo-1", "audience": "app"},
    ).json()["token"]
    sign_in(web, "olivia.admin")
    sid = account_id(demo_app, "nurse.kim")
    token = csrf(web, f"/portal/staff/{sid}")
    r = web.post(f"/portal/staff/{sid}/active", data={"csrf_token": token, "active": "0"})
    assert r.status_code == 303 and "deactivated" in r.headers["location"]
    assert web.get(ME, headers={"Authorization": f"Bearer {kim}"}).status_code == 401
    page = web.get(f"/portal/staff/{sid}")
    assert "Deactivated" in page.text and "Reactivate" in page.text
    r = web.post(f"/portal/staff/{sid}/active", data={"csrf_token": token, "active": "1"})
    assert r.status_code == 303 and "reactivated" in r.headers["location"]
