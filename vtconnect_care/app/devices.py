"""Which cameras, microphones and speakers the app offers, and how each is opened.

A ``DeviceProvider`` lists devices and opens them; the device-test panel and (later) the Care
Room use it. ``SystemDevices`` uses the machine's own devices (client/media); ``SyntheticDevices``
offers clearly labelled stand-ins (kiosks, test rigs, CI); ``NoDevices`` offers nothing.
Listing and opening may block (OpenCV probes, PortAudio): callers run them on a worker thread.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

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

log = logging.getLogger("vtconnect.app.devices")

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
    """A machine with no camera, microphone or speakers (IT's ``devices = none``): no stand-ins."""

    offers_stand_ins = False

    def list(self, kind: str) -> list[Device]:
        return []

    def open_camera(self, device: Device) -> VideoSource:
        raise RuntimeError("No camera is available.")

    def open_microphone(self, device: Device) -> AudioSource:
        raise RuntimeError("No microphone is available.")

    def open_speaker(self, device: Device) -> AudioSink:
        raise RuntimeError("No speakers are available.")


STAND_INS = {  # what the device panel offers for a kind the computer does not have
    "camera": "Stand-in camera (synthetic)",
    "microphone": "Stand-in tone (synthetic)",
    "speaker": "Stand-in output (silent)",
}
STAND_IN_INDEX = -1


def is_stand_in(device: Device | None) -> bool:
    return device is not None and device.index == STAND_IN_INDEX


class WithStandIns:
    """The device panel's view of a provider: its devices, and for each kind it has none of,
    one labelled synthetic stand-in, so a person trying the product can still test (issue 15
    defect 6). Calls keep the plain provider: they put in their own stand-in and say so."""

    def __init__(self, provider: DeviceProvider, person: str = "Test picture") -> None:
        self.provider = provider
        self.person = person
        self.standing_in: set[str] = set()  # the kinds offered as stand-ins at the last listing

    def list(self, kind: str) -> list[Device]:
        try:
            devices = self.provider.list(kind)
        except Exception:  # noqa: BLE001 - a failing probe is "none found"
            log.exception("listing %s devices failed", kind)
            devices = []
        if devices:
            self.standing_in.discard(kind)
            return devices
        self.standing_in.add(kind)
        return [Device(STAND_IN_INDEX, STAND_INS[kind], kind, True)]

    def open_camera(self, device: Device) -> VideoSource:
        if is_stand_in(device):
            return SyntheticCamera(self.person, width=640, height=480)
        return self.provider.open_camera(device)

    def open_microphone(self, device: Device) -> AudioSource:
        return SyntheticTone() if is_stand_in(device) else self.provider.open_microphone(device)

    def open_speaker(self, device: Device) -> AudioSink:
        return NullSink() if is_stand_in(device) else self.provider.open_speaker(device)


def for_device_tests(provider: DeviceProvider) -> DeviceProvider:
    """What the device panel lists and tests: stand-ins too, unless IT said no devices."""
    if getattr(provider, "offers_stand_ins", True) and not getattr(provider, "synthetic", False):
        return WithStandIns(provider)
    return provider


def provider_for(policy: DevicesPolicy) -> DeviceProvider:
    if policy is DevicesPolicy.SYNTHETIC:
        return SyntheticDevices()
    if policy is DevicesPolicy.NONE:
        return NoDevices()
    return SystemDevices()


def choose_device(provider: Any, kind: str, preferred: str | None = None) -> Device | None:
    """The device named ``preferred``, else the first of its kind, else None (also when the
    listing fails: a failing probe never stops a call). Blocks: call it off the loop."""
    if provider is None:
        return None
    try:
        devices = provider.list(kind)
    except Exception:  # noqa: BLE001
        log.exception("listing %s devices failed", kind)
        return None
    for device in devices:
        if preferred and device.name == preferred:
            return device
    return devices[0] if devices else None


def open_device(
    provider: Any, kind: str, device: Device | None, *, start: bool = False, wait: float = 0.0
) -> Any:
    """``device`` opened through ``provider`` (and started, if asked; a camera then has ``wait``
    seconds for its first picture), or None when there is none or it fails. Blocks."""
    if device is None:
        return None
    try:
        source = getattr(provider, f"open_{kind}")(device)
        if start:
            source.start()
            opened = getattr(source, "opened", None)
            if wait and opened is not None and not opened.wait(wait):
                source.close()
                return None
        return source
    except Exception as exc:  # noqa: BLE001 - PortAudioError, OpenCV: a stand-in takes over
        log.info("opening the %s failed: %s", kind, exc)
        return None
