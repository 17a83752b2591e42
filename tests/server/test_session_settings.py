"""Session lifetimes are settings with safe defaults (issue 12; ASVS 7.3.1, 7.3.2; HIPAA
164.312(a)(2)(iii) automatic logoff), read from the environment and checked in production."""

from __future__ import annotations

from datetime import timedelta

from vtconnect_care.server.settings import Settings


def test_safe_defaults_idle_30_minutes_absolute_12_hours():
    s = Settings()
    assert s.session_idle == timedelta(minutes=30)
    assert s.session_absolute == timedelta(hours=12)


def test_lifetimes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("VTCONNECT_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("VTCONNECT_SESSION_ABSOLUTE_HOURS", "8")
    s = Settings.from_env()
    assert s.session_idle == timedelta(minutes=15)
    assert s.session_absolute == timedelta(hours=8)


def test_production_refuses_unsafe_lifetimes():
    ok = Settings(session_idle=timedelta(minutes=15), session_absolute=timedelta(hours=8))
    assert not any("SESSION" in p for p in ok.production_problems())
    for bad in (
        Settings(session_idle=timedelta(hours=5)),
        Settings(session_absolute=timedelta(days=3)),
        Settings(session_idle=timedelta(hours=2), session_absolute=timedelta(hours=1)),
    ):
        assert any("SESSION" in p for p in bad.production_problems())
