"""Care Room fixtures: small synthetic devices that record what the speakers were given, the
Care Room launcher with them, and CLI call participants in child processes (SYNTHETIC media)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Iterator

import pytest

from tests.e2e.participants import Participant
from vtconnect_care.client.media import Device, NullSink, SyntheticCamera, SyntheticTone

SIZE = (320, 240)
FPS = 15.0


class RecordingDevices:
    """SYNTHETIC devices: one camera, one tone, two silent speakers that count what they get."""

    synthetic = True

    def __init__(self, person: str = "Test Person") -> None:
        self.person = person
        self.speakers: dict[str, NullSink] = {}

    def list(self, kind: str) -> list[Device]:
        if kind == "camera":
            return [Device(0, "Synthetic camera", kind, True)]
        if kind == "microphone":
            return [Device(0, "Synthetic tone", kind, True)]
        return [Device(0, "Test speaker A", kind, True), Device(1, "Test speaker B", kind, True)]

    def open_camera(self, device: Device):
        return SyntheticCamera(self.person, *SIZE, FPS)

    def open_microphone(self, device: Device):
        return SyntheticTone()

    def open_speaker(self, device: Device):
        sink = NullSink()
        self.speakers[device.name] = sink
        return sink


class NoCamera(RecordingDevices):
    def list(self, kind: str) -> list[Device]:
        return [] if kind == "camera" else super().list(kind)


@pytest.fixture
def devices() -> RecordingDevices:
    return RecordingDevices("Priya Patel")


@pytest.fixture
def launcher(qloop, devices):
    from vtconnect_care.app.care_room import CareRoomLauncher

    launch = CareRoomLauncher(devices=devices, video_size=SIZE, fps=FPS)
    yield launch
    for window in launch.windows:  # hang up and release everything while the loop still runs
        window.force_close()
        qloop.run_until_complete(asyncio.wait_for(window.controller.aclose(), 10))


@pytest.fixture
def participants(portal) -> Iterator:
    """participants(username, *cli args) -> a CLI participant (stopped after the test)."""
    started: list[Participant] = []

    def start(username: str, *args: str) -> Participant:
        p = Participant(
            portal.url,
            username,
            "--width",
            str(SIZE[0]),
            "--height",
            str(SIZE[1]),
            "--fps",
            str(FPS),
            "--stats-every",
            "30",
            *args,
        )
        started.append(p)
        return p

    yield start
    for p in started:
        if p.proc.poll() is None:
            with contextlib.suppress(OSError):
                p.send("quit")
                p.proc.stdin.close()  # the CLI's stdin reader ends too
        try:
            p.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.proc.kill()
            p.proc.wait(timeout=5)
