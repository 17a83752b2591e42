"""The video ladder: down when the path queues, up when it has room, audio only when it is too
thin, and never down merely because the sender sends little."""

from __future__ import annotations

import pytest

from vtconnect_care.domain import video_ladder as vl
from vtconnect_care.domain.video_ladder import Ladder, Mode


def run(ladder: Ladder, start: float, seconds: float, step: float = 0.5, **measured):
    decision = None
    t = start
    while t <= start + seconds + 1e-9:
        decision = ladder.update(now=t, **measured)
        t += step
    return decision, t


def test_a_call_starts_on_the_start_rung_and_steps_down_when_the_path_queues():
    ladder = Ladder(now=0.0)
    assert (ladder.mode, ladder.rung) == (Mode.VIDEO, vl.START)
    d, _ = run(ladder, 1.0, vl.CONGESTED_AFTER, estimate_kbps=450, loss=0.0, sent_kbps=600)
    assert d.rung == 2 and vl.RUNGS[2].scale < 1.0  # 380 kbps fits in 450 * 0.9


def test_an_easy_picture_that_sends_little_keeps_its_rung():
    """aiortc's estimate follows what arrives: 250 kbps estimated of 200 sent is no thin path."""
    ladder = Ladder(now=0.0)
    d, _ = run(ladder, 0.0, 30.0, estimate_kbps=260, loss=0.0, sent_kbps=210)
    assert d.mode is Mode.VIDEO and d.rung == vl.START


def test_stepping_up_waits_for_room_and_goes_one_rung_at_a_time():
    ladder = Ladder(now=0.0, rung=vl.LOWEST)
    assert not ladder.update(estimate_kbps=200, loss=0.0, now=0.5, sent_kbps=150).changed
    d, _ = run(ladder, 1.0, vl.HOLD_SECONDS, estimate_kbps=200, loss=0.0, sent_kbps=150)
    assert d.rung == vl.LOWEST - 1
    d, _ = run(ladder, 10.0, 2 * vl.HOLD_SECONDS + 1, estimate_kbps=5000, loss=0.0, sent_kbps=200)
    assert d.rung <= vl.LOWEST - 2


def test_a_wobbling_estimate_does_not_rebuild_the_encoder():
    ladder = Ladder(now=0.0)
    changes = 0
    for i in range(100):  # around what is sent: neither congested nor roomy
        d = ladder.update(estimate_kbps=560 + (i % 3) * 60, loss=0.0, now=i * 0.5, sent_kbps=600)
        changes += d.changed
    assert changes == 0 and ladder.rung == vl.START


def test_a_thin_path_stops_video_after_the_estimate_stays_low():
    ladder = Ladder(now=0.0)
    d, t = run(ladder, 0.0, vl.CONGESTED_AFTER, estimate_kbps=120, loss=0.0, sent_kbps=600)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOWEST  # straight to where the estimate says
    d, _ = run(ladder, t, vl.AUDIO_ONLY_AFTER, estimate_kbps=110, loss=0.0, sent_kbps=140)
    assert d.mode is Mode.AUDIO_ONLY


def test_heavy_loss_stops_video_and_moderate_loss_keeps_the_picture_small():
    lossy = Ladder(now=0.0, rung=0)
    d, _ = run(lossy, 0.0, vl.LOSS_AFTER + 0.5, estimate_kbps=5000, loss=0.15, sent_kbps=900)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOSSY_BEST
    heavy = Ladder(now=0.0)
    d, _ = run(heavy, 0.0, vl.LOSS_AFTER + 0.5, estimate_kbps=5000, loss=0.35, sent_kbps=600)
    assert d.mode is Mode.AUDIO_ONLY


def pause(ladder: Ladder) -> float:
    _, t = run(ladder, 0.0, 4.0, estimate_kbps=100, loss=0.0, sent_kbps=140)
    assert ladder.mode is Mode.AUDIO_ONLY
    return t


