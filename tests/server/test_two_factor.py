"""Staff two-factor sign-in over the API (issue 12, ASVS 6.5.x, 6.3.3): enrolment, the code at
login, each code once, recovery codes once each, throttling, disable, audit."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, login_headers
from vtconnect_care.domain import two_factor as rules
from vtconnect_care.server.models import AuditEvent, Organization, RecoveryCode, TwoFactor

LOGIN = "/api/v1/auth/login"


def login(api, username, code=None, audience="app", password=DEMO_PASSWORD):
    body = {"username": username, "password": password, "audience": audience}
    if code is not None:
        body["code"] = code
    return api.post(LOGIN, json=body)


def enrol(api, username="nurse.kim", clock=None):
    """Turn two-factor on for a demo staff member: (totp, recovery codes, headers)."""
    headers = login_headers(api, username)
    r = api.post("/api/v1/auth/two-factor/enrol", headers=headers, json={"password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["qr_svg_data_uri"].startswith("data:image/svg+xml")
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(body["secret"])
    r = api.post(
        "/api/v1/auth/two-factor/confirm",
        headers=headers,
        json={"code": totp.at(clock.now()), "end_other_sessions": False},
    )
    assert r.status_code == 200, r.text
    codes = r.json()["recovery_codes"]
    return totp, codes, headers


def actions(app) -> list[str]:
    with app.state.session_factory() as db:
        return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_staff_with_two_factor_cannot_sign_in_to_the_app_without_a_code(demo_api, clock):
    totp, _, _ = enrol(demo_api, clock=clock)
    clock.advance(timedelta(seconds=31))
    r = login(demo_api, "nurse.kim")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "two_factor_required"
    assert r.json()["error"]["message"] == rules.CODE_NEEDED
    assert "token" not in r.json()
    bad = "000000" if totp.at(clock.now()) != "000000" else "111111"
    wrong = login(demo_api, "nurse.kim", code=bad)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "two_factor_invalid"
    ok = login(demo_api, "nurse.kim", code=totp.at(clock.now()))
    assert ok.status_code == 200, ok.text
    assert ok.json()["token"]


def test_a_wrong_password_is_refused_before_any_code_is_asked(demo_api, clock):
    enrol(demo_api, clock=clock)
    r = login(demo_api, "nurse.kim", password="not-the-password")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"  # no hint that 2FA is on


def test_a_code_is_refused_the_second_time(demo_api, clock):  # ASVS 6.5.1
    totp, _, _ = enrol(demo_api, clock=clock)
    clock.advance(timedelta(seconds=30))
    code = totp.at(clock.now())
    assert login(demo_api, "nurse.kim", code=code, audience="portal").status_code == 200
    again = login(demo_api, "nurse.kim", code=code)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "two_factor_invalid"
    # and the code of the step before (still inside the drift window) is spent by then too
    earlier = totp.at(clock.now() - timedelta(seconds=30))
    assert login(demo_api, "nurse.kim", code=earlier).status_code == 401


def test_the_enrolment_code_itself_cannot_sign_in(demo_api, clock):
    totp, _, _ = enrol(demo_api, clock=clock)
    assert login(demo_api, "nurse.kim", code=totp.at(clock.now())).status_code == 401


def test_recovery_codes_work_once_each(demo_api, demo_app, clock):  # ASVS 6.5.1, 6.5.2
    _, codes, _ = enrol(demo_api, clock=clock)
    assert len(codes) == rules.RECOVERY_CODE_COUNT == len(set(codes))
    first, second = codes[0], codes[1]
    assert login(demo_api, "nurse.kim", code=first).status_code == 200
    reused = login(demo_api, "nurse.kim", code=first)
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "two_factor_invalid"
    typed = second.upper().replace("-", " ")  # as people type them
    assert login(demo_api, "nurse.kim", code=typed).status_code == 200
    token = login(demo_api, "nurse.kim", code=codes[2]).json()["token"]
    status = demo_api.get(
        "/api/v1/auth/two-factor", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert status["enabled"] is True
    assert status["recovery_codes_left"] == rules.RECOVERY_CODE_COUNT - 3
    assert actions(demo_app).count("recovery_code_used") == 3


def test_recovery_codes_and_seed_are_not_stored_in_clear(demo_api, demo_app, clock):
    totp, codes, _ = enrol(demo_api, clock=clock)
    with demo_app.state.session_factory() as db:
        row = db.scalar(select(TwoFactor))
        dump = repr([row.secret_encrypted]) + repr(db.execute(select(AuditEvent.detail)).all())
        hashes = db.scalars(select(RecoveryCode.code_hash)).all()
    assert totp.secret not in dump
    assert not any(c.replace("-", "") in h for c in codes for h in hashes)
    assert len(totp.secret) >= 32  # 160 bits in base 32


def test_code_guessing_is_throttled_per_account(demo_api, demo_app, clock):  # ASVS 6.3.1
    totp, _, _ = enrol(demo_api, clock=clock)
    clock.advance(timedelta(seconds=30))
    good = totp.at(clock.now())
    bad = "123456" if good != "123456" else "654321"
    answers = [login(demo_api, "nurse.kim", code=bad).status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    locked = login(demo_api, "nurse.kim", code=good)  # even the right code, for a while
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    clock.advance(timedelta(minutes=16))
    assert login(demo_api, "nurse.kim", code=totp.at(clock.now())).status_code == 200
    assert actions(demo_app).count("two_factor_failed") == 5


def test_enrol_disable_and_failures_are_audited(demo_api, demo_app, clock):
    totp, _, headers = enrol(demo_api, clock=clock)
    login(demo_api, "nurse.kim", code="99999")  # malformed: a failure too
    r = demo_api.post(
        "/api/v1/auth/two-factor/disable", headers=headers, json={"password": "wrong one"}
    )
    assert r.status_code == 422  # the current password is asked again
    r = demo_api.post(
        "/api/v1/auth/two-factor/disable", headers=headers, json={"password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert login(demo_api, "nurse.kim").status_code == 200  # off: the password alone again
    seen = actions(demo_app)
    for action in ("two_factor_enrolled", "two_factor_failed", "reauth_failed"):
        assert action in seen, action
    assert seen.index("two_factor_disabled") > seen.index("reauth_failed")


def test_enrolment_asks_for_the_current_password(demo_api):
    headers = login_headers(demo_api, "nurse.kim")
    r = demo_api.post("/api/v1/auth/two-factor/enrol", headers=headers, json={"password": "nope"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["password"] == rules.WRONG_PASSWORD


def test_a_wrong_confirmation_code_leaves_two_factor_off(demo_api, clock):
    headers = login_headers(demo_api, "nurse.kim")
    demo_api.post(
        "/api/v1/auth/two-factor/enrol", headers=headers, json={"password": DEMO_PASSWORD}
    )
    r = demo_api.post("/api/v1/auth/two-factor/confirm", headers=headers, json={"code": "12"})
    assert r.status_code == 422
    assert login(demo_api, "nurse.kim").status_code == 200


def test_clients_cannot_enrol(demo_api):
    headers = login_headers(demo_api, "alex.active")
    r = demo_api.post(
        "/api/v1/auth/two-factor/enrol", headers=headers, json={"password": DEMO_PASSWORD}
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "two_factor_staff_only"


@pytest.fixture
def required(demo_app):
    with demo_app.state.session_factory() as db, db.begin():
        db.scalar(select(Organization)).require_two_factor = True


def test_org_requirement_refuses_the_app_and_says_to_enrol_in_the_portal(demo_api, required):
    r = login(demo_api, "nurse.kim", audience="app")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "two_factor_enrolment_required"
    assert r.json()["error"]["message"] == rules.ENROL_IN_PORTAL
    assert login(demo_api, "nurse.kim", audience="portal").status_code == 200  # to enrol
    assert login(demo_api, "alex.active", audience="app").status_code == 200  # clients: none


def test_a_portal_sign_in_held_for_set_up_reaches_only_its_own_account(demo_api, required):
    """Issue 12: the portal holds staff on the set-up page; its token is held on the API too."""
    headers = login_headers(demo_api, "nurse.kim", audience="portal")
    for path in ("/api/v1/clients", "/api/v1/visits", "/api/v1/staff"):
        r = demo_api.get(path, headers=headers)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "two_factor_enrolment_required"
    assert demo_api.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert demo_api.get("/api/v1/auth/two-factor", headers=headers).status_code == 200
    # others are not held: an Org Admin with two-step sign-in set up, and clients
    client = login_headers(demo_api, "alex.active", audience="portal")
    assert demo_api.get("/api/v1/auth/me", headers=client).status_code == 200


def test_confirming_can_end_the_other_sessions(demo_api, clock):  # ASVS 7.4.3
    other = login_headers(demo_api, "nurse.kim", audience="app")
    headers = login_headers(demo_api, "nurse.kim")
    body = demo_api.post(
        "/api/v1/auth/two-factor/enrol", headers=headers, json={"password": DEMO_PASSWORD}
    ).json()
    r = demo_api.post(
        "/api/v1/auth/two-factor/confirm",
        headers=headers,
        json={"code": pyotp.TOTP(body["secret"]).at(clock.now())},
    )
    assert r.status_code == 200
    assert demo_api.get("/api/v1/auth/me", headers=other).status_code == 401
    assert demo_api.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_wrong_current_passwords_for_two_factor_changes_are_throttled(demo_api):
    headers = login_headers(demo_api, "nurse.kim")
    answers = [
        demo_api.post(
            "/api/v1/auth/two-factor/enrol", headers=headers, json={"password": "nope"}
        ).status_code
        for _ in range(5)
    ]
    assert answers == [422, 422, 422, 422, 429]
    locked = demo_api.post(
        "/api/v1/auth/two-factor/enrol", headers=headers, json={"password": DEMO_PASSWORD}
    )
    assert locked.status_code == 429
