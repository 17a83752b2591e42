"""`vtconnect-care --self-test`: checks that this build has every part the app needs, offline.

Runs without a display, camera, microphone, speakers or network: Qt on its offscreen platform
(or the one named by VTCONNECT_SELF_TEST_PLATFORM, e.g. xcb, to check the display as well),
the synthetic camera (SYNTHETIC: no device), a null audio sink. Prints one line per check and
returns 0 when all passed, 1 otherwise (the failed checks say what is wrong). IT runs it after
installing a package; the packaging test runs it on the built binary.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
import wave
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

# The platform plugins a build must carry, besides "offscreen" (used here and on servers).
# (Linux: X11 and Wayland; Qt 6 names its Wayland plugin "wayland", older ones "wayland-egl"...)
NATIVE_PLATFORM_PLUGINS = {"linux": ("xcb", "wayland"), "win32": ("windows",), "darwin": ("cocoa",)}
CAMERA_NAME = "Self Test"
# Qt platform for the checks; offscreen unless set (xcb or wayland: check the real display too).
PLATFORM_ENV = "VTCONNECT_SELF_TEST_PLATFORM"
VIDEO_FRAMES = 5


class CheckFailed(Exception):
    """A check's own sentence for what is wrong."""


@dataclass
class Result:
    name: str
    ok: bool
    detail: str
    seconds: float


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


# --- the checks: each returns a short detail line or raises ----------------------------------


def check_qt(context: dict) -> str:
    platform_wanted = os.environ.get(PLATFORM_ENV) or "offscreen"
    os.environ["QT_QPA_PLATFORM"] = platform_wanted
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QCoreApplication, QLibraryInfo
    from PySide6.QtWidgets import QApplication

    context["qt_warnings"] = _capture_qt_messages(context)
    app = QApplication.instance() or QApplication(["vtconnect-care"])
    context["qt_app"] = app
    platform = app.platformName()
    if platform != platform_wanted:
        raise CheckFailed(f"Qt started on the {platform!r} platform instead of {platform_wanted!r}")
    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)]
    folders += QCoreApplication.libraryPaths()
    platform_dirs = [Path(f) / "platforms" for f in dict.fromkeys(folders)]
    present = {_plugin_name(p) for d in platform_dirs if d.is_dir() for p in d.iterdir()}
    plugins_dir = platform_dirs[0]
    wanted = {"offscreen", *NATIVE_PLATFORM_PLUGINS.get(sys.platform, ())}
    missing = sorted(w for w in wanted if not any(p.startswith(w) for p in present))
    if missing:
        raise CheckFailed(f"Qt platform plugins missing from {plugins_dir}: {', '.join(missing)}")
    plugins = ", ".join(sorted(wanted))
    return f"PySide6 {pyside_version}, platform {platform}, plugins: {plugins}"


