"""Opening the camera, microphone and speakers the person chose in the device panel, with
clearly labelled stand-ins, and a camera that can be switched during the call."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from vtconnect_care.client.engine import MediaSet
from vtconnect_care.client.engine.media_set import NO_CAMERA, NO_MICROPHONE, NO_SPEAKERS
from vtconnect_care.client.media import Device, NullSink, SyntheticCamera, SyntheticTone
from vtconnect_care.client.media.interfaces import VideoSample, VideoSource

from ..devices import choose_device, open_device

log = logging.getLogger("vtconnect.call")

CAMERA_WAIT = 3.0  # seconds for a real camera's first picture
NO_OTHER_CAMERA = "There is no other camera to switch to."
KINDS = ("camera", "microphone", "speaker")
NOTICES = {"camera": NO_CAMERA, "microphone": NO_MICROPHONE, "speaker": NO_SPEAKERS}


class SwitchableCamera:
    """A VideoSource whose camera can be swapped during the call (no renegotiation)."""

    def __init__(self, source: VideoSource, device: Device | None = None) -> None:
        self._source = source
        self.device = device
        self._lock = threading.Lock()

    @property
    def source(self) -> VideoSource:
        return self._source

    @property
    def synthetic(self) -> bool:
        return bool(self._source.synthetic)

    @property
    def width(self) -> int:
        return self._source.width

    @property
    def height(self) -> int:
        return self._source.height

    @property
    def fps(self) -> float:
        return self._source.fps

    def start(self) -> None:
        self._source.start()

    def latest(self) -> VideoSample | None:
        return self._source.latest()

    def close(self) -> None:
        self._source.close()

    def swap(self, source: VideoSource, device: Device | None = None) -> None:
        """Use ``source`` from now on and release the old one (blocks: call off the loop)."""
        with self._lock:
            old, self._source, self.device = self._source, source, device
        source.start()
        old.close()


@dataclass
class OpenedMedia:
    """What a call opened: the media set, the kinds a stand-in replaced, the camera."""

    media: MediaSet
    camera: SwitchableCamera | None  # when asked for (a window that offers Switch camera)
    missing: set[str] = field(default_factory=set)

    def close(self) -> None:
        self.media.close()


def open_media(
    name: str,
    provider: Any,
    settings: Any = None,
    *,
    size: tuple[int, int] = (640, 480),
    fps: float = 30.0,
    camera_wait: float = CAMERA_WAIT,
    switchable: bool = False,
) -> OpenedMedia:
    """The devices the person chose (``settings.device(kind)`` names, else the first of each
    kind) from ``provider``, each started; a synthetic stand-in with a notice for each kind
    that is missing or fails. Blocks (probing, the camera's first picture): call it off the
    loop. ``switchable``: the camera is a ``SwitchableCamera`` (``OpenedMedia.camera``)."""
    notices: list[str] = []
    missing: set[str] = set()
    opened: dict[str, Any] = {}
    chosen: dict[str, Device | None] = {}
    for kind in KINDS:
        preferred = settings.device(kind) if settings is not None else None
        device = choose_device(provider, kind, preferred)
        source = open_device(provider, kind, device, start=True, wait=camera_wait)
        if source is None:
            source, device = _stand_in(kind, name, size, fps), None
            notices.append(
                {"camera": NO_CAMERA, "microphone": NO_MICROPHONE}.get(kind, NO_SPEAKERS)
            )
            missing.add(kind)
        opened[kind], chosen[kind] = source, device
    camera = SwitchableCamera(opened["camera"], chosen["camera"]) if switchable else None
    video = camera if camera is not None else opened["camera"]
    media = MediaSet(video, opened["microphone"], opened["speaker"], notices)
    return OpenedMedia(media, camera, missing)


def _stand_in(kind: str, name: str, size: tuple[int, int], fps: float) -> Any:
    if kind == "camera":
        return SyntheticCamera(name, *size, fps)
    return SyntheticTone() if kind == "microphone" else NullSink()


def switch_camera(provider: Any, camera: SwitchableCamera) -> str | None:
    """R-VISIT-10: the next camera in the list; a sentence when there is none. Blocks."""
    try:
        devices = list(provider.list("camera")) if provider is not None else []
    except Exception:  # noqa: BLE001 - a failing probe is "no other camera"
        log.exception("listing cameras failed")
        devices = []
    current = camera.device.index if camera.device is not None else None
    others = [d for d in devices if d.index != current]
    if not others:
        return NO_OTHER_CAMERA
    after = [d for d in others if current is None or d.index > current] or others
    device = after[0]
    camera.swap(provider.open_camera(device), device)
    return None
