"""R-ROOM-MODE at Host: the server decides mesh or Janus, says so in the session, caps the room."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.conftest import login_headers
from vtconnect_care.server.models import Organization


def _host(client: TestClient, *usernames: str):
    headers = login_headers(client, "dr.patel", audience="app")
    return client.post(
        "/api/v1/sessions", json={"invitee_usernames": list(usernames)}, headers=headers
    )


def test_a_small_room_is_a_mesh_and_says_so_in_the_session(demo_api):
    r = _host(demo_api, "alex.active")
    assert r.status_code == 201, r.text
    assert r.json()["media"] == "mesh"


def test_the_organisation_can_send_every_group_room_through_janus(demo_settings):
    from vtconnect_care.server.app import create_app

    demo_settings.janus_url = "ws://127.0.0.1:9"  # configured; nothing is reached at Host
    app = create_app(demo_settings)
    with TestClient(app) as client:
        with app.state.session_factory() as db:
            db.execute(update(Organization).values(group_rooms_via_janus=True))
            db.commit()
        assert _host(client, "alex.active").json()["media"] == "mesh"  # two: peer to peer
        r = _host(client, "alex.active", "bea.active")
        assert r.status_code == 201, r.text
        assert r.json()["media"] == "sfu"


def test_without_janus_the_choice_stays_a_mesh(demo_settings):
    from vtconnect_care.server.app import create_app

    app = create_app(demo_settings)
    with TestClient(app) as client:
        with app.state.session_factory() as db:
            db.execute(update(Organization).values(group_rooms_via_janus=True))
            db.commit()
        assert _host(client, "alex.active", "bea.active").json()["media"] == "mesh"


def test_a_mesh_too_small_for_everyone_invited_tells_the_host_why(demo_settings):
    from vtconnect_care.server.app import create_app

    demo_settings.room_cap = 2
    with TestClient(create_app(demo_settings)) as client:
        r = _host(client, "alex.active", "bea.active")
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "room_full"
    assert "media server (Janus)" in error["message"]


def test_only_the_org_admin_sends_every_group_room_through_janus(demo_settings):
    """The Organization page's "Group sessions" setting: Org Admin only, audited, then used."""
    from sqlalchemy import select

    from tests.server.test_portal import csrf, sign_in
    from vtconnect_care.server.app import create_app
    from vtconnect_care.server.models import AuditEvent

    demo_settings.public_url = "https://portal.test"
    demo_settings.janus_url = "ws://127.0.0.1:9"
    app = create_app(demo_settings)
    form = "/portal/organization/group-rooms"
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as web:
        sign_in(web, "dan.deptadmin")
        token = csrf(web, "/portal/organization")
        r = web.post(form, data={"csrf_token": token, "group_rooms_via_janus": "on"})
        assert r.status_code == 403
        web.cookies.clear()
        sign_in(web, "olivia.admin")
        page = web.get("/portal/organization")
        assert "Run every group session through the media server" in page.text
        token = csrf(web, "/portal/organization")
        r = web.post(form, data={"csrf_token": token, "group_rooms_via_janus": "on"})
        assert r.status_code == 303
        assert 'id="f-group-rooms" name="group_rooms_via_janus" checked' in web.get(
            "/portal/organization"
        ).text
        assert _host(web, "alex.active", "bea.active").json()["media"] == "sfu"
    with app.state.session_factory() as db:
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "organization_updated"))
        assert any((e.detail or {}).get("group_rooms_via_janus") is True for e in events)
