"""LinkMonitor: samples from two real aiortc peer connections, and the window/verdict logic.

The first test connects two RTCPeerConnections in this process (synthetic camera and tone, as
aiortc's own tests do) and reads what the monitor makes of them; the others feed hand-made
aiortc stats objects through ``read_counters`` and ``sample_between``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import random
import time
from collections.abc import Callable

import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import is_rtcp
from aiortc.stats import (
    RTCInboundRtpStreamStats,
    RTCOutboundRtpStreamStats,
    RTCRemoteInboundRtpStreamStats,
    RTCTransportStats,
)

from vtconnect_care.client.engine.link_stats import (
    Counters,
    LinkMonitor,
    read_counters,
    sample_between,
)
from vtconnect_care.client.engine.peer import Peer, prefer_codecs
from vtconnect_care.client.engine.tracks import LocalAudioTrack, LocalVideoTrack
from vtconnect_care.client.ice import rtc_configuration
from vtconnect_care.client.media.synthetic import SyntheticCamera, SyntheticTone
from vtconnect_care.domain.call_quality import QualityLevel, Reason

pytestmark = pytest.mark.timeout(60)
NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


async def read(peer: Peer, track: MediaStreamTrack) -> None:
    """Read a remote track to its end, counting pictures as the mesh does."""
    with contextlib.suppress(MediaStreamError):
        while True:
            await track.recv()
            if track.kind == "video":
                peer.video_frames += 1


@contextlib.asynccontextmanager
async def real_call(*, drop_from_b: float = 0.0):
    """Two real peer connections in this process, a monitor on A's view of B (account 2).
    ``drop_from_b``: the share of B's RTP packets lost on the way (RTCP always arrives)."""
    a = Peer(2, "pc-a", RTCPeerConnection(rtc_configuration([])), offerer=True)
    b = Peer(1, "pc-b", RTCPeerConnection(rtc_configuration([])), offerer=False)
    tracks = []
    for peer, name in ((a, "Priya"), (b, "Alex")):
        camera = SyntheticCamera(name, 640, 480)
        video = LocalVideoTrack(camera, lambda: True)
        audio = LocalAudioTrack(SyntheticTone(), lambda: True)
        tracks += [video, audio]
        peer.pc.addTrack(audio)
        peer.pc.addTrack(video)
        peer.pc.on(
            "track",
            lambda track, peer=peer: peer.tasks.add(asyncio.ensure_future(read(peer, track))),
        )
    events: list = []
    monitor = LinkMonitor(
        lambda: {2: a}, lambda kind, **data: events.append((kind, data)), interval=0.5
    )
    monitor.events = events  # type: ignore[attr-defined]
    looping = asyncio.ensure_future(monitor.run())
    try:
        prefer_codecs(a.pc)
        await a.pc.setLocalDescription(await a.pc.createOffer())
        await b.pc.setRemoteDescription(a.pc.localDescription)
        prefer_codecs(b.pc)
        await b.pc.setLocalDescription(await b.pc.createAnswer())
        await a.pc.setRemoteDescription(b.pc.localDescription)
        if drop_from_b:
            transport = b.pc.getSenders()[0].transport
            send, chance = transport._send_rtp, random.Random(18)

            async def lossy(data: bytes) -> None:
                if is_rtcp(data) or chance.random() >= drop_from_b:
                    await send(data)

            transport._send_rtp = lossy
        yield monitor
    finally:
        looping.cancel()
        monitor.close()
        for track in tracks:
            track.stop()
        await a.close()
        await b.close()


def test_a_real_call_gives_sane_samples_and_a_good_verdict():
    async def scenario() -> dict:
        async with real_call() as monitor:
            await until(lambda: bool(monitor.events))
            await until(
                lambda: (
                    (s := monitor.latest(2)) is not None
                    and s.rtt_ms is not None
                    and s.estimate_kbps is not None
                )  # the REMB tap works on this aiortc
            )
            return {
                "events": monitor.events,
                "latest": monitor.latest(2),
                "window": monitor.window(2),
                "verdict": monitor.verdict(2),
                "none": (monitor.latest(99), monitor.window(99), monitor.verdict(99)),
            }

    got = asyncio.run(scenario())
    sample = got["latest"]
    assert got["none"] == (None, (), None)
    assert 2 <= len(got["window"]) <= 11
    assert 15 <= sample.fps_in <= 40
    assert 45 <= sample.packets_in_per_s <= 1000  # 50 audio packets a second and the video's
    assert sample.loss_in == 0.0 and sample.loss_out is not None and sample.loss_out < 0.03
    assert 0 <= sample.rtt_ms < 200 and 0 <= sample.jitter_ms < 50
    assert 100 < sample.kbps_in < 3000 and 100 < sample.kbps_out < 3000
    assert 50 < sample.estimate_kbps < 3000 and sample.video_expected
    assert got["verdict"].level is QualityLevel.GOOD
    kind, data = got["events"][0]
    assert kind == "quality" and data["account_id"] == 2
    assert data["level"] == "good" and "kbps_in" in data
    assert set(data) >= {"reasons", "problems", "advice", "figures", "rtt_ms", "fps_in"}


