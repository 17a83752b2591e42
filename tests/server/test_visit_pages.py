"""Office Portal visit and service pages in process: cookie login, CSRF, field errors, scoping.

R-VISIT-1 (the virtual marker), R-VISIT-7 (a new time: earlier links stop working).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO_PASSWORD
from vtconnect_care.domain import messages
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.server.errors import ApiError
from vtconnect_care.server.models import AuditEvent, Client, OutboxMail, Service, Staff, Visit
from vtconnect_care.server.services import visit_admin

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
T = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
def db(demo_app, demo_api):
    with demo_app.state.session_factory() as session:
        yield session


@pytest.fixture
def known(db) -> dict[str, int]:
    out = {c.username: c.id for c in db.scalars(select(Client))}
    out |= {s.username: s.id for s in db.scalars(select(Staff))}
    out |= {s.code: s.id for s in db.scalars(select(Service))}
    return out


def csrf(api, path: str) -> str:
    r = api.get(path)
    assert r.status_code == 200, r.text
    return CSRF_RE.search(r.text).group(1)


def sign_in(api, username: str) -> None:
    """Through the /login form, as a browser does: the CSRF token, then the session cookie."""
    token = csrf(api, "/login")
    r = api.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def post(api, path: str, data: dict, *, form_page: str | None = None):
    data = {"csrf_token": csrf(api, form_page or path), **data}
    return api.post(path, data=data, follow_redirects=False)


def visit_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Visit))


def test_menu_item_and_day_list_with_the_virtual_marker(demo_api):
    """R-VISIT-1: the demo's VC-CHECK visit carries the virtual marker, HOME-NURSE does not."""
    sign_in(demo_api, "olivia.admin")
    page = demo_api.get("/portal/clients").text
    assert '<a href="/portal/visits"' in page
    r = demo_api.get("/portal/visits")  # today by the FakeClock: 2026-11-23
    assert r.status_code == 200
    assert "Monday 23 November 2026" in r.text and "Time (UTC)" in r.text
    rows = r.text.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 4  # nurse.kim's two and dr.patel's two virtual visits (issue 15)
    bea, alex = [row for row in rows if "Jin Kim" in row]
    assert "15:00–15:45" in bea and "Bea Lindqvist" in bea and "Jin Kim" in bea
    assert "virtual-mark" in bea and "Scheduled" in bea
    assert "16:00–16:45" in alex and "virtual-mark" not in alex
    assert 'href="/portal/visits?date=2026-11-22"' in r.text  # previous day
    assert 'href="/portal/visits?date=2026-11-24"' in r.text  # next day
    empty = demo_api.get("/portal/visits?date=2026-11-24").text
    assert "No visits on this day." in empty


