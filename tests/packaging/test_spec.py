"""packaging/vtconnect-care.spec read as each OS's PyInstaller would (fast: PyInstaller's build
steps are recorded, not run). The Windows and macOS branches cannot be built here; this
keeps them pointing at files that exist and asking for what those platforms need."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "vtconnect-care.spec"


class Step:
    """One of PyInstaller's build steps (Analysis, PYZ, EXE, COLLECT, BUNDLE), recorded."""

    def __init__(self, kind: str, args: tuple, kwargs: dict) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs
        self.pure = self.scripts = self.binaries = self.datas = []


def read_spec(monkeypatch, platform: str) -> list[Step]:
    steps: list[Step] = []

    def step(kind):
        def make(*args, **kwargs):
            steps.append(Step(kind, args, kwargs))
            return steps[-1]

        return make

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package: [f"{package}.module"]
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec prepends the project root
    spec_globals = {"SPECPATH": str(SPEC.parent), "__file__": str(SPEC)}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        spec_globals[kind] = step(kind)
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), spec_globals)  # noqa: S102
    return steps


def only(steps: list[Step], kind: str) -> list[Step]:
    return [s for s in steps if s.kind == kind]


def test_analysis_takes_the_app_its_resources_and_leaves_the_server_out(monkeypatch):
    (analysis,) = only(read_spec(monkeypatch, "linux"), "Analysis")

    (script,) = analysis.args[0]
    assert Path(script) == ROOT / "packaging" / "launcher.py"
    datas = {
        (Path(src).relative_to(ROOT).as_posix(), dest) for src, dest in analysis.kwargs["datas"]
    }
    assert ("resources/sounds/ding.wav", "resources/sounds") in datas
    assert ("resources/style.qss", "resources") in datas
    assert ("resources/icons/vtconnect-care.svg", "resources/icons") in datas
    assert not [src for src, _ in datas if src.endswith(".py")]  # make_ding.py is a tool
    assert "vtconnect_care.app.module" in analysis.kwargs["hiddenimports"]
    # the Qt Designer forms: compiled by the spec itself, packaged as modules
    forms = sorted(f"vtconnect_care.app.forms.ui_{ui.stem}" for ui in (ROOT / "ui").glob("*.ui"))
    assert forms and set(forms) <= set(analysis.kwargs["hiddenimports"])
    for module in forms:
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file()
    assert "vtconnect_care.server" in analysis.kwargs["excludes"]
    for hook in analysis.kwargs["runtime_hooks"]:
        assert Path(hook).is_file()


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_each_os_gets_a_one_folder_app_with_its_icon(monkeypatch, platform):
    steps = read_spec(monkeypatch, platform)

    exes = only(steps, "EXE")
    (collect,) = only(steps, "COLLECT")
    assert collect.kwargs["name"] == "vtconnect-care"
    assert all(exe in collect.args for exe in exes)
    assert all(exe.kwargs["exclude_binaries"] for exe in exes)  # one folder, not one file
    names = {exe.kwargs["name"]: exe for exe in exes}
    assert names["vtconnect-care"].kwargs["console"] is False
    icon = names["vtconnect-care"].kwargs["icon"]
    if platform == "linux":
        assert icon is None and list(names) == ["vtconnect-care"]
    else:
        suffix = ".ico" if platform == "win32" else ".icns"
        assert [Path(p).suffix for p in icon] == [suffix]
        assert all(Path(p).is_file() for p in icon)


def test_windows_has_a_console_twin_for_version_and_self_test(monkeypatch):
    exes = only(read_spec(monkeypatch, "win32"), "EXE")

    console = {exe.kwargs["name"]: exe.kwargs["console"] for exe in exes}
    assert console == {"vtconnect-care": False, "vtconnect-care-console": True}


def test_macos_bundle_asks_for_camera_and_microphone(monkeypatch):
    steps = read_spec(monkeypatch, "darwin")

    (bundle,) = only(steps, "BUNDLE")
    assert bundle.args == (only(steps, "COLLECT")[0],)  # a one-folder .app
    assert bundle.kwargs["name"] == "VTConnect Care.app"
    assert Path(bundle.kwargs["icon"]).is_file()
    plist = bundle.kwargs["info_plist"]
    assert plist["NSCameraUsageDescription"] and plist["NSMicrophoneUsageDescription"]
    assert bundle.kwargs["version"] == plist["CFBundleShortVersionString"]
    assert not only(read_spec(monkeypatch, "linux"), "BUNDLE")
