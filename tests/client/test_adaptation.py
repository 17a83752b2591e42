"""Adaptation on real aiortc peer connections in process (SYNTHETIC camera and tone): what is
sent follows the sender's policy: a smaller picture at a lower rate, nothing while video is
paused, and "Audio only" stops video both ways while the sound goes on."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError

from vtconnect_care.client.engine.adapt import Adapter, stats_of
from vtconnect_care.client.engine.encoders import LadderVp8Encoder, encoder_of
from vtconnect_care.client.engine.peer import prefer_codecs
from vtconnect_care.client.engine.tracks import LocalAudioTrack, LocalVideoTrack
from vtconnect_care.client.ice import rtc_configuration
from vtconnect_care.client.media.synthetic import SyntheticCamera, SyntheticTone
from vtconnect_care.domain import video_ladder as vl

pytestmark = pytest.mark.timeout(60)


class Side:
    def __init__(self, name: str, peer: int) -> None:
        self.pc = RTCPeerConnection(rtc_configuration([]))
        self.camera = SyntheticCamera(name, 640, 480)
        self.tone = SyntheticTone()
        self.events: list[tuple[str, dict]] = []
        self.other: Side | None = None
        self.adapter = Adapter(
            peer, self.pc, signal=self._signal, emit=lambda k, **d: self.events.append((k, d))
        )
        self.sizes: list[tuple[int, int, float]] = []
        self.audio = 0
        self.readers: list[asyncio.Task] = []
        self.pc.on(
            "track", lambda track: self.readers.append(asyncio.ensure_future(self.read(track)))
        )

    async def _signal(self, signal: dict) -> None:
        assert self.other is not None
        await self.other.adapter.on_media_signal(signal)

    async def read(self, track) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if track.kind == "video":
                    self.sizes.append((frame.width, frame.height, time.monotonic()))
                else:
                    self.audio += 1

    def start(self) -> None:
        self.camera.start()
        self.tone.start()
        self.pc.addTrack(LocalAudioTrack(self.tone, lambda: True))
        self.pc.addTrack(LocalVideoTrack(self.camera, lambda: True))
        self.adapter.install()

    def frames_since(self, t: float) -> list[tuple[int, int, float]]:
        return [s for s in self.sizes if s[2] >= t]

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await self.pc.close()
        self.camera.close()
        self.tone.close()


async def until(check: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(what or "condition not met in time")
        await asyncio.sleep(0.05)


async def connected_pair() -> tuple[Side, Side]:
    a, b = Side("Priya", peer=2), Side("Alex", peer=1)  # each adapter names the other
    a.other, b.other = b, a
    a.start()
    prefer_codecs(a.pc)
    await a.pc.setLocalDescription(await a.pc.createOffer())
    await b.pc.setRemoteDescription(a.pc.localDescription)
    b.start()
    prefer_codecs(b.pc)
    await b.pc.setLocalDescription(await b.pc.createAnswer())
    await a.pc.setRemoteDescription(b.pc.localDescription)
    a.adapter.check_codecs()
    b.adapter.check_codecs()
    await until(lambda: a.sizes and b.sizes, 10, "first pictures")
    return a, b


def video_encoder(side: Side) -> LadderVp8Encoder:
    sender = next(t.sender for t in side.pc.getTransceivers() if t.kind == "video")
    encoder = encoder_of(sender)
    assert encoder is not None
    return encoder


def test_the_picture_and_its_rate_follow_the_rung_and_the_encoder_is_rebuilt_only_then():
    async def scenario() -> None:
        a, b = await connected_pair()
        try:
            assert b.sizes[-1][:2] == (640, 480)
            rebuilds = video_encoder(a).rebuilds
            for _ in range(8):  # estimates that wobble within the rung change nothing
                a.adapter.policy.note_estimate(700_000)
                await a.adapter.step()
            assert video_encoder(a).rebuilds == rebuilds
            a.adapter.ladder.rung = a.adapter.policy.rung = vl.LOWEST  # 320x240 at 15 fps
            switched = time.monotonic()
            await until(
                lambda: b.frames_since(switched + 0.5)[-1:] and b.sizes[-1][:2] == (320, 240)
            )
            settled = time.monotonic()
            await asyncio.sleep(2.0)  # a window to count pictures in
            got = [s for s in b.frames_since(settled)]
            fps = len(got) / (time.monotonic() - settled)
            assert all(s[:2] == (320, 240) for s in got)
            assert 10 <= fps <= 18, fps
            assert video_encoder(a).rebuilds == rebuilds + 1
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())


def test_a_machine_that_cannot_keep_up_sends_a_smaller_picture_at_the_same_rate():
    """The machine's limit steps the resolution down before the frame rate (issue 17), the
    encoder is rebuilt once for it, and the statistics say what is sent and why."""

    async def scenario() -> None:
        a, b = await connected_pair()
        try:
            rebuilds = video_encoder(a).rebuilds
            a.adapter.machine.step = 1  # 0.75 of the picture, 30 fps
            a.adapter._apply()
            switched = time.monotonic()
            await until(
                lambda: b.frames_since(switched + 0.5)[-1:] and b.sizes[-1][:2] == (480, 360)
            )
            settled = time.monotonic()
            await asyncio.sleep(2.0)  # a window to count pictures in
            got = b.frames_since(settled)
            fps = len(got) / (time.monotonic() - settled)
            assert all(s[:2] == (480, 360) for s in got)
            assert fps >= 24, fps  # the rung's 600 kbps start rung sends 30 fps
            assert video_encoder(a).rebuilds == rebuilds + 1
            sending = stats_of(a.adapter)
            assert sending["sent_picture"] == "480x360" and sending["held_by"] == ["machine"]
            assert sending["sent_fps"] == 30
            assert sending["encoder_busy"] is None or 0 <= sending["encoder_busy"] < 1
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())


def test_audio_only_stops_video_both_ways_and_the_sound_goes_on():
    async def scenario() -> None:
        a, b = await connected_pair()
        try:
            a.adapter.choose_audio_only(True)
            await a.adapter.tell_choice()
            assert ("remote_video", {"account_id": 1, "on": False, "reason": "chosen"}) in b.events
            stopped = time.monotonic() + 0.5  # what was on its way may still land
            await until(lambda: time.monotonic() > stopped + 1.5)
            audio_before = a.audio, b.audio
            await asyncio.sleep(1.0)
            assert not b.frames_since(stopped) and not a.frames_since(stopped)
            assert a.audio - audio_before[0] >= 40 and b.audio - audio_before[1] >= 40
            a.adapter.choose_audio_only(False)
            await a.adapter.tell_choice()
            back = time.monotonic()
            await until(lambda: b.frames_since(back) and a.frames_since(back), 5, "video back")
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())