def test_create_a_service_then_a_visit_then_change_its_time(demo_api, db, known):
    sign_in(demo_api, "olivia.admin")
    r = post(
        demo_api,
        "/portal/services",
        {"name": "Video physio", "code": "vid-physio", "allows_virtual": "on"},
    )
    assert (
        r.status_code == 303 and r.headers["location"] == "/portal/services?notice=service_created"
    )
    page = demo_api.get(r.headers["location"]).text
    assert "The service is created." in page and "VID-PHYSIO" in page
    service = db.scalar(select(Service).where(Service.code == "VID-PHYSIO"))
    assert service.allows_virtual

    # Step 1 offers the clients this manager may manage; step 2 the client's departments' staff.
    step1 = demo_api.get("/portal/visits/new").text
    assert "Lindqvist, Bea" in step1 and "Reyes, Dana" not in step1  # active clients only
    step2 = demo_api.get(f"/portal/visits/new?client_id={known['bea.active']}&date=2026-11-24")
    assert step2.status_code == 200
    assert "Jin Kim (Physiotherapy)" in step2.text and "Cara Chen" in step2.text
    assert "Dan Delgado" not in step2.text  # Counselling only: not Bea's department
    assert "Video physio (VID-PHYSIO) · virtual" in step2.text
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["bea.active"],
            "employee_id": known["nurse.kim"],
            "service_id": service.id,
            "date": "2026-11-24",
            "start_time": "10:00",
            "end_time": "10:30",
        },
        form_page=f"/portal/visits/new?client_id={known['bea.active']}",
    )
    assert r.status_code == 303, r.text
    visit_url = r.headers["location"].split("?")[0]
    page = demo_api.get(r.headers["location"]).text
    assert "The visit is scheduled." in page and "10:00 to 10:30" in page
    visit = db.scalar(select(Visit).where(Visit.service_id == service.id))
    assert (visit.starts_at, visit.ends_at) == (
        T.replace(day=24, hour=10),
        T.replace(day=24, hour=10, minute=30),
    )
    assert "Bea Lindqvist" in demo_api.get("/portal/visits?date=2026-11-24").text

    # R-VISIT-7: a new time; the page says that earlier links stop working.
    r = post(
        demo_api,
        f"{visit_url}/time",
        {"date": "2026-11-24", "start_time": "11:15", "end_time": "12:00"},
        form_page=visit_url,
    )
    assert r.status_code == 303
    page = demo_api.get(r.headers["location"]).text
    assert "The new time is saved. Invite links sent before this change no longer work" in page
    assert "11:15 to 12:00" in page
    db.expire_all()
    visit = db.get(Visit, visit.id)
    assert visit.starts_at == T.replace(day=24, hour=11, minute=15) and visit.schedule_version == 2
    actions = set(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id.in_([visit.id, service.id]))
        )
    )
    assert {"service_created", "visit_created", "visit_rescheduled"} <= actions


def test_bad_input_shows_field_errors_and_saves_nothing(demo_api, db, known):
    sign_in(demo_api, "olivia.admin")
    before = visit_count(db)
    form_page = f"/portal/visits/new?client_id={known['bea.active']}"
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["bea.active"],
            "employee_id": "",
            "service_id": "",
            "date": "",
            "start_time": "9",
            "end_time": "",
        },
        form_page=form_page,
    )
    assert r.status_code == 422
    assert "Nothing was saved." in r.text
    assert 'id="e-date">Enter the date of the visit.' in r.text
    assert 'id="e-start_time">Enter a time like 09:30.' in r.text
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["bea.active"],
            "employee_id": "",
            "service_id": "",
            "date": "2026-11-24",
            "start_time": "10:00",
            "end_time": "11:00",
        },
        form_page=form_page,
    )
    assert r.status_code == 422
    assert 'id="e-employee_id">Choose an active staff member' in r.text
    assert 'id="e-service_id">Choose a service' in r.text
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["bea.active"],
            "employee_id": known["nurse.kim"],
            "service_id": known["VC-CHECK"],
            "date": "2026-11-24",
            "start_time": "10:00",
            "end_time": "09:00",
        },
        form_page=form_page,
    )
    assert r.status_code == 422 and 'id="e-end_time">The end must be after the start.' in r.text
    assert 'value="2026-11-24"' in r.text  # what was typed stays
    assert visit_count(db) == before

    # Change time: a bad time keeps the old one.
    visit = db.scalar(select(Visit).where(Visit.client_id == known["bea.active"]))
    old = (visit.starts_at, visit.ends_at)
    r = post(
        demo_api,
        f"/portal/visits/{visit.id}/time",
        {"date": "2026-11-23", "start_time": "16:00", "end_time": "15:00"},
        form_page=f"/portal/visits/{visit.id}",
    )
    assert r.status_code == 422 and 'id="e-end_time">The end must be after the start.' in r.text
    db.expire_all()
    assert (db.get(Visit, visit.id).starts_at, db.get(Visit, visit.id).ends_at) == old

    # Services: the code's rule and a taken code, beside the fields.
    r = post(demo_api, "/portal/services", {"name": "", "code": "bad code!"})
    assert r.status_code == 422
    assert 'id="e-name">Name is required.' in r.text and 'id="e-code">Use 1 to 32' in r.text
    r = post(demo_api, "/portal/services", {"name": "Again", "code": "VC-CHECK"})
    assert r.status_code == 422 and 'id="e-code">A service with this code already exists.' in r.text
    assert db.scalar(select(func.count()).select_from(Service)) == 2


