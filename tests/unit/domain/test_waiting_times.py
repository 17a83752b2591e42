"""The waiting-time rule (issue 16, domain/waiting_times.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vtconnect_care.domain import waiting_times as rule
from vtconnect_care.domain.care_room import MemberRole, SessionState

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def waited(**kw):
    args = dict(
        state=SessionState.HOSTED,
        role=MemberRole.PARTICIPANT,
        present=True,
        joined_at=T0,
        host_arrived_at=T0 - timedelta(minutes=5),
        now=T0 + timedelta(minutes=4, seconds=59),
    )
    return rule.waited_seconds(**{**args, **kw})


def test_present_counts_from_arrival_absent_from_the_hosts_arrival():
    assert waited() == 299
    assert waited(present=False, joined_at=None) == 599


def test_nobody_waits_once_begun_or_ended_nor_the_host_nor_without_a_host():
    assert waited(state=SessionState.BEGUN) is None
    assert waited(state=SessionState.ENDED) is None
    assert waited(role=MemberRole.HOST) is None
    assert waited(present=False, host_arrived_at=None) is None


def test_a_clock_behind_the_arrival_never_gives_a_negative_wait():
    assert waited(now=T0 - timedelta(seconds=3)) == 0


def test_words_round_down_to_the_minute():
    assert rule.duration_words(59) == "under 1 min"
    assert rule.duration_words(60) == "1 min"
    assert rule.duration_words(3599) == "59 min"
    assert rule.duration_words(3600 + 5 * 60 + 59) == "1 h 5 min"
    assert rule.waiting_words(240, present=True) == "waiting 4 min"
    assert rule.waiting_words(240, present=False) == "you have waited 4 min"
    assert rule.waiting_line("Alex Morgan", 240, present=True) == (
        "Alex Morgan has been waiting 4 min."
    )
    assert rule.waiting_line("Bea Active", 61, present=False) == (
        "You have been waiting 1 min for Bea Active."
    )
    assert rule.is_long(600) and not rule.is_long(599) and not rule.is_long(None)
