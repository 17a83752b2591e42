"""Demo data (issue 15): dr.patel, the README's first login, has today's virtual visits, one
running now so the walk-through's Copy invite link, Clock in and Join work; seeding is
idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from vtconnect_care.server.demo import seed
from vtconnect_care.server.models import Visit

API = "/api/v1"


def test_dr_patel_has_todays_virtual_visits_one_running_now(demo_api, as_user, clock):
    patel = as_user("dr.patel", "app")
    visits = demo_api.get(f"{API}/visits", headers=patel).json()["visits"]
    assert len(visits) == 2 and all(v["is_virtual"] for v in visits)
    assert [v["client"]["full_name"] for v in visits] == ["Alex Morgan", "Bea Lindqvist"]
    running = visits[0]
    assert running["starts_at"] <= clock.now().isoformat() < running["ends_at"]
    detail = demo_api.get(f"{API}/visits/{running['id']}", headers=patel).json()
    assert detail["buttons"]["copy_invite_link"]["enabled"] is True
    assert detail["buttons"]["clock_in"]["enabled"] is True
    link = demo_api.post(f"{API}/visits/{running['id']}/copy-link", headers=patel)
    assert link.status_code == 200, link.text


def test_seeding_twice_adds_no_visit(demo_app, demo_settings):
    factory = demo_app.state.session_factory

    def count() -> int:
        with factory() as db:
            return db.scalar(select(func.count()).select_from(Visit))

    before = count()
    seed(factory, demo_settings)
    assert count() == before == 4
