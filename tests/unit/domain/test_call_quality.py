"""Good, fair or poor from a window of link samples (R-QUALITY-1, -3, -4)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from vtconnect_care.domain import call_quality as q
from vtconnect_care.domain.call_quality import LinkSample, QualityLevel, Reason, judge

CLEAN = LinkSample(
    at=0.0,
    rtt_ms=40.0,
    loss_in=0.0,
    loss_out=0.0,
    jitter_ms=5.0,
    kbps_in=600.0,
    kbps_out=600.0,
    fps_in=30.0,
    packets_in_per_s=120.0,
)


def window(seconds: int = 5, start: float = 0.0, **changes) -> list[LinkSample]:
    return [replace(CLEAN, at=start + i, **changes) for i in range(seconds)]


def test_r_quality_1_a_clean_link_is_good_and_says_so():
    verdict = judge(window(), None)
    assert verdict.level is QualityLevel.GOOD
    assert verdict.reasons == () and verdict.problems == () and verdict.advice == ()
    assert verdict.word == "Good" and verdict.title == "Good connection"


@pytest.mark.parametrize(
    ("changes", "level", "reason"),
    [
        ({"loss_in": 0.05}, QualityLevel.FAIR, Reason.LOSS_IN),
        ({"loss_in": 0.20}, QualityLevel.POOR, Reason.LOSS_IN),
        ({"loss_out": 0.05}, QualityLevel.FAIR, Reason.LOSS_OUT),
        ({"loss_out": 0.30}, QualityLevel.POOR, Reason.LOSS_OUT),
        ({"rtt_ms": 500.0}, QualityLevel.FAIR, Reason.DELAY),
        ({"rtt_ms": 1600.0}, QualityLevel.POOR, Reason.DELAY),
        ({"jitter_ms": 80.0}, QualityLevel.FAIR, Reason.JITTER),
        ({"jitter_ms": 900.0}, QualityLevel.FAIR, Reason.JITTER),  # jitter alone: never poor
        ({"packets_in_per_s": 4.0}, QualityLevel.POOR, Reason.STALLED),
        ({"kbps_in": 150.0}, QualityLevel.POOR, Reason.LOW_BITRATE),
        ({"fps_in": 8.0}, QualityLevel.FAIR, Reason.LOW_FPS),
        ({"fps_in": 3.0}, QualityLevel.POOR, Reason.LOW_FPS),
    ],
)
def test_r_quality_1_each_limit(changes, level, reason):
    verdict = judge(window(**changes), None)
    assert verdict.level is level
    assert verdict.reasons == (reason,)
    assert verdict.problems == (q.PROBLEMS[reason],)
    assert verdict.advice == (q.ADVICE[reason],)


def test_r_quality_1_the_window_is_averaged_over_five_seconds():
    """One lossy second among clean ones is not a fair link; loss over 5 s is."""
    samples = window(6)
    samples[-1] = replace(samples[-1], loss_in=0.10)
    assert judge(samples, None).level is QualityLevel.GOOD  # mean 2%
    lossy = [replace(s, loss_in=0.10) if s.at >= 3 else s for s in window(6)]
    assert judge(lossy, None).level is QualityLevel.FAIR  # mean over 1..5: 6%
    # older samples than 5 s before the newest do not count
    old_bad = [replace(s, loss_in=0.5) if s.at < 1 else s for s in window(7)]
    assert judge(old_bad, None).level is QualityLevel.GOOD


def test_r_quality_1_reasons_worst_first_and_advice_once():
    verdict = judge(window(jitter_ms=70.0, loss_in=0.2, loss_out=0.2), None)
    assert verdict.level is QualityLevel.POOR
    assert verdict.reasons == (Reason.LOSS_IN, Reason.LOSS_OUT, Reason.JITTER)
    assert len(verdict.problems) == 3
    assert verdict.advice == (q.ADVICE[Reason.LOSS_IN], q.ADVICE[Reason.JITTER])


def test_r_quality_1_round_trip_is_a_median_and_unknown_figures_are_skipped():
    samples = window(rtt_ms=None, loss_out=None)
    assert judge(samples, None).level is QualityLevel.GOOD
    spike = window()
    spike[2] = replace(spike[2], rtt_ms=5000.0)  # one late report is no slow link
    assert judge(spike, None).level is QualityLevel.GOOD


def test_r_quality_3_worse_at_once_better_only_by_a_margin():
    at_limit = window(loss_in=0.031)
    assert judge(at_limit, QualityLevel.GOOD).level is QualityLevel.FAIR
    just_under = window(loss_in=0.028)  # under 3%, not under 3% x 0.8
    held = judge(just_under, QualityLevel.FAIR)
    assert held.level is QualityLevel.FAIR and held.reasons == (Reason.LOSS_IN,)
    assert judge(just_under, None).level is QualityLevel.GOOD  # no history: no hold
    assert judge(window(loss_in=0.01), QualityLevel.FAIR).level is QualityLevel.GOOD
    # lower limits: under 180 kbps to be poor, over 180 / 0.8 to be better again
    assert judge(window(kbps_in=170.0), QualityLevel.GOOD).level is QualityLevel.POOR
    assert judge(window(kbps_in=200.0), QualityLevel.POOR).level is QualityLevel.POOR
    assert judge(window(kbps_in=230.0), QualityLevel.POOR).level is QualityLevel.GOOD
    # a starting call's modest bitrate is no fault (no fair limit on bitrate), nor the lowest
    # video rung's 15 pictures a second, even after a dip
    assert judge(window(kbps_in=250.0), None).level is QualityLevel.GOOD
    assert judge(window(fps_in=14.0), QualityLevel.FAIR).level is QualityLevel.GOOD


def test_r_quality_3_poor_steps_to_fair_when_only_the_fair_limit_is_still_crossed():
    recovering = window(loss_in=0.10)  # under 15% x 0.8, over 3%
    verdict = judge(recovering, QualityLevel.POOR)
    assert verdict.level is QualityLevel.FAIR and verdict.reasons == (Reason.LOSS_IN,)
    hovering = window(loss_in=0.13)  # under 15%, not under 12%
    assert judge(hovering, QualityLevel.POOR).level is QualityLevel.POOR


def test_r_quality_3_a_hovering_figure_does_not_flicker():
    shown = None
    seen = []
    samples: list[LinkSample] = []
    for i, loss in enumerate([0.0] * 5 + [0.05, 0.02, 0.035, 0.025, 0.032, 0.028] * 3):
        samples.append(replace(CLEAN, at=float(i), loss_in=loss))
        shown = judge(samples[-5:], shown).level
        seen.append(shown)
    changes = sum(1 for a, b in zip(seen, seen[1:], strict=False) if a is not b)
    assert changes == 1 and seen[-1] is QualityLevel.FAIR


def test_r_quality_4_no_video_expected_is_no_video_fault():
    """Camera off or audio only: a trickle of video is what the other side chose."""
    audio_only = window(kbps_in=60.0, fps_in=0.0, video_expected=False)
    assert judge(audio_only, None).level is QualityLevel.GOOD
    assert judge(window(kbps_in=60.0, fps_in=0.0), None).level is QualityLevel.POOR
    # loss still counts without video
    lossy = window(kbps_in=60.0, fps_in=0.0, loss_in=0.2, video_expected=False)
    assert judge(lossy, None).reasons == (Reason.LOSS_IN,)


def test_judge_needs_a_sample():
    with pytest.raises(ValueError):
        judge([], None)


def test_every_reason_has_a_problem_and_advice_and_the_words_read_well():
    for reason in Reason:
        assert q.PROBLEMS[reason].endswith(".") and q.ADVICE[reason].endswith(".")
    assert (
        q.accessible_name("Alex Morgan", QualityLevel.POOR) == "Connection with Alex Morgan: Poor"
    )
    assert set(q.WORDS) == set(QualityLevel) == set(q.TITLES)
    assert [level.rank for level in QualityLevel] == [0, 1, 2]


def test_the_browser_gets_the_same_rules_as_json():
    config = json.loads(json.dumps(q.client_config()))
    assert config["window_s"] == q.WINDOW_S and config["recover"] == q.RECOVER
    assert [r["reason"] for r in config["rules"]] == [r.reason.value for r in q.RULES]
    fields = set(CLEAN.as_dict())
    assert all(r["figure"] in fields for r in config["rules"])
    assert config["advice"]["loss_in"] == q.ADVICE[Reason.LOSS_IN]
    assert config["words"] == {"good": "Good", "fair": "Fair", "poor": "Poor"}
