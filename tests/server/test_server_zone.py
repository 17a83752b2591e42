"""The server machine's zone, a new organisation's default (issue 15)."""

from __future__ import annotations

from vtconnect_care.server.settings import Settings
from vtconnect_care.server.zones import server_zone


def test_the_environment_then_localtime_then_timezone_file(tmp_path):
    none = tmp_path / "none"
    assert server_zone({"VTCONNECT_TIME_ZONE": "Asia/Tokyo", "TZ": "Europe/Paris"}, none, none) == (
        "Asia/Tokyo"
    )
    assert server_zone({"TZ": ":Europe/Paris"}, none, none) == "Europe/Paris"
    zoneinfo = tmp_path / "usr/share/zoneinfo/America"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "Chicago").write_bytes(b"TZif")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo / "Chicago")
    assert server_zone({"TZ": "Not/AZone"}, link, none) == "America/Chicago"
    named = tmp_path / "timezone"
    named.write_text("Pacific/Auckland\n")
    assert server_zone({}, none, named) == "Pacific/Auckland"
    named.write_text("Etc/UTC\n")
    assert server_zone({}, none, named) == "UTC"
    assert server_zone({}, none, none) == "UTC"


def test_settings_from_the_environment_take_it(monkeypatch):
    monkeypatch.setenv("VTCONNECT_TIME_ZONE", "America/New_York")
    assert Settings.from_env().time_zone == "America/New_York"
    assert Settings().time_zone == "UTC"  # tests and embedded use stay predictable
