"""The Organization information's rules (issue 15): the zone and name checks, who edits it, the
app's note on its zone."""

from __future__ import annotations

from datetime import UTC, datetime

from vtconnect_care.domain import organization as rules
from vtconnect_care.domain.roles import Role, StaffView
from vtconnect_care.domain.times import hhmm


def test_only_iana_zones_this_machine_knows():
    for good in ("Australia/Sydney", "America/New_York", "UTC", "Europe/London"):
        assert rules.zone_error(good) is None, good
    for bad in ("", "   ", "Mars/Base", "../../etc/passwd", "/etc/localtime", "x" * 65, None):
        assert rules.zone_error(bad) == rules.ZONE_UNKNOWN, bad
    assert "Australia/Sydney" in rules.zone_choices()


def test_names_and_field_errors():
    assert rules.field_errors({"name": " ", "time_zone": "Nope"}) == {
        "name": rules.NAME_REQUIRED,
        "time_zone": rules.ZONE_UNKNOWN,
    }
    assert rules.field_errors({"name": "x" * 201}) == {"name": rules.NAME_TOO_LONG}
    assert rules.field_errors({"manual_approval": True}) == {}


def test_r_reg_6_only_an_org_admin_edits_it():
    assert rules.edit_refusal(StaffView(1, frozenset({Role.ORG_ADMIN}))) is None
    for roles in ({Role.DEPT_ADMIN}, {Role.CARE_COORDINATOR}, set()):
        refusal = rules.edit_refusal(StaffView(2, frozenset(roles)))
        assert refusal is not None and refusal.code == "org_admin_only"


def test_a_stored_zone_that_is_gone_reads_as_utc_and_says_so():
    assert rules.zone_name("Gone/Zone") == "UTC"
    assert hhmm(datetime(2027, 4, 3, 15, 50, tzinfo=UTC), rules.zone("Gone/Zone")) == "15:50"
    sydney = rules.zone("Australia/Sydney")
    assert hhmm(datetime(2027, 4, 3, 15, 50, tzinfo=UTC), sydney) == "02:50"  # AEDT, +11
    assert hhmm(datetime(2027, 4, 3, 16, 5, tzinfo=UTC), sydney) == "02:05"  # AEST, +10


def test_the_apps_note_names_the_computers_zone_and_the_organisations_when_it_differs():
    same = rules.computer_zone_note("Europe/London", "Europe/London")
    assert same == "Times are in this computer's time zone, Europe/London."
    other = rules.computer_zone_note("Europe/London", "Australia/Sydney")
    assert other.startswith(same) and "Your organisation uses Australia/Sydney" in other
    assert rules.computer_zone_note("UTC", None) == "Times are in this computer's time zone, UTC."
