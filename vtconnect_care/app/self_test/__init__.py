"""`vtconnect-care --self-test`: checks that this build has every part the app needs, offline.

Runs without a display, camera, microphone, speakers or network: Qt on its offscreen platform
(or the one named by VTCONNECT_SELF_TEST_PLATFORM, e.g. xcb, to check the display as well),
the synthetic camera (SYNTHETIC: no device), a null audio sink. Prints one line per check and
returns 0 when all passed, 1 otherwise (the failed checks say what is wrong). IT runs it after
installing a package; the packaging test runs it on the built binary.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .common import PLATFORM_ENV, CheckError, frozen
from .display import check_main_window, check_qt, check_resources, plugin_name
from .media import check_camera, check_ding, check_opus, check_vp8, read_wav_mono, resample
from .system import check_audio_system, check_keyring, check_system_config

__all__ = ["CHECKS", "PLATFORM_ENV", "CheckError", "read_wav_mono", "resample", "run"]
_plugin_name = plugin_name  # the name the tests know


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    seconds: float


CHECKS: list[tuple[str, Callable[[dict], str]]] = [
    ("qt", check_qt),
    ("resources", check_resources),
    ("main window", check_main_window),
    ("camera", check_camera),
    ("video codec VP8", check_vp8),
    ("audio codec Opus", check_opus),
    ("ding", check_ding),
    ("audio system", check_audio_system),
    ("keyring", check_keyring),
    ("system config", check_system_config),
]

# Checks that need an earlier one: skipped (reported as failed) when it failed.
NEEDS = {
    "resources": "qt",
    "main window": "qt",
    "video codec VP8": "camera",
}


def run(out=None) -> int:
    """Run every check, print one line each; 0 when all passed."""
    from vtconnect_care import __version__

    stream = out or sys.stdout
    if stream is None:  # a windowed build on Windows has no console (use the console twin)
        return _run_quiet()

    def emit(line: str) -> None:
        print(line, file=stream, flush=True)

    build = "packaged" if frozen() else "from source"
    emit(f"VTConnect Care {__version__} self-test ({build}, {sys.platform}, Python {_py()})")
    results: dict[str, Result] = {}
    context: dict = {"restore": []}  # "restore": undo global changes (Qt's message handler)
    for name, check in CHECKS:
        need = NEEDS.get(name)
        started = time.perf_counter()
        if need and not results[need].ok:
            result = Result(name, False, f"skipped: needs the '{need}' check", 0.0)
        else:
            try:
                result = Result(name, True, check(context), 0.0)
            except CheckError as exc:
                result = Result(name, False, str(exc), 0.0)
            except Exception as exc:  # noqa: BLE001 - report every failure, keep checking
                where = traceback.extract_tb(exc.__traceback__)[-1]
                detail = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
                result = Result(name, False, detail, 0.0)
        result.seconds = time.perf_counter() - started
        results[name] = result
        mark = "ok  " if result.ok else "FAIL"
        emit(f"{mark} {name}: {result.detail} [{result.seconds * 1000:.0f} ms]")
    for text in list(dict.fromkeys(context.get("qt_warnings", [])))[:5]:
        emit(f"note Qt said: {text}")
    for undo in reversed(context["restore"]):
        undo()
    failed = [r.name for r in results.values() if not r.ok]
    if failed:
        emit(f"self-test FAILED: {', '.join(failed)}")
        return 1
    emit(f"self-test passed: {len(results)} checks")
    return 0


def _run_quiet() -> int:
    """No console (a windowed .exe): the report goes to vtconnect-care-self-test.txt in TEMP."""
    import io
    import tempfile

    buffer = io.StringIO()
    code = run(buffer)
    report = Path(tempfile.gettempdir()) / "vtconnect-care-self-test.txt"
    report.write_text(buffer.getvalue(), encoding="utf-8")
    return code


def _py() -> str:
    return ".".join(str(part) for part in sys.version_info[:3])