def test_r_quality_1_a_real_lossy_path_reads_as_poor_with_loss_as_the_reason():
    """A quarter of B's packets never arrive: A's monitor measures about that (retransmissions
    arrive on their own stream and do not hide it) and says poor, lost on the way."""

    async def scenario():
        async with real_call(drop_from_b=0.25) as monitor:
            await until(lambda: (v := monitor.verdict(2)) is not None and v.level == "poor")
            return monitor.verdict(2), monitor.window(2)

    verdict, window = asyncio.run(scenario())
    assert verdict.reasons[0] is Reason.LOSS_IN
    assert 0.15 < verdict.figures["loss_in"] < 0.35
    assert all(s.packets_in_per_s > 10 for s in window)


# --- hand-made statistics -------------------------------------------------------------------


def report(
    *,
    at_packets: tuple[int, int],
    video: tuple[int, int],
    jitter: int,
    rx: int,
    tx: int,
    rtt: float | None = 0.05,
    fraction_lost: tuple[int, int] = (0, 0),
    reported: datetime.datetime = NOW,
) -> dict:
    """A getStats() report: (received, lost) for audio and video, transport bytes; their
    receiver reports (audio's and video's fraction lost) arrived at ``reported``."""
    entries = [
        RTCInboundRtpStreamStats(NOW, "inbound-rtp", "in-a", 1, "audio", "t", *at_packets, jitter),
        RTCInboundRtpStreamStats(NOW, "inbound-rtp", "in-v", 2, "video", "t", *video, 900),
        RTCOutboundRtpStreamStats(NOW, "outbound-rtp", "out-a", 3, "audio", "t", 500, 0, "x"),
        RTCOutboundRtpStreamStats(NOW, "outbound-rtp", "out-v", 4, "video", "t", 1500, 0, "y"),
        RTCTransportStats(NOW, "transport", "t", 0, 0, tx, rx, "controlling", "connected"),
    ]
    if rtt is not None:
        for (kind, ssrc), fraction in zip((("audio", 3), ("video", 4)), fraction_lost, strict=True):
            entries.append(
                RTCRemoteInboundRtpStreamStats(
                    reported,
                    "remote-inbound-rtp",
                    f"ri-{kind}",
                    ssrc,
                    kind,
                    "t",
                    0,
                    0,
                    0,
                    rtt,
                    fraction,
                )
            )
    return {e.id: e for e in entries}


def test_read_counters_converts_jitter_by_clock_rate_and_takes_the_worse_loss_out():
    one = read_counters(
        report(at_packets=(100, 0), video=(200, 0), jitter=480, rx=0, tx=0, fraction_lost=(64, 13)),
        at=1.0,
        video_frames=30,
    )
    # 480 at 48 kHz is 10 ms; the video's 900 at 90 kHz too
    assert one.by_kind == {"audio": (100, 0, 10.0), "video": (200, 0, 10.0)}
    assert one.rtt_ms == pytest.approx(50.0)
    assert one.loss_out == pytest.approx(0.25)  # audio's 64/256: speech has no retransmission
    stale = read_counters(
        report(
            at_packets=(1, 0),
            video=(1, 0),
            jitter=0,
            rx=0,
            tx=0,
            fraction_lost=(64, 64),
            reported=NOW - datetime.timedelta(seconds=10),  # a sender that stopped long ago
        ),
        at=1.0,
        video_frames=0,
    )
    assert stale.rtt_ms is None and stale.loss_out is None
    none_yet = read_counters(
        report(at_packets=(1, 0), video=(1, 0), jitter=0, rx=0, tx=0, rtt=None),
        at=1.0,
        video_frames=0,
    )
    assert none_yet.rtt_ms is None and none_yet.loss_out is None


def test_sample_between_two_readings():
    before = read_counters(
        report(at_packets=(100, 0), video=(200, 0), jitter=0, rx=10_000, tx=20_000),
        at=10.0,
        video_frames=30,
    )
    after = read_counters(
        report(at_packets=(140, 10), video=(280, 10), jitter=0, rx=110_000, tx=70_000),
        at=12.0,
        video_frames=70,
    )
    sample = sample_between(before, after, video_expected=True)
    assert sample.at == 12.0
    assert sample.loss_in == pytest.approx(10 / 50)  # audio's; video lost 10 of 90
    assert sample.packets_in_per_s == pytest.approx(60.0)
    assert sample.kbps_in == pytest.approx(400.0) and sample.kbps_out == pytest.approx(200.0)
    assert sample.fps_in == pytest.approx(20.0)
    with pytest.raises(ValueError):
        sample_between(after, before, video_expected=True)


