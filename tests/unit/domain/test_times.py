"""The one time formatter: HH:MM and long dates, alike on every platform (R-VISIT-9)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from vtconnect_care.domain.times import hhmm, long_date, time_range

MORNING = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)


def test_hhmm_is_zero_padded_24_hour_in_the_viewers_zone():
    assert hhmm(MORNING) == "09:05"
    assert hhmm(MORNING, ZoneInfo("America/Toronto")) == "04:05"
    assert hhmm(MORNING.replace(hour=23, minute=59), ZoneInfo("Europe/Berlin")) == "00:59"
    assert hhmm(MORNING, timezone(timedelta(hours=5, minutes=30))) == "14:35"


def test_hhmm_takes_the_portals_iso_strings():
    assert hhmm("2026-11-03T09:05:00+00:00") == "09:05"
    assert hhmm("2026-11-03T09:05:00+00:00", ZoneInfo("Europe/London")) == "09:05"
    assert hhmm("2026-11-03T09:05:00Z", ZoneInfo("Asia/Tokyo")) == "18:05"


def test_hhmm_of_nothing_is_empty_and_of_garbage_is_the_garbage():
    assert hhmm(None) == "" and hhmm("") == ""
    assert hhmm("soon") == "soon"


def test_time_range():
    later = MORNING + timedelta(minutes=40)
    assert time_range(MORNING, later) == "09:05 to 09:45"
    assert time_range(MORNING, later, sep="–") == "09:05–09:45"


def test_long_date_has_no_padding_and_english_names_whatever_the_locale():
    assert long_date(date(2026, 11, 3)) == "Tuesday 3 November 2026"
    assert long_date(date(2026, 11, 23)) == "Monday 23 November 2026"
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert long_date(late) == "Thursday 31 December 2026"
    assert long_date(late, ZoneInfo("Europe/Berlin")) == "Friday 1 January 2027"
