"""The employee's camera, microphone and speakers for a visit call, and switching cameras."""

from __future__ import annotations

import threading
from typing import Any

from vtconnect_care.client.engine import MediaSet
from vtconnect_care.client.engine.media_set import NO_CAMERA, NO_MICROPHONE, NO_SPEAKERS
from vtconnect_care.client.media import NullSink, SyntheticCamera, SyntheticTone
from vtconnect_care.client.media.interfaces import VideoSample, VideoSource

from ..devices import choose_device, open_device

NO_OTHER_CAMERA = "There is no other camera to switch to."


class SwitchableCamera:
    """A VideoSource whose camera can be swapped during the call (no renegotiation)."""

    def __init__(self, source: VideoSource, device: Any = None) -> None:
        self._source = source
        self.device = device
        self._lock = threading.Lock()

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

    def swap(self, source: VideoSource, device: Any = None) -> None:
        """Use ``source`` from now on and release the old one (blocks: call off the loop)."""
        with self._lock:
            old, self._source, self.device = self._source, source, device
        source.start()
        old.close()


def open_media(name: str, provider: Any) -> tuple[MediaSet, SwitchableCamera]:
    """The first device of each kind from ``provider``, or labelled synthetic stand-ins.
    Blocks (device probing): call it off the loop."""
    notices: list[str] = []
    cam_dev = choose_device(provider, "camera")
    camera = open_device(provider, "camera", cam_dev)
    if camera is None:
        camera, cam_dev = SyntheticCamera(name, 640, 480), None
        notices.append(NO_CAMERA)
    mic = open_device(provider, "microphone", choose_device(provider, "microphone"))
    if mic is None:
        mic = SyntheticTone()
        notices.append(NO_MICROPHONE)
    speaker = open_device(provider, "speaker", choose_device(provider, "speaker"))
    if speaker is None:
        speaker = NullSink()
        notices.append(NO_SPEAKERS)
    switchable = SwitchableCamera(camera, cam_dev)
    return MediaSet(switchable, mic, speaker, notices), switchable  # type: ignore[arg-type]


def switch_camera(provider: Any, camera: SwitchableCamera) -> str | None:
    """R-VISIT-10: the next camera in the list; a sentence when there is none. Blocks."""
    try:
        devices = list(provider.list("camera")) if provider is not None else []
    except Exception:  # noqa: BLE001
        devices = []
    current = getattr(camera.device, "index", None)
    others = [d for d in devices if getattr(d, "index", None) != current]
    if not others:
        return NO_OTHER_CAMERA
    after = [d for d in others if current is None or d.index > current] or others
    device = after[0]
    camera.swap(provider.open_camera(device), device)
    return None
