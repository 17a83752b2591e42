"""The organisation's time zone (issue 15): set on the Organization page (Org Admin only, audited),
and every time the portal, the invite email, the visit page and the Reports CSV show is in it,
named, on both sides of a daylight-saving change. Stored times stay UTC.

Australia/Sydney leaves daylight saving on Sunday 4 April 2027 at 03:00 AEDT (16:00 UTC on the
3rd): 10:00 there is 23:00 UTC the day before on the 3rd (+11), 00:00 UTC on the 5th (+10).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select

from tests.conftest import login_headers
from tests.server.test_clients import audits
from tests.server.test_session_log import _a_session
from tests.server.test_visit_pages import post, sign_in
from tests.server.test_visits_api import ids, new_visit, token_of
from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain.session_log import CSV_COLUMNS
from vtconnect_care.server.models import OutboxMail, Visit

API = "/api/v1"
SYDNEY = "Australia/Sydney"
BEFORE = datetime(2027, 4, 2, 23, 0, tzinfo=UTC)  # Saturday 3 April, 10:00 AEDT (+11)
AFTER = datetime(2027, 4, 5, 0, 0, tzinfo=UTC)  # Monday 5 April, 10:00 AEST (+10)
MINUTES_45 = 45 * 60


def _sydney(demo_api) -> dict:
    r = demo_api.patch(
        f"{API}/organization",
        headers=login_headers(demo_api, "olivia.admin"),
        json={"time_zone": SYDNEY},
    )
    assert r.status_code == 200, r.text
    return r.json()


def _plus(when: datetime, seconds: int) -> datetime:
    return datetime.fromtimestamp(when.timestamp() + seconds, UTC)


# --- setting it --------------------------------------------------------------------------------


def test_the_org_admin_edits_name_and_time_zone_audited(demo_app, demo_api):
    admin = login_headers(demo_api, "olivia.admin")
    assert demo_api.get(f"{API}/organization", headers=admin).json()["time_zone"] == "UTC"
    r = demo_api.patch(
        f"{API}/organization",
        headers=admin,
        json={"name": "  Riverside Care East ", "time_zone": SYDNEY},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Riverside Care East" and r.json()["time_zone"] == SYDNEY
    [event] = audits(demo_app, "organization_updated")
    assert event.detail == {
        "name": {"from": "Riverside Care", "to": "Riverside Care East"},
        "time_zone": {"from": "UTC", "to": SYDNEY},
    }
    me = demo_api.get(f"{API}/auth/me", headers=admin).json()
    assert me["organization"]["time_zone"] == SYDNEY  # what the app compares with its own


def test_a_bad_zone_or_name_is_a_field_error_and_changes_nothing(demo_app, demo_api):
    admin = login_headers(demo_api, "olivia.admin")
    for body, field in (
        ({"time_zone": "Mars/Olympus_Mons", "name": "Other"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"name": "   ", "time_zone": SYDNEY}, "name"),
    ):
        r = demo_api.patch(f"{API}/organization", headers=admin, json=body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.json()["error"]["fields"], r.text
    org = demo_api.get(f"{API}/organization", headers=admin).json()
    assert (org["name"], org["time_zone"]) == ("Riverside Care", "UTC")
    assert audits(demo_app, "organization_updated") == []


def test_only_the_org_admin_may_edit_it(demo_api):
    for who in ("dan.deptadmin", "cara.coord", "nurse.kim"):
        r = demo_api.patch(
            f"{API}/organization",
            headers=login_headers(demo_api, who),
            json={"time_zone": SYDNEY},
        )
        assert r.status_code == 403, who
    assert _sydney(demo_api)["time_zone"] == SYDNEY


def test_the_organization_page_form(demo_app, demo_api):
    """Editing the Organization information: a bad zone is the field's error, nothing saved."""
    sign_in(demo_api, "olivia.admin")
    page = demo_api.get("/portal/organization").text
    assert "Organization information" in page and 'value="UTC"' in page
    assert '<option value="Australia/Sydney">' in page  # the list to pick from
    form = {"name": "Riverside Care", "time_zone": "Nowhere/Atlantis", "manual_approval": "on"}
    r = post(demo_api, "/portal/organization", form)
    assert r.status_code == 422
    assert org_rules.ZONE_UNKNOWN in r.text and 'value="Nowhere/Atlantis"' in r.text
    admin = login_headers(demo_api, "olivia.admin")
    org = demo_api.get(f"{API}/organization", headers=admin).json()
    assert org["time_zone"] == "UTC" and org["manual_approval"] is False
    r = post(demo_api, "/portal/organization", {**form, "time_zone": SYDNEY})
    assert r.status_code == 303
    org = demo_api.get(f"{API}/organization", headers=admin).json()
    assert org["time_zone"] == SYDNEY and org["manual_approval"] is True
    assert "(now Australia/Sydney)" in demo_api.get("/portal/organization").text


