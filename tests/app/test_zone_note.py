"""The app shows the computer's time zone and says when the organisation's differs (issue 15)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from vtconnect_care.app.appointment_screen import AppointmentScreen
from vtconnect_care.app.visits.schedule_view import ScheduleView

ACCOUNT = {"id": 7, "first_name": "Priya", "organization": {"time_zone": "Australia/Sydney"}}
# 2027-04-04: Sydney leaves daylight saving that morning; London's computer shows its own times
TODAY = {
    "date": "2027-04-04",
    "time_zone": "Europe/London",
    "organization_time_zone": "Australia/Sydney",
    "appointments": [
        {
            "id": 1,
            "title": "Check-in",
            "starts_at": "2027-04-04T08:30:00+00:00",
            "ends_at": "2027-04-04T09:00:00+00:00",
            "clients": [],
        }
    ],
}


def test_the_appointment_screen_names_both_zones(qtbot):
    screen = AppointmentScreen(lambda people: None, zone=ZoneInfo("Europe/London"))
    qtbot.addWidget(screen)
    screen.set_data(ACCOUNT, TODAY, {"can_host": True, "clients": [], "colleagues": []})
    note = screen.zone_note.text()
    assert "this computer's time zone, Europe/London" in note
    assert "Your organisation uses Australia/Sydney" in note
    assert screen.appointments.item(0).text().startswith("09:30–10:00")  # BST, the computer's
    screen.set_data(
        {**ACCOUNT, "organization": {"time_zone": "Europe/London"}},
        {**TODAY, "organization_time_zone": "Europe/London"},
        {"can_host": True},
    )
    assert screen.zone_note.text() == "Times are in this computer's time zone, Europe/London."


def test_the_visit_schedule_names_both_zones(qtbot):
    view = ScheduleView()
    qtbot.addWidget(view)
    body = {
        "date": "2027-04-04",
        "tz": "America/New_York",
        "organization_time_zone": "Australia/Sydney",
        "visits": [],
    }
    view.set_schedule(body, ZoneInfo("America/New_York"))
    assert "America/New_York" in view.zone_note.text()
    assert "Australia/Sydney" in view.zone_note.text()
