"""Compile the Qt Designer forms in ui/ into vtconnect_care/app/forms/ui_*.py (pyside6-uic).

The one build step for the forms: `make` runs it before the app and the tests, the app's tests
run it when they start, and the PyInstaller spec runs it before collecting the app's modules.
A form is compiled again only when its .ui file is newer than its module; modules whose .ui
file is gone are removed. The generated modules are not in git.

    python scripts/build_ui.py            # compile what changed
    python scripts/build_ui.py --force    # compile everything
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_DIR = ROOT / "ui"
FORMS_DIR = ROOT / "vtconnect_care" / "app" / "forms"


def module_for(form: Path) -> Path:
    """ui/login.ui -> vtconnect_care/app/forms/ui_login.py"""
    return FORMS_DIR / f"ui_{form.stem}.py"


def uic() -> Path:
    """The uic that PySide6 ships (the one `pyside6-uic` runs), without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("PySide6 is not installed: install the app extra (pip install -e .[app])")
    pyside = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (pyside / "Qt" / "libexec" / "uic", pyside / "uic.exe", pyside / "uic"):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"PySide6's uic is missing from {pyside}")


def stale(form: Path) -> bool:
    module = module_for(form)
    return not module.exists() or module.stat().st_mtime < form.stat().st_mtime


def compile_form(form: Path, tool: Path) -> Path:
    module = module_for(form)
    partial = module.with_name(f".{module.name}.{os.getpid()}.tmp")
    # a relative .ui path keeps this machine's folders out of the generated header
    source = form.relative_to(ROOT).as_posix()
    command = [str(tool), "-g", "python", "-o", str(partial), source]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise SystemExit(f"uic could not compile {source}:\n{done.stderr.strip()}")
    os.replace(partial, module)  # atomic: a test starting meanwhile never sees half a module
    return module


def build(*, force: bool = False, quiet: bool = False) -> list[Path]:
    """Compile the forms that changed; returns the modules written."""
    forms = sorted(UI_DIR.glob("*.ui"))
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    wanted = {module_for(form) for form in forms}
    for module in FORMS_DIR.glob("ui_*.py"):
        if module not in wanted:
            module.unlink()
    todo = [form for form in forms if force or stale(form)]
    if not todo:
        return []
    tool = uic()
    written = [compile_form(form, tool) for form in todo]
    if not quiet:
        for module in written:
            print(f"compiled {module.relative_to(ROOT).as_posix()}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="compile every form again")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    build(force=args.force, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
