"""The pre-call connection test's plan, counting and verdict (issue 18), without any network:
domain/precall.py and domain/precall_words.py."""

from __future__ import annotations

import pytest

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words
from vtconnect_care.domain.precall import (
    Bins,
    Figures,
    Pacer,
    PrecallPhase,
    Window,
    figures,
    plan,
    steady_kbps,
)
from vtconnect_care.domain.precall_words import Verdict, judge, kbps_text
from vtconnect_care.domain.transitions import StateMachine, WrongMoveError


def fig(up=900.0, down=900.0, loss_up=0.0, loss_down=0.0, rtt=40.0) -> Figures:
    return Figures(rtt_ms=rtt, loss_up=loss_up, loss_down=loss_down, up_kbps=up, down_kbps=down)


# --- the plan ------------------------------------------------------------------------------


def test_the_plan_splits_the_seconds_and_stays_within_bounds():
    p = plan(8)
    assert (p.probe, p.up, p.down, p.warmup) == (2.0, 3.0, 3.0, 1.0)
    assert plan(1).probe + plan(1).up + plan(1).down == pytest.approx(rules.MIN_SECONDS)
    assert plan(60).probe + plan(60).up + plan(60).down == pytest.approx(9.0, abs=0.02)
    assert plan(None) == plan(rules.DEFAULT_SECONDS) == plan(float("nan"))
    assert plan(4).warmup == pytest.approx(1.5 / 3, abs=0.01)  # a third of a short phase
    # the whole test ends well inside the peer's hard limit of 15 s, connecting included
    assert plan(rules.MAX_SECONDS).total + 3 < 15


def test_the_plan_message_carries_what_both_sides_need():
    message = plan(8).as_message()
    assert message["type"] == "plan"
    assert message["message_bytes"] == rules.MESSAGE_BYTES
    assert message["max_kbps"] == rules.MAX_KBPS >= 1500  # saturates a path up to 1.5 Mbit/s


def test_phases_go_one_way_and_a_wrong_move_raises():
    machine = StateMachine("t", PrecallPhase.CONNECTING, rules.PHASE_MOVES)
    for phase in ("ready", "probing", "upload", "download", "reported", "closed"):
        machine.move(PrecallPhase(phase))
    machine = StateMachine("t", PrecallPhase.CONNECTING, rules.PHASE_MOVES)
    with pytest.raises(WrongMoveError):
        machine.move(PrecallPhase.DOWNLOAD)  # no download before the probes and the upload
    machine.move(PrecallPhase.CLOSED)  # closing is possible from anywhere
    with pytest.raises(WrongMoveError):
        machine.move(PrecallPhase.READY)


# --- counting ------------------------------------------------------------------------------


def test_bins_count_what_arrived_in_each_interval_and_drop_the_rest():
    bins = Bins(start=10.0, seconds=0.5, interval=0.1)
    for when, size in ((10.0, 100), (10.05, 100), (10.15, 300), (10.49, 50), (10.5, 999), (9.9, 7)):
        bins.add(size, when)
    assert bins.counts == [200, 300, 0, 0, 50]
    assert bins.total == 550


def test_steady_rate_leaves_out_the_warm_up():
    # 1 s of slow start and a rate limiter's burst, then 2 s at 62.5 kB/s = 500 kbit/s
    bins = [30_000, 20_000, 1_000, 500, 4_000, 6_000, 6_000, 6_000, 6_000, 6_000] + [6_250] * 20
    assert steady_kbps(bins, interval=0.1, warmup=1.0) == pytest.approx(500.0)
    assert steady_kbps(bins, interval=0.1, warmup=0.0) > 500  # the burst would inflate it
    assert steady_kbps([], interval=0.1, warmup=1.0) == 0.0
    assert steady_kbps([100] * 5, interval=0.1, warmup=1.0) == 0.0  # all warm-up


def test_figures_from_both_sides_counts():
    p = plan(8)
    f = figures(
        the_plan=p,
        probes_sent=80,
        probes_received=72,  # 10% lost on the way up
        rtts_ms=[30.0] * 54,  # 54 of the 72 echoed came back: 25% lost on the way down
        up_bins=[0] * 10 + [6_250] * 20,
        down_bins=[0] * 10 + [3_125] * 20,
    )
    assert f.loss_up == pytest.approx(0.10)
    assert f.loss_down == pytest.approx(0.25)
    assert f.rtt_ms == 30.0
    assert f.up_kbps == pytest.approx(500.0)
    assert f.down_kbps == pytest.approx(250.0)
    assert Figures.from_dict(f.as_dict()).as_dict() == f.as_dict()  # as it travels


def test_figures_never_claim_more_than_was_sent():
    f = figures(
        the_plan=plan(8),
        probes_sent=10,
        probes_received=99,  # a confused or lying tester: capped
        rtts_ms=[5.0] * 12 + [float("nan"), -1.0],
        up_bins=[],
        down_bins=[],
    )
    assert f.loss_up == 0.0 and f.loss_down == 0.0 and f.rtt_ms == 5.0
    nothing = figures(
        the_plan=plan(8), probes_sent=0, probes_received=0, rtts_ms=[], up_bins=[], down_bins=[]
    )
    assert nothing.rtt_ms is None and nothing.loss_up == 1.0


