"""Office Portal pages in process: cookie session, CSRF, field errors, scoping as pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tests.server.test_clients import ids, mails, token_of
from vtconnect_care.domain import messages
from vtconnect_care.server.models import Client

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(demo_settings, demo_app) -> Iterator[TestClient]:
    """A browser-like client on https (the session cookie is Secure)."""
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def csrf(web: TestClient, path: str) -> str:
    r = web.get(path)
    assert r.status_code == 200, r.text
    return CSRF_RE.search(r.text).group(1)


def sign_in(web: TestClient, username: str, password: str = DEMO_PASSWORD):
    token = csrf(web, "/login")
    return web.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/portal"},
    )


def test_login_sets_a_secure_httponly_samesite_session_cookie(web):
    r = sign_in(web, "olivia.admin")
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    cookie = next(
        v for k, v in r.headers.multi_items() if k == "set-cookie" and "vt_portal=" in v
    ).lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    page = web.get("/portal/clients")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for item in ("Clients", "Staff", "Organization", "Create New", "Active clients"):
        assert item in page.text


def test_a_post_without_the_csrf_token_is_refused(web):
    sign_in(web, "olivia.admin")
    r = web.post("/portal/organization", data={"manual_approval": "on"})
    assert r.status_code == 403 and "This form has expired" in r.text
    r = web.post("/portal/organization", data={"manual_approval": "on", "csrf_token": "x" * 64})
    assert r.status_code == 403


def test_wrong_password_and_inactive_are_shown_on_the_login_page(web):
    r = sign_in(web, "olivia.admin", "wrong-password")
    assert r.status_code == 401 and messages.INVALID_CREDENTIALS in r.text
    r = sign_in(web, "carl.inactive")
    assert r.status_code == 403 and "Your account is inactive" in r.text


def test_signed_out_visitors_are_sent_to_login(web):
    r = web.get("/portal/clients?status=pending")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/portal/clients%3Fstatus%3Dpending"


def test_r_status_1_views_and_search_on_the_page(web):
    sign_in(web, "olivia.admin")
    page = web.get("/portal/clients").text
    assert "Morgan, Alex" in page and "Reyes, Dana" not in page
    assert '<option value="pending"' in page
    pending = web.get("/portal/clients?status=pending").text
    assert "Reyes, Dana" in pending and "Morgan, Alex" not in pending
    found = web.get("/portal/clients?q=brooks").text
    assert "Brooks, Eli" in found and "Morgan, Alex" not in found


def test_r_client_2_field_errors_beside_fields_and_nothing_saved(demo_app, web):
    sign_in(web, "olivia.admin")
    token = csrf(web, "/portal/clients/new")
    r = web.post(
        "/portal/clients/new",
        data={"csrf_token": token, "first_name": "Ann", "email": "bad", "date_of_birth": ""},
    )
    assert r.status_code == 422
    assert 'id="e-last_name">Last Name is required.' in r.text
    assert 'id="e-date_of_birth">DOB is required.' in r.text
    assert 'id="e-email">Enter a valid email address' in r.text
    assert 'value="Ann"' in r.text  # what was typed stays
    with demo_app.state.session_factory() as db:
        assert db.scalar(select(Client).where(Client.first_name == "Ann")) is None


def test_create_edit_approve_delete_through_pages(demo_app, web):
    i = ids(demo_app)
    sign_in(web, "olivia.admin")
    token = csrf(web, "/portal/clients/new")
    r = web.post(
        "/portal/clients/new",
        data={
            "csrf_token": token,
            "first_name": "Nia",
            "last_name": "Nash",
            "email": "nia@x.example",
            "date_of_birth": "1995-06-07",
            "assoc": [str(i["dr.patel"]), str(i["nurse.kim"])],
            f"dept_{i['dr.patel']}": str(i["Counselling"]),
        },
    )
    assert r.status_code == 303, r.text
    record = web.get(r.headers["location"])
    assert "Priya Patel" in record.text and "Jin Kim" in record.text and "Edit" in record.text
    assert mails(demo_app, "nia@x.example")[0].template == "client_setup"
    client_id = int(r.headers["location"].split("/")[3].split("?")[0])
    # Edit: uncheck Active (R-STATUS-2)
    token = csrf(web, f"/portal/clients/{client_id}/edit")
    r = web.post(
        f"/portal/clients/{client_id}/edit",
        data={
            "csrf_token": token,
            "first_name": "Nia",
            "last_name": "Nash",
            "email": "nia@x.example",
            "date_of_birth": "1995-06-07",
            "assoc": [str(i["nurse.kim"])],
        },
    )
    assert r.status_code == 303
    record = web.get(f"/portal/clients/{client_id}").text
    assert "Inactive" in record and "Priya Patel" not in record
    # Approve this Account (R-STATUS-3) on the pending demo client
    page = web.get(f"/portal/clients/{i['dana.pending']}").text
    assert "Approve this Account" in page
    r = web.post(
        f"/portal/clients/{i['dana.pending']}/approve", data={"csrf_token": CSRF_RE.search(page)[1]}
    )
    assert r.status_code == 303
    assert "Approve this Account" not in web.get(f"/portal/clients/{i['dana.pending']}").text
    # Delete with confirmation (R-STATUS-4)
    confirm = web.get(f"/portal/clients/{client_id}/delete")
    assert "Yes, delete this client" in confirm.text
    r = web.post(
        f"/portal/clients/{client_id}/delete", data={"csrf_token": CSRF_RE.search(confirm.text)[1]}
    )
    assert r.status_code == 303
    assert web.get(f"/portal/clients/{client_id}").status_code == 404


def test_dept_admin_gets_a_403_page_for_another_departments_client(demo_app, web):
    i = ids(demo_app)
    sign_in(web, "dan.deptadmin")
    r = web.get(f"/portal/clients/{i['bea.active']}")
    assert r.status_code == 403 and messages.FORBIDDEN in r.text
    assert web.get(f"/portal/clients/{i['alex.active']}").status_code == 200


def test_practitioner_without_admin_role_and_clients_get_403(web):
    sign_in(web, "nurse.kim")
    assert web.get("/portal/clients").status_code == 403
    assert web.get("/portal/staff").status_code == 403
    web.cookies.clear()
    r = sign_in(web, "alex.active")
    assert r.headers["location"] == "/portal/me"
    assert "Hello Alex" in web.get("/portal/me").text
    assert web.get("/portal/clients").status_code == 403


def test_staff_edit_practitioner_box_and_associations(demo_app, web):
    i = ids(demo_app)
    sign_in(web, "olivia.admin")
    token = csrf(web, f"/portal/staff/{i['frank.frontdesk']}/edit")
    r = web.post(
        f"/portal/staff/{i['frank.frontdesk']}/edit",
        data={"csrf_token": token, "assoc": [str(i["eli.unassigned"])]},
    )
    assert r.status_code == 422 and "must be assigned the practitioner role" in r.text
    r = web.post(
        f"/portal/staff/{i['frank.frontdesk']}/edit",
        data={"csrf_token": token, "is_practitioner": "on", "notify_new_clients": "on"},
    )
    assert r.status_code == 303
    r = web.post(
        f"/portal/staff/{i['frank.frontdesk']}/edit",
        data={"csrf_token": token, "is_practitioner": "on", "assoc": [str(i["eli.unassigned"])]},
    )
    assert r.status_code == 303
    assert "Eli Brooks" in web.get(f"/portal/staff/{i['frank.frontdesk']}").text


def test_organization_client_management_and_invitation(web):
    sign_in(web, "olivia.admin")
    page = web.get("/portal/organization").text
    assert "Client Management" in page and "Manually approve client registrations" in page
    r = web.post(
        "/portal/organization",
        data={"csrf_token": CSRF_RE.search(page)[1], "manual_approval": "on"},
    )
    assert r.status_code == 303
    assert "checked" in web.get("/portal/organization").text.split('id="f-manual"')[1][:80]
    invite = web.get("/portal/invitation").text
    assert (
        "https://portal.test/o/riverside/" in invite or "http://portal.test/o/riverside/" in invite
    )
    assert 'id="copy-invite"' in invite


def test_public_pages_register_link_and_not_sure(web):
    home = web.get("/o/riverside/").text
    assert 'href="/o/riverside/register"' in home and "Register" in home
    page = web.get("/o/riverside/register").text
    assert '<option value="not_sure"' in page and "Priya Patel (Counselling)" in page
    assert web.get("/o/unknown/").status_code == 404


def test_password_reset_from_the_emailed_link(demo_app, web):
    token = csrf(web, "/forgot-password")
    r = web.post("/forgot-password", data={"csrf_token": token, "username": "bea.active"})
    assert r.status_code == 303
    [mail] = mails(demo_app, "bea_active@clients.example")
    link = mail.links[0]
    assert link.startswith("https://portal.test/reset-password?token=")
    page = web.get(f"/reset-password?token={token_of(link)}").text
    data = {
        "csrf_token": CSRF_RE.search(page)[1],
        "token": token_of(link),
        "password": "brand-new-password",
        "password_confirm": "different-password",
    }
    r = web.post("/reset-password", data=data)
    assert r.status_code == 422 and "do not match" in r.text
    data["password_confirm"] = data["password"]
    assert web.post("/reset-password", data=data).status_code == 303
    assert sign_in(web, "bea.active", "brand-new-password").status_code == 303


def test_logout_ends_the_session(web):
    sign_in(web, "olivia.admin")
    page = web.get("/portal/clients").text
    r = web.post("/logout", data={"csrf_token": CSRF_RE.search(page)[1]})
    assert r.status_code == 303
    assert web.get("/portal/clients").status_code == 303


def test_login_only_returns_to_pages_of_this_site(web):
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
    ):
        token = csrf(web, "/login")
        r = web.post(
            "/login",
            data={
                "username": "olivia.admin",
                "password": DEMO_PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert r.headers["location"] == "/portal", target
        web.cookies.delete("vt_portal")


def test_a_malformed_id_is_a_404_page_not_json(web):
    sign_in(web, "olivia.admin")
    r = web.get("/portal/clients/not-a-number")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
