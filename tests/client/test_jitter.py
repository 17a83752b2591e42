"""The low-delay receive buffers: a lost packet costs its own frame, not the call's timing."""

from __future__ import annotations

import random

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from vtconnect_care.client.engine.jitter import AUDIO_DELAY, AudioJitterBuffer


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
