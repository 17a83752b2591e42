"""The session log (issue 16) from real sessions over the hub: times from the injected clock,
each person's time in the session and in the call, the CSV cell by cell, the Reports page and
the API scoped to the viewer's departments."""

from __future__ import annotations

import csv
import io
from contextlib import ExitStack

import pytest

from tests.conftest import login_headers
from tests.server.test_portal import sign_in
from tests.server.test_realtime import WS, host, wait
from vtconnect_care.domain.session_log import CSV_COLUMNS

pytestmark = pytest.mark.timeout(60)
API = "/api/v1/reports/sessions"


def _socket(client, stack, username):
    headers = login_headers(client, username, audience="app")
    sock = stack.enter_context(client.websocket_connect(WS, headers=headers))
    assert sock.receive_json()["type"] == "hello"
    return sock, headers


def _a_session(client, clock) -> int:
    """09:00 hosted; 09:02 Alex arrives; 09:03 Begin; 09:13 Alex leaves; 09:15 End."""
    with ExitStack() as stack:
        patel, headers = _socket(client, stack, "dr.patel")
        alex, _ = _socket(client, stack, "alex.active")
        sid = host(client, headers, "alex.active")["id"]
        patel.send_json({"type": "join", "session_id": sid})
        wait(patel, "joined")
        clock.advance(minutes=2)
        alex.send_json({"type": "join", "session_id": sid})
        wait(alex, "joined")
        clock.advance(minutes=1)
        patel.send_json({"type": "begin", "session_id": sid})
        wait(patel, "session.begun")
        clock.advance(minutes=10)
        alex.send_json({"type": "leave", "session_id": sid})
        wait(alex, "left")
        clock.advance(minutes=2)
        patel.send_json({"type": "end", "session_id": sid})
        wait(patel, "session.ended")
    return sid


def test_times_in_session_and_in_call_come_from_the_clock(demo_api, clock):
    sid = _a_session(demo_api, clock)
    olivia = login_headers(demo_api, "olivia.admin")
    r = demo_api.get(API, headers=olivia)
    assert r.status_code == 200, r.text
    entry = next(e for e in r.json()["sessions"] if e["session_id"] == sid)
    assert entry["kind"] == "Care Room" and entry["host"]["name"] == "Priya Patel"
    assert entry["call_seconds"] == 12 * 60  # Begin 09:03 to End 09:15
    people = {p["name"]: p for p in entry["people"]}
    assert people["Priya Patel"]["role"] == "Host"
    assert people["Priya Patel"]["seconds_present"] == 15 * 60
    assert people["Priya Patel"]["seconds_in_call"] == 12 * 60
    assert people["Alex Morgan"]["role"] == "Client"
    assert people["Alex Morgan"]["seconds_present"] == 11 * 60  # 09:02 to 09:13
    assert people["Alex Morgan"]["seconds_in_call"] == 10 * 60  # 09:03 to 09:13


def test_the_csv_says_what_the_filters_show_cell_by_cell(demo_api, clock):
    sid = _a_session(demo_api, clock)
    olivia = login_headers(demo_api, "olivia.admin")
    r = demo_api.get(f"{API}.csv", headers=olivia, params={"min_minutes": 5})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    mine = [row for row in rows[1:] if row[0] == str(sid)]
    assert mine == [
        [
            str(sid),
            "Care Room",
            "Priya Patel",
            "Priya Patel",
            "Host",
            "2026-11-23 09:00",
            "2026-11-23 09:15",
            "15.0",
            "12.0",
            "2026-11-23 09:03",
            "2026-11-23 09:15",
            "12.0",
            "UTC",
        ],
        [
            str(sid),
            "Care Room",
            "Priya Patel",
            "Alex Morgan",
            "Client",
            "2026-11-23 09:02",
            "2026-11-23 09:13",
            "11.0",
            "10.0",
            "2026-11-23 09:03",
            "2026-11-23 09:15",
            "12.0",
            "UTC",
        ],
    ]
    longer = demo_api.get(f"{API}.csv", headers=olivia, params={"min_minutes": 13}).text
    assert f"\r\n{sid}," not in longer  # a 12-minute call is not "at least 13 minutes"


def test_filters_by_practitioner_client_and_dates(demo_api, clock):
    sid = _a_session(demo_api, clock)
    olivia = login_headers(demo_api, "olivia.admin")

    def ids(**params) -> list[int]:
        r = demo_api.get(API, headers=olivia, params=params)
        assert r.status_code == 200, r.text
        return [e["session_id"] for e in r.json()["sessions"]]

    assert sid in ids(start="2026-11-23", end="2026-11-23")
    assert sid not in ids(start="2026-11-24")
    assert sid not in ids(end="2026-11-22")
    assert demo_api.get(API, headers=olivia, params={"start": "9999-01-01"}).status_code == 422


def test_the_log_is_scoped_to_the_viewers_departments(demo_api, clock):
    """A Counselling session (Patel hosts Alex) is Dan's (Counselling); Cara (Physiotherapy
    only) does not see it; a practitioner who manages nobody has no Reports at all."""
    sid = _a_session(demo_api, clock)
    dan = login_headers(demo_api, "dan.deptadmin")
    cara = login_headers(demo_api, "cara.coord")
    kim = login_headers(demo_api, "nurse.kim")

    def seen(headers) -> list[int]:
        return [e["session_id"] for e in demo_api.get(API, headers=headers).json()["sessions"]]

    assert sid in seen(dan)
    # Patel works in Physiotherapy too, so her session is in Cara's departments by its host
    assert sid in seen(cara)
    assert demo_api.get(API, headers=kim).status_code == 403


def test_the_reports_page_lists_the_session_and_offers_the_csv(demo_settings, demo_app, clock):
    from fastapi.testclient import TestClient

    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as web:
        sid = _a_session(web, clock)
        sign_in(web, "olivia.admin")
        page = web.get("/portal/reports")
        assert page.status_code == 200
        assert "Care Room hosted by Priya Patel" in page.text
        assert 'href="/portal/reports.csv"' in page.text
        csv_page = web.get("/portal/reports.csv")
        assert csv_page.text.count(f"\r\n{sid},") == 2
        web.cookies.clear()
        sign_in(web, "nurse.kim")
        assert web.get("/portal/reports").status_code in (302, 303, 403)
