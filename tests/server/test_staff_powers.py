"""Nobody changes their own roles, practitioner flag or licence; licences come from Org Admins
(issue 12, defect 4: a Dept Admin made themselves a practitioner with a made-up licence, then
hosted)."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login_headers
from tests.server.test_role_matrix import _ids
from vtconnect_care.domain.roles import LICENCE_ORG_ADMIN_ONLY, OWN_RECORD
from vtconnect_care.server.models import AuditEvent, Staff


def _patch(api, headers, staff_id: int, body: dict):
    return api.patch(f"/api/v1/staff/{staff_id}", headers=headers, json=body)


def test_nobody_changes_their_own_practitioner_flag_or_licence(demo_app, demo_api):
    ids = _ids(demo_app)
    for who, body in [
        ("dan.deptadmin", {"is_practitioner": True}),
        ("dan.deptadmin", {"is_practitioner": True, "licence": "MADE-UP-1"}),
        ("olivia.admin", {"licence": "MADE-UP-2"}),
        ("dr.patel", {"licence": "PSY-999999"}),
    ]:
        r = _patch(demo_api, login_headers(demo_api, who), ids[who], body)
        assert r.status_code == 403, (who, body, r.text)
        assert r.json()["error"] == {"code": "own_record", "message": OWN_RECORD}
    with demo_app.state.session_factory() as db:
        dan = db.get(Staff, ids["dan.deptadmin"])
        assert (dan.is_practitioner, dan.licence) == (False, None)
        refused = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff_update_refused")
        ).all()
        assert len(refused) == 4
    # what is not a power stays one's own: dr.patel's notifications, the same licence resent
    headers = login_headers(demo_api, "dr.patel")
    r = _patch(
        demo_api, headers, ids["dr.patel"], {"notify_new_clients": False, "licence": "PSY-204518"}
    )
    assert r.status_code == 200, r.text
    assert (
        demo_api.get(
            "/api/v1/auth/me", headers=login_headers(demo_api, "dan.deptadmin", audience="app")
        ).json()["can_host"]
        is False
    )


def test_only_an_org_admin_grants_a_licence_and_the_grant_is_audited(demo_app, demo_api):
    ids = _ids(demo_app)
    dan = login_headers(demo_api, "dan.deptadmin")
    r = _patch(demo_api, dan, ids["frank.frontdesk"], {"is_practitioner": True, "licence": "X-1"})
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "licence_org_admin_only",
        "message": LICENCE_ORG_ADMIN_ONLY,
    }
    # the practitioner box alone is still the Dept Admin's to tick (R-ASSOC-2)
    assert (
        _patch(demo_api, dan, ids["frank.frontdesk"], {"is_practitioner": True}).status_code == 200
    )
    olivia = login_headers(demo_api, "olivia.admin")
    r = _patch(demo_api, olivia, ids["frank.frontdesk"], {"licence": "RN-100200"})
    assert r.status_code == 200 and r.json()["licence"] == "RN-100200"
    r = _patch(demo_api, olivia, ids["frank.frontdesk"], {"licence": ""})
    assert r.status_code == 200 and r.json()["licence"] is None
    with demo_app.state.session_factory() as db:
        events = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["licence_granted", "licence_removed"]))
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.actor_id, e.object_id, e.detail) for e in events] == [
        (
            "licence_granted",
            ids["olivia.admin"],
            ids["frank.frontdesk"],
            {"old": None, "new": "RN-100200"},
        ),
        (
            "licence_removed",
            ids["olivia.admin"],
            ids["frank.frontdesk"],
            {"old": "RN-100200", "new": None},
        ),
    ]


def test_the_portal_refuses_ones_own_practitioner_box(demo_app, demo_settings):
    from fastapi.testclient import TestClient

    from tests.server.test_portal import csrf, sign_in

    ids = _ids(demo_app)
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as web:
        sign_in(web, "dan.deptadmin")
        path = f"/portal/staff/{ids['dan.deptadmin']}/edit"
        token = csrf(web, path)
        r = web.post(
            path,
            data={"is_practitioner": "on", "licence": "MADE-UP-3", "csrf_token": token},
        )
        assert r.status_code == 403
        assert "cannot change your own" in r.text
