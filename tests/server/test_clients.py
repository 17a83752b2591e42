"""Client management through the API: R-CLIENT-2..6, R-ASSOC-3, R-ASSOC-4, R-STATUS-1..4."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, login_headers
from vtconnect_care.domain import messages
from vtconnect_care.server.models import Account, AuditEvent, Department, Organization, OutboxMail

API = "/api/v1"


def ids(app) -> dict[str, int]:
    with app.state.session_factory() as db:
        out = {a.username: a.id for a in db.scalars(select(Account)).all() if a.username}
        out.update({d.name: d.id for d in db.scalars(select(Department)).all()})
        return out


def mails(app, to: str) -> list[OutboxMail]:
    with app.state.session_factory() as db:
        return list(
            db.scalars(select(OutboxMail).where(OutboxMail.to_addr == to).order_by(OutboxMail.id))
        )


def audits(app, action: str) -> list[AuditEvent]:
    with app.state.session_factory() as db:
        return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


@pytest.fixture
def admin(as_user):
    return as_user("olivia.admin")


def new_client(**over):
    body = {
        "first_name": "Zoe",
        "last_name": "Quinn",
        "email": "zoe.quinn@x.example",
        "date_of_birth": "1990-04-05",
        "associations": [],
    }
    body.update(over)
    return body


def test_r_status_1_active_by_default_other_views_and_search(demo_api, admin):
    active = demo_api.get(f"{API}/clients", headers=admin).json()
    assert active["status"] == "active"
    assert {c["username"] for c in active["clients"]} == {
        "alex.active",
        "bea.active",
        "eli.unassigned",
    }
    inactive = demo_api.get(f"{API}/clients?status=inactive", headers=admin).json()["clients"]
    assert [c["username"] for c in inactive] == ["carl.inactive"]
    pending = demo_api.get(f"{API}/clients?status=pending", headers=admin).json()["clients"]
    assert [c["username"] for c in pending] == ["dana.pending"]
    found = demo_api.get(f"{API}/clients?q=Lindq", headers=admin).json()["clients"]
    assert [c["username"] for c in found] == ["bea.active"]
    found = demo_api.get(f"{API}/clients?q=bea lind", headers=admin).json()["clients"]
    assert [c["username"] for c in found] == ["bea.active"]
    bad = demo_api.get(f"{API}/clients?status=archived", headers=admin)
    assert bad.status_code == 422 and "status" in bad.json()["error"]["fields"]


def test_r_client_2_required_fields_each_reported_and_nothing_saved(demo_app, demo_api, admin):
    r = demo_api.post(f"{API}/clients", headers=admin, json={"first_name": " "})
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"first_name", "last_name", "email", "date_of_birth"}
    r = demo_api.post(f"{API}/clients", headers=admin, json=new_client(date_of_birth="not a date"))
    assert r.status_code == 422 and "date_of_birth" in r.json()["error"]["fields"]
    assert not audits(demo_app, "client_created")


def test_duplicate_email_is_refused_clearly(demo_api, admin):
    r = demo_api.post(
        f"{API}/clients", headers=admin, json=new_client(email="ALEX_active@clients.example")
    )
    assert r.status_code == 422
    assert (
        r.json()["error"]["fields"]["email"] == "Another account already uses this email address."
    )


def test_r_client_3_and_4_setup_link_then_welcome_then_login(demo_app, demo_api, admin):
    i = ids(demo_app)
    body = new_client(associations=[{"practitioner_id": i["nurse.kim"]}])
    r = demo_api.post(f"{API}/clients", headers=admin, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "active" and created["username"] is None
    assert created["associations"][0]["department_name"] == "Physiotherapy"
    [setup] = mails(demo_app, "zoe.quinn@x.example")
    assert setup.template == "client_setup"
    assert setup.links[0].startswith("http://portal.test/setup-account?token=")
    assert setup.body_html and setup.links[0] in setup.body_html
    token = token_of(setup.links[0])
    # not yet usable
    r = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "zoe@x.example", "password": "long-enough-pw"},
    )
    assert r.status_code == 422 and "username" in r.json()["error"]["fields"]
    r = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "alex.active", "password": "long-enough-pw"},
    )
    assert r.json()["error"]["fields"]["username"].startswith("That username is taken")
    r = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "zoe.q", "password": "long-enough-pw"},
    )
    assert r.status_code == 200, r.text
    welcome = mails(demo_app, "zoe.quinn@x.example")[-1]
    assert welcome.template == "client_welcome"
    assert "Three steps to get started" in welcome.body_text
    assert welcome.links == ["http://portal.test/o/riverside/get-started"]
    login_headers(demo_api, "zoe.q", password="long-enough-pw", audience="app")
    again = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token, "username": "zoe.r", "password": "long-enough-pw"},
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "link_invalid"


def test_r_assoc_3_several_departments_need_one(demo_app, demo_api, admin):
    i = ids(demo_app)
    body = new_client(associations=[{"practitioner_id": i["dr.patel"]}])
    r = demo_api.post(f"{API}/clients", headers=admin, json=body)
    assert r.status_code == 422
    assert "several departments" in r.json()["error"]["fields"][f"associations.{i['dr.patel']}"]
    body["associations"][0]["department_id"] = i["Physiotherapy"]
    r = demo_api.post(f"{API}/clients", headers=admin, json=body)
    assert r.status_code == 201
    assert [a["department_name"] for a in r.json()["associations"]] == ["Physiotherapy"]


def test_r_assoc_2_only_practitioners_can_be_associated(demo_app, demo_api, admin):
    i = ids(demo_app)
    r = demo_api.put(
        f"{API}/clients/{i['eli.unassigned']}/associations",
        headers=admin,
        json={"associations": [{"practitioner_id": i["frank.frontdesk"]}]},
    )
    assert r.status_code == 422
    assert (
        "practitioner role" in r.json()["error"]["fields"][f"associations.{i['frank.frontdesk']}"]
    )


def test_r_assoc_4_client_record_associations_replace_and_are_audited(demo_app, demo_api, admin):
    i = ids(demo_app)
    r = demo_api.put(
        f"{API}/clients/{i['bea.active']}/associations",
        headers=admin,
        json={"associations": [{"practitioner_id": i["nurse.kim"]}]},
    )
    assert r.status_code == 200
    assert [a["practitioner_id"] for a in r.json()["associations"]] == [i["nurse.kim"]]
    [event] = audits(demo_app, "client_associations_changed")
    assert {"removed": i["dr.patel"], "department": i["Physiotherapy"]} in event.detail[
        "associations"
    ]


def test_dept_admin_edit_keeps_other_departments_associations(demo_app, demo_api, as_user):
    """R-ASSOC-1: a Dept Admin changes only associations in their own departments."""
    i = ids(demo_app)
    olivia = as_user("olivia.admin")
    demo_api.put(
        f"{API}/clients/{i['eli.unassigned']}/associations",
        headers=olivia,
        json={
            "associations": [
                {"practitioner_id": i["nurse.kim"]},
                {"practitioner_id": i["dr.patel"], "department_id": i["Counselling"]},
            ]
        },
    )
    dan = as_user("dan.deptadmin")
    r = demo_api.put(
        f"{API}/clients/{i['eli.unassigned']}/associations", headers=dan, json={"associations": []}
    )
    assert r.status_code == 200
    assert [a["department_name"] for a in r.json()["associations"]] == ["Physiotherapy"]


def test_r_status_2_active_box_moves_between_active_and_inactive(demo_app, demo_api, admin):
    i = ids(demo_app)
    alex_app = login_headers(demo_api, "alex.active", audience="app")
    r = demo_api.patch(f"{API}/clients/{i['alex.active']}", headers=admin, json={"active": False})
    assert r.json()["status"] == "inactive"
    assert demo_api.get(f"{API}/auth/me", headers=alex_app).status_code == 401  # session ends
    r = demo_api.post(
        f"{API}/auth/login",
        json={"username": "alex.active", "password": DEMO_PASSWORD, "audience": "portal"},
    )
    assert r.status_code == 403 and r.json()["error"]["message"] == messages.ACCOUNT_INACTIVE
    r = demo_api.patch(f"{API}/clients/{i['alex.active']}", headers=admin, json={"active": True})
    assert r.json()["status"] == "active"
    changes = [
        (e.detail["before"], e.detail["after"]) for e in audits(demo_app, "client_status_changed")
    ]
    assert changes == [("active", "inactive"), ("inactive", "active")]


def test_r_status_3_approve_this_account(demo_app, demo_api, admin):
    i = ids(demo_app)
    r = demo_api.post(f"{API}/clients/{i['dana.pending']}/approve", headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "active"
    again = demo_api.post(f"{API}/clients/{i['dana.pending']}/approve", headers=admin)
    assert again.status_code == 409
    login_headers(demo_api, "dana.pending", audience="app")  # R-LOGIN-4: now the app too


def test_r_status_4_delete_is_audited(demo_app, demo_api, admin):
    i = ids(demo_app)
    r = demo_api.delete(f"{API}/clients/{i['carl.inactive']}", headers=admin)
    assert r.status_code == 200
    assert demo_api.get(f"{API}/clients/{i['carl.inactive']}", headers=admin).status_code == 404
    [event] = audits(demo_app, "client_deleted")
    assert event.object_id == i["carl.inactive"] and event.detail["username"] == "carl.inactive"
    assert event.actor_id == i["olivia.admin"]


def test_r_client_6_individual_practitioner_association_is_automatic(demo_app, demo_api, admin):
    with demo_app.state.session_factory() as db, db.begin():
        db.scalar(select(Organization)).individual_practitioner = True
    r = demo_api.post(f"{API}/clients", headers=admin, json=new_client())
    assert r.status_code == 201
    assert len(r.json()["associations"]) == 1


def test_unknown_client_is_404_and_bad_ids_are_not_500(demo_api, admin):
    assert demo_api.get(f"{API}/clients/999999", headers=admin).status_code == 404
    assert demo_api.get(f"{API}/clients/abc", headers=admin).status_code == 422
    r = demo_api.post(
        f"{API}/clients",
        headers=admin,
        content=b"{not json",
    )
    assert r.status_code == 422


def test_r_client_3_the_setup_link_can_be_sent_again_and_the_old_one_stops(
    demo_app, demo_api, admin
):
    r = demo_api.post(f"{API}/clients", headers=admin, json=new_client())
    client_id = r.json()["id"]
    first = mails(demo_app, "zoe.quinn@x.example")[0].links[0]
    r = demo_api.post(f"{API}/clients/{client_id}/setup-link", headers=admin)
    assert r.status_code == 200
    second = mails(demo_app, "zoe.quinn@x.example")[-1].links[0]
    assert second != first
    old = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token_of(first), "username": "zoe.q", "password": "long-enough-pw"},
    )
    assert old.status_code == 400
    new = demo_api.post(
        f"{API}/public/setup-account",
        json={"token": token_of(second), "username": "zoe.q", "password": "long-enough-pw"},
    )
    assert new.status_code == 200
    again = demo_api.post(f"{API}/clients/{client_id}/setup-link", headers=admin)
    assert again.status_code == 409
    assert [e.object_id for e in audits(demo_app, "setup_link_sent")] == [client_id]