class FakeTransport:
    def __init__(self) -> None:
        self.connectionState = "connected"
        self.reports: list[dict] = []

    async def getStats(self) -> dict:  # noqa: N802 - aiortc's (the W3C's) name
        return self.reports.pop(0)

    def getSenders(self) -> list:  # noqa: N802
        return []

    def getReceivers(self) -> list:  # noqa: N802
        return []


class FakeAdapter:
    def __init__(self, *, i_chose: bool = False, they_chose: bool = False) -> None:
        self.i_chose, self.they_chose = i_chose, they_chose


class FakePeer:
    def __init__(self, pc_id: str = "pc-1") -> None:
        self.pc_id = pc_id
        self.pc = FakeTransport()
        self.video_frames = 0
        self.adapter: FakeAdapter | None = None


def feed(peer: FakePeer, seconds: int, *, lost_per_s: int = 0, start: int = 0) -> None:
    for i in range(start, start + seconds):
        received = 150 * i - lost_per_s * i
        peer.pc.reports.append(
            report(
                at_packets=(received // 3, lost_per_s * i // 3),
                video=(received - received // 3, lost_per_s * i - lost_per_s * i // 3),
                jitter=0,
                rx=75_000 * i,
                tx=75_000 * i,
            )
        )


def test_the_monitor_settles_emits_on_change_and_every_five_seconds():
    """R-QUALITY-1, R-QUALITY-3: verdicts from hand-made stats, emitted on a change."""
    clock = [0.0]
    events: list[dict] = []
    peer = FakePeer()
    expected = {7: True}
    monitor = LinkMonitor(
        lambda: {7: peer},
        lambda kind, **data: events.append({"kind": kind, **data}),
        video_expected=lambda aid: expected[aid],
        clock=lambda: clock[0],
    )

    async def tick(n: int) -> None:
        for _ in range(n):
            clock[0] += 1.0
            peer.video_frames += 30
            await monitor.sample_all()

    async def scenario() -> None:
        feed(peer, 30)
        await tick(3)  # a baseline and two samples: not settled yet
        assert events == [] and monitor.verdict(7) is None and len(monitor.window(7)) == 2
        await tick(1)
        assert [e["level"] for e in events] == ["good"]
        assert events[0]["kbps_in"] == pytest.approx(600.0)
        await tick(4)  # unchanged: nothing until five seconds after the last one
        assert len(events) == 1
        await tick(1)
        assert len(events) == 2 and len(monitor.window(7)) == 5  # the window keeps 5 s
        # packets lost from now on: 20% of what is sent
        peer.pc.reports.clear()
        feed(peer, 20, lost_per_s=30, start=10)
        await tick(1)  # the reading after the jump is one bad second
        await tick(3)
        assert events[-1]["level"] == "poor"
        assert events[-1]["reasons"][0] == Reason.LOSS_IN.value
        assert monitor.verdict(7).level is QualityLevel.POOR
        # the other side turns the camera off: video figures stop counting
        monitor.expect_video(7, False)
        await tick(1)
        assert monitor.latest(7).video_expected is False
        monitor.expect_video(7, True)
        await tick(1)
        assert monitor.latest(7).video_expected is True
        # "Audio only" chosen on either side (the peer's adapter knows): no video expected
        peer.adapter = FakeAdapter(they_chose=True)
        await tick(1)
        assert monitor.latest(7).video_expected is False
        peer.adapter = FakeAdapter()
        await tick(1)
        assert monitor.latest(7).video_expected is True
        # a replaced connection starts afresh; a person who left is forgotten
        other = FakePeer("pc-2")
        feed(other, 5)
        peer.pc, peer.pc_id = other.pc, other.pc_id
        await tick(1)
        assert monitor.window(7) == () and monitor.verdict(7) is None
        peer.pc.connectionState = "connecting"
        await tick(1)
        assert monitor.window(7) == ()

    asyncio.run(scenario())
    monitor_gone = LinkMonitor(lambda: {}, lambda *a, **k: None)
    asyncio.run(monitor_gone.sample_all())
    monitor.close()
    monitor.close()
    assert monitor.latest(7) is None


def test_counters_type_is_frozen():
    reading = Counters(0.0, {}, 0, 0, 0, None, None, None)
    with pytest.raises(AttributeError):
        reading.at = 1.0  # type: ignore[misc]
