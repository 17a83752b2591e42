"""Which cameras, microphones and speakers the app offers, and how each is opened.

A ``DeviceProvider`` lists devices and opens them; the device-test panel and (later) the Care
Room use it. ``SystemDevices`` uses the machine's own devices (client/media); ``SyntheticDevices``
offers clearly labelled stand-ins (kiosks, test rigs, CI); ``NoDevices`` offers nothing.
Listing and opening may block (OpenCV probes, PortAudio): callers run them on a worker thread.
"""

from __future__ import annotations

from typing import Protocol

from vtconnect_care.client.app_config import DevicesPolicy
from vtconnect_care.client.media import (
    AudioSink,
    AudioSource,
    CameraSource,
    Device,
    MicrophoneSource,
    NullSink,
    SpeakerSink,
    SyntheticCamera,
    SyntheticTone,
    VideoSource,
    list_cameras,
    list_microphones,
    list_speakers,
)

KINDS = ("camera", "microphone", "speaker")


class DeviceProvider(Protocol):
    def list(self, kind: str) -> list[Device]:
        """The devices of one kind ('camera', 'microphone', 'speaker'); never raises."""
        ...

    def open_camera(self, device: Device) -> VideoSource: ...

    def open_microphone(self, device: Device) -> AudioSource: ...

    def open_speaker(self, device: Device) -> AudioSink: ...


class SystemDevices:
    """The machine's real devices."""

    def list(self, kind: str) -> list[Device]:
        return {"camera": list_cameras, "microphone": list_microphones, "speaker": list_speakers}[
            kind
        ]()

    def open_camera(self, device: Device) -> VideoSource:
        return CameraSource(device.index)

    def open_microphone(self, device: Device) -> AudioSource:
        return MicrophoneSource(device.index)

    def open_speaker(self, device: Device) -> AudioSink:
        return SpeakerSink(device.index)


class SyntheticDevices:
    """SYNTHETIC stand-ins, named as such in every drop-down (and the panel says so)."""

    synthetic = True

    def __init__(self, person: str = "Test picture") -> None:
        self.person = person

    def list(self, kind: str) -> list[Device]:
        name = {
            "camera": "Synthetic camera",
            "microphone": "Synthetic tone",
            "speaker": "Synthetic silent output",
        }[kind]
        return [Device(0, name, kind, True)]

    def open_camera(self, device: Device) -> VideoSource:
        return SyntheticCamera(self.person, width=640, height=480)

    def open_microphone(self, device: Device) -> AudioSource:
        return SyntheticTone()

    def open_speaker(self, device: Device) -> AudioSink:
        return NullSink()


class NoDevices:
    """A machine with no camera, microphone or speakers."""

    def list(self, kind: str) -> list[Device]:
        return []

    def open_camera(self, device: Device) -> VideoSource:
        raise RuntimeError("No camera is available.")

    def open_microphone(self, device: Device) -> AudioSource:
        raise RuntimeError("No microphone is available.")

    def open_speaker(self, device: Device) -> AudioSink:
        raise RuntimeError("No speakers are available.")


def provider_for(policy: DevicesPolicy) -> DeviceProvider:
    if policy is DevicesPolicy.SYNTHETIC:
        return SyntheticDevices()
    if policy is DevicesPolicy.NONE:
        return NoDevices()
    return SystemDevices()
