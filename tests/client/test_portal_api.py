"""The app's portal client against a real demo server process: typed errors, off-thread calls."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import DEMO_PASSWORD, PG_URL, _fresh_pg_schema
from tests.helpers.server import free_port
from vtconnect_care.client.portal_api import (
    AccountRefused,
    InvalidCredentials,
    InvalidInput,
    PortalApi,
    PortalUnreachable,
    SessionExpired,
)
from vtconnect_care.domain import messages


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    from tests.helpers.server import ServerProcess

    env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
    with ServerProcess(tmp_path_factory.mktemp("portal"), env=env) as server:
        yield server


def go(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_login_me_lists_and_logout(portal):
    async def scenario():
        api = PortalApi(portal.url)
        try:
            result = await api.login("dr.patel", DEMO_PASSWORD)
            assert result.account["username"] == "dr.patel" and api.token == result.token
            assert (await api.me())["can_host"] is True
            today = await api.appointments_today("UTC")
            assert {a["title"] for a in today["appointments"]} >= {"Weekly check-in"}
            cands = await api.hosting_candidates()
            assert "Alex Morgan" in {c["full_name"] for c in cands["clients"]}
            await api.logout()
            assert api.token is None
        finally:
            api.close()
            api.close()

    go(scenario())


@pytest.mark.parametrize(
    ("username", "password", "error", "message"),
    [
        ("dr.patel", "wrong", InvalidCredentials, messages.INVALID_CREDENTIALS),
        ("carl.inactive", DEMO_PASSWORD, AccountRefused, messages.ACCOUNT_INACTIVE),
        ("dana.pending", DEMO_PASSWORD, AccountRefused, messages.ACCOUNT_PENDING_APP),
        ("a@b.org", "x", InvalidInput, messages.USERNAME_IS_EMAIL),
    ],
)
def test_refusals_are_typed(portal, username, password, error, message):
    api = PortalApi(portal.url)
    with pytest.raises(error) as info:
        go(api.login(username, password))
    assert info.value.message == message
    api.close()


def test_bad_token_is_session_expired(portal):
    api = PortalApi(portal.url, token="nonsense")
    with pytest.raises(SessionExpired) as info:
        go(api.me())
    assert info.value.message == messages.SESSION_EXPIRED
    api.close()


def test_client_lists(portal):
    async def scenario():
        api = PortalApi(portal.url)
        await api.login("alex.active", DEMO_PASSWORD)
        names = {p["full_name"] for p in await api.my_practitioners()}
        upcoming = await api.my_appointments()
        api.close()
        return names, upcoming

    names, upcoming = go(scenario())
    assert "Priya Patel" in names
    assert isinstance(upcoming, list)


def test_unreachable(portal):
    api = PortalApi(f"http://127.0.0.1:{free_port()}", timeout=3)
    with pytest.raises(PortalUnreachable):
        go(api.login("dr.patel", DEMO_PASSWORD))
    api.close()
