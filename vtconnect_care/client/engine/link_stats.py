"""LinkMonitor: one ``LinkSample`` a second per peer connection, from aiortc's statistics.

Every second the monitor reads each connected peer's ``getStats()`` (aiortc 1.16) and turns two
readings into one sample of the second between them:

- received: per media stream (audio, video) packets received and lost and the interarrival
  jitter, which aiortc keeps in RTP clock units (90 kHz video, 48 kHz Opus): converted to ms
  with the stream's own clock rate;
- sent: the remote's receiver reports, as aiortc's ``remote-inbound-rtp`` entries: round trip
  (seconds, smoothed) and the fraction of our packets they lost (0..255 of 256), the recent
  ones only;
- bytes both ways from the transport entry (aiortc's inbound entries carry no byte count);
- pictures decoded from ``Peer.video_frames`` (the mesh counts them);
- the remote's REMB estimate for our video, read by ``RembTap``.

Loss and jitter are the worse of audio's and video's: video repairs loss by retransmission
(its residual loss is what shows), speech cannot, so audio's loss is the path's.

It keeps the last ``WINDOW_S`` seconds per person, judges them (``domain.call_quality.judge``)
and emits ``quality`` through the engine's emit callable when the level changes and at least
every ``WINDOW_S`` seconds while a call runs. ``latest``, ``window`` and ``verdict`` are the
API that adaptation reads.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vtconnect_care.domain.call_quality import (
    SETTLE_SAMPLES,
    WINDOW_S,
    LinkSample,
    QualityLevel,
    Verdict,
    judge,
)

log = logging.getLogger("vtconnect.call")

Emit = Callable[..., None]
CLOCK_RATE = {"audio": 48000, "video": 90000}  # when a stream's own rate cannot be read
STATS_TIMEOUT = 2.0  # seconds to wait for one getStats()
FRESH = datetime.timedelta(seconds=4)  # a receiver report older than this is stale (sent 1/s)


@dataclass(frozen=True)
class Inbound:
    """One received media stream's cumulative counters (``jitter`` in RTP clock units)."""

    kind: str
    packets_received: int
    packets_lost: int
    jitter: int
    clock_rate: int


@dataclass(frozen=True)
class Counters:
    """One reading of one peer connection: cumulative counts at ``at`` (monotonic s);
    ``by_kind``: (packets received, packets lost, jitter in ms) of audio and of video."""

    at: float
    by_kind: Mapping[str, tuple[int, int, float]]
    bytes_received: int
    bytes_sent: int
    video_frames: int
    rtt_ms: float | None
    loss_out: float | None
    estimate_kbps: float | None


def read_counters(
    report: Mapping[str, Any],
    *,
    at: float,
    video_frames: int,
    inbound: Sequence[Inbound] | None = None,
    estimate_kbps: float | None = None,
) -> Counters:
    """A reading from a ``getStats()`` report (id -> aiortc stats objects); ``inbound`` replaces
    the report's inbound entries where aiortc's own per-stream counters could be read."""
    entries = list(report.values())
    if inbound is None:
        inbound = [
            Inbound(s.kind, s.packetsReceived, s.packetsLost, s.jitter, CLOCK_RATE[s.kind])
            for s in entries
            if s.type == "inbound-rtp"
        ]
    transports = [s for s in entries if s.type == "transport"]
    # their receiver reports, if recent: aiortc keeps the last one of a sender that stopped
    # (video paused), which must not speak for the path any longer
    newest = max((s.timestamp for s in entries), default=None)
    remote = [
        s
        for s in entries
        if s.type == "remote-inbound-rtp" and newest is not None and newest - s.timestamp < FRESH
    ]
    rtts = [s.roundTripTime for s in remote if s.roundTripTime is not None]
    # the worst kind's: video hides loss behind retransmissions, speech cannot
    loss_out = max((s.fractionLost / 256 for s in remote), default=None)
    by_kind: dict[str, tuple[int, int, float]] = {}
    for s in inbound:
        received, lost, jitter = by_kind.get(s.kind, (0, 0, 0.0))
        by_kind[s.kind] = (
            received + s.packets_received,
            lost + max(s.packets_lost, 0),
            max(jitter, 1000.0 * s.jitter / s.clock_rate),
        )
    return Counters(
        at=at,
        by_kind=by_kind,
        bytes_received=sum(t.bytesReceived for t in transports),
        bytes_sent=sum(t.bytesSent for t in transports),
        video_frames=video_frames,
        rtt_ms=1000.0 * max(rtts) if rtts else None,
        loss_out=loss_out,
        estimate_kbps=estimate_kbps,
    )


