"""The machine's limit on what a sender encodes: resolution down before frame rate when encoding
cannot keep up, back up when it has room, and combined with the path's rung (the smaller)."""

from __future__ import annotations

from vtconnect_care.domain import video_ladder as vl
from vtconnect_care.domain.video_ladder import MachineLimit


def feed(limit: MachineLimit, start: float, seconds: float, step: float = 0.5, **measured):
    moved, t = [], start
    while t <= start + seconds + 1e-9:
        if limit.update(now=t, **measured):
            moved.append((t, limit.step))
        t += step
    return moved, t


def test_an_encoder_that_keeps_up_keeps_the_full_picture():
    limit = MachineLimit(now=0.0)
    moved, _ = feed(limit, 0.0, 60.0, usage=0.36, loop_lag=0.004)  # 1280x720 on a quiet core
    assert moved == [] and limit.current == vl.MACHINE_STEPS[0]


def test_overuse_steps_the_resolution_down_before_the_frame_rate():
    limit = MachineLimit(now=0.0)
    seen = []
    t = 0.0
    for _ in range(len(vl.MACHINE_STEPS) - 1):
        moved, t = feed(limit, t, vl.MACHINE_HOLD + vl.OVERUSE_AFTER, usage=0.9, loop_lag=0.0)
        seen += [vl.MACHINE_STEPS[s] for _, s in moved]
    scales = [s.scale for s in seen]
    rates = [s.fps for s in seen]
    first_slower = next(i for i, s in enumerate(seen) if s.fps < 30)
    assert scales == sorted(scales, reverse=True) and rates == sorted(rates, reverse=True)
    assert all(s.scale == min(scales) for s in seen[first_slower:])  # smallest picture first
    assert limit.step == len(vl.MACHINE_STEPS) - 1


def test_a_starved_event_loop_counts_as_overuse():
    limit = MachineLimit(now=0.0)
    moved, _ = feed(limit, vl.MACHINE_HOLD, vl.OVERUSE_AFTER, usage=0.3, loop_lag=0.08)
    assert [s for _, s in moved] == [1]


def test_a_short_spike_is_not_overuse():
    limit = MachineLimit(now=0.0)
    feed(limit, vl.MACHINE_HOLD, vl.OVERUSE_AFTER - 1.0, usage=0.95, loop_lag=0.0)
    moved, _ = feed(limit, vl.MACHINE_HOLD + 2.0, 20.0, usage=0.4, loop_lag=0.0)
    assert moved == [] and limit.step == 0


def test_room_brings_the_picture_back_one_step_at_a_time():
    limit = MachineLimit(now=0.0, step=2)  # half size at 30 fps
    # at 0.1 busy, the step above (0.75 size) is predicted at 0.1 * 0.5625 / 0.25 = 0.225
    moved, _ = feed(limit, 0.0, 40.0, usage=0.1, loop_lag=0.002)
    assert [s for _, s in moved] == [1, 0]
    assert all(b - a >= vl.UNDERUSE_AFTER for (a, _), (b, _) in zip(moved, moved[1:], strict=False))


def test_no_step_up_that_would_overuse_again():
    limit = MachineLimit(now=0.0, step=1)
    # 0.3 busy at 0.75 size is 0.53 at full size: over UNDERUSE_NEXT, so it stays
    assert vl.predicted_usage(0.3, 1, 0) > vl.UNDERUSE_NEXT
    moved, _ = feed(limit, 0.0, 60.0, usage=0.3, loop_lag=0.002)
    assert moved == [] and limit.step == 1


def test_what_is_sent_is_the_smaller_of_the_path_and_the_machine():
    path = vl.RUNGS[3]  # half size, 20 fps
    assert vl.limited(path, vl.MACHINE_STEPS[1]) == path  # the path holds it lower already
    sent = vl.limited(vl.RUNGS[0], vl.MACHINE_STEPS[1])
    assert (sent.scale, sent.fps, sent.kbps) == (0.75, 30, vl.RUNGS[0].kbps)
    sent = vl.limited(vl.RUNGS[2], vl.MACHINE_STEPS[3])
    assert (sent.scale, sent.fps) == (0.5, 20)


def test_pictures_that_never_reach_the_encoder_count_as_overuse():
    """At 1280x720 on a loaded machine the encoder was busy 40% yet 28.5 of 30 pictures a
    second arrived: the sender falls behind, so the picture steps down (not the rate)."""
    limit = MachineLimit(now=0.0)
    moved, _ = feed(limit, vl.MACHINE_HOLD, vl.OVERUSE_AFTER, usage=0.4, loop_lag=0.0, missed=0.05)
    assert [s for _, s in moved] == [1] and limit.current.fps == 30