def _capture_qt_messages(context: dict) -> list[str]:
    """Keep Qt's warnings for the checks (and off the terminal: the offscreen platform
    warns about window hints it does not support)."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    messages: list[str] = []

    def handler(kind, _context, text) -> None:
        if kind != QtMsgType.QtDebugMsg and "propagateSizeHints" not in text:
            messages.append(text)

    previous = qInstallMessageHandler(handler)
    context["restore"].append(lambda: qInstallMessageHandler(previous))
    return messages


def _plugin_name(path: Path) -> str:
    """'libqxcb.so' / 'qwindows.dll' / 'libqcocoa.dylib' -> 'xcb' / 'windows' / 'cocoa'."""
    stem = path.name.split(".")[0]
    stem = stem.removeprefix("lib")
    return stem.removeprefix("q")


def check_resources(context: dict) -> str:
    from PySide6.QtGui import QIcon

    from . import resources

    style = resources.style_sheet()
    if not style.strip():
        raise CheckFailed("the style sheet resources/style.qss is empty")
    images = [Path(u.strip("'\" ")) for u in re.findall(r"url\(([^)]*)\)", style)]
    missing = [str(p) for p in images if not p.is_file()]
    if missing:
        raise CheckFailed(f"the style sheet's images are missing: {', '.join(missing)}")
    icon = QIcon(str(resources.icon_path()))
    pixmap = icon.pixmap(64, 64)
    if pixmap.isNull():
        raise CheckFailed(
            f"the app icon {resources.icon_path().name} does not render "
            "(is Qt's SVG image-format plugin missing?)"
        )
    context["app_icon"] = icon
    ding = resources.ding_path()
    if not ding.is_file():
        raise CheckFailed(f"the ding sound is missing ({ding})")
    size = f"{pixmap.width()}x{pixmap.height()}"
    return (
        f"style sheet with {len(images)} images, icon {size}, ding in {resources.resources_dir()}"
    )


def check_main_window(context: dict) -> str:
    from PySide6.QtWidgets import QApplication

    from . import resources

    app = context["qt_app"]
    warnings = context["qt_warnings"]
    before = len(warnings)
    app.setStyleSheet(resources.style_sheet())
    window, settings_dir = _build_main_window()
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise CheckFailed("the main window did not show")
        style_problems = [w for w in warnings[before:] if "style" in w.lower()]
        if style_problems:
            raise CheckFailed(f"the style sheet has errors: {style_problems[0]}")
        return (
            f"{type(window).__name__} '{window.windowTitle()}' shown on {app.platformName()} at "
            f"{window.width()}x{window.height()} (synthetic devices, no portal)"
        )
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        settings_dir.cleanup()


def _build_main_window():
    """The real main window, offline: throw-away settings, synthetic devices, no system file.

    Not started (``start()`` would look for the portal): building and showing it loads every
    screen and widget the app has."""
    import tempfile

    from PySide6.QtCore import QSettings

    from vtconnect_care.client.app_config import SystemConfig

    from .devices import SyntheticDevices
    from .main_window import MainWindow
    from .services import AppServices
    from .user_settings import UserSettings

    settings_dir = tempfile.TemporaryDirectory(prefix="vtconnect-self-test-")
    qsettings = QSettings(str(Path(settings_dir.name) / "settings.ini"), QSettings.Format.IniFormat)
    services = AppServices(
        settings=UserSettings(qsettings),
        devices=SyntheticDevices(CAMERA_NAME),
        load_system_config=SystemConfig,
        devices_from_config=False,
    )
    return MainWindow(services), settings_dir


def check_camera(context: dict) -> str:
    from vtconnect_care.client.media import SyntheticCamera
    from vtconnect_care.client.media.synthetic import shows_name

    camera = SyntheticCamera(CAMERA_NAME)
    camera.start()
    try:
        samples = [camera.latest() for _ in range(VIDEO_FRAMES)]
    finally:
        camera.close()
    if any(s is None for s in samples):
        raise CheckFailed("the synthetic camera gave no picture")
    if not shows_name(samples[0].image, CAMERA_NAME):
        raise CheckFailed("the synthetic camera's picture lacks its colour band")
    context["video_samples"] = samples
    first = samples[0]
    return f"synthetic camera (no device used), {first.width}x{first.height}, {len(samples)} frames"


def check_vp8(context: dict) -> str:
    import av
    from aiortc.codecs import depayload, get_decoder, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    from vtconnect_care.client.media.synthetic import read_stamp, shows_name

    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    encoder, decoder = get_encoder(codec), get_decoder(codec)
    decoded = []
    sent = 0
    for index, sample in enumerate(context["video_samples"]):
        frame = av.VideoFrame.from_ndarray(sample.image, format="bgr24")
        frame.pts = index * 3000
        frame.time_base = Fraction(1, 90000)
        payloads, timestamp = encoder.encode(frame, force_keyframe=index == 0)
        sent += sum(len(p) for p in payloads)
        data = b"".join(depayload(codec, p) for p in payloads)
        for out in decoder.decode(JitterFrame(data=data, timestamp=timestamp)):
            decoded.append((sample, out.to_ndarray(format="bgr24")))
    if not decoded:
        raise CheckFailed("the VP8 decoder returned no picture")
    sample, image = decoded[-1]
    if image.shape != sample.image.shape:
        raise CheckFailed(f"VP8 changed the picture's size: {sample.image.shape} -> {image.shape}")
    if not shows_name(image, CAMERA_NAME):
        raise CheckFailed("the decoded VP8 picture does not show the camera's colour band")
    seq, _ = read_stamp(image)
    if seq != sample.seq & 0xFFFF:
        raise CheckFailed(f"the decoded VP8 picture carries frame {seq}, expected {sample.seq}")
    return (
        f"aiortc {_version('aiortc')}, av {av.__version__}: {len(decoded)} frames "
        f"encoded ({sent} bytes) and decoded, content matches"
    )


def check_opus(context: dict) -> str:
    import av
    from aiortc.codecs import get_decoder, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    from vtconnect_care.client.media import SyntheticTone
    from vtconnect_care.client.media.levels import dbfs

    codec = RTCRtpCodecParameters(
        mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111
    )
    encoder, decoder = get_encoder(codec), get_decoder(codec)
    tone = SyntheticTone(level=0.3)
    levels = []
    for index in range(10):  # 200 ms: Opus needs a few frames to settle
        samples = tone.read(960)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = index * 960
        frame.time_base = Fraction(1, 48000)
        payloads, timestamp = encoder.encode(frame)
        for payload in payloads:
            for out in decoder.decode(JitterFrame(data=payload, timestamp=timestamp)):
                levels.append(dbfs(out.to_ndarray().reshape(-1)))
    if not levels:
        raise CheckFailed("the Opus decoder returned no audio")
    if max(levels[-3:]) < -30.0:
        raise CheckFailed(f"the decoded Opus audio is silent ({max(levels):.1f} dBFS)")
    return f"{len(levels)} audio frames encoded and decoded, level {levels[-1]:.1f} dBFS"


def check_ding(context: dict) -> str:
    from vtconnect_care.client.media import AUDIO_SAMPLE_RATE, NullSink

    from . import resources

    samples, rate = read_wav_mono(resources.ding_path())
    samples = resample(samples, rate, AUDIO_SAMPLE_RATE)
    sink = NullSink()  # SYNTHETIC: plays nothing, meters what it is given
    sink.start()
    try:
        for start in range(0, len(samples), 960):
            sink.write(samples[start : start + 960])
    finally:
        sink.close()
    if sink.samples_written != len(samples) or sink.peak_dbfs < -20.0:
        raise CheckFailed(
            f"the ding reached the null sink as {sink.samples_written} samples "
            f"at {sink.peak_dbfs:.1f} dBFS (expected {len(samples)} samples, louder than -20)"
        )
    seconds = len(samples) / AUDIO_SAMPLE_RATE
    return f"ding.wav played to a null sink: {seconds:.2f} s, peak {sink.peak_dbfs:.1f} dBFS"


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV -> (mono int16 samples, sample rate)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise CheckFailed(f"{path.name} is not 16-bit PCM")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling, good enough for a notification sound."""
    if rate == target:
        return samples
    count = int(round(len(samples) * target / rate))
    positions = np.arange(count) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)


