"""Shared fixtures: an injected clock, a real database (SQLite file or PostgreSQL), the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vtconnect_care.domain.clock import FakeClock

PG_URL = os.environ.get("VTCONNECT_TEST_POSTGRES_URL")  # e.g. postgresql://postgres@127.0.0.1/x
DEMO_PASSWORD = "VTConnect-demo-1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def _fresh_pg_schema(base_url: str) -> str:
    """A new, empty schema in the test database; the URL selects it via search_path."""
    import sqlalchemy as sa

    from vtconnect_care.server.db import make_engine

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = make_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base_url else "?"
    return f"{base_url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(autouse=True)
def _dispose_engines_after_each_test() -> Iterator[None]:
    """Every SQLAlchemy engine a test opened gives its pooled connections back at the end.

    On PostgreSQL, pools left to the garbage collector piled up until the server refused new
    clients ("too many clients already") a couple of hundred tests in."""
    import weakref

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    engines: weakref.WeakSet = weakref.WeakSet()

    def remember(conn) -> None:  # type: ignore[no-untyped-def]
        engines.add(conn.engine)

    event.listen(Engine, "engine_connect", remember)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", remember)
        for engine in list(engines):
            engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    if PG_URL:
        return _fresh_pg_schema(PG_URL)
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def settings(tmp_path: Path, clock: FakeClock, database_url: str):
    from vtconnect_care.server.settings import Settings

    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        public_url="http://portal.test",
        clock=clock,
        start_mail_sender=False,
    )


@pytest.fixture
def app(settings):
    from vtconnect_care.server.app import create_app

    return create_app(settings)


@pytest.fixture
def api(app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        yield client


@pytest.fixture
def demo_settings(settings):
    settings.demo = True
    return settings


@pytest.fixture
def demo_app(demo_settings):
    from vtconnect_care.server.app import create_app

    return create_app(demo_settings)


@pytest.fixture
def demo_api(demo_app) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(demo_app) as client:
        yield client


def login_headers(
    client, username: str, *, audience: str = "portal", password: str = DEMO_PASSWORD
) -> dict[str, str]:
    r = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password, "audience": audience},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
def as_user(demo_api):
    """as_user('olivia.admin') -> Authorization headers for that demo account."""
    return lambda username, audience="portal": login_headers(demo_api, username, audience=audience)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium (Playwright sync API), shared by the session's browser tests."""
    from playwright.sync_api import sync_playwright

    from tests.helpers.browser import CHROMIUM_ARGS, chromium_executable

    exe = chromium_executable()
    if exe is None:
        pytest.fail("Debian's chromium is not installed: run `make system-deps`")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    """A tab. Playwright's wait_for_function evaluates with `new Function` in the page, which
    the pages' Content-Security-Policy forbids (no 'unsafe-eval'): the tests' own waits bypass
    it; test_the_visit_page_runs_under_its_content_security_policy checks a page under it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback; `.inbox.wait_to(address, subject)`."""
    from tests.helpers.smtp import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
def live_server(tmp_path: Path, smtp_server):
    """A real `vtconnect-server --demo` process on loopback whose mail goes to `smtp_server`."""
    from tests.helpers.server import ServerProcess

    args = ["--smtp-url", smtp_server.url]
    env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
    server = ServerProcess(tmp_path / "server", args=args, env=env)
    server.inbox = smtp_server.inbox  # type: ignore[attr-defined]
    with server:
        yield server