def sample_between(before: Counters, after: Counters, *, video_expected: bool) -> LinkSample:
    """The second (or so) between two readings of the same connection."""
    span = after.at - before.at
    if span <= 0:
        raise ValueError("readings out of order")
    received = 0
    loss_in = jitter_ms = 0.0  # the worst kind's: speech has no retransmissions to hide loss
    for kind, (got, lost, jitter) in after.by_kind.items():
        got_before, lost_before, _ = before.by_kind.get(kind, (0, 0, 0.0))
        got, lost = max(got - got_before, 0), max(lost - lost_before, 0)
        received += got
        if got + lost:  # a paused stream's figures are its last ones: not now's
            loss_in = max(loss_in, lost / (got + lost))
            jitter_ms = max(jitter_ms, jitter)
    return LinkSample(
        at=after.at,
        rtt_ms=after.rtt_ms,
        loss_in=loss_in,
        loss_out=after.loss_out,
        jitter_ms=jitter_ms,
        kbps_in=max(after.bytes_received - before.bytes_received, 0) * 8 / 1000 / span,
        kbps_out=max(after.bytes_sent - before.bytes_sent, 0) * 8 / 1000 / span,
        fps_in=max(after.video_frames - before.video_frames, 0) / span,
        packets_in_per_s=received / span,
        estimate_kbps=after.estimate_kbps,
        video_expected=video_expected,
    )


# --- aiortc's private parts, each read in one place ---------------------------------------------


def inbound_streams(receiver: Any) -> list[Inbound] | None:
    """Each received stream's counters, read from aiortc's receiver itself.

    aiortc 1.16's ``RTCRtpReceiver.getStats()`` reports one ``inbound-rtp`` entry per receiver
    under one id, so once a retransmission arrives the RTX stream's counters overwrite the
    video's. Its private per-SSRC ``StreamStatistics`` (and the RTX SSRC map) give the media
    streams alone. None if aiortc changed its insides: the report's entries are used then."""
    try:
        streams = receiver._RTCRtpReceiver__remote_streams
        rtx = receiver._RTCRtpReceiver__rtx_ssrc
        kind = receiver.track.kind
        return [
            Inbound(
                kind,
                stream.packets_received,
                stream.packets_lost,
                stream.jitter,  # a plain read; ``fraction_lost`` would reset aiortc's interval
                int(getattr(stream, "_clockrate", CLOCK_RATE.get(kind, 90000))),
            )
            for ssrc, stream in list(streams.items())
            if ssrc not in rtx and stream.max_seq is not None
        ]
    except (AttributeError, TypeError):
        return None


class RembTap:
    """The remote's latest REMB (receiver estimated maximum bitrate) for our video, in kbps.

    aiortc 1.16 hands a REMB only to its encoder's ``target_bitrate``, which clamps it to
    250..1500 kbps and reads 500 before any REMB came, so it cannot tell a 150 kbps path. The
    tap wraps the video sender's ``_handle_rtcp_packet`` (which aiortc's transport calls for
    every RTCP packet meant for that sender) to note the estimate, then hands the packet on
    unchanged. If aiortc changed, nothing is installed and ``kbps`` stays None."""

    def __init__(self, sender: Any) -> None:
        self.kbps: float | None = None
        try:
            from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, unpack_remb_fci

            original = sender._handle_rtcp_packet
            ssrc = sender._ssrc
        except (ImportError, AttributeError):
            log.info("REMB not readable from this aiortc: no estimate")
            return

        async def tapped(packet: Any) -> None:
            if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
                with contextlib.suppress(ValueError):
                    bitrate, ssrcs = unpack_remb_fci(packet.fci)
                    if ssrc in ssrcs:
                        self.kbps = bitrate / 1000
            await original(packet)

        sender._handle_rtcp_packet = tapped


@dataclass
class _Link:
    """What the monitor keeps for one person's current peer connection."""

    pc_id: str
    remb: RembTap | None
    last: Counters | None = None
    samples: collections.deque[LinkSample] = field(default_factory=collections.deque)
    verdict: Verdict | None = None
    emitted_at: float | None = None


