"""Registration is no oracle (issue 12, defect 5).

It answered "email already used" and "username taken" to anyone, and 25 sign-ups from one
address went through in seconds. Now: attempts throttled per address; a used email answered
exactly like a new one, its owner told by email; "username taken" answers counted, then slow.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tests.server.test_clients import API, mails
from tests.server.test_registration import form, register
from vtconnect_care.server.models import Client


def _clients(app) -> int:
    with app.state.session_factory() as db:
        return db.scalar(select(func.count()).select_from(Client))


def test_sign_ups_from_one_address_are_throttled(demo_api, demo_app, demo_settings, clock):
    codes = [
        register(
            demo_api,
            form("not_sure", username=f"rita.{i}", email=f"rita{i}@x.example"),
        ).status_code
        for i in range(25)
    ]
    allowed = demo_settings.register_per_address
    assert codes == [201] * allowed + [429] * (25 - allowed)
    clock.advance(demo_settings.rate_window + timedelta(seconds=1))
    assert register(demo_api, form("not_sure", username="rita.late")).status_code == 201


def test_a_used_email_is_answered_like_a_new_one_and_its_owner_is_emailed(demo_api, demo_app):
    before = _clients(demo_app)
    new = register(demo_api, form("not_sure", username="rita.new", email="rita.new@x.example"))
    used = register(
        demo_api, form("not_sure", username="rita.other", email="ALEX_active@clients.example")
    )
    assert new.status_code == used.status_code == 201
    assert new.json() == used.json()
    assert _clients(demo_app) == before + 1  # no second account on the used address
    [notice] = [m for m in mails(demo_app, "alex_active@clients.example")]
    assert notice.template == "registration_email_in_use"
    assert "/forgot-password" in notice.body_text
    # the public info and the portal page say nothing either
    r = demo_api.post(
        f"{API}/public/orgs/riverside/register",
        json=form("not_sure", username="x", email="alex_active@clients.example"),
    )
    assert "email" not in r.json()["error"]["fields"]


def test_guessing_taken_usernames_is_slowed(demo_api, demo_settings):
    demo_settings.register_per_address = 100  # the taken-name counter, on its own
    codes = []
    for name in (
        "alex.active",
        "bea.active",
        "dr.patel",
        "nurse.kim",
        "olivia.admin",
        "dan.deptadmin",
        "cara.coord",
    ):
        r = register(demo_api, form("not_sure", username=name))
        codes.append(r.status_code)
    allowed = demo_settings.register_taken_per_address
    assert codes[: allowed - 1] == [422] * (allowed - 1)
    assert set(codes[allowed - 1 :]) == {429}
    # the address waits, whatever it tries next
    assert register(demo_api, form("not_sure", username="fresh.name")).status_code == 429