def test_a_dept_admin_sees_the_information_but_cannot_save_it(demo_api):
    sign_in(demo_api, "dan.deptadmin")
    page = demo_api.get("/portal/organization").text
    assert 'id="f-time_zone"' in page and "disabled" in page
    r = post(demo_api, "/portal/organization", {"name": "Mine now", "time_zone": SYDNEY})
    assert r.status_code == 403
    org = demo_api.get(f"{API}/organization", headers=login_headers(demo_api, "olivia.admin"))
    assert org.json()["name"] == "Riverside Care"


# --- where it shows ----------------------------------------------------------------------------


def test_portal_visit_list_and_form_in_the_zone_across_the_change(demo_app, demo_api):
    _sydney(demo_api)
    admin = login_headers(demo_api, "olivia.admin")
    with demo_app.state.session_factory() as db:
        before = new_visit(demo_api, admin, db, start=BEFORE, end=_plus(BEFORE, MINUTES_45))
        known = ids(db)
    sign_in(demo_api, "olivia.admin")
    page = demo_api.get("/portal/visits?date=2027-04-03").text  # before the change, +11
    assert "Time (Australia/Sydney)" in page and "Saturday 3 April 2027" in page
    assert f'href="/portal/visits/{before["id"]}"' in page
    assert "10:00" in page and "10:45" in page
    assert "23:00" not in page  # the stored UTC time is never shown
    # entered on the form in Sydney's time, after the change: stored as UTC, +10
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["clients"]["bea.active"],
            "employee_id": known["staff"]["nurse.kim"],
            "service_id": known["services"]["VC-CHECK"],
            "date": "2027-04-05",
            "start_time": "10:00",
            "end_time": "10:45",
        },
        form_page="/portal/visits/new",
    )
    assert r.status_code == 303, r.text
    visit_id = int(r.headers["location"].split("/")[-1].split("?")[0])
    with demo_app.state.session_factory() as db:
        stored = db.get(Visit, visit_id)
        assert stored.starts_at == AFTER  # 10:00 AEST is midnight UTC
    page = demo_api.get(f"/portal/visits/{visit_id}").text
    assert "Monday 5 April 2027" in page and "10:00 to 10:45" in page
    assert "(Australia/Sydney)" in page
    listing = demo_api.get("/portal/visits?date=2027-04-05").text
    assert "10:00" in listing and "00:00" not in listing


def test_the_invite_email_and_the_visit_page_name_the_time_and_zone(demo_app, demo_api):
    _sydney(demo_api)
    admin = login_headers(demo_api, "olivia.admin")
    kim = login_headers(demo_api, "nurse.kim", audience="app")
    with demo_app.state.session_factory() as db:
        early = new_visit(demo_api, admin, db, start=BEFORE, end=_plus(BEFORE, MINUTES_45))
        late = new_visit(demo_api, admin, db, start=AFTER, end=_plus(AFTER, MINUTES_45))
    expected = {
        early["id"]: "Saturday 3 April 2027, 10:00 to 10:45 (Australia/Sydney)",
        late["id"]: "Monday 5 April 2027, 10:00 to 10:45 (Australia/Sydney)",
    }
    for visit_id, when in expected.items():
        # the app asks in its own zone (New York): the email is in the organisation's
        r = demo_api.post(f"{API}/visits/{visit_id}/send-invite?tz=America/New_York", headers=kim)
        assert r.status_code == 200, r.text
        with demo_app.state.session_factory() as db:
            mail = db.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
        assert mail.subject == f"Your video visit with Jin Kim: {when}"
        assert f"{when}." in " ".join(mail.body_text.split())
        assert "Australia/Sydney" in mail.body_html and "10:00 to 10:45" in mail.body_html
        link = mail.links[0]
        page = demo_api.get(f"/visit/{token_of(link)}")
        assert page.status_code == 200
        day = when.partition(", ")[0]
        assert f'<strong id="visit-day">{day}</strong>' in page.text
        assert '<strong id="visit-time">10:00 to 10:45</strong>' in page.text
        assert '<span id="visit-zone">Australia/Sydney</span>' in page.text
        assert 'data-zone="Australia/Sydney"' in page.text  # the script's "where you are"
        status = demo_api.get(f"{API}/visit-links/{token_of(link)}").json()
        assert (status["visit_time"], status["zone"]) == ("10:00 to 10:45", SYDNEY)


