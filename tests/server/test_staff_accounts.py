"""Staff and department administration (issue 15): add staff who set their own credentials from
an emailed link, roles and departments within domain/staff_admin.py's rules, departments,
deactivation; a practitioner needs a licence to be offered at registration and to host
(R-HOST-1, R-REG-2). Who may do each operation is in test_role_matrix.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.conftest import login_headers
from tests.server.test_clients import audits, ids, mails, token_of
from tests.server.test_portal import csrf, sign_in
from vtconnect_care.domain import staff_admin as rules
from vtconnect_care.domain.roles import OWN_RECORD
from vtconnect_care.server.models import Department, OutboxMail, Staff
from vtconnect_care.server.services.clients import EMAIL_IN_USE


@pytest.fixture
def web(demo_settings, demo_app) -> Iterator[TestClient]:
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def _staff_count(app) -> int:
    with app.state.session_factory() as db:
        return db.scalar(select(func.count()).select_from(Staff))


def _mail_count(app) -> int:
    with app.state.session_factory() as db:
        return db.scalar(select(func.count()).select_from(OutboxMail))


def _create(api, headers, **body):
    return api.post("/api/v1/staff", headers=headers, json=body)


def test_bad_input_is_field_errors_on_the_form_and_nothing_changes(demo_app, web):
    sign_in(web, "olivia.admin")
    token = csrf(web, "/portal/staff/new")
    staff, sent = _staff_count(demo_app), _mail_count(demo_app)
    r = web.post(
        "/portal/staff/new",
        data={
            "first_name": " ",
            "email": "not-an-email",
            "licence": "RN-1",
            "roles": "nonsense",
            "csrf_token": token,
        },
    )
    assert r.status_code == 422
    for text in (
        "Please correct the highlighted fields. Nothing was saved.",
        rules.STAFF_REQUIRED["first_name"],
        rules.STAFF_REQUIRED["last_name"],
        "Enter a valid email address, like name@example.org.",
        rules.CHOOSE_A_DEPARTMENT,
        rules.UNKNOWN_ROLE,
    ):
        assert text in r.text, text
    assert rules.LICENCE_NEEDS_PRACTITIONER.replace('"', "&#34;") in r.text
    assert 'value="not-an-email"' in r.text  # what was typed stays
    assert (_staff_count(demo_app), _mail_count(demo_app)) == (staff, sent)


def test_a_used_email_is_a_clear_message_and_other_organisations_are_not_asked(demo_app, demo_api):
    olivia = login_headers(demo_api, "olivia.admin")
    couns = ids(demo_app)["Counselling"]
    with demo_app.state.session_factory() as db:
        alex_email = db.scalar(select(Staff.email).where(Staff.username == "dr.patel"))
    r = _create(
        demo_api, olivia, first_name="A", last_name="B", email=alex_email.upper(),
        department_ids=[couns],
    )  # fmt: skip
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"email": EMAIL_IN_USE}
    # an address used in another organisation is none of this one's business: accepted
    from vtconnect_care.server.models import Organization

    with demo_app.state.session_factory() as db:
        other = Organization(name="Elsewhere", slug="elsewhere", created_at=db.scalar(
            select(func.min(Staff.created_at))))  # fmt: skip
        db.add(other)
        db.flush()
        db.add(Staff(organization_id=other.id, email="shared@x.example", first_name="S",
                     last_name="T", created_at=other.created_at))  # fmt: skip
        db.commit()
    r = _create(
        demo_api, olivia, first_name="Sam", last_name="Shared", email="shared@x.example",
        department_ids=[couns],
    )  # fmt: skip
    assert r.status_code == 201, r.text


def test_created_staff_sets_credentials_from_the_email_and_hosts(demo_app, demo_api):
    """The whole flow in process: create (audited), email, set-up page, app login, host."""
    olivia = login_headers(demo_api, "olivia.admin")
    couns = ids(demo_app)["Counselling"]
    r = _create(
        demo_api, olivia, first_name="Lena", last_name="Lund", email="lena@staff.example",
        department_ids=[couns], roles=["care_coordinator"], is_practitioner=True,
        licence="RN-300400",
    )  # fmt: skip
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["username"], made["roles"], made["licence"]) == (
        None,
        ["care_coordinator"],
        "RN-300400",
    )
    [mail] = mails(demo_app, "lena@staff.example")
    assert mail.template == "staff_setup"
    assert "choose your username and password" in mail.subject
    assert "Care Coordinator, Practitioner" in mail.body_text
    [created] = audits(demo_app, "staff_created")
    assert created.detail["roles"] == ["care_coordinator"]
    assert [e.detail for e in audits(demo_app, "licence_granted")] == [
        {"old": None, "new": "RN-300400"}
    ]
    token = token_of(mail.links[0])
    r = demo_api.post(
        "/api/v1/public/setup-account",
        json={"token": token, "username": "lena.lund", "password": "lena-secret-pass"},
    )
    assert r.status_code == 200, r.text
    assert mails(demo_app, "lena@staff.example")[-1].template == "staff_setup"  # no client mail
    app = login_headers(demo_api, "lena.lund", audience="app", password="lena-secret-pass")
    assert demo_api.get("/api/v1/auth/me", headers=app).json()["can_host"] is True
    frank = ids(demo_app)["frank.frontdesk"]  # a colleague of her department (R-HOST-2)
    r = demo_api.post("/api/v1/sessions", headers=app, json={"invitee_ids": [frank]})
    assert r.status_code == 201, r.text
    # the link is spent
    r = demo_api.post(
        "/api/v1/public/setup-account",
        json={"token": token, "username": "lena.other", "password": "lena-secret-pass"},
    )
    assert r.status_code == 400


def test_r_host_1_an_unlicensed_practitioner_is_not_offered_and_cannot_host(demo_app, demo_api):
    dan = login_headers(demo_api, "dan.deptadmin")  # a Dept Admin: no licence to give
    couns = ids(demo_app)["Counselling"]
    r = _create(
        demo_api, dan, first_name="Uma", last_name="Unlicensed", email="uma@staff.example",
        department_ids=[couns], is_practitioner=True,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    uma = r.json()["id"]
    token = token_of(mails(demo_app, "uma@staff.example")[0].links[0])
    demo_api.post(
        "/api/v1/public/setup-account",
        json={"token": token, "username": "uma.u", "password": "uma-secret-pass"},
    )
    public = demo_api.get("/api/v1/public/orgs/riverside").json()
    labels = [p["label"] for p in public["practitioners"]]
    assert "Uma Unlicensed" not in labels and "Jin Kim" in labels
    app = login_headers(demo_api, "uma.u", audience="app", password="uma-secret-pass")
    assert demo_api.get("/api/v1/auth/me", headers=app).json()["can_host"] is False
    frank = ids(demo_app)["frank.frontdesk"]
    r = demo_api.post("/api/v1/sessions", headers=app, json={"invitee_ids": [frank]})
    assert r.status_code == 403
    # the Org Admin adds the licence: offered, and hosting
    olivia = login_headers(demo_api, "olivia.admin")
    assert (
        demo_api.patch(f"/api/v1/staff/{uma}", headers=olivia, json={"licence": "RN-1"})
    ).status_code == 200
    public = demo_api.get("/api/v1/public/orgs/riverside").json()
    assert "Uma Unlicensed" in [p["label"] for p in public["practitioners"]]
    r = demo_api.post("/api/v1/sessions", headers=app, json={"invitee_ids": [frank]})
    assert r.status_code == 201, r.text


def _roles(api, headers, staff_id, roles, depts):
    return api.put(
        f"/api/v1/staff/{staff_id}/roles",
        headers=headers,
        json={"roles": roles, "department_ids": depts},
    )


def test_roles_and_departments_within_the_rules(demo_app, demo_api):
    i = ids(demo_app)
    couns, physio = i["Counselling"], i["Physiotherapy"]
    dan = login_headers(demo_api, "dan.deptadmin")
    olivia = login_headers(demo_api, "olivia.admin")
    # nobody changes their own roles or departments
    r = _roles(demo_api, dan, i["dan.deptadmin"], ["dept_admin", "care_coordinator"], [couns])
    assert r.status_code == 403 and r.json()["error"]["message"] == OWN_RECORD
    r = _roles(demo_api, olivia, i["olivia.admin"], ["org_admin"], [couns, physio])
    assert r.json()["error"] == {"code": "own_record", "message": rules.OWN_DEPARTMENTS}
    # a Dept Admin grants Care Coordinator only, and in their own departments only
    r = _roles(demo_api, dan, i["frank.frontdesk"], ["dept_admin"], [couns])
    assert r.json()["error"]["message"] == rules.ROLE_ORG_ADMIN_ONLY
    r = _roles(demo_api, dan, i["frank.frontdesk"], [], [couns, physio])
    assert r.json()["error"]["message"] == rules.OWN_DEPARTMENTS_ONLY
    # every staff member keeps a department
    r = _roles(demo_api, olivia, i["frank.frontdesk"], [], [])
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"departments": rules.CHOOSE_A_DEPARTMENT}
    # a practitioner's associations of a department keep it (R-ASSOC-3)
    r = _roles(demo_api, olivia, i["dr.patel"], ["care_coordinator"], [physio])
    assert r.status_code == 422
    assert (
        "Priya Patel still has client associations in Counselling"
        in (r.json()["error"]["fields"]["departments"])
    )
    refused = len(audits(demo_app, "staff_roles_refused"))
    assert refused == 4
    r = _roles(demo_api, olivia, i["frank.frontdesk"], ["dept_admin"], [couns, physio])
    assert r.status_code == 200 and r.json()["roles"] == ["dept_admin"]
    [changed] = audits(demo_app, "staff_roles_changed")
    assert changed.actor_id == i["olivia.admin"]
    assert changed.detail == {
        "before": {"roles": [], "departments": [couns]},
        "after": {"roles": ["dept_admin"], "departments": sorted([couns, physio])},
    }
    # frank is an administrator now: his roles and departments are an Org Admin's to change
    r = _roles(demo_api, dan, i["frank.frontdesk"], [], [couns])
    assert r.json()["error"]["message"] == rules.ADMINS_ORG_ADMIN_ONLY


def test_the_roles_page_keeps_what_a_dept_admin_is_not_offered(demo_app, web):
    i = ids(demo_app)
    with demo_app.state.session_factory() as db:
        frank = db.get(Staff, i["frank.frontdesk"])
        frank.departments = list(db.scalars(select(Department)))  # both departments
        db.commit()
    sign_in(web, "dan.deptadmin")
    path = f"/portal/staff/{i['frank.frontdesk']}/roles"
    page = web.get(path).text
    assert "Also in (kept as they are): Physiotherapy." in page
    assert 'value="org_admin"' not in page and 'value="dept_admin"' not in page
    token = csrf(web, path)
    r = web.post(
        path,
        data={"roles": "care_coordinator", "department_ids": str(i["Counselling"]),
              "csrf_token": token},
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("notice=roles_saved")
    with demo_app.state.session_factory() as db:
        frank = db.get(Staff, i["frank.frontdesk"])
        assert frank.is_care_coordinator
        assert {d.name for d in frank.departments} == {"Counselling", "Physiotherapy"}


def test_departments_created_and_renamed_by_org_admins_audited(demo_app, demo_api, web):
    olivia = login_headers(demo_api, "olivia.admin")
    r = demo_api.post("/api/v1/departments", headers=olivia, json={"name": " Speech "})
    assert r.status_code == 201 and r.json()["name"] == "Speech"
    r = demo_api.post("/api/v1/departments", headers=olivia, json={"name": "speech"})
    assert r.json()["error"]["fields"] == {"name": rules.DEPARTMENT_NAME_TAKEN}
    dept = ids(demo_app)["Speech"]
    r = demo_api.patch(f"/api/v1/departments/{dept}", headers=olivia, json={"name": ""})
    assert r.json()["error"]["fields"] == {"name": rules.DEPARTMENT_NAME_REQUIRED}
    r = demo_api.patch(
        f"/api/v1/departments/{dept}", headers=olivia, json={"name": "Speech Therapy"}
    )
    assert r.status_code == 200
    assert [e.detail for e in audits(demo_app, "department_renamed")] == [
        {"old": "Speech", "new": "Speech Therapy"}
    ]
    assert len(audits(demo_app, "department_created")) == 1
    dan = login_headers(demo_api, "dan.deptadmin")
    r = demo_api.patch(f"/api/v1/departments/{dept}", headers=dan, json={"name": "Mine"})
    assert r.json()["error"]["message"] == rules.DEPARTMENTS_ORG_ADMIN_ONLY
    assert len(audits(demo_app, "department_rename_refused")) == 1
    # the page: a rename with an error shows it by that department's field
    sign_in(web, "olivia.admin")
    token = csrf(web, "/portal/departments")
    r = web.post(f"/portal/departments/{dept}", data={"name": "Counselling", "csrf_token": token})
    assert r.status_code == 422 and rules.DEPARTMENT_NAME_TAKEN in r.text
    assert f'id="e-name_{dept}"' in r.text
    r = web.post("/portal/departments", data={"name": "Dietetics", "csrf_token": token})
    assert r.headers["location"] == "/portal/departments?notice=department_created"
    assert "Dietetics" in web.get("/portal/departments").text


def test_deactivated_staff_lose_their_sessions(demo_app, demo_api):
    """Deactivation (device_sessions.set_staff_active, an Org Admin's) ends app sessions too."""
    kim = login_headers(demo_api, "nurse.kim", audience="app")
    olivia = login_headers(demo_api, "olivia.admin")
    i = ids(demo_app)
    r = demo_api.post(f"/api/v1/staff/{i['nurse.kim']}/deactivate", headers=olivia)
    assert r.status_code == 200
    assert demo_api.get("/api/v1/auth/me", headers=kim).status_code == 401
    public = demo_api.get("/api/v1/public/orgs/riverside").json()
    assert "Jin Kim" not in [p["label"] for p in public["practitioners"]]
    r = demo_api.get(f"/api/v1/staff/{i['nurse.kim']}", headers=olivia)
    assert r.json()["active"] is False


def test_a_new_set_up_link_for_staff_who_have_not_chosen_credentials(demo_app, demo_api, web):
    olivia = login_headers(demo_api, "olivia.admin")
    couns = ids(demo_app)["Counselling"]
    made = _create(
        demo_api, olivia, first_name="Ned", last_name="New", email="ned@staff.example",
        department_ids=[couns],
    ).json()  # fmt: skip
    first = mails(demo_app, "ned@staff.example")[0].links[0]
    sign_in(web, "olivia.admin")
    page = web.get(f"/portal/staff/{made['id']}").text
    assert "Not set up yet" in page and "Send a new set-up link" in page
    token = csrf(web, f"/portal/staff/{made['id']}")
    r = web.post(f"/portal/staff/{made['id']}/setup-link", data={"csrf_token": token})
    assert r.headers["location"].endswith("notice=staff_link_sent")
    assert len(mails(demo_app, "ned@staff.example")) == 2
    r = demo_api.post(
        "/api/v1/public/setup-account",
        json={"token": token_of(first), "username": "ned.new", "password": "ned-secret-pass"},
    )
    assert r.status_code == 400  # the earlier link stopped working
    r = demo_api.post(f"/api/v1/staff/{ids(demo_app)['nurse.kim']}/setup-link", headers=olivia)
    assert r.status_code == 409  # credentials chosen already


def test_the_roles_page_says_why_it_is_refused(demo_app, web):
    i = ids(demo_app)
    sign_in(web, "cara.coord")
    r = web.get(f"/portal/staff/{i['nurse.kim']}/roles")
    assert r.status_code == 403 and rules.STAFF_ADMIN_ONLY in r.text
    assert "Create New" not in web.get("/portal/staff").text
    assert web.get("/portal/staff/new").status_code == 403
