"""Device enumeration: cameras (OpenCV probe), microphones and speakers (sounddevice).

Nothing here raises for an ordinary machine state: no camera, no PortAudio library (OSError at
import of sounddevice) or no sound card (PortAudioError) all give empty lists.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("vtconnect.media")


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    kind: str  # "camera" | "microphone" | "speaker"
    is_default: bool = False


def load_sounddevice() -> Any | None:
    """The sounddevice module, or None when PortAudio is missing from the system."""
    try:
        import sounddevice
    except (OSError, ImportError) as exc:
        log.info("no audio: sounddevice unavailable (%s)", exc)
        return None
    return sounddevice


def _quiet_opencv() -> None:
    os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
    os.environ.setdefault("OPENCV_VIDEOIO_DEBUG", "0")
    try:
        import cv2

        if hasattr(cv2, "utils") and hasattr(cv2.utils, "logging"):
            cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    except Exception:  # noqa: BLE001, S110 - logging tweaks are best effort
        pass


def list_cameras(max_index: int = 4) -> list[Device]:
    """Cameras that OpenCV can open, probing indices 0..max_index-1 quietly."""
    if os.name == "posix" and not any(os.path.exists(f"/dev/video{i}") for i in range(max_index)):
        return []  # nothing to probe: skip OpenCV's noisy open attempts
    _quiet_opencv()
    import cv2

    found: list[Device] = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened():
                ok, _ = cap.read()
                if ok:
                    found.append(Device(index, f"Camera {index + 1}", "camera", not found))
        except Exception as exc:  # noqa: BLE001 - a broken driver is not our crash
            log.info("camera %s probe failed: %s", index, exc)
        finally:
            cap.release()
    return found


def _audio_devices(kind: str) -> list[Device]:
    sd = load_sounddevice()
    if sd is None:
        return []
    channels_key = "max_input_channels" if kind == "microphone" else "max_output_channels"
    try:
        devices = sd.query_devices()
        default_in, default_out = sd.default.device
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends: no devices
        log.info("no %s: %s", kind, exc)
        return []
    default = default_in if kind == "microphone" else default_out
    found: list[Device] = []
    for index, info in enumerate(devices):
        if int(info.get(channels_key, 0)) > 0:
            found.append(
                Device(index, str(info.get("name", f"Device {index}")), kind, index == default)
            )
    return found


def list_microphones() -> list[Device]:
    return _audio_devices("microphone")


def list_speakers() -> list[Device]:
    return _audio_devices("speaker")
