"""`vtconnect-care` entry point: --version, --self-test (lazy import), first-run portal dialog,
window geometry."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QByteArray

from tests.app.conftest import run, wait_until
from vtconnect_care import __version__
from vtconnect_care.client.app_config import SystemConfig


def test_version_flag_prints_the_product_name():
    out = subprocess.run(
        [sys.executable, "-m", "vtconnect_care.app.main", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == f"VTConnect Care {__version__}"


def test_self_test_is_imported_only_when_asked(monkeypatch):
    import types

    from vtconnect_care.app import main

    calls = []
    fake = types.ModuleType("vtconnect_care.app.self_test")
    fake.run = lambda: calls.append("run") or 0
    monkeypatch.setitem(sys.modules, "vtconnect_care.app.self_test", fake)
    import vtconnect_care.app as pkg

    monkeypatch.setattr(pkg, "self_test", fake, raising=False)
    assert main.main(["--self-test"]) == 0
    assert calls == ["run"]


def test_first_run_asks_for_the_portal(make_window, qloop, user_settings):
    window = make_window(None)

    async def scenario():
        window.start()
        await wait_until(
            lambda: window.portal_dialog is not None and window.portal_dialog.isVisible()
        )
        dialog = window.portal_dialog
        dialog.edit.setText("not a url with spaces?x=1")
        dialog.ok_button.click()
        assert dialog.isVisible() and dialog.message.isVisible()  # says what is wrong
        dialog.edit.setText("care.example.org/")
        dialog.ok_button.click()
        await wait_until(lambda: window.controller.state == "login")
        assert window.login.portal_label.text() == "Portal: https://care.example.org"
        assert user_settings.portal_url == "https://care.example.org"

    run(qloop, scenario())


def test_it_locked_portal_hides_the_change_link(make_window, qloop):
    system = SystemConfig(portal_url="https://it.example.org", allow_portal_change=False)
    window = make_window(None, system=system)

    async def scenario():
        window.start()
        await wait_until(lambda: window.controller.state == "login")
        assert window.controller.portal_url == "https://it.example.org"
        assert not window.login.portal_button.isVisible()

    run(qloop, scenario())


def test_window_geometry_is_restored(make_window, qloop, user_settings):
    first = make_window("http://127.0.0.1:9")
    first.setGeometry(30, 40, 700, 520)  # inside the 800x600 offscreen screen
    first.close()
    saved = user_settings.geometry()
    assert isinstance(saved, QByteArray)
    second = make_window("http://127.0.0.1:9")
    assert (second.width(), second.height()) == (700, 520)


def test_the_app_never_imports_the_server():
    """Arrows point one way: app -> client -> domain (CONVENTIONS.md)."""
    import ast
    from pathlib import Path

    import vtconnect_care

    root = Path(vtconnect_care.__file__).parent
    offenders = []
    for folder in ("app", "client"):
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module if node.level == 0 else f"rel:{node.module}"]
                if any(
                    n.startswith("vtconnect_care.server") or n.startswith("rel:server")
                    for n in names
                ):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []
