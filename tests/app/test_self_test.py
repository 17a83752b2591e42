"""`vtconnect-care --self-test` from source, in a subprocess as IT would run it (issue 7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from vtconnect_care.app import self_test

ROOT = Path(__file__).resolve().parents[2]
CONFIG_EXAMPLE = ROOT / "packaging" / "config" / "config.ini.example"
CHECKS = [name for name, _ in self_test.CHECKS]


def run_self_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != self_test.PLATFORM_ENV}
    environ.pop("QT_QPA_PLATFORM", None)  # the self-test picks offscreen by itself
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "vtconnect_care.app.main", "--self-test"],
        cwd=tmp_path,  # nothing found through the working directory
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def result_lines(stdout: str) -> dict[str, str]:
    """{'qt': 'ok   qt: ...', ...} from the self-test's one line per check."""
    lines = {}
    for line in stdout.splitlines():
        for name in CHECKS:
            if line.startswith((f"ok   {name}:", f"FAIL {name}:")):
                lines[name] = line
    return lines


def test_self_test_passes_offscreen_and_reads_the_system_config(tmp_path):
    proc = run_self_test(tmp_path, VTCONNECT_CARE_CONFIG=str(CONFIG_EXAMPLE))

    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = result_lines(proc.stdout)
    assert list(lines) == CHECKS, proc.stdout
    assert all(line.startswith("ok ") for line in lines.values()), proc.stdout
    assert "(from source," in proc.stdout.splitlines()[0]
    assert "platform offscreen" in lines["qt"]
    assert "MainWindow 'VTConnect Care'" in lines["main window"]
    assert "content matches" in lines["video codec VP8"]
    assert "null sink" in lines["ding"]
    assert "portal https://care.example.org, locked, devices real" in lines["system config"]
    assert proc.stdout.rstrip().endswith(f"self-test passed: {len(CHECKS)} checks")


def test_self_test_fails_on_a_broken_system_config_and_says_why(tmp_path):
    broken = tmp_path / "config.ini"
    broken.write_text("[vtconnect-care]\nallow_portal_change = perhaps\n", encoding="utf-8")

    proc = run_self_test(tmp_path, VTCONNECT_CARE_CONFIG=str(broken))

    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = result_lines(proc.stdout)
    assert lines["system config"].startswith("FAIL system config:")
    assert "expected yes or no, got 'perhaps'" in lines["system config"]
    others = [line for name, line in lines.items() if name != "system config"]
    assert all(line.startswith("ok ") for line in others), proc.stdout
    assert proc.stdout.rstrip().endswith("self-test FAILED: system config")


def test_plugin_file_names_map_to_platform_names():
    names = ["libqxcb.so", "qwindows.dll", "libqcocoa.dylib", "libqoffscreen.so", "qoffscreen.dll"]
    assert [self_test._plugin_name(Path(n)) for n in names] == [
        "xcb",
        "windows",
        "cocoa",
        "offscreen",
        "offscreen",
    ]


def test_the_ding_is_resampled_to_the_engine_rate_keeping_its_length():
    samples = (np.sin(np.arange(24_000) / 10.0) * 10_000).astype(np.int16)

    out = self_test.resample(samples, 24_000, 48_000)

    assert out.dtype == np.int16 and len(out) == 48_000
    assert abs(int(out[2000]) - int(samples[1000])) <= 1  # same sound, twice the samples


def test_without_a_console_the_report_goes_to_a_file(qapp, monkeypatch, tmp_path):
    # A windowed Windows .exe has sys.stdout None: the report is written to TEMP instead.
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv("VTCONNECT_CARE_CONFIG", str(CONFIG_EXAMPLE))

    code = self_test.run()

    report = (tmp_path / "vtconnect-care-self-test.txt").read_text(encoding="utf-8")
    assert code == 0, report
    assert report.rstrip().endswith(f"self-test passed: {len(CHECKS)} checks")
