"""A starved process is not a congested path (issue 17): the loop watch notices late wake-ups,
and the receiver's estimate does not fall while they last (nor after, from what it saw)."""

from __future__ import annotations

from vtconnect_care.client.engine import starvation
from vtconnect_care.client.engine.starvation import LoopWatch, SteadyEstimator


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_the_watch_remembers_late_wake_ups_for_a_while():
    clock = Clock()
    watch = LoopWatch(clock)
    watch.note(0.002, 0.0)
    assert not watch.starved() and watch.worst() == 0.0
    clock.t = 1.0
    watch.note(0.04, 1.0)
    assert watch.starved() and watch.worst() == 0.04
    clock.t = 1.0 + starvation.MEMORY + 0.1
    watch.note(0.001, clock.t)
    assert not watch.starved() and watch.worst() == 0.0


def packets(estimator, start_ms: int, count: int, *, late_every: int = 0):
    """30 pictures a second of 4 packets (1200 bytes). With ``late_every``: a loop that falls
    behind for that many pictures (each read 10 ms later than the one before), then catches up
    (a starved process: the delays grow as a queue's would)."""
    reports = []
    for frame in range(count):
        sent_ms = start_ms + frame * 33
        arrival = sent_ms + 5
        if late_every:
            arrival += 10 * (frame % late_every)
        for _ in range(4):
            abs_send = int(sent_ms / 1000 * (1 << 18)) & 0xFFFFFF
            out = estimator.add(arrival, abs_send, 1200, 1234)
            if out is not None:
                reports.append(out[0])
    return reports


def test_a_starved_receiver_does_not_report_a_falling_estimate():
    quiet = SteadyEstimator(lambda: False)
    starved = SteadyEstimator(lambda: True)
    packets(quiet, 0, 300)
    packets(starved, 0, 300)
    late_quiet = packets(quiet, 10_000, 300, late_every=15)
    late_starved = packets(starved, 10_000, 300, late_every=15)
    assert min(late_quiet) < max(late_quiet)  # aiortc's own reads the lateness as a queue
    assert late_starved == sorted(late_starved)  # held: never lower than before
    assert starved.held > 0 and quiet.held == 0


def test_a_fresh_estimate_keeps_its_kind():
    estimator = SteadyEstimator(lambda: True)
    fresh = estimator.afresh()
    assert isinstance(fresh, SteadyEstimator) and fresh is not estimator
    assert fresh.reported is None