def test_the_reports_csv_and_page_across_the_change(demo_settings, demo_app, clock):
    """A session from 02:50 AEDT to 02:05 AEST on 4 April: fifteen minutes, named zone."""
    from fastapi.testclient import TestClient

    clock.set(datetime(2027, 4, 3, 15, 50, tzinfo=UTC))  # 02:50 AEDT on the 4th
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as web:
        _sydney(web)
        sid = _a_session(web, clock)  # +2 join, +3 Begin, +13 Alex leaves, +15 End
        olivia = login_headers(web, "olivia.admin")
        r = web.get(f"{API}/reports/sessions.csv", headers=olivia)
        rows = list(csv.reader(io.StringIO(r.text)))
        assert tuple(rows[0]) == CSV_COLUMNS and CSV_COLUMNS[-1] == "Time zone"
        host = next(row for row in rows[1:] if row[0] == str(sid) and row[4] == "Host")
        assert host[5:] == [
            "2027-04-04 02:50",  # joined, AEDT
            "2027-04-04 02:05",  # left, AEST: an hour went back at 03:00
            "15.0",
            "12.0",
            "2027-04-04 02:53",
            "2027-04-04 02:05",
            "12.0",
            SYDNEY,
        ]
        body = web.get(f"{API}/reports/sessions", headers=olivia).json()
        assert body["time_zone"] == SYDNEY
        assert body["sessions"][0]["day"] == "Sunday 4 April 2027"
        utc = web.get(f"{API}/reports/sessions.csv?tz=UTC", headers=olivia).text
        assert "2027-04-03 15:50" in utc and utc.rstrip().endswith(",UTC")
        assert web.get(f"{API}/reports/sessions?tz=No/Where", headers=olivia).status_code == 400
        # the days of the filters are Sydney's days: the 4th there, the 3rd in UTC
        on_4th = web.get(f"{API}/reports/sessions", headers=olivia, params={"start": "2027-04-04"})
        assert [e["session_id"] for e in on_4th.json()["sessions"]] == [sid]
        sign_in(web, "olivia.admin")
        page = web.get("/portal/reports").text
        assert "Times in Australia/Sydney" in page and "Sunday 4 April 2027" in page
        assert "began 02:53" in page and "ended 02:05" in page
        assert web.get("/portal/reports.csv").text.count(f",{SYDNEY}\r\n") == 2


def test_the_reports_page_filters_by_client(demo_settings, demo_app, clock):
    from fastapi.testclient import TestClient

    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as web:
        sid = _a_session(web, clock)  # Patel hosts Alex
        with demo_app.state.session_factory() as db:
            known = ids(db)["clients"]
        sign_in(web, "olivia.admin")
        page = web.get("/portal/reports").text
        assert '<select id="f-client" name="client_id">' in page
        assert f'<option value="{known["bea.active"]}" >Bea Lindqvist</option>' in page
        alex = web.get(f"/portal/reports?client_id={known['alex.active']}").text
        assert "Care Room hosted by Priya Patel" in alex
        assert f'<option value="{known["alex.active"]}" selected>' in alex
        bea = web.get(f"/portal/reports?client_id={known['bea.active']}").text
        assert "No sessions match these filters." in bea
        csv_bea = web.get(f"/portal/reports.csv?client_id={known['bea.active']}").text
        assert f"\r\n{sid}," not in csv_bea


def test_vtconnect_admin_sets_the_zone(tmp_path, capsys):
    from vtconnect_care.server import admin_cli

    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    common = ["--database-url", url]
    create = [
        *common,
        "create-org",
        "--name",
        "Harbour Care",
        "--slug",
        "harbour",
        "--admin-username",
        "hana.admin",
        "--admin-email",
        "hana@harbour.example",
        "--time-zone",
        "America/New_York",
        "--password-stdin",
    ]
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO("Harbour-admin-pass-1\n")
    try:
        assert admin_cli.main(create) == 0
    finally:
        sys.stdin = old
    assert "times in America/New_York" in capsys.readouterr().out
    zone_args = [*common, "set-time-zone", "--slug", "harbour", "--time-zone"]
    assert admin_cli.main([*zone_args, SYDNEY]) == 0
    assert "times are shown in Australia/Sydney" in capsys.readouterr().out
    try:
        admin_cli.main([*zone_args, "Bad/Zone"])
    except SystemExit as exc:
        assert "Nothing was changed" in str(exc)
    else:
        raise AssertionError("a bad zone was accepted")
