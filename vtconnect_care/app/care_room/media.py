"""Opening the camera, microphone and speakers the person chose, with clear stand-ins."""

from __future__ import annotations

from typing import Any

from vtconnect_care.client.engine import MediaSet
from vtconnect_care.client.engine.media_set import NO_CAMERA, NO_MICROPHONE, NO_SPEAKERS
from vtconnect_care.client.media import NullSink, SyntheticCamera, SyntheticTone

from ..devices import choose_device, open_device

CAMERA_WAIT = 3.0  # seconds for a real camera's first picture


def open_media(
    name: str, provider: Any, settings: Any, *, size=(640, 480), fps=30.0
) -> tuple[MediaSet, set[str]]:
    """The chosen devices (``settings.device(kind)`` names) from ``provider``, and the kinds
    ('camera', 'microphone', 'speaker') for which a synthetic stand-in (with a notice) was
    used because none is there or it failed. Blocks: call it off the loop."""
    stand_ins = {
        "camera": (lambda: SyntheticCamera(name, *size, fps), NO_CAMERA),
        "microphone": (SyntheticTone, NO_MICROPHONE),
        "speaker": (NullSink, NO_SPEAKERS),
    }
    notices: list[str] = []
    missing: set[str] = set()
    opened: dict[str, Any] = {}
    for kind, (stand_in, notice) in stand_ins.items():
        preferred = settings.device(kind) if settings is not None else None
        device = choose_device(provider, kind, preferred)
        source = open_device(provider, kind, device, start=True, wait=CAMERA_WAIT)
        if source is None:
            source = stand_in()
            notices.append(notice)
            missing.add(kind)
        opened[kind] = source
    media = MediaSet(opened["camera"], opened["microphone"], opened["speaker"], notices)
    return media, missing