def check_audio_system(context: dict) -> str:
    from vtconnect_care.client.media.devices import load_sounddevice

    sd = load_sounddevice()
    if sd is None:
        if _frozen():
            raise CheckFailed("the PortAudio library is missing from this package")
        return "PortAudio not installed: the app plays to a null sink (install libportaudio2)"
    version = sd.get_portaudio_version()[1].split(",")[0]
    library = str(getattr(sd, "_libname", "") or "")
    bundle = getattr(sys, "_MEIPASS", None)
    where = "from this package" if bundle and library.startswith(bundle) else f"from {library}"
    version = f"{version} {where}"
    try:
        outputs = sum(1 for d in sd.query_devices() if d["max_output_channels"] > 0)
    except Exception as exc:  # noqa: BLE001 - PortAudioError: no sound system at all
        return f"{version}; no sound devices ({exc})"
    return f"{version}; {outputs} output device(s)"


# The OS keyring backend that "Remember me" uses, by platform: (module, class, must be usable).
KEYRING_BACKENDS = {
    "win32": ("keyring.backends.Windows", "WinVaultKeyring", True),
    "darwin": ("keyring.backends.macOS", "Keyring", True),
}
# Linux: the Secret Service needs a desktop session's D-Bus and keyring daemon, which servers
# and CI lack, so only its libraries (secretstorage, jeepney) must be present.
LINUX_KEYRING = ("keyring.backends.SecretService", "Keyring", False)


def check_keyring(context: dict) -> str:
    import importlib

    import keyring

    module_name, class_name, must_work = KEYRING_BACKENDS.get(sys.platform, LINUX_KEYRING)
    try:
        module = importlib.import_module(module_name)
        if not must_work:
            importlib.import_module("secretstorage")
    except ImportError as exc:
        raise CheckFailed(f"the system keyring backend {module_name} is missing ({exc})") from exc
    backend_class = getattr(module, class_name)
    if must_work and not backend_class.viable:
        raise CheckFailed(f"the system keyring ({module_name}) cannot be used on this computer")
    in_use = type(keyring.get_keyring())
    return f"{module_name} present; in use here: {in_use.__module__}.{in_use.__name__}"


def check_system_config(context: dict) -> str:
    from vtconnect_care.client.app_config import load_system_config

    config = load_system_config()
    if config.problem:
        raise CheckFailed(f"{config.path} is ignored: {config.problem}")
    if config.path is not None and not config.path.exists():
        return f"none at {config.path} (the user picks the portal)"
    locked = "" if config.allow_portal_change else ", locked"
    portal = config.portal_url or "(none)"
    return f"{config.path}: portal {portal}{locked}, devices {config.devices}"


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


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        module = sys.modules.get(distribution)
        return getattr(module, "__version__", "?")


def run(out=None) -> int:
    """Run every check, print one line each; 0 when all passed."""
    from vtconnect_care import __version__

    stream = out or sys.stdout
    if stream is None:  # a windowed build on Windows has no console (use the console twin)
        return _run_quiet()

    def emit(line: str) -> None:
        print(line, file=stream, flush=True)

    build = "packaged" if _frozen() else "from source"
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
            except CheckFailed as exc:
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


if __name__ == "__main__":
    sys.exit(run())
