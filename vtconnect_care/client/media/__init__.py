"""Media sources and sinks for the call engine and the app, behind small interfaces.

Everything here is free of Qt and of aiortc: the app's device-test panel and the call engine's
aiortc tracks both use the same objects.

Interfaces (see ``interfaces.py``):

- ``VideoSource``: ``start()``, ``close()`` (idempotent), ``latest() -> VideoSample | None``.
  A ``VideoSample`` holds a BGR ``uint8`` image (H x W x 3), a sequence number and the
  ``time.monotonic()`` at which it was captured. Implementations: ``CameraSource`` (OpenCV on a
  capture thread, 640x480 at 30 fps by default) and ``SyntheticCamera`` (a moving pattern that
  shows the person's name, a colour derived from the name, and a frame counter plus a capture
  time stamp encoded as blocks that ``read_stamp`` reads back after compression).
- ``AudioSource``: ``start()``, ``close()``, ``read(samples) -> np.ndarray`` of mono int16 at
  48 kHz, never blocking (silence when nothing was captured). Implementations:
  ``MicrophoneSource`` (sounddevice input stream) and ``SyntheticTone`` (a soft 440 Hz tone).
- ``AudioSink``: ``start()``, ``close()``, ``write(samples)`` of mono int16 at 48 kHz, never
  blocking (a bounded buffer drops the oldest audio). Implementations: ``SpeakerSink``
  (sounddevice output stream) and ``NullSink`` (counts and meters what it is given).
- Each object has ``synthetic: bool`` so that the app can say when a stand-in is in use.

Devices (``devices.py``): ``list_cameras()``, ``list_microphones()``, ``list_speakers()`` return
``Device`` records and never raise: no camera, no PortAudio library or no sound card just give
empty lists. ``levels.py`` measures audio chunks (RMS and dBFS) for level meters.
"""

from __future__ import annotations

from .audio import MicrophoneSource, NullSink, SpeakerSink
from .camera import CameraSource
from .devices import Device, list_cameras, list_microphones, list_speakers
from .interfaces import (
    AUDIO_CHANNELS,
    AUDIO_SAMPLE_RATE,
    AudioSink,
    AudioSource,
    VideoSample,
    VideoSource,
)
from .levels import dbfs, rms
from .synthetic import SyntheticCamera, SyntheticTone, name_colour, read_stamp

__all__ = [
    "AUDIO_CHANNELS",
    "AUDIO_SAMPLE_RATE",
    "AudioSink",
    "AudioSource",
    "CameraSource",
    "Device",
    "MicrophoneSource",
    "NullSink",
    "SpeakerSink",
    "SyntheticCamera",
    "SyntheticTone",
    "VideoSample",
    "VideoSource",
    "dbfs",
    "list_cameras",
    "list_microphones",
    "list_speakers",
    "name_colour",
    "read_stamp",
    "rms",
]
