"""Opening the camera, microphone and speakers the person chose, with clear stand-ins."""

from __future__ import annotations

import logging
from typing import Any

from vtconnect_care.client.engine import MediaSet
from vtconnect_care.client.engine.media_set import NO_CAMERA, NO_MICROPHONE, NO_SPEAKERS
from vtconnect_care.client.media import NullSink, SyntheticCamera, SyntheticTone

log = logging.getLogger("vtconnect.care_room")

CAMERA_WAIT = 3.0  # seconds for a real camera's first picture


def _pick(devices: list, chosen: str | None):
    for device in devices:
        if chosen and device.name == chosen:
            return device
    return devices[0] if devices else None


def open_media(
    name: str, provider: Any, settings: Any, *, size=(640, 480), fps=30.0
) -> tuple[MediaSet, set[str]]:
    """The chosen devices (``settings.device(kind)`` names) from ``provider``, and the kinds
    ('camera', 'microphone', 'speaker') for which a synthetic stand-in (with a notice) was
    used because none is there or it failed. Blocks: call it off the loop."""
    notices: list[str] = []
    missing: set[str] = set()

    def chosen(kind: str):
        if provider is None:
            return None
        try:
            devices = provider.list(kind)
        except Exception:  # noqa: BLE001 - listing never stops the call
            log.exception("listing %s devices failed", kind)
            return None
        return _pick(devices, settings.device(kind) if settings is not None else None)

    camera = None
    device = chosen("camera")
    if device is not None:
        try:
            camera = provider.open_camera(device)
            camera.start()
            opened = getattr(camera, "opened", None)
            if opened is not None and not opened.wait(CAMERA_WAIT):
                camera.close()
                camera = None
        except Exception as exc:  # noqa: BLE001
            log.info("camera: %s", exc)
            camera = None
    if camera is None:
        camera = SyntheticCamera(name, *size, fps)
        notices.append(NO_CAMERA)
        missing.add("camera")

    microphone = None
    device = chosen("microphone")
    if device is not None:
        try:
            microphone = provider.open_microphone(device)
            microphone.start()
        except Exception as exc:  # noqa: BLE001
            log.info("microphone: %s", exc)
            microphone = None
    if microphone is None:
        microphone = SyntheticTone()
        notices.append(NO_MICROPHONE)
        missing.add("microphone")

    speaker = None
    device = chosen("speaker")
    if device is not None:
        try:
            speaker = provider.open_speaker(device)
            speaker.start()
        except Exception as exc:  # noqa: BLE001
            log.info("speakers: %s", exc)
            speaker = None
    if speaker is None:
        speaker = NullSink()
        notices.append(NO_SPEAKERS)
        missing.add("speaker")

    return MediaSet(camera, microphone, speaker, notices), missing
