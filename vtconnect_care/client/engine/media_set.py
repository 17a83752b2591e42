"""The camera, microphone and speaker a call uses, with synthetic stand-ins when there is none."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..media import (
    CameraSource,
    MicrophoneSource,
    NullSink,
    SpeakerSink,
    SyntheticCamera,
    SyntheticTone,
)
from ..media.interfaces import AudioSink, AudioSource, VideoSource

log = logging.getLogger("vtconnect.media")

NO_CAMERA = "No camera is available: a synthetic picture stands in for yours."
NO_MICROPHONE = "No microphone is available: a soft tone stands in for your voice."
NO_SPEAKERS = "No speakers are available: the call's sound is not played."


@dataclass
class MediaSet:
    camera: VideoSource
    microphone: AudioSource
    speaker: AudioSink
    notices: list[str] = field(default_factory=list)  # what stands in for a missing device

    @classmethod
    def synthetic(
        cls, name: str, *, width: int = 640, height: int = 480, fps: float = 30.0
    ) -> MediaSet:
        """SYNTHETIC media only: a moving pattern with the name, a tone, a silent sink."""
        return cls(
            SyntheticCamera(name, width, height, fps),
            SyntheticTone(),
            NullSink(),
            [NO_CAMERA, NO_MICROPHONE, NO_SPEAKERS],
        )

    @classmethod
    def devices(
        cls,
        name: str,
        *,
        camera: int | None = 0,
        microphone: int | None = None,
        speaker: int | None = None,
        width: int = 640,
        height: int = 480,
        fps: float = 30.0,
        camera_wait: float = 3.0,
    ) -> MediaSet:
        """Real devices where they open; a synthetic stand-in (and a notice) where not.

        Blocks up to ``camera_wait`` seconds for the camera: call it off the event loop."""
        notices: list[str] = []
        video: VideoSource
        cam = CameraSource(camera or 0, width, height, fps) if camera is not None else None
        if cam is not None:
            cam.start()
            if not cam.opened.wait(camera_wait):
                cam.close()
                cam = None
        if cam is None:
            video = SyntheticCamera(name, width, height, fps)
            notices.append(NO_CAMERA)
        else:
            video = cam
        audio_in: AudioSource = MicrophoneSource(microphone)
        try:
            audio_in.start()
        except RuntimeError as exc:
            log.info("%s", exc)
            audio_in = SyntheticTone()
            notices.append(NO_MICROPHONE)
        audio_out: AudioSink = SpeakerSink(speaker)
        try:
            audio_out.start()
        except RuntimeError as exc:
            log.info("%s", exc)
            audio_out = NullSink()
            notices.append(NO_SPEAKERS)
        return cls(video, audio_in, audio_out, notices)

    def start(self) -> None:
        for device in (self.camera, self.microphone, self.speaker):
            try:
                device.start()
            except RuntimeError as exc:
                log.warning("%s", exc)

    def close(self) -> None:
        for device in (self.camera, self.microphone, self.speaker):
            try:
                device.close()
            except Exception:  # noqa: BLE001 - closing goes on for the others
                log.exception("closing a media device failed")
