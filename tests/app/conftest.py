"""App test fixtures: a qasync loop (modelled on qasync's own tests), a real demo server
process, an in-memory keyring back end and a window factory with injected services; the
compiled forms."""

from __future__ import annotations

import asyncio
import os
import runpy
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

from tests.conftest import PG_URL, _fresh_pg_schema
from tests.helpers.keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The screens' Qt Designer forms (ui/*.ui -> vtconnect_care/app/forms/ui_*.py): compiled here
# too, so that pytest works in a fresh clone without `make`; only what changed is compiled.
ROOT = Path(__file__).resolve().parents[2]
runpy.run_path(str(ROOT / "scripts" / "build_ui.py"))["build"](quiet=True)


# --- the event loop ------------------------------------------------------------------------


@pytest.fixture
def qloop(qapp) -> Iterator[asyncio.AbstractEventLoop]:
    """The app's qasync loop on pytest-qt's QApplication, closed after the test.

    Like qasync's tests: one new loop per test, set as the current loop, and errors that reach
    the loop's exception handler fail the test."""
    from vtconnect_care.app.event_loop import close_loop, make_loop

    loop = make_loop(qapp)
    errors: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        yield loop
    finally:
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            close_loop(loop)  # also collects this test's garbage on this (the Qt) thread
            asyncio.set_event_loop(None)
    if errors:
        pytest.fail(f"errors reached the event loop: {errors!r}")


def run(loop: asyncio.AbstractEventLoop, coro, timeout: float = 30.0):
    """Run a test coroutine on the qasync loop (Qt events are processed meanwhile)."""
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def wait_until(predicate: Callable[[], object], timeout: float = 10.0, what: str = ""):
    """Wait for a condition while the loop runs (checked every 20 ms, with a deadline)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.02)


async def wait_signal(signal, timeout: float = 10.0):
    """Wait for a Qt signal's next emission; returns its arguments."""
    fut = asyncio.get_running_loop().create_future()

    def got(*args):
        if not fut.done():
            fut.set_result(args)

    signal.connect(got)
    try:
        return await asyncio.wait_for(fut, timeout)
    finally:
        signal.disconnect(got)


# --- the portal server ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator:
    """A real `vtconnect-server --demo` process (one per test module; mail stays in its outbox)."""
    from tests.helpers.server import ServerProcess

    env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
    server = ServerProcess(tmp_path_factory.mktemp("portal"), env=env)
    with server:
        yield server


# --- keyring -------------------------------------------------------------------------------


@pytest.fixture
def test_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


# --- windows -------------------------------------------------------------------------------


class Launches:
    """Records what Host asked the Care Room seam to open."""

    def __init__(self) -> None:
        self.requests: list = []

    def __call__(self, request):
        self.requests.append(request)
        return None


@pytest.fixture
def user_settings(tmp_path: Path):
    from PySide6.QtCore import QSettings

    from vtconnect_care.app.user_settings import UserSettings

    return UserSettings(QSettings(str(tmp_path / "user.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_window(qapp, qloop, user_settings, test_keyring) -> Iterator[Callable]:
    """make_window(portal_url=..., devices=...) -> a shown MainWindow with injected services."""
    from vtconnect_care.app import resources
    from vtconnect_care.app.devices import SyntheticDevices
    from vtconnect_care.app.main_window import MainWindow
    from vtconnect_care.app.services import AppServices
    from vtconnect_care.client.app_config import SystemConfig
    from vtconnect_care.client.portal_api import PortalApi

    qapp.setStyleSheet(resources.style_sheet())
    windows: list = []

    def make(portal_url: str | None, *, devices=None, system=None, launches=None):
        services = AppServices(
            settings=user_settings,
            api_factory=lambda url: PortalApi(url, timeout=10),
            devices=devices or SyntheticDevices("Test Person"),
            load_system_config=lambda: system or SystemConfig(),
            launch_care_room=launches or Launches(),
            portal_flag=portal_url,
            timezone="UTC",
            devices_from_config=False,
        )
        window = MainWindow(services)
        window.show()
        windows.append(window)
        return window

    yield make
    # close first (controllers cancel their tasks), let the cancellations run on the loop that
    # is still open, then drop the windows: Python owns them, so they are deleted right here
    for window in windows:
        window.close()
    if not qloop.is_closed():
        qloop.run_until_complete(asyncio.sleep(0))
    windows.clear()
    import gc

    gc.collect()