def test_the_window_follows_what_the_path_delivers():
    window = Window(rtt_ms=1.0)
    assert window.allowed == rules.MIN_WINDOW  # before any report
    # 62.5 kB/s arrive (500 kbit/s): twice a round trip and a report interval of it
    for i in range(10):
        window.update(received=int(62_500 * i * 0.05), now=i * 0.05)
    assert window.allowed == pytest.approx(2 * 62_500 * 0.051, rel=0.02)
    slow = Window(rtt_ms=1.0)
    for i in range(10):
        slow.update(received=int(10_000 * i * 0.05), now=i * 0.05)  # 80 kbit/s
    assert slow.allowed == rules.MIN_WINDOW  # never below the floor
    fast = Window(rtt_ms=100.0)
    for i in range(10):
        fast.update(received=int(312_500 * i * 0.05), now=i * 0.05)  # 2.5 Mbit/s
    assert fast.allowed == pytest.approx(2 * 312_500 * 0.15, rel=0.02)
    assert Window(rtt_ms=None).rtt == 0.1 and Window(rtt_ms=10_000).rtt == 1.0


def test_the_pacer_holds_the_ceiling():
    pacer = Pacer(max_kbps=800, start=0.0, burst=2_000)  # 100 kB/s
    sent = 0
    now = 0.0
    while now < 1.0:
        now += 0.005
        while pacer.take(1_000, now):
            sent += 1_000
    assert 99_000 <= sent <= 101_000
    idle = Pacer(max_kbps=800, start=0.0, burst=2_000)
    assert idle.take(1_000, 10.0) and idle.take(1_000, 10.0) and not idle.take(1_000, 10.0)


# --- the verdict: Healthdirect's 350 / 330 / 180 kbit/s, Nextcloud's 30% and 1.5 s ----------


def test_good_needs_enough_both_ways_little_loss_and_a_short_round_trip():
    verdict = judge(fig())
    assert verdict.verdict is Verdict.GOOD
    assert verdict.word == "Good" and verdict.reasons == ()
    assert judge(fig(up=330, down=330)).verdict is Verdict.GOOD  # Healthdirect warns under 330
    assert judge(fig(loss_up=0.10, rtt=1000)).verdict is Verdict.GOOD


@pytest.mark.parametrize(
    "figures_",
    [
        fig(up=329),
        fig(down=250),
        fig(up=180),
        fig(loss_up=0.11),
        fig(loss_down=0.3),
        fig(rtt=1001),
        fig(rtt=1500),
    ],
)
def test_good_enough_for_audio_only(figures_):
    verdict = judge(figures_)
    assert verdict.verdict is Verdict.AUDIO_ONLY
    assert verdict.word == "Good enough for audio only"
    assert len(verdict.reasons) == 1


@pytest.mark.parametrize(
    "figures_",
    [fig(up=179), fig(down=20), fig(loss_down=0.31), fig(rtt=1501), fig(rtt=None)],
)
def test_too_slow_for_video(figures_):
    verdict = judge(figures_)
    assert verdict.verdict is Verdict.TOO_SLOW
    assert verdict.word == "Too slow for video"
    assert "Wi-Fi" in verdict.advice


def test_the_worst_figure_decides_and_every_problem_is_named():
    verdict = judge(fig(up=250, loss_down=0.4, rtt=1200))
    assert verdict.verdict is Verdict.TOO_SLOW
    assert verdict.reasons == (
        "Your connection sends 250 kbit/s; video needs about 350 kbit/s each way.",
        "40% of the test messages were lost on the way.",
        "A message takes 1.2 s to go there and back: people would talk over each other.",
    )


def test_figures_are_worded_plainly():
    assert kbps_text(470.4) == "470 kbit/s"
    assert kbps_text(1234) == "1.2 Mbit/s"
    assert kbps_text(2496, 2500) == "2.5 Mbit/s or more"  # the test's ceiling: at least that
    assert words.percent_text(0.004) == "0.4%" and words.percent_text(0.25) == "25%"
    assert words.rtt_text(0.3) == "under 1 ms" and words.rtt_text(42.4) == "42 ms"
    assert words.summary(fig(up=2500, down=470, loss_up=0.02, rtt=42)) == (
        "Round trip 42 ms · sending 2.5 Mbit/s or more · receiving 470 kbit/s · "
        "lost 2.0% up, 0% down"
    )


def test_the_page_gets_its_sentences_from_here():
    texts = words.page_texts()
    assert texts["phases"]["upload"] == words.PHASE_TEXT[PrecallPhase.UPLOAD]
    assert "seconds" in texts["intro"] and texts["no_connection"] == words.NO_CONNECTION
