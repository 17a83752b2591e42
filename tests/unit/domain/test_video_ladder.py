"""The video ladder: down at once, up after a hold, audio only when the path is too thin."""

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


def test_a_call_starts_on_the_start_rung_and_steps_down_at_once_when_the_estimate_falls():
    ladder = Ladder(now=0.0)
    assert (ladder.mode, ladder.rung) == (Mode.VIDEO, vl.START)
    d = ladder.update(estimate_kbps=450, loss=0.0, now=1.0)
    assert d.changed and d.rung == 2 and vl.RUNGS[2].scale < 1.0  # 380 kbps fits in 450 * 0.9


def test_stepping_up_waits_for_the_hold_and_goes_one_rung_at_a_time():
    ladder = Ladder(now=0.0, rung=vl.LOWEST)
    assert not ladder.update(estimate_kbps=5000, loss=0.0, now=0.5).changed
    d, _ = run(ladder, 1.0, vl.HOLD_SECONDS, estimate_kbps=5000, loss=0.0)
    assert d.rung == vl.LOWEST - 1
    d, _ = run(ladder, 10.0, 2 * vl.HOLD_SECONDS + 1, estimate_kbps=5000, loss=0.0)
    assert d.rung <= vl.LOWEST - 2


def test_a_wobbling_estimate_does_not_rebuild_the_encoder():
    ladder = Ladder(now=0.0)
    changes = 0
    for i in range(100):  # 700-900 kbps: rung 1 fits throughout, rung 0 never holds
        d = ladder.update(estimate_kbps=700 + (i % 3) * 100, loss=0.0, now=i * 0.5)
        changes += d.changed
    assert changes == 0 and ladder.rung == 1


def test_a_thin_path_stops_video_after_the_estimate_stays_low():
    ladder = Ladder(now=0.0)
    d = ladder.update(estimate_kbps=120, loss=0.0, now=1.0)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOWEST
    d, _ = run(ladder, 1.5, vl.AUDIO_ONLY_AFTER, estimate_kbps=120, loss=0.0)
    assert d.mode is Mode.AUDIO_ONLY


def test_heavy_loss_stops_video_and_moderate_loss_keeps_the_picture_small():
    lossy = Ladder(now=0.0, rung=0)
    d, _ = run(lossy, 0.0, vl.LOSS_AFTER + 0.5, estimate_kbps=5000, loss=0.15)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOSSY_BEST
    heavy = Ladder(now=0.0)
    d, _ = run(heavy, 0.0, vl.LOSS_AFTER + 0.5, estimate_kbps=5000, loss=0.35)
    assert d.mode is Mode.AUDIO_ONLY


def test_audio_only_probes_and_video_comes_back_when_the_probe_goes_through():
    ladder = Ladder(now=0.0)
    run(ladder, 0.0, 3.0, estimate_kbps=100, loss=0.0)
    assert ladder.mode is Mode.AUDIO_ONLY
    paused_at = ladder.changed_at
    d, t = run(ladder, paused_at + 0.5, vl.PROBE_WAITS[0], estimate_kbps=None, loss=0.0)
    assert d.mode is Mode.PROBING and d.rung == vl.LOWEST
    d, _ = run(ladder, t, vl.PROBE_SECONDS + 0.5, estimate_kbps=None, loss=0.0)
    assert d.mode is Mode.VIDEO and d.rung == vl.LOWEST


def test_a_failed_probe_waits_longer_before_the_next():
    ladder = Ladder(now=0.0)
    run(ladder, 0.0, 3.0, estimate_kbps=100, loss=0.0)
    t = 3.5
    while (d := ladder.update(estimate_kbps=None, loss=0.0, now=t)).mode is Mode.AUDIO_ONLY:
        t += 0.5
    assert d.mode is Mode.PROBING and d.reset_estimate and t - 3.0 >= vl.PROBE_WAITS[0] - 0.5
    t += 0.5
    d = ladder.update(estimate_kbps=90, loss=0.0, now=t)  # the receiver saw overuse
    assert d.mode is Mode.AUDIO_ONLY
    d, _ = run(ladder, t + 0.5, vl.PROBE_WAITS[0], estimate_kbps=None, loss=0.0)
    assert d.mode is Mode.AUDIO_ONLY  # the second wait is longer
    d, _ = run(ladder, t + 0.5, vl.PROBE_WAITS[1], estimate_kbps=None, loss=0.0)
    assert d.mode is Mode.PROBING


@pytest.mark.parametrize(("width", "height"), [(640, 480), (1280, 720), (321, 241)])
def test_every_rung_has_an_even_picture(width, height):
    for rung in vl.RUNGS:
        w, h = vl.picture_size(width, height, rung)
        assert w % 2 == 0 and h % 2 == 0 and w <= width and h <= height


def test_after_a_probe_brought_video_back_the_climbing_estimate_gets_a_grace():
    ladder = Ladder(now=0.0)
    run(ladder, 0.0, 3.0, estimate_kbps=100, loss=0.0)
    t = 3.5
    while ladder.update(estimate_kbps=None, loss=0.0, now=t).mode is not Mode.VIDEO:
        t += 0.5
    # the receiver's fresh estimate starts near the probe's own rate, under the pause line
    d, _ = run(ladder, t + 0.5, vl.RESUME_GRACE - 1.0, estimate_kbps=140, loss=0.0)
    assert d.mode is Mode.VIDEO
    d, _ = run(ladder, t + vl.RESUME_GRACE, vl.AUDIO_ONLY_AFTER + 0.5, estimate_kbps=140, loss=0.0)
    assert d.mode is Mode.AUDIO_ONLY  # still that low after the grace: a thin path after all