def test_dept_admin_refused_for_another_departments_client(demo_api, db, known):
    """dan.deptadmin (Counselling) and Bea (Physiotherapy): 403 pages, nothing saved."""
    sign_in(demo_api, "dan.deptadmin")
    visits = demo_api.get("/portal/visits").text
    assert "Bea Lindqvist" not in visits and "Alex Morgan" in visits
    bea_visit = db.scalar(select(Visit).where(Visit.client_id == known["bea.active"]))
    r = demo_api.get(f"/portal/visits/{bea_visit.id}")
    assert r.status_code == 403 and messages.FORBIDDEN in r.text and "Bea" not in r.text
    r = demo_api.get(f"/portal/visits/new?client_id={known['bea.active']}")
    assert r.status_code == 403
    before = visit_count(db)
    r = post(
        demo_api,
        "/portal/visits/new",
        {
            "client_id": known["bea.active"],
            "employee_id": known["nurse.kim"],
            "service_id": known["VC-CHECK"],
            "date": "2026-11-24",
            "start_time": "10:00",
            "end_time": "11:00",
        },
        form_page="/portal/visits/new",
    )
    assert r.status_code == 422
    assert "You can schedule visits only for clients of your departments." in r.text
    r = post(
        demo_api,
        f"/portal/visits/{bea_visit.id}/time",
        {"date": "2026-11-23", "start_time": "17:00", "end_time": "17:30"},
        form_page="/portal/visits",
    )
    assert r.status_code == 403
    assert visit_count(db) == before
    db.expire_all()
    assert db.get(Visit, bea_visit.id).starts_at == T.replace(hour=15)


def test_practitioner_without_admin_role_is_refused(demo_api):
    sign_in(demo_api, "nurse.kim")
    assert '<a href="/portal/visits"' not in demo_api.get("/portal/me").text
    for path in ("/portal/visits", "/portal/visits/new", "/portal/services", "/portal/visits/1"):
        r = demo_api.get(path)
        assert r.status_code == 403 and messages.FORBIDDEN in r.text, path
    r = post(demo_api, "/portal/services", {"name": "X", "code": "X"}, form_page="/portal/me")
    assert r.status_code == 403


