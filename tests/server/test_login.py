"""Sign-in, sessions and brute-force limits: R-LOGIN-1, R-LOGIN-4, lockout, token lifetime."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, login_headers
from vtconnect_care.domain import messages
from vtconnect_care.server.models import AuditEvent, Client, Token
from vtconnect_care.server.security import token_hash


def login(api, username, password=DEMO_PASSWORD, audience="app"):
    return api.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "audience": audience},
    )


def test_r_login_1_username_logs_in_and_case_does_not_matter(demo_api):
    r = login(demo_api, "Dr.Patel")
    assert r.status_code == 200
    body = r.json()
    assert body["account"]["username"] == "dr.patel"
    assert body["account"]["can_host"] is True
    assert len(body["token"]) >= 22  # >= 128 bits, URL-safe


def test_r_login_1_an_email_address_is_refused_with_a_message(demo_api):
    r = login(demo_api, "dr_patel@riverside.example")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "username_is_email"
    assert r.json()["error"]["message"] == messages.USERNAME_IS_EMAIL


def test_wrong_password_and_unknown_user_get_the_same_answer(demo_api):
    wrong = login(demo_api, "dr.patel", "not-the-password")
    unknown = login(demo_api, "nobody.here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == messages.INVALID_CREDENTIALS


@pytest.mark.parametrize(
    ("username", "audience", "status", "code"),
    [
        ("alex.active", "app", 200, None),
        ("alex.active", "portal", 200, None),
        ("carl.inactive", "app", 403, "account_inactive"),
        ("carl.inactive", "portal", 403, "account_inactive"),
        ("dana.pending", "app", 403, "account_pending"),
        ("dana.pending", "portal", 200, None),
    ],
)
def test_r_login_4_client_status_per_audience(demo_api, username, audience, status, code):
    r = login(demo_api, username, audience=audience)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["error"]["code"] == code
        assert r.json()["error"]["message"]


def test_r_login_4_status_is_revealed_only_with_the_right_password(demo_api):
    r = login(demo_api, "carl.inactive", "wrong-password-here")
    assert r.status_code == 401


def test_lockout_after_repeated_failures_then_unlocks_with_time(demo_api, demo_settings, clock):
    for _ in range(demo_settings.login_fail_limit - 1):
        assert login(demo_api, "alex.active", "bad-password-1").status_code == 401
    locked = login(demo_api, "alex.active", "bad-password-1")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    # even the right password is refused while locked
    assert login(demo_api, "alex.active").status_code == 429
    clock.advance(demo_settings.login_lock + timedelta(seconds=1))
    assert login(demo_api, "alex.active").status_code == 200


def test_lockout_does_not_reveal_whether_the_username_exists(demo_api, demo_settings):
    answers = {}
    for name in ("alex.active", "no.such.person"):
        for _ in range(demo_settings.login_fail_limit - 1):
            login(demo_api, name, "bad-password-1")
        r = login(demo_api, name, "bad-password-1")
        answers[name] = (r.status_code, r.json())
    assert answers["alex.active"] == answers["no.such.person"]
    assert answers["alex.active"][0] == 429


def test_per_address_limit(demo_api, demo_settings):
    codes = [
        login(demo_api, f"someone{i}", "bad-password-1").status_code
        for i in range(demo_settings.login_per_address + 1)
    ]
    assert codes[: demo_settings.login_per_address - 1] == [401] * (
        demo_settings.login_per_address - 1
    )
    assert codes[-2:] == [429, 429]  # the limit's failure locks the address


def me(api, headers):
    return api.get("/api/v1/auth/me", headers=headers)


def test_session_token_is_stored_hashed(demo_api, demo_app):
    token = login(demo_api, "dr.patel").json()["token"]
    with demo_app.state.session_factory() as db:
        hashes = db.scalars(select(Token.token_hash)).all()
    assert token_hash(token) in hashes
    assert token not in hashes


def test_absolute_lifetime(demo_api, demo_settings, clock):
    headers = login_headers(demo_api, "dr.patel")
    # keep it busy so the idle timeout never triggers
    step = demo_settings.session_idle / 2
    elapsed = timedelta()
    while elapsed + step < demo_settings.session_absolute:
        clock.advance(step)
        elapsed += step
        assert me(demo_api, headers).status_code == 200
    clock.advance(step)
    r = me(demo_api, headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "session_expired"


def test_idle_timeout(demo_api, demo_settings, clock):
    headers = login_headers(demo_api, "dr.patel")
    clock.advance(demo_settings.session_idle - timedelta(minutes=1))
    assert me(demo_api, headers).status_code == 200
    clock.advance(demo_settings.session_idle + timedelta(seconds=1))
    assert me(demo_api, headers).json()["error"]["message"] == messages.SESSION_EXPIRED


def test_logout_revokes_the_token(demo_api):
    headers = login_headers(demo_api, "dr.patel")
    assert demo_api.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert me(demo_api, headers).status_code == 401


def test_password_change_ends_every_other_session(demo_api):  # ASVS 7.4.3
    first = login_headers(demo_api, "alex.active")
    second = login_headers(demo_api, "alex.active", audience="app")
    r = demo_api.post(
        "/api/v1/auth/password/change",
        headers=first,
        json={"current_password": DEMO_PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert r.status_code == 200
    assert me(demo_api, first).status_code == 200  # the device that changed it stays
    assert me(demo_api, second).status_code == 401
    assert login(demo_api, "alex.active", "a brand new passphrase").status_code == 200


def test_deactivating_a_client_ends_their_session(demo_api, demo_app):
    headers = login_headers(demo_api, "alex.active", audience="app")
    with demo_app.state.session_factory() as db, db.begin():
        db.scalar(select(Client).where(Client.username == "alex.active")).status = "inactive"
    assert me(demo_api, headers).status_code == 401


def test_logins_and_failures_are_audited(demo_api, demo_app):
    login(demo_api, "dr.patel")
    login(demo_api, "dr.patel", "bad-password-1")
    with demo_app.state.session_factory() as db:
        actions = db.scalars(select(AuditEvent.action)).all()
    assert "login" in actions and "login_failed" in actions


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"username": 5}',
        b'{"username": "x", "password": "y", "audience": "space"}',
        b'{"username": "' + b"a" * 5000 + b'", "password": "y"}',
    ],
)
def test_bad_input_is_a_4xx_with_a_json_error(demo_api, body):
    r = demo_api.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["code"]


def test_unauthenticated_requests_get_401_json(demo_api):
    r = demo_api.get("/api/v1/auth/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    r = demo_api.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged-token"})
    assert r.status_code == 401
