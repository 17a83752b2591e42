"""The desktop package: packaging/build.sh builds it, the built app and the unpacked tarball
pass their self-test (issue 7). Slow (about a minute and a half on two cores): marked
`packaging`, so `-m "not packaging"` skips it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

import vtconnect_care

BUILD_TIMEOUT = 900
# pytest-timeout counts the module's build fixture in the first test's time
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(BUILD_TIMEOUT + 300)]

ROOT = Path(__file__).resolve().parents[2]
VERSION = vtconnect_care.__version__
ARCH = os.uname().machine
TARBALL = ROOT / "dist" / f"vtconnect-care-{VERSION}-linux-{ARCH}.tar.gz"
APP = ROOT / "dist" / "vtconnect-care" / "vtconnect-care"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a clinic PC: no virtual environment, no source tree on the path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_", "VTCONNECT_"))
    }
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    env.update(extra)
    return env


def run(args: list[str], cwd: Path, timeout: float = 120, **env: str):
    return subprocess.run(
        args, cwd=cwd, env=clean_env(**env), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def build() -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / "packaging" / "build.sh")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    seconds = time.monotonic() - started
    print(f"\npackaging/build.sh took {seconds:.0f} s")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return {"seconds": seconds, "stdout": proc.stdout}


def test_build_makes_the_app_folder_and_the_tarball(build):
    assert APP.is_file() and os.access(APP, os.X_OK)
    assert TARBALL.is_file()
    assert "self-test passed" in build["stdout"]  # build.sh checks what it built


def test_built_app_prints_its_version(build, tmp_path):
    proc = run([str(APP), "--version"], tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"VTConnect Care {VERSION}"


def test_built_app_passes_its_self_test_offscreen(build, tmp_path):
    proc = run([str(APP), "--self-test"], tmp_path)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(packaged, linux," in proc.stdout
    assert "PortAudio" in proc.stdout and "from this package" in proc.stdout
    assert "FAIL" not in proc.stdout


def test_package_leaves_the_portal_server_out(build):
    from PyInstaller.archive.readers import ZlibArchiveReader

    pyz = ROOT / "build" / "pyinstaller" / "vtconnect-care" / "PYZ-00.pyz"
    modules = set(ZlibArchiveReader(str(pyz)).toc)
    assert "vtconnect_care.app.main_window" in modules
    assert "vtconnect_care.app.self_test" in modules
    unwanted = ("vtconnect_care.server", "fastapi", "sqlalchemy", "uvicorn", "pytest", "tkinter")
    assert not [m for m in modules if m.startswith(unwanted)]


def test_tarball_unpacks_installs_and_runs(build, tmp_path):
    with tarfile.open(TARBALL) as tar:
        tar.extractall(tmp_path, filter="data")
    top = tmp_path / f"vtconnect-care-{VERSION}-linux-{ARCH}"
    for name in (
        "INSTALL.txt",
        "install.sh",
        "vtconnect-care.desktop",
        "config/config.ini.example",
        "icons/hicolor/256x256/apps/vtconnect-care.png",
        "icons/hicolor/scalable/apps/vtconnect-care.svg",
        "vtconnect-care/vtconnect-care",
    ):
        assert (top / name).is_file(), name
    if shutil.which("desktop-file-validate"):
        check = run(["desktop-file-validate", str(top / "vtconnect-care.desktop")], tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr

    app = top / "vtconnect-care" / "vtconnect-care"
    proc = run(
        [str(app), "--self-test"],
        tmp_path,
        VTCONNECT_CARE_CONFIG=str(top / "config" / "config.ini.example"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert str(top) in proc.stdout  # resources come from the unpacked folder
    assert "portal https://care.example.org, locked" in proc.stdout

    staged = tmp_path / "root"
    install = run([str(top / "install.sh"), "--root", str(staged)], tmp_path, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    assert "self-test passed" in install.stdout
    assert (staged / "opt/vtconnect-care/vtconnect-care").is_file()
    command = staged / "usr/local/bin/vtconnect-care"
    assert os.readlink(command) == "/opt/vtconnect-care/vtconnect-care"
    assert (staged / "usr/local/share/applications/vtconnect-care.desktop").is_file()
    assert (staged / "usr/local/share/icons/hicolor/64x64/apps/vtconnect-care.png").is_file()
    assert (staged / "etc/vtconnect-care/config.ini.example").is_file()


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run (make system-deps)")
def test_built_app_opens_its_window_on_x11(build, tmp_path):
    proc = run(
        ["xvfb-run", "-a", str(APP), "--self-test"],
        tmp_path,
        VTCONNECT_SELF_TEST_PLATFORM="xcb",
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "platform xcb" in proc.stdout
    assert "shown on xcb" in proc.stdout