class LinkMonitor:
    """Samples every peer connection each ``interval`` seconds and judges the last 5 s.

    ``peers()`` returns the mesh's ``{account_id: Peer}``; ``video_expected(account_id)`` says
    whether that person is meant to be sending video (False for audio only); ``expect_video``
    adds what the app sees (a camera turned off)."""

    def __init__(
        self,
        peers: Callable[[], Mapping[int, Any]],
        emit: Emit,
        *,
        video_expected: Callable[[int], bool] | None = None,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._peers = peers
        self._emit = emit
        self._video_expected = video_expected or (lambda _account_id: True)
        self.interval = interval
        self._clock = clock
        self._links: dict[int, _Link] = {}
        self._no_video: set[int] = set()

    # --- what adaptation and the UI read --------------------------------------------------------

    def latest(self, account_id: int) -> LinkSample | None:
        link = self._links.get(account_id)
        return link.samples[-1] if link is not None and link.samples else None

    def window(self, account_id: int) -> tuple[LinkSample, ...]:
        """The last ``WINDOW_S`` seconds of samples, oldest first."""
        link = self._links.get(account_id)
        return tuple(link.samples) if link is not None else ()

    def verdict(self, account_id: int) -> Verdict | None:
        link = self._links.get(account_id)
        return link.verdict if link is not None else None

    def expect_video(self, account_id: int, expected: bool) -> None:
        """The other side's camera is off (False) or on again: little video is then no fault."""
        (self._no_video.discard if expected else self._no_video.add)(account_id)

    # --- sampling -------------------------------------------------------------------------------

    async def run(self) -> None:
        """Sample every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.sample_all()
            except Exception:  # noqa: BLE001 - statistics never stop the call
                log.exception("reading call statistics failed")

    async def sample_all(self) -> None:
        peers = dict(self._peers())
        for gone in set(self._links) - set(peers):
            del self._links[gone]
        live = [(aid, p) for aid, p in peers.items() if p.pc.connectionState == "connected"]
        await asyncio.gather(*(self._sample(aid, peer) for aid, peer in live))

    async def _sample(self, account_id: int, peer: Any) -> None:
        link = self._links.get(account_id)
        if link is None or link.pc_id != peer.pc_id:  # a new connection starts afresh
            video = [s for s in peer.pc.getSenders() if s.kind == "video"]
            link = _Link(peer.pc_id, RembTap(video[0]) if video else None)
            self._links[account_id] = link
        try:
            report = await asyncio.wait_for(peer.pc.getStats(), STATS_TIMEOUT)
        except (TimeoutError, ConnectionError, AttributeError) as exc:
            log.debug("no statistics from %s: %s", account_id, exc)
            return
        per_receiver = [inbound_streams(r) for r in peer.pc.getReceivers()]
        streams = None  # None: the report's own entries
        if per_receiver and all(got is not None for got in per_receiver):
            streams = [s for got in per_receiver for s in got or ()]
        now = self._clock()
        reading = read_counters(
            report,
            at=now,
            video_frames=peer.video_frames,
            inbound=streams,
            estimate_kbps=link.remb.kbps if link.remb is not None else None,
        )
        before, link.last = link.last, reading
        if before is None or reading.at <= before.at:
            return
        expected = self._expects_video(account_id, peer)
        link.samples.append(sample_between(before, reading, video_expected=expected))
        while link.samples and link.samples[0].at <= now - WINDOW_S:
            link.samples.popleft()
        self._judge(account_id, link, now)

    def _expects_video(self, account_id: int, peer: Any) -> bool:
        """False while that person deliberately sends no video: their camera is off (the app
        says so), or "Audio only" was chosen on either side (the peer's adapter knows)."""
        adapter = getattr(peer, "adapter", None)
        chosen = adapter is not None and (
            getattr(adapter, "i_chose", False) or getattr(adapter, "they_chose", False)
        )
        return not chosen and account_id not in self._no_video and self._video_expected(account_id)

    def _judge(self, account_id: int, link: _Link, now: float) -> None:
        if len(link.samples) < SETTLE_SAMPLES:
            return
        previous: QualityLevel | None = link.verdict.level if link.verdict else None
        link.verdict = verdict = judge(link.samples, previous)
        due = link.emitted_at is None or now - link.emitted_at >= WINDOW_S
        if verdict.level is previous and not due:
            return
        if verdict.level is not previous:
            log.info(
                "quality %s: %s -> %s %s",
                account_id,
                previous,
                verdict.level,
                [r.value for r in verdict.reasons],
            )
        link.emitted_at = now
        self._emit("quality", **quality_event(account_id, verdict), **link.samples[-1].as_dict())

    def close(self) -> None:
        """Forget every connection (the engine cancels the loop); safe to call twice."""
        self._links.clear()


def quality_event(account_id: int, verdict: Verdict) -> dict[str, Any]:
    """The ``quality`` event's data for one person's verdict (the sample's figures aside)."""
    return {
        "account_id": account_id,
        "level": verdict.level.value,
        "reasons": [r.value for r in verdict.reasons],
        "problems": list(verdict.problems),
        "advice": list(verdict.advice),
        "figures": dict(verdict.figures or {}),
    }
