"""Password and username recovery: R-LOGIN-2, R-LOGIN-3."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD, login_headers
from vtconnect_care.domain import messages
from vtconnect_care.server.models import OutboxMail


def forgot(api, username):
    return api.post("/api/v1/auth/password/forgot", json={"username": username})


def reset_token(app, to: str) -> str:
    with app.state.session_factory() as db:
        mail = db.scalars(
            select(OutboxMail).where(OutboxMail.to_addr == to).order_by(OutboxMail.id.desc())
        ).first()
    assert mail is not None, "no reset email in the outbox"
    link = mail.links[0]
    assert link.startswith("http://portal.test/reset-password?token=")
    return parse_qs(urlsplit(link).query)["token"][0]


def outbox_count(app) -> int:
    """Mails to be sent (a reset for nobody is written too, as discarded: defect 7)."""
    with app.state.session_factory() as db:
        return len(db.scalars(select(OutboxMail.id).where(OutboxMail.status == "pending")).all())


def test_r_login_2_same_answer_whether_or_not_the_account_exists(demo_api, demo_app):
    known = forgot(demo_api, "alex.active")
    unknown = forgot(demo_api, "nobody.at.all")
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {"message": messages.PASSWORD_RESET_SENT}
    assert outbox_count(demo_app) == 1  # only the real account got a mail


def test_r_login_2_the_link_resets_once_and_ends_old_sessions(demo_api, demo_app):
    old = login_headers(demo_api, "alex.active")
    forgot(demo_api, "alex.active")
    token = reset_token(demo_app, "alex_active@clients.example")
    r = demo_api.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "fresh passphrase 42"}
    )
    assert r.status_code == 200
    assert demo_api.get("/api/v1/auth/me", headers=old).status_code == 401
    again = demo_api.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "another passphrase"}
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "link_invalid"
    ok = demo_api.post(
        "/api/v1/auth/login",
        json={"username": "alex.active", "password": "fresh passphrase 42", "audience": "app"},
    )
    assert ok.status_code == 200


def test_r_login_2_the_link_expires(demo_api, demo_app, demo_settings, clock):
    forgot(demo_api, "alex.active")
    token = reset_token(demo_app, "alex_active@clients.example")
    clock.advance(demo_settings.reset_link_ttl + timedelta(seconds=1))
    r = demo_api.post(
        "/api/v1/auth/password/reset", json={"token": token, "password": "fresh passphrase 42"}
    )
    assert r.status_code == 400


def test_a_newer_link_replaces_the_older_one(demo_api, demo_app):
    forgot(demo_api, "alex.active")
    first = reset_token(demo_app, "alex_active@clients.example")
    forgot(demo_api, "alex.active")
    second = reset_token(demo_app, "alex_active@clients.example")
    assert first != second
    r = demo_api.post(
        "/api/v1/auth/password/reset", json={"token": first, "password": "fresh passphrase 42"}
    )
    assert r.status_code == 400


def test_a_weak_new_password_is_refused_and_changes_nothing(demo_api, demo_app):
    forgot(demo_api, "alex.active")
    token = reset_token(demo_app, "alex_active@clients.example")
    r = demo_api.post("/api/v1/auth/password/reset", json={"token": token, "password": "short"})
    assert r.status_code == 422
    assert "password" in r.json()["error"]["fields"]
    login_headers(demo_api, "alex.active", password=DEMO_PASSWORD)  # still the old password


def test_recovery_is_rate_limited_per_account_without_revealing_it(demo_api, demo_settings):
    for name in ("alex.active", "nobody.at.all"):
        codes = [
            forgot(demo_api, name).status_code
            for _ in range(demo_settings.recovery_per_account + 1)
        ]
        assert codes[-1] == 429, name
        assert set(codes[:-1]) == {200}


def test_r_login_1_recovery_by_email_is_refused(demo_api):
    r = forgot(demo_api, "alex_active@clients.example")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "username_is_email"


def test_r_login_3_forgotten_username_is_guidance_only(demo_api):
    r = demo_api.get("/api/v1/auth/forgot-username")
    assert r.status_code == 200
    assert "Org Admin or VTConnect Support" in r.json()["message"]


def test_a_reset_request_does_the_same_work_for_existing_and_unknown_accounts(
    demo_api, demo_app, monkeypatch
):
    """Issue 12, defect 7 (timing): both paths issue a link, compose the mail and write it to
    the outbox, and audit; only the unknown one's row is discarded (never sent, no link works).
    Checked by the calls made, not by a clock."""
    from vtconnect_care.server import audit
    from vtconnect_care.server.mail import outbox
    from vtconnect_care.server.services import tokens

    calls: list[tuple[str, tuple[str, ...]]] = []

    def spy(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls.append((name, tuple(sorted(kwargs))))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    spy(tokens, "issue")
    spy(outbox, "render")
    spy(outbox, "enqueue")
    spy(audit, "record")
    paths = {}
    for name in ("alex.active", "nobody.at.all", "carl.inactive"):
        calls.clear()
        assert forgot(demo_api, name).status_code == 200
        paths[name] = list(calls)
    assert paths["alex.active"] == paths["nobody.at.all"] == paths["carl.inactive"]
    assert [c[0] for c in paths["alex.active"]] == ["issue", "enqueue", "render", "record"]
    with demo_app.state.session_factory() as db:
        rows = db.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [r.status for r in rows] == ["pending", "discarded", "discarded"]
    assert rows[0].to_addr == "alex_active@clients.example"
    assert rows[1].to_addr == rows[2].to_addr == ""
    nobody_token = parse_qs(urlsplit(rows[1].links[0]).query)["token"][0]
    r = demo_api.post(
        "/api/v1/auth/password/reset",
        json={"token": nobody_token, "password": "Another-good-pass-9"},
    )
    assert r.status_code == 400  # the discarded mail's link opens nothing
