"""Receive buffers that drop rather than delay (installed on every aiortc receiver).

aiortc's receiver waits for a missing packet until its buffer is full: 512 packets for video
(ten seconds and more on a thin path) and 16 for audio, and then hands out one frame per
arriving packet, so a call that lost packets stays behind (measured in issue 18: 1.8 s behind
at 10% loss, 48 s after a 150 kbit/s cap). Here a missing packet is waited for only as long as
a retransmission takes (``VIDEO_WAIT``); then the buffer gives up on it, skips to the next whole
frame and asks the sender for a key frame. Audio plays at a fixed delay of ``AUDIO_DELAY``
packets: a packet missing when its turn comes is skipped (its 20 ms are lost, nothing else is),
and one that arrives after its turn is dropped, so the sound never falls behind. Audio also
asks for retransmissions (aiortc only does that for video; its senders answer for either), which
arrive within that delay on most paths.

The installation reaches into aiortc's receiver by its private attribute names; ``tune`` checks
them and leaves a receiver alone (logging why) if a future aiortc renames them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rate import RemoteBitrateEstimator
from aiortc.rtcrtpreceiver import NackGenerator, RTCRtpReceiver
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add, uint16_gt

log = logging.getLogger("vtconnect.call")

VIDEO_WAIT = 0.1  # seconds a missing video packet is waited for (two retransmissions here)
VIDEO_CAPACITY = 256
AUDIO_DELAY = 3  # packets (60 ms) between arriving and playing (aiortc keeps 4)
AUDIO_BACKLOG = 3  # packets beyond the delay (a burst after jitter) before the oldest is dropped
RESYNC_AFTER = 1000  # a jump this far is a new stream, not a loss
SILENCE_RESET = 0.5  # seconds without a video packet (paused video) after which what waits is old
KEY_ASK_EVERY = 0.3  # seconds between key-frame requests while pictures are held for one
MAX_VIDEO_SPAN = 27_000  # RTP ticks (0.3 s at 90 kHz): a picture older than the newest by
# more than this is dropped: shown that late it would only hold the call behind

_PRIVATE = "_RTCRtpReceiver__"


class LowDelayJitterBuffer(JitterBuffer):
    """aiortc's video buffer, with a time limit on a gap."""

    def __init__(
        self,
        capacity: int,
        prefetch: int = 0,
        is_video: bool = False,
        *,
        wait: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(capacity, prefetch, is_video)
        self.wait = wait
        self._clock = clock
        self._gap: tuple[int, float] | None = None  # (sequence number missing, since when)
        self._last_add: float | None = None
        self._highest: int | None = None  # the newest sequence number seen
        self._missing_since: dict[int, float] = {}  # missing sequence number -> noticed when
        # after giving up on a packet, pictures that build on it would show damage or stale
        # parts: none is handed on until a key frame comes (VP8 only: see ``vp8``)
        self.vp8 = True
        self._need_key = False
        self._last_pli = -1e9
        self.frames_held_for_key = 0
        self.skipped_packets = 0  # given up on (never arrived in time)
        self.dropped_frames = 0  # complete, but too late to be useful

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli, frame = self._add(packet)
        if pli:
            self._need_key = self.vp8
        if frame is not None and self._need_key:
            if frame.data and not frame.data[0] & 0x01:  # VP8's P bit clear: a key frame
                self._need_key = False
            else:
                self.frames_held_for_key += 1
                frame = None
                now = self._clock()
                if now - self._last_pli >= KEY_ASK_EVERY:  # ask again, now and then
                    pli = True
        if pli:
            self._last_pli = self._clock()
        return pli, frame

    def _add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        now = self._clock()
        stale = self._last_add is not None and now - self._last_add > SILENCE_RESET
        self._last_add = now
        if stale and self._origin is not None:
            # video was paused: what still waits here is from before, seconds old; drop it
            # rather than show it late, and start afresh with a key frame
            self.remove(self._capacity)
            self._origin = None
            self._gap = None
            pli, frame = super().add(packet)
            return True, frame
        self._note_missing(packet.sequence_number, now)
        pli, frame = super().add(packet)
        if self._origin is None:
            return pli, frame
        if self._drop_old(packet.timestamp):
            pli = True
            if frame is None:
                frame = self._remove_frame(packet.sequence_number)
        if frame is None:
            gap = self._first_gap()
            if gap is None:
                self._gap = None
            else:
                missing = (self._origin + gap) % 65536  # the packet itself, wherever origin is
                if self._gap is None or self._gap[0] != missing:
                    # a packet is waited for from when it was missed, not from its turn
                    self._gap = (missing, self._missing_since.get(missing, now))
                elif now - self._gap[1] >= self.wait and self._skip_gap(gap):
                    self._gap = None
                    pli = pli or self._is_video
                    frame = self._remove_frame(packet.sequence_number)
        return pli, frame

    # --- the buffer's slots (aiortc keeps them in a ring indexed by sequence number) -------

    def _slot(self, offset: int) -> RtpPacket | None:
        assert self._origin is not None
        return self._packets[(self._origin + offset) % self._capacity]

    def _note_missing(self, seq: int, now: float) -> None:
        self._missing_since.pop(seq, None)
        if self._highest is None or not 0 < (seq - self._highest) % 65536 < 1 << 15:
            if self._highest is None:
                self._highest = seq
            return  # not newer than the newest: a retransmission or a late one
        step = (seq - self._highest) % 65536
        if step <= self._capacity:
            for i in range(1, step):
                self._missing_since[(self._highest + i) % 65536] = now
        self._highest = seq
        while len(self._missing_since) > self._capacity:
            self._missing_since.pop(next(iter(self._missing_since)))

    def _drop_old(self, newest: int) -> bool:
        """Drop packets whose picture is more than MAX_VIDEO_SPAN older than ``newest``'s (they
        would be shown seconds late); True if any went."""
        dropped = False
        while True:
            offset = next((i for i in range(self._capacity) if self._slot(i) is not None), None)
            if offset is None:
                break
            head = self._slot(offset)
            assert head is not None
            age = (newest - head.timestamp) % (1 << 32)
            if age <= MAX_VIDEO_SPAN or age >= 1 << 31:  # recent, or newer than ``newest``
                break
            self.remove(offset + 1)
            dropped = True
        if dropped:  # what went missing before the next picture belonged to the dropped ones
            offset = next((i for i in range(self._capacity) if self._slot(i) is not None), 0)
            self.remove(offset)
            self.dropped_frames += 1
            self._gap = None
        return dropped

    def _first_gap(self) -> int | None:
        """The offset of the first missing packet that has newer packets behind it."""
        missing = None
        for offset in range(self._capacity):
            if self._slot(offset) is None:
                if missing is None:
                    missing = offset
            elif missing is not None:
                return missing
        return None

    def _skip_gap(self, gap: int) -> bool:
        """Drop everything before the first whole frame after the gap at ``gap``."""
        previous = self._slot(gap - 1) if gap else None
        for offset in range(gap + 1, self._capacity):
            packet = self._slot(offset)
            if packet is None:
                continue
            if self._starts_frame(packet, previous):
                self.skipped_packets += 1
                self.remove(offset)
                return True
            previous = packet
        return False

    def _starts_frame(self, packet: RtpPacket, before: RtpPacket | None) -> bool:
        if not self._is_video:
            return True  # one packet, one frame
        payload = packet.payload
        if payload and payload[0] & 0x10 and not payload[0] & 0x07:
            return True  # VP8: the start of partition 0
        return before is not None and before.timestamp != packet.timestamp


class AudioJitterBuffer:
    """Sound at a fixed delay: one packet is one frame, released ``delay`` packets after it."""

    def __init__(self, delay: int = AUDIO_DELAY, backlog: int = AUDIO_BACKLOG) -> None:
        self.delay = delay
        self.backlog = backlog
        self.capacity = delay + backlog + 1  # as aiortc's buffers say (not used by the receiver)
        self._packets: dict[int, RtpPacket] = {}
        self._next: int | None = None  # the sequence number whose turn is next
        self._latest: int | None = None
        self.skipped_packets = 0  # missing when their turn came
        self.late_packets = 0  # arrived after their turn
        self.dropped_frames = 0  # released early to catch up after a burst

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        seq = packet.sequence_number
        if self._next is None or self._latest is None or self._jump(seq):
            self._packets.clear()
            self._next = self._latest = seq
        if uint16_gt(self._next, seq):
            self.late_packets += 1
            return False, None
        self._packets[seq] = packet
        if uint16_gt(seq, self._latest):
            self._latest = seq
        while self._span() > self.delay + self.backlog:  # a burst: catch up
            if self._packets.pop(self._next, None) is not None:
                self.dropped_frames += 1
            self._next = uint16_add(self._next, 1)
        while self._span() >= self.delay:
            head = self._packets.pop(self._next, None)
            self._next = uint16_add(self._next, 1)
            if head is not None:
                data = head._data  # type: ignore[attr-defined]  # set by the receiver
                return False, JitterFrame(data=data, timestamp=head.timestamp)
            self.skipped_packets += 1
        return False, None

    def _span(self) -> int:
        assert self._next is not None and self._latest is not None
        return uint16_add(self._latest, -self._next)

    def _jump(self, seq: int) -> bool:
        assert self._next is not None
        ahead = uint16_add(seq, -self._next)
        behind = uint16_add(self._next, -seq)
        return min(ahead, behind) >= RESYNC_AFTER


def tune(receiver: RTCRtpReceiver, kind: str) -> bool:
    """Install the low-delay buffer (and, for audio, retransmission requests) on a receiver."""
    names = (f"{_PRIVATE}jitter_buffer", f"{_PRIVATE}nack_generator")
    if not all(hasattr(receiver, n) for n in names):
        log.warning("aiortc's receiver changed: its buffers are left as they are")
        return False
    if kind == "video":
        buffer = LowDelayJitterBuffer(VIDEO_CAPACITY, is_video=True, wait=VIDEO_WAIT)
    else:
        setattr(receiver, names[0], AudioJitterBuffer())
        setattr(receiver, names[1], NackGenerator())
        return True
    setattr(receiver, names[0], buffer)
    return True


def buffer_of(receiver: RTCRtpReceiver) -> JitterBuffer | AudioJitterBuffer | None:
    return getattr(receiver, f"{_PRIVATE}jitter_buffer", None)


def measure_afresh(receiver: RTCRtpReceiver) -> None:
    """Forget the estimate of the path (the sender starts a probe after sending little)."""
    name = f"{_PRIVATE}remote_bitrate_estimator"
    current = getattr(receiver, name, None)
    if current is not None:
        afresh = getattr(current, "afresh", None)  # starvation.SteadyEstimator keeps its kind
        setattr(receiver, name, afresh() if afresh is not None else RemoteBitrateEstimator())
