"""The Qt Designer forms (ui/*.ui): one build step compiles them (scripts/build_ui.py), only
when a .ui file changed; the compiled modules stay out of git; the screens are built from
them and keep the names the app and its tests use."""

from __future__ import annotations

import os
import runpy
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "ui").glob("*.ui"))


@pytest.fixture
def build_ui(tmp_path, monkeypatch):
    """scripts/build_ui.py on a copy of the forms, writing into a scratch folder."""
    script = runpy.run_path(str(ROOT / "scripts" / "build_ui.py"))
    build = script["build"]
    ui_dir, forms_dir = tmp_path / "ui", tmp_path / "forms"
    ui_dir.mkdir()
    for form in FORMS:
        (ui_dir / form.name).write_bytes(form.read_bytes())
    build.__globals__.update(ROOT=tmp_path, UI_DIR=ui_dir, FORMS_DIR=forms_dir)
    return build, ui_dir, forms_dir


def test_the_forms_compile_once_and_again_only_when_changed(build_ui):
    build, ui_dir, forms_dir = build_ui

    first = build(quiet=True)
    assert sorted(p.name for p in first) == sorted(f"ui_{f.stem}.py" for f in FORMS)
    assert build(quiet=True) == []  # nothing changed: nothing compiled
    login = ui_dir / "login.ui"
    later = (forms_dir / "ui_login.py").stat().st_mtime + 5
    os.utime(login, (later, later))
    assert [p.name for p in build(quiet=True)] == ["ui_login.py"]
    login.unlink()
    build(quiet=True)
    assert not (forms_dir / "ui_login.py").exists()  # a form that is gone leaves no module
    assert "class Ui_PortalDialog" in (forms_dir / "ui_portal_dialog.py").read_text()


def test_the_compiled_forms_are_not_in_git():
    modules = [f"vtconnect_care/app/forms/ui_{form.stem}.py" for form in FORMS]
    ignored = subprocess.run(
        ["git", "check-ignore", *modules], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ignored.stdout.split() == modules


def test_screens_are_built_from_their_forms(qapp):
    from vtconnect_care.app import resources
    from vtconnect_care.app.forms.ui_login import Ui_LoginForm
    from vtconnect_care.app.forms.ui_portal_dialog import Ui_PortalDialog
    from vtconnect_care.app.login_screen import LoginScreen
    from vtconnect_care.app.portal_dialog import PortalDialog
    from vtconnect_care.app.visits.visit_dialog import ORDER, VisitDialog

    qapp.setStyleSheet(resources.style_sheet())

    login = LoginScreen()
    assert isinstance(login.ui, Ui_LoginForm) and login.username is login.ui.username
    assert login.sign_in.property("styleClass") == "Primary"  # style.qss styles it
    assert login.username.accessibleDescription() == "Your username is NOT your email address."
    dialog = PortalDialog("https://care.example.org")
    assert isinstance(dialog.ui, Ui_PortalDialog)
    assert dialog.edit.text() == "https://care.example.org"
    assert dialog.ok_button.text() == "Continue"
    dialog.show()  # styled as the primary action, though the form polished it first
    assert dialog.ok_button.palette().button().color().name() == "#1f6f8b"
    dialog.close()
    visit = VisitDialog()
    assert [b.text() for b in visit.buttons.values()] == [text for _key, text in ORDER]
    assert visit.buttons["join_video"].property("styleClass") == "Primary"
    assert visit.reasons["clock_in"].accessibleName() == f"{ORDER[3][1]}: why"
