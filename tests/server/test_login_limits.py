"""Sign-in limits count failures only and cannot be used to lock an owner out of their office.

Issue 12, defect 11: the per-address limit counted successful sign-ins (an office behind one
address was locked out after 30 in 15 minutes), and five wrong guesses from anywhere locked the
owner out everywhere. Now: failures per address; failures per account and address pair with
growing locks; a higher account-wide ceiling that spares addresses where the owner signed in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def from_address(demo_app):
    """from_address('10.0.0.7') -> a client whose requests come from that address."""
    clients: list[TestClient] = []

    def make(address: str) -> TestClient:
        client = TestClient(demo_app, client=(address, 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _login(client, username: str, password: str = DEMO_PASSWORD) -> int:
    r = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "audience": "portal"},
    )
    return r.status_code


def test_successful_sign_ins_do_not_count_against_the_address_limit(
    demo_api, demo_settings, from_address
):
    office = from_address("192.0.2.10")
    codes = [
        _login(office, name)
        for _ in range(demo_settings.login_per_address + 5)
        for name in ("olivia.admin", "dr.patel")
    ]
    assert set(codes) == {200}


def test_the_address_limit_counts_failures_of_any_name(demo_api, demo_settings, from_address):
    sprayer = from_address("198.51.100.9")
    codes = [
        _login(sprayer, f"someone{i}", "wrong-password-1")
        for i in range(demo_settings.login_per_address)
    ]
    assert codes[-1] == 429
    assert _login(sprayer, "olivia.admin") == 429  # even a right password, from there
    assert _login(from_address("192.0.2.10"), "olivia.admin") == 200  # elsewhere: fine


def test_a_strangers_wrong_guesses_do_not_lock_the_owner_out_of_their_office(
    demo_api, demo_settings, from_address
):
    office = from_address("192.0.2.10")
    assert _login(office, "dr.patel") == 200  # the owner's office address, known
    stranger = from_address("203.0.113.66")
    codes = [
        _login(stranger, "dr.patel", "wrong-password-1")
        for _ in range(demo_settings.login_fail_limit)
    ]
    assert codes[-1] == 429  # the stranger's pair is locked
    assert _login(stranger, "dr.patel") == 429
    assert _login(office, "dr.patel") == 200  # the owner is not


def test_the_account_wide_ceiling_stops_a_spread_out_guesser_but_spares_the_owners_office(
    demo_api, demo_settings, from_address
):
    demo_settings.login_account_ceiling = 12
    office = from_address("192.0.2.10")
    assert _login(office, "nurse.kim") == 200
    for i in range(demo_settings.login_account_ceiling):  # many addresses, few guesses each
        _login(from_address(f"203.0.113.{i + 1}"), "nurse.kim", "wrong-password-1")
    assert _login(from_address("203.0.113.200"), "nurse.kim") == 429  # a new address: no
    assert _login(office, "nurse.kim") == 200  # the owner's office: still in


def test_repeated_lockouts_of_a_pair_grow_longer(demo_api, demo_settings, clock, from_address):
    guesser = from_address("203.0.113.66")
    waits = []
    for _ in range(3):
        for _ in range(demo_settings.login_fail_limit - 1):
            assert _login(guesser, "alex.active", "wrong-password-1") == 401
        r = guesser.post(
            "/api/v1/auth/login",
            json={"username": "alex.active", "password": "wrong-password-1"},
        )
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        clock.advance(timedelta(seconds=waits[-1] + 1))
    base = int(demo_settings.login_lock.total_seconds())
    assert waits == [base, 2 * base, 4 * base]


def test_wrong_current_passwords_on_password_change_are_throttled(
    demo_api, demo_settings, demo_app, clock
):
    """Defect 8: a stolen session cannot guess the password behind it."""
    from sqlalchemy import select

    from tests.conftest import login_headers
    from vtconnect_care.server.models import AuditEvent

    headers = login_headers(demo_api, "dan.deptadmin")

    def change(current: str):
        return demo_api.post(
            "/api/v1/auth/password/change",
            headers=headers,
            json={"current_password": current, "new_password": "A-new-password-2026"},
        )

    codes = [change(f"guess-number-{i}").status_code for i in range(demo_settings.login_fail_limit)]
    assert codes == [422] * (demo_settings.login_fail_limit - 1) + [429]
    assert change(DEMO_PASSWORD).status_code == 429  # even the right one, while locked
    with demo_app.state.session_factory() as db:
        wrong = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "current_password_wrong")
        ).all()
    assert len(wrong) == demo_settings.login_fail_limit
    clock.advance(demo_settings.login_lock + timedelta(seconds=1))
    assert change(DEMO_PASSWORD).status_code == 200
