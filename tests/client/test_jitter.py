"""The low-delay receive buffers: a lost packet costs its own frame, not the call's timing."""

from __future__ import annotations

import random

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from vtconnect_care.client.engine.jitter import (
    AUDIO_DELAY,
    VIDEO_WAIT,
    AudioJitterBuffer,
    LowDelayJitterBuffer,
)


def audio_packet(seq: int) -> RtpPacket:
    packet = RtpPacket(payload_type=111, sequence_number=seq % 65536, timestamp=seq * 960)
    packet._data = bytes([seq % 256])  # type: ignore[attr-defined]  # as the receiver sets it
    return packet


def play(buffer, lost: set[int], count: int = 1500):
    """Packets in order; returns (frames out, the largest delay in packets of any frame)."""
    out, worst = 0, 0
    for seq in range(count):
        if seq in lost:
            continue
        _, frame = buffer.add(audio_packet(seq))
        if frame is not None:
            out += 1
            worst = max(worst, seq - frame.timestamp // 960)
    return out, worst


def test_at_ten_percent_loss_audio_loses_about_its_lost_packets_and_stays_in_time():
    rng = random.Random(7)
    lost = {s for s in range(1500) if rng.random() < 0.10}
    ours = play(AudioJitterBuffer(), lost)
    theirs = play(JitterBuffer(capacity=16, prefetch=4), lost)
    delivered = 1500 - len(lost)
    # only the lost packets are missing (and the last few, still waiting their turn)
    assert ours[0] >= delivered - 2 * AUDIO_DELAY, ours
    assert ours[1] <= AUDIO_DELAY + 4, ours  # the sound never falls behind (4 lost in a row)
    assert ours[0] > theirs[0] + 100, theirs  # aiortc's own buffer loses more than that


def test_a_retransmitted_packet_arriving_in_time_is_played():
    buffer = AudioJitterBuffer()
    got = []
    order = [0, 1, 2, 4, 5, 3, 6, 7, 8, 9, 10]  # 3 comes back 40 ms late, within the delay
    for seq in order:
        _, frame = buffer.add(audio_packet(seq))
        if frame is not None:
            got.append(frame.timestamp // 960)
    assert got == list(range(len(got))) and 3 in got


def test_a_packet_after_its_turn_is_dropped_and_a_burst_is_caught_up():
    buffer = AudioJitterBuffer()
    for seq in [0, 1, 2, 4, 5, 6, 7, 8]:
        buffer.add(audio_packet(seq))
    assert buffer.add(audio_packet(3)) == (False, None) and buffer.late_packets == 1
    assert buffer.skipped_packets == 1
    for seq in range(9, 30):  # a burst: 21 packets at once are not all kept waiting
        buffer.add(audio_packet(seq))
    assert buffer.dropped_frames == 0  # one arrives, one leaves: nothing piles up
    buffer.add(audio_packet(40))  # ten packets' jump
    assert buffer.dropped_frames + buffer.skipped_packets > 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def video_packet(seq: int, frame: int, first: bool) -> RtpPacket:
    packet = RtpPacket(payload_type=96, sequence_number=seq, timestamp=frame * 3000)
    packet.payload = bytes([0x10 if first else 0x00, 0, 0])  # VP8: S bit on a frame's first
    packet._data = b"x"  # type: ignore[attr-defined]
    return packet


def test_video_gives_up_on_a_lost_packet_after_the_wait_and_asks_for_a_key_frame():
    clock = Clock()
    buffer = LowDelayJitterBuffer(256, is_video=True, wait=VIDEO_WAIT, clock=clock)
    out, plis, seq = [], 0, 0
    for frame in range(40):  # two packets a frame, 30 frames a second; one packet lost
        for part in (0, 1):
            clock.now = frame / 30 + part / 60
            if (frame, part) != (5, 1):
                pli, got = buffer.add(video_packet(seq, frame, part == 0))
                plis += pli
                if got is not None:
                    out.append((got.timestamp // 3000, clock.now))
            seq += 1
    frames = [f for f, _ in out]
    assert 5 not in frames and frames == sorted(frames) and plis == 1
    delays = [t - f / 30 for f, t in out]
    assert max(delays) <= VIDEO_WAIT + 0.1  # nothing waits longer than the wait


def test_video_after_a_pause_starts_afresh_instead_of_showing_old_pictures():
    clock = Clock()
    buffer = LowDelayJitterBuffer(256, is_video=True, wait=VIDEO_WAIT, clock=clock)
    buffer.add(video_packet(0, 0, True))
    buffer.add(video_packet(2, 1, True))  # 1 lost, then video paused for five seconds
    clock.now = 5.0
    pli, frame = buffer.add(video_packet(3, 150, True))
    assert pli and frame is None
    clock.now = 5.03
    _, frame = buffer.add(video_packet(4, 151, True))
    assert frame is not None and frame.timestamp == 150 * 3000  # not the old picture


def test_a_picture_much_older_than_the_newest_is_dropped():
    clock = Clock()
    buffer = LowDelayJitterBuffer(256, is_video=True, wait=10.0, clock=clock)  # no skipping
    buffer.add(video_packet(0, 0, True))  # frame 0's second packet never comes
    for seq, frame in ((2, 3), (3, 9), (4, 15)):  # pictures 0.1, 0.3 and 0.5 s after it
        clock.now += 0.1
        _, got = buffer.add(video_packet(seq, frame, True))
    # frames 0 and 3 are more than MAX_VIDEO_SPAN (0.3 s) older than 15: gone; 9 is shown
    assert got is not None and got.timestamp == 9 * 3000


def test_after_giving_up_on_a_packet_pictures_wait_for_a_key_frame():
    clock = Clock()
    buffer = LowDelayJitterBuffer(256, is_video=True, wait=VIDEO_WAIT, clock=clock)
    shown, seq = [], 0
    for frame in range(20):  # one packet a frame; frame 3 is lost; frame 12 is a key frame
        clock.now = frame / 30
        if frame != 3:
            packet = video_packet(seq, frame, True)
            packet._data = b"\x00" if frame in (0, 12) else b"\x01"  # type: ignore[attr-defined]
            _, got = buffer.add(packet)
            if got is not None:
                shown.append(got.timestamp // 3000)
        seq += 1
    assert shown[:2] == [0, 1]  # (2 went with the gap: only a next packet marks its end)
    assert all(f >= 12 for f in shown[3:]) and 12 in shown  # nothing damaged in between
    assert buffer.frames_held_for_key > 0