def test_audio_only_probes_and_video_comes_back_when_the_probe_goes_through():
    ladder = Ladder(now=0.0)
    t = pause(ladder)
    while (d := ladder.update(estimate_kbps=None, loss=0.0, now=t)).mode is Mode.AUDIO_ONLY:
        t += 0.5
    assert d.mode is Mode.PROBING and d.rung == vl.LOWEST and d.reset_estimate
    assert t - ladder.changed_at == 0  # (the probe started now)
    d, _ = run(ladder, t + 0.5, vl.PROBE_SECONDS, estimate_kbps=None, loss=0.0, sent_kbps=120)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOWEST


def test_a_failed_probe_waits_longer_before_the_next():
    ladder = Ladder(now=0.0)
    t = pause(ladder)
    first_wait_from = ladder.changed_at
    while ladder.update(estimate_kbps=None, loss=0.0, now=t).mode is Mode.AUDIO_ONLY:
        t += 0.5
    assert t - first_wait_from >= vl.PROBE_WAITS[0] - 0.5
    d = ladder.update(estimate_kbps=90, loss=0.0, now=t + 0.5, sent_kbps=140)  # its key frame
    assert d.mode is Mode.PROBING  # still settling
    d = ladder.update(estimate_kbps=90, loss=0.0, now=t + vl.PROBE_SETTLE, sent_kbps=140)
    assert d.mode is Mode.AUDIO_ONLY  # it queued
    second_wait_from, t = ladder.changed_at, t + vl.PROBE_SETTLE + 0.5
    while ladder.update(estimate_kbps=None, loss=0.0, now=t).mode is Mode.AUDIO_ONLY:
        t += 0.5
    assert t - second_wait_from >= vl.PROBE_WAITS[1] - 0.5


def test_after_a_probe_brought_video_back_the_climbing_estimate_gets_a_grace():
    ladder = Ladder(now=0.0)
    t = pause(ladder)
    while ladder.update(estimate_kbps=None, loss=0.0, now=t).mode is not Mode.VIDEO:
        t += 0.5
    # the receiver's fresh estimate starts near what it sees arrive, under what is sent
    d, _ = run(ladder, t + 0.5, vl.RESUME_GRACE - 1.0, estimate_kbps=120, loss=0.0, sent_kbps=140)
    assert d.mode is Mode.VIDEO
    d, _ = run(ladder, t + vl.RESUME_GRACE, 4.0, estimate_kbps=100, loss=0.0, sent_kbps=140)
    assert d.mode is Mode.AUDIO_ONLY  # still queuing after the grace: a thin path after all


@pytest.mark.parametrize(("width", "height"), [(640, 480), (1280, 720), (321, 241)])
def test_every_rung_has_an_even_picture(width, height):
    for rung in vl.RUNGS:
        w, h = vl.picture_size(width, height, rung)
        assert w % 2 == 0 and h % 2 == 0 and w <= width and h <= height


def test_an_estimate_still_climbing_under_a_spike_is_no_queue():
    """Issue 17: at a call's start the receiver's estimate climbs from what arrives while the
    picture's spikes send more than it says; that is no congestion (it cost 20 fps for 8 s)."""
    ladder = Ladder(now=0.0)
    t, estimate = 0.0, 240.0
    while t < 10.0:
        d = ladder.update(estimate_kbps=estimate, loss=0.0, now=t, sent_kbps=350)
        assert d.rung == vl.START, (t, estimate)
        t += 0.5
        estimate *= 1.04  # aiortc's ramp, read twice a second
    # the same shortfall with an estimate that stopped climbing (a queue): down it goes
    d, _ = run(
        ladder,
        t,
        2 * vl.CLIMB_WINDOW + vl.CONGESTED_AFTER,
        estimate_kbps=300,
        loss=0.0,
        sent_kbps=400,
    )
    assert d.rung > vl.START
