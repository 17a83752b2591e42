"""Fixtures for the app's visit tests: one real demo server with a real SMTP sink per module,
REST helpers as the office would call them, and a signed-in nurse.kim window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import PG_URL, _fresh_pg_schema
from tests.helpers.rest import login, rest


@pytest.fixture(scope="module")
def visit_server(tmp_path_factory) -> Iterator:
    """A real `vtconnect-server --demo` process whose mail goes to a real aiosmtpd sink."""
    from tests.helpers.server import ServerProcess
    from tests.helpers.smtp import SmtpServer

    env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
    with SmtpServer() as smtp:
        server = ServerProcess(
            tmp_path_factory.mktemp("visit-server"), args=["--smtp-url", smtp.url], env=env
        )
        server.inbox = smtp.inbox  # type: ignore[attr-defined]
        with server:
            yield server


def visit_now(base: str, *, virtual: bool = True) -> int:
    """The Org Admin schedules a visit for nurse.kim with Bea, running now; returns its id."""
    kim, admin = login(base, "nurse.kim"), login(base, "olivia.admin", "portal")
    today = rest(base, "GET", "/visits", headers=kim)["visits"]
    bea = next(v for v in today if v["client"]["full_name"].startswith("Bea"))
    services = rest(base, "GET", "/services", headers=kim)["services"]
    now = datetime.now(UTC).replace(microsecond=0)
    created = rest(
        base,
        "POST",
        "/visits",
        {
            "client_id": bea["client"]["id"],
            "employee_id": bea["employee"]["id"],
            "service_id": next(s["id"] for s in services if s["allows_virtual"] is virtual),
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(minutes=40)).isoformat(),
        },
        headers=admin,
    )
    return int(created["visit"]["id"])
