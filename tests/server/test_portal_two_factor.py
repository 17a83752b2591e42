"""Two-step sign-in in the Office Portal (issue 12): set-up with a QR code and a confirming
code, recovery codes shown once, the code step of sign-in, the organisation's requirement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tests.server.test_portal import csrf, sign_in
from vtconnect_care.domain import two_factor as rules
from vtconnect_care.server.models import Organization

SECRET_RE = re.compile(r'class="secret-key"[^>]*>([A-Z2-7 ]+)<')
CODE_RE = re.compile(r"<code>([a-z2-7-]+)</code>")


@pytest.fixture
def web(demo_settings, demo_app) -> Iterator[TestClient]:
    """A browser-like client on https (as tests/server/test_portal.py's)."""
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def enrol_in_portal(web, clock, username="nurse.kim") -> tuple[pyotp.TOTP, list[str]]:
    assert sign_in(web, username).status_code == 303
    token = csrf(web, "/portal/security")
    r = web.post(
        "/portal/security/two-factor/start", data={"password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 200, r.text
    assert 'src="data:image/svg+xml' in r.text  # the QR code, inline (img-src 'self' data:)
    totp = pyotp.TOTP(SECRET_RE.search(r.text).group(1).replace(" ", ""))
    r = web.post(
        "/portal/security/two-factor/confirm",
        data={"code": totp.at(clock.now()), "csrf_token": token},
    )
    assert r.status_code == 200, r.text
    assert "shown only this once" in r.text
    codes = CODE_RE.findall(r.text)
    assert len(codes) == rules.RECOVERY_CODE_COUNT
    return totp, codes


def sign_out(web) -> None:
    web.post("/logout", data={"csrf_token": csrf(web, "/portal/security")})
    web.cookies.clear()


def code_step(web, code):
    token = csrf(web, "/login/code")
    return web.post("/login/code", data={"code": code, "csrf_token": token})


def test_portal_sign_in_asks_for_the_code_on_a_second_step(web, clock):
    totp, _ = enrol_in_portal(web, clock)
    sign_out(web)
    clock.advance(timedelta(seconds=30))
    r = sign_in(web, "nurse.kim")
    assert r.status_code == 200  # not signed in yet: the code page
    assert "Two-step sign-in" in r.text and 'autocomplete="one-time-code"' in r.text
    assert "vt_portal=" not in r.headers.get("set-cookie", "")
    assert web.get("/portal/me").status_code == 303  # still signed out
    wrong = code_step(web, "000000" if totp.at(clock.now()) != "000000" else "111111")
    assert wrong.status_code == 401 and rules.CODE_WRONG in wrong.text
    ok = code_step(web, totp.at(clock.now()))
    assert ok.status_code == 303 and ok.headers["location"] == "/portal"
    assert web.get("/portal/me").status_code == 200


def test_portal_code_step_refuses_a_used_code_and_takes_a_recovery_code_once(web, clock):
    totp, codes = enrol_in_portal(web, clock)
    sign_out(web)
    clock.advance(timedelta(seconds=30))
    sign_in(web, "nurse.kim")
    assert code_step(web, totp.at(clock.now())).status_code == 303
    sign_out(web)
    sign_in(web, "nurse.kim")
    assert code_step(web, totp.at(clock.now())).status_code == 401  # the same code again
    assert code_step(web, codes[0]).status_code == 303
    sign_out(web)
    sign_in(web, "nurse.kim")
    assert code_step(web, codes[0]).status_code == 401


def test_the_code_step_cannot_be_skipped_or_replayed(web, clock):
    enrol_in_portal(web, clock)
    sign_out(web)
    assert web.get("/login/code").status_code == 303  # no step cookie: back to sign-in
    r = web.post("/login/code", data={"code": "123456", "csrf_token": csrf(web, "/login")})
    assert r.status_code == 303 and "/login" in r.headers["location"]
    sign_in(web, "nurse.kim")
    clock.advance(timedelta(minutes=6))  # the step lasts 5 minutes
    r = code_step(web, "123456")
    assert r.status_code == 303 and "step_expired" in r.headers["location"]


def test_org_admin_requires_two_factor_and_staff_are_sent_to_enrol(web, demo_app, clock):
    assert sign_in(web, "olivia.admin").status_code == 303
    token = csrf(web, "/portal/organization")
    data = {"require_two_factor": "on", "csrf_token": token}
    r = web.post("/portal/organization/two-factor", data=data)
    assert r.status_code == 409 and "for yourself first" in r.text
    sign_out(web)
    enrol_in_portal(web, clock, "olivia.admin")
    data["csrf_token"] = csrf(web, "/portal/organization")
    r = web.post("/portal/organization/two-factor", data=data)
    assert r.status_code == 303
    with demo_app.state.session_factory() as db:
        assert db.scalar(select(Organization)).require_two_factor is True
    sign_out(web)
    r = sign_in(web, "nurse.kim")
    assert r.status_code == 303 and r.headers["location"].startswith("/portal/security")
    assert web.get("/portal/me").headers["location"].startswith("/portal/security")
    page = web.get("/portal/security")
    assert page.status_code == 200 and rules.ENROL_NOW in page.text


def test_only_the_org_admin_sets_the_requirement(web):
    sign_in(web, "dan.deptadmin")
    token = csrf(web, "/portal/organization")
    r = web.post(
        "/portal/organization/two-factor", data={"require_two_factor": "on", "csrf_token": token}
    )
    assert r.status_code == 403


def test_disabling_asks_for_the_current_password(web, clock):
    enrol_in_portal(web, clock)
    token = csrf(web, "/portal/security")
    r = web.post(
        "/portal/security/two-factor/disable", data={"password": "nope", "csrf_token": token}
    )
    assert r.status_code == 422 and rules.WRONG_PASSWORD in r.text
    r = web.post(
        "/portal/security/two-factor/disable",
        data={"password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert r.status_code == 303
    sign_out(web)
    assert sign_in(web, "nurse.kim").status_code == 303  # the password alone again
