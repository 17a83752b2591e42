"""Where a visit stands, in the same words on the portal's list and the app's schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vtconnect_care.domain.visit_status import (
    STATUS_LABELS,
    VisitStatus,
    session_label,
    status_line,
    visit_status,
)
from vtconnect_care.domain.visits import VirtualSessionState as S

IN = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
OUT = datetime(2026, 11, 23, 14, 50, tzinfo=UTC)


def status(clock_in=None, clock_out=None, state=None) -> VisitStatus:
    return visit_status(clock_in_at=clock_in, clock_out_at=clock_out, session_state=state)


def test_scheduled_invited_clocked_in_done_r_visit_2_6_15():
    assert status() is VisitStatus.SCHEDULED
    assert status(state=S.CREATED) is VisitStatus.INVITED  # R-VISIT-2, 3: the session exists
    assert status(state="client_waiting") is VisitStatus.INVITED
    assert status(IN, state=S.CREATED) is VisitStatus.CLOCKED_IN  # invites before or after
    assert status(IN) is VisitStatus.CLOCKED_IN  # R-VISIT-6 (an in-person visit, too)
    assert status(IN, OUT, S.IN_CALL) is VisitStatus.DONE  # the call may go on (R-VISIT-13)


def test_r_visit_15_an_ended_video_is_not_a_done_visit_until_clock_out():
    assert status(IN, state=S.ENDED) is VisitStatus.CLOCKED_IN
    assert status(IN, OUT, S.ENDED) is VisitStatus.DONE


def test_the_iso_strings_of_the_apps_json_count_as_times():
    assert status("2026-11-23T14:05:00+00:00", "") is VisitStatus.CLOCKED_IN


def test_every_status_and_session_state_has_words():
    assert set(STATUS_LABELS) == set(VisitStatus)
    assert STATUS_LABELS[VisitStatus.CLOCKED_IN] == "Clocked in"
    assert all(session_label(state) for state in S)
    assert session_label("in_call") == "video session in progress"
    assert session_label("from_the_future") == "from_the_future"


def test_a_schedule_rows_line_in_the_viewers_zone():
    toronto = ZoneInfo("America/Toronto")

    def line(**kw) -> str:
        facts = {"clock_in_at": None, "clock_out_at": None, "session_state": None, **kw}
        return status_line(is_virtual=True, zone=toronto, **facts)

    assert line() == "Virtual visit · Scheduled"
    assert line(session_state="created") == "Virtual visit · Invited"
    assert line(session_state=S.CLIENT_WAITING) == "Virtual visit · Invited · the client is waiting"
    assert (
        line(clock_in_at=IN, session_state=S.OPEN)
        == "Virtual visit · Clocked in at 09:05 · video session open"
    )
    assert (
        line(clock_in_at=IN, clock_out_at=OUT.isoformat(), session_state=S.ENDED)
        == "Virtual visit · Done, clocked out at 09:50 · video session over"
    )
    in_person = status_line(
        is_virtual=False, clock_in_at=IN, clock_out_at=None, session_state=None, zone=UTC
    )
    assert in_person == "In-person visit · Clocked in at 14:05"