def test_signed_out_visitors_are_sent_to_login(demo_api):
    r = demo_api.get("/portal/visits?date=2026-11-24", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/portal/visits")


def test_reassign_through_the_page_and_the_service(demo_api, demo_app, db, known):
    """visit_admin.reassign: audited; refused once the employee has clocked in."""
    sign_in(demo_api, "olivia.admin")
    visit = db.scalar(select(Visit).where(Visit.client_id == known["bea.active"]))
    page = f"/portal/visits/{visit.id}"
    r = post(demo_api, f"{page}/employee", {"employee_id": "999999"}, form_page=page)
    assert r.status_code == 422 and 'id="e-employee_id">Choose an active staff member' in r.text
    r = post(demo_api, f"{page}/employee", {"employee_id": known["dr.patel"]}, form_page=page)
    assert r.status_code == 303
    assert "The visit is assigned to its new employee." in demo_api.get(r.headers["location"]).text
    db.expire_all()
    assert db.get(Visit, visit.id).employee_id == known["dr.patel"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit_reassigned"))
    assert event is not None and event.object_id == visit.id

    settings = demo_app.state.settings
    patel = db.get(Staff, known["dr.patel"])
    db.get(Visit, visit.id).clock_in_at = T.replace(hour=15)
    db.commit()
    with pytest.raises(ApiError) as refused:
        visit_admin.reassign(db, settings, patel, visit.id, employee_id=known["nurse.kim"])
    assert refused.value.status == 409
    kim = db.get(Staff, known["nurse.kim"])
    with pytest.raises(ApiError) as not_manager:
        visit_admin.reassign(db, settings, kim, visit.id, employee_id=known["nurse.kim"])
    assert not_manager.value.status == 403


def test_day_list_statuses_follow_the_employee(demo_api, db, known, as_user):
    """Scheduled, invited (R-VISIT-2), clocked in, done: as the employee's app moves the visit."""
    kim = as_user("nurse.kim", "app")
    sign_in(demo_api, "olivia.admin")
    visit = db.scalar(select(Visit).where(Visit.client_id == known["bea.active"]))

    def status() -> str:
        page = demo_api.get(f"/portal/visits/{visit.id}").text
        return re.search(r'class="badge visit-(\w+)"', page).group(1)

    assert status() == "scheduled"
    api = f"/api/v1/visits/{visit.id}"
    assert demo_api.post(f"{api}/send-invite", headers=kim).status_code == 200
    assert status() == "invited"
    assert "Last sent at 09:00 (UTC)" in demo_api.get(f"/portal/visits/{visit.id}").text
    assert demo_api.post(f"{api}/clock-in", headers=kim).status_code == 200
    page = demo_api.get(f"/portal/visits/{visit.id}").text
    assert status() == "clocked_in" and "it can no longer be reassigned" in page
    assert "Change time" in page
    r = demo_api.post(f"{api}/clock-out", headers=kim, json={"confirm": True})
    assert r.status_code == 200, r.text
    page = demo_api.get(f"/portal/visits/{visit.id}").text
    assert status() == "done" and "it is finished" in page and "Change time" not in page
    assert "Done" in demo_api.get("/portal/visits").text


def test_r_visit_7_page_warns_that_the_sent_link_is_outdated(demo_api, db, known, as_user):
    kim = as_user("nurse.kim", "app")
    sign_in(demo_api, "olivia.admin")
    visit = db.scalar(select(Visit).where(Visit.client_id == known["bea.active"]))
    assert demo_api.post(f"/api/v1/visits/{visit.id}/send-invite", headers=kim).status_code == 200
    page = f"/portal/visits/{visit.id}"
    assert "no longer works" not in demo_api.get(page).text
    r = post(
        demo_api,
        f"{page}/time",
        {"date": "2026-11-23", "start_time": "15:30", "end_time": "16:15"},
        form_page=page,
    )
    assert r.status_code == 303
    text = demo_api.get(page).text
    assert "the link the client has no longer works" in text
    assert "Resend invite to client" in text
    db.expire_all()
    link = (
        db.scalars(select(OutboxMail).where(OutboxMail.template == "visit_invite")).one().links[0]
    )
    state = demo_api.get(f"/api/v1/visit-links/{link.rsplit('/', 1)[1]}").json()
    assert state == {"status": "superseded", "message": vmsg.LINK_REASON_SUPERSEDED}


def test_r_visit_assign_the_form_offers_what_the_service_accepts(demo_api, db, known, as_user):
    """eli.unassigned has no department yet: Dan (Counselling Dept Admin) may assign
    Counselling staff only, in the form and through the API alike; Olivia (Org Admin) anyone
    of a department. (The API once accepted any active staff member here.)"""
    sign_in(demo_api, "dan.deptadmin")
    step2 = demo_api.get(f"/portal/visits/new?client_id={known['eli.unassigned']}").text
    assert "Frank Fischer (Counselling)" in step2 and "Priya Patel (Counselling)" in step2
    assert "Jin Kim" not in step2 and "Cara Chen" not in step2
    body = {
        "client_id": known["eli.unassigned"],
        "employee_id": known["nurse.kim"],
        "service_id": known["VC-CHECK"],
        "starts_at": T.replace(hour=13).isoformat(),
        "ends_at": T.replace(hour=13, minute=30).isoformat(),
    }
    dan = as_user("dan.deptadmin")
    r = demo_api.post("/api/v1/visits", headers=dan, json=body)
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {
        "employee_id": "This client has no department yet: choose a staff member of one of "
        "your departments."
    }
    body["employee_id"] = known["frank.frontdesk"]
    assert demo_api.post("/api/v1/visits", headers=dan, json=body).status_code == 201

    sign_in(demo_api, "olivia.admin")
    step2 = demo_api.get(f"/portal/visits/new?client_id={known['eli.unassigned']}").text
    assert "Jin Kim (Physiotherapy)" in step2 and "Frank Fischer (Counselling)" in step2
    body["employee_id"] = known["nurse.kim"]
    olivia = as_user("olivia.admin")
    assert demo_api.post("/api/v1/visits", headers=olivia, json=body).status_code == 201
