"""Dates, times and "today" in the computer's zone, the same on every platform: the zone comes
from Qt (Windows has no /etc/localtime), no platform-only strftime codes (``%-d`` raises on
Windows). Zones given explicitly, instants from an injected clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import vtconnect_care
from vtconnect_care.app import local_time
from vtconnect_care.app.appointment_screen import AppointmentScreen
from vtconnect_care.app.client_home import ClientHome
from vtconnect_care.domain.clock import FakeClock

AUCKLAND = ZoneInfo("Pacific/Auckland")  # UTC+13 in November (daylight saving)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-8 in November
# 20:30 UTC on Monday 23 November: already Tuesday morning in Auckland
EVENING_UTC = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)


def test_today_is_the_date_in_the_computers_zone():
    clock = FakeClock(EVENING_UTC)

    assert local_time.today(AUCKLAND, clock) == date(2026, 11, 24)
    assert local_time.today(LOS_ANGELES, clock) == date(2026, 11, 23)
    assert local_time.today(ZoneInfo("UTC"), clock) == date(2026, 11, 23)


def test_short_dates_and_times_in_a_zone():
    iso = EVENING_UTC.isoformat()

    assert local_time.short_when(iso, AUCKLAND) == "Tue 24 Nov, 09:30"
    assert local_time.short_when(iso, LOS_ANGELES) == "Mon 23 Nov, 12:30"
    assert local_time.short_when("2026-11-03T08:05:00+00:00", ZoneInfo("UTC")) == (
        "Tue 3 Nov, 08:05"  # no leading zero on the day, one on the hour
    )
    assert local_time.short_when("not a time", AUCKLAND) == "not a time"
    assert local_time.day_title(date(2026, 11, 3)) == "Tuesday 3 November"


def test_the_zone_name_comes_from_qt_and_tz_wins():
    auckland = lambda: b"Pacific/Auckland"  # noqa: E731 - Qt's answer on that computer

    assert local_time.system_zone({}, auckland) == "Pacific/Auckland"
    assert local_time.system_zone({"TZ": ":America/Los_Angeles"}, auckland) == (
        "America/Los_Angeles"
    )
    assert local_time.system_zone({"TZ": "Nowhere/Special"}, auckland) == "Pacific/Auckland"
    assert local_time.system_zone({}, lambda: b"") == "UTC"
    assert local_time.system_zone({}) != ""  # this computer's, through Qt


def test_a_zone_without_data_falls_back_to_the_local_offset():
    assert local_time.zone("Pacific/Auckland") == AUCKLAND
    fallback = local_time.zone("Nowhere/Special")
    assert fallback.utcoffset(datetime.now()) == datetime.now().astimezone().utcoffset()


def test_client_home_shows_upcoming_appointments_in_the_zone(qapp):
    home = ClientHome(zone=AUCKLAND)
    upcoming = [
        {
            "starts_at": EVENING_UTC.isoformat(),
            "title": "Weekly check-in",
            "practitioner": {"full_name": "Priya Patel"},
        }
    ]

    home.set_data({"first_name": "Bea"}, [], upcoming)

    assert (
        home.appointments.item(0).text() == "Tue 24 Nov, 09:30   Weekly check-in\nwith Priya Patel"
    )


def test_appointment_screen_shows_today_in_the_zone(qapp):
    screen = AppointmentScreen(lambda people: None, zone=LOS_ANGELES)
    today = {
        "date": local_time.today(LOS_ANGELES, FakeClock(EVENING_UTC)).isoformat(),
        "appointments": [
            {
                "starts_at": EVENING_UTC.isoformat(),
                "ends_at": "2026-11-23T21:15:00+00:00",
                "title": "Family session",
                "clients": [],
            }
        ],
    }

    screen.set_data({"first_name": "Priya"}, today, {"can_host": True})

    assert screen.day_label.text() == "Today's appointments · Monday 23 November"
    assert screen.appointments.item(0).text() == "12:30–13:15   Family session"


def test_the_app_uses_no_platform_only_strftime_codes():
    """%-d and friends are glibc's: Windows raises ValueError on them."""
    app = Path(vtconnect_care.__file__).parent / "app"
    pattern = re.compile(r"%-[a-zA-Z]")
    offenders = [
        f"{path.relative_to(app)}:{number}"
        for path in sorted(app.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
