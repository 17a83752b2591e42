"""Virtual visits over the REST API, on the real database, with the FakeClock (R-VISIT-1..16)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.server.models import (
    AuditEvent,
    Client,
    OutboxMail,
    Service,
    Token,
    Visit,
    VisitNoteRevision,
)
from vtconnect_care.server.services import visits as visit_service

API = "/api/v1"
T = datetime(2026, 11, 23, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return T.replace(hour=hour, minute=minute)


@pytest.fixture
def db(demo_app, demo_api):
    with demo_app.state.session_factory() as session:
        yield session


@pytest.fixture
def kim(as_user):
    return as_user("nurse.kim", "app")


@pytest.fixture
def admin(as_user):
    return as_user("olivia.admin")


def kims_visit(demo_api, kim, code: str = "VC-CHECK") -> dict:
    visits = demo_api.get(f"{API}/visits", headers=kim).json()["visits"]
    return next(v for v in visits if v["service"]["code"] == code)


def ids(db) -> dict:
    clients = {c.username: c.id for c in db.scalars(select(Client))}
    from vtconnect_care.server.models import Staff

    staff = {s.username: s.id for s in db.scalars(select(Staff))}
    services = {s.code: s.id for s in db.scalars(select(Service))}
    return {"clients": clients, "staff": staff, "services": services}


def new_visit(demo_api, admin, db, *, start: datetime, end: datetime, client="bea.active"):
    known = ids(db)
    r = demo_api.post(
        f"{API}/visits",
        headers=admin,
        json={
            "client_id": known["clients"][client],
            "employee_id": known["staff"]["nurse.kim"],
            "service_id": known["services"]["VC-CHECK"],
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["visit"]


def token_of(link: str) -> str:
    assert link.startswith("http://portal.test/visit/")
    return link.rsplit("/", 1)[1]


def link_state(demo_api, link: str) -> dict:
    r = demo_api.get(f"{API}/visit-links/{token_of(link)}")
    assert r.status_code == 200, r.text
    return r.json()


def copy_link(demo_api, kim, visit_id: int) -> str:
    r = demo_api.post(f"{API}/visits/{visit_id}/copy-link", headers=kim)
    assert r.status_code == 200, r.text
    return r.json()["link"]


def error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


# --- schedule and office staff -----------------------------------------------------------------


def test_r_visit_1_schedule_marks_only_virtual_service_visits_virtual(demo_api, kim):
    r = demo_api.get(f"{API}/visits", headers=kim)
    assert r.status_code == 200, r.text
    rows = r.json()["visits"]
    assert [(v["service"]["code"], v["is_virtual"]) for v in rows] == [
        ("VC-CHECK", True),
        ("HOME-NURSE", False),
    ]
    assert rows[0]["client"]["full_name"] == "Bea Lindqvist"
    assert "email" not in rows[0]["client"]


def test_visits_need_a_signed_in_staff_member(demo_api, as_user):
    assert demo_api.get(f"{API}/visits").status_code == 401
    r = demo_api.get(f"{API}/visits", headers=as_user("alex.active", "app"))
    assert r.status_code == 403


def test_r_visit_1_managers_create_services_others_may_not(demo_api, admin, kim):
    r = demo_api.post(
        f"{API}/services", headers=admin, json={"code": "vc-long", "name": "Long video check"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["code"] == "VC-LONG" and r.json()["allows_virtual"] is False
    again = demo_api.post(f"{API}/services", headers=admin, json={"code": "VC-LONG", "name": "x"})
    assert error(again, 409)["fields"]["code"]
    bad = demo_api.post(f"{API}/services", headers=admin, json={"code": "no spaces", "name": "x"})
    assert "code" in error(bad, 422)["fields"]
    denied = demo_api.post(f"{API}/services", headers=kim, json={"code": "X", "name": "x"})
    assert denied.status_code == 403
    codes = [s["code"] for s in demo_api.get(f"{API}/services", headers=kim).json()["services"]]
    assert codes == ["HOME-NURSE", "VC-CHECK", "VC-LONG"]


def test_managers_create_visits_with_field_errors_and_others_may_not(demo_api, admin, kim, db):
    v = new_visit(demo_api, admin, db, start=at(13), end=at(13, 30))
    assert v["employee"]["full_name"] and v["is_virtual"] is True
    assert v["buttons"]["send_invite"]["enabled"] is False  # the admin is not the employee
    known = ids(db)
    bad = demo_api.post(
        f"{API}/visits",
        headers=admin,
        json={
            "client_id": known["clients"]["carl.inactive"],
            "employee_id": 99999,
            "service_id": known["services"]["VC-CHECK"],
            "starts_at": at(13).isoformat(),
            "ends_at": at(12).isoformat(),
        },
    )
    assert error(bad, 422)["fields"] == {"ends_at": "The end must be after the start."}
    bad = demo_api.post(
        f"{API}/visits",
        headers=admin,
        json={
            "client_id": known["clients"]["carl.inactive"],
            "employee_id": 99999,
            "service_id": known["services"]["VC-CHECK"],
            "starts_at": at(13).isoformat(),
            "ends_at": at(14).isoformat(),
        },
    )
    assert set(error(bad, 422)["fields"]) == {"client_id", "employee_id"}
    naive = demo_api.post(
        f"{API}/visits",
        headers=admin,
        json={"client_id": 1, "employee_id": 1, "service_id": 1, "starts_at": "2026-11-23T13:00"},
    )
    assert naive.status_code == 422
    denied = demo_api.post(
        f"{API}/visits",
        headers=kim,
        json={
            "client_id": known["clients"]["bea.active"],
            "employee_id": known["staff"]["nurse.kim"],
            "service_id": known["services"]["VC-CHECK"],
            "starts_at": at(13).isoformat(),
            "ends_at": at(14).isoformat(),
        },
    )
    assert denied.status_code == 403


# --- invites -------------------------------------------------------------------------------------


def test_r_visit_2_send_invite_emails_the_link_and_creates_the_session(demo_api, kim, db):
    visit = kims_visit(demo_api, kim)
    assert visit["virtual_session_state"] is None
    r = demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=kim)
    assert r.status_code == 200, r.text
    detail = r.json()["visit"]
    assert detail["virtual_session"]["state"] == "created"
    assert detail["virtual_session"]["invites_sent"] == 1
    assert detail["virtual_session"]["last_invite_sent_at"] == "2026-11-23T09:00:00+00:00"
    assert detail["buttons"]["send_invite"]["enabled"] is False
    assert detail["buttons"]["resend_invite"]["enabled"] is True
    mail = db.scalars(select(OutboxMail).where(OutboxMail.template == "visit_invite")).one()
    assert mail.to_addr.startswith("bea")
    link = mail.links[0]
    assert link in mail.body_text and link in mail.body_html
    assert "15:00 to 15:45" in mail.body_text and "Hello Bea" in mail.body_text
    # the token is stored hashed, never as sent
    raw = token_of(link)
    stored = db.scalars(select(Token).where(Token.purpose == "visit_invite")).one()
    assert stored.token_hash != raw and raw not in str(stored.data)
    assert link_state(demo_api, link)["status"] == "valid"
    actions = [
        e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.object_type == "visit"))
    ]
    assert "visit_invite_sent" in actions


def test_r_visit_3_copy_invite_link_creates_the_session_without_mail(demo_api, kim, db):
    visit = kims_visit(demo_api, kim)
    link = copy_link(demo_api, kim, visit["id"])
    assert link_state(demo_api, link)["status"] == "valid"
    assert db.scalars(select(OutboxMail).where(OutboxMail.template == "visit_invite")).all() == []
    detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
    assert detail["virtual_session"]["state"] == "created"
    assert detail["virtual_session"]["invites_sent"] == 0


def test_r_visit_4_only_the_assigned_employee_may_invite(demo_api, as_user, kim):
    visit = kims_visit(demo_api, kim)
    patel = as_user("dr.patel", "app")
    r = demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=patel)
    assert error(r, 403) == {"code": "not_assigned", "message": vmsg.NOT_ASSIGNED}
    assert vmsg.NOT_ASSIGNED == (
        "You need to be assigned to the visit to be able to send an invitation to the client."
    )
    r = demo_api.post(f"{API}/visits/{visit['id']}/copy-link", headers=patel)
    assert error(r, 403)["message"] == vmsg.NOT_ASSIGNED


def test_r_visit_5_no_client_email_no_invite_mail(demo_api, kim, db):
    visit = kims_visit(demo_api, kim)
    client = db.get(Visit, visit["id"]).client
    client.email = None
    db.commit()
    r = demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=kim)
    assert error(r, 409) == {
        "code": "no_client_email",
        "message": "The client does not have an email address.",
    }
    assert db.scalars(select(OutboxMail).where(OutboxMail.template == "visit_invite")).all() == []
    detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
    assert detail["buttons"]["send_invite"] == {
        "label": "Send invite to client",
        "enabled": False,
        "reason": vmsg.NO_CLIENT_EMAIL,
    }
    assert (
        detail["buttons"]["copy_invite_link"]["enabled"] is True
    )  # a link can still be handed over


def test_r_visit_7_a_link_sent_before_a_time_change_stops_working_until_resent(
    demo_api, kim, admin, db
):
    visit = kims_visit(demo_api, kim)
    demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=kim)
    first = db.scalars(select(OutboxMail)).all()[-1].links[0]
    r = demo_api.put(
        f"{API}/visits/{visit['id']}/schedule",
        headers=admin,
        json={"starts_at": at(16).isoformat(), "ends_at": at(16, 45).isoformat()},
    )
    assert r.status_code == 200, r.text
    state = link_state(demo_api, first)
    assert state == {"status": "superseded", "message": vmsg.LINK_REASON_SUPERSEDED}
    detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
    assert detail["virtual_session"]["invite_outdated"] is True
    assert detail["buttons"]["resend_invite"]["reason"] == vmsg.INVITE_OUTDATED
    r = demo_api.post(f"{API}/visits/{visit['id']}/resend-invite", headers=kim)
    assert r.status_code == 200, r.text
    second = db.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()[-1]
    assert "16:00 to 16:45" in second.body_text
    assert link_state(demo_api, second.links[0])["status"] == "valid"
    assert link_state(demo_api, first)["status"] == "superseded"  # still dead after the resend
    assert r.json()["visit"]["virtual_session"]["invites_sent"] == 2


def test_r_visit_7_only_managers_change_the_time(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    r = demo_api.put(
        f"{API}/visits/{visit['id']}/schedule",
        headers=kim,
        json={"starts_at": at(16).isoformat(), "ends_at": at(16, 45).isoformat()},
    )
    assert r.status_code == 403


def test_resend_needs_a_first_invite(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    r = demo_api.post(f"{API}/visits/{visit['id']}/resend-invite", headers=kim)
    assert error(r, 409)["code"] == "no_session"


def test_a_visit_that_is_not_virtual_has_no_invite(demo_api, kim):
    visit = kims_visit(demo_api, kim, "HOME-NURSE")
    r = demo_api.post(f"{API}/visits/{visit['id']}/copy-link", headers=kim)
    assert error(r, 409)["code"] == "not_virtual"


def test_bad_and_unknown_links_explain_themselves(demo_api):
    for raw in ("nonsense", "x" * 300):
        assert link_state(demo_api, f"http://portal.test/visit/{raw}") == {
            "status": "invalid",
            "message": vmsg.LINK_REASON_INVALID,
        }


# --- R-VISIT-8: 15 minutes past the end ---------------------------------------------------------


def test_r_visit_8_link_works_at_14_59_and_not_at_15_01_for_a_visit_ending_14_45(
    demo_api, admin, db, clock, as_user
):
    visit = new_visit(demo_api, admin, db, start=at(14), end=at(14, 45))
    clock.set(at(14, 20))
    kim = as_user("nurse.kim", "app")  # a sign-in idles out after an hour
    link = copy_link(demo_api, kim, visit["id"])
    assert demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim).status_code == 200
    clock.set(at(14, 59))
    kim = as_user("nurse.kim", "app")  # sessions idle out after 30 minutes
    assert link_state(demo_api, link)["status"] == "valid"
    detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
    assert detail["buttons"]["join_video"]["enabled"] is True
    assert detail["link_expires_at"] == "2026-11-23T15:00:00+00:00"
    clock.set(at(15, 1))
    assert link_state(demo_api, link) == {"status": "expired", "message": vmsg.LINK_REASON_EXPIRED}
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert error(r, 409) == {"code": "link_expired", "message": vmsg.LINK_EXPIRED}
    r = demo_api.post(f"{API}/visits/{visit['id']}/resend-invite", headers=kim)
    assert error(r, 409)["code"] == "link_expired"


# --- clocking and joining ----------------------------------------------------------------------


def test_r_visit_6_invite_before_clock_in_but_join_needs_clock_in(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    copy_link(demo_api, kim, visit["id"])
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert error(r, 409) == {"code": "not_clocked_in", "message": vmsg.JOIN_NEEDS_CLOCK_IN}
    assert demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim).status_code == 200
    again = demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    assert error(again, 409)["code"] == "already_clocked_in"
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "open"
    # R-VISIT-9: the client has not come yet; the message names the last invite's time
    assert body["notice"] == (
        "The client has not joined the session yet. The last invite was sent at 09:00."
    )
    # R-VISIT-14: joining again (after closing the window) is the same session
    assert demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim).json()["state"] == "open"


def test_r_visit_6_invite_after_clock_in_is_allowed(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    assert demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim).status_code == 200
    assert demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=kim).status_code == 200


def test_r_visit_9_the_last_invite_time_is_shown_in_the_viewers_zone(demo_api, kim, clock):
    visit = kims_visit(demo_api, kim)
    copy_link(demo_api, kim, visit["id"])
    clock.advance(minutes=7)
    demo_api.post(f"{API}/visits/{visit['id']}/send-invite", headers=kim)
    demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    r = demo_api.post(f"{API}/visits/{visit['id']}/join?tz=Europe/Paris", headers=kim)
    assert r.json()["notice"].endswith("The last invite was sent at 10:07.")


def test_r_visit_13_clock_out_during_a_live_session_warns_and_keeps_the_call(demo_api, kim, db):
    visit = kims_visit(demo_api, kim)
    copy_link(demo_api, kim, visit["id"])
    demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    r = demo_api.post(f"{API}/visits/{visit['id']}/clock-out", headers=kim)
    assert error(r, 409) == {
        "code": "virtual_session_active",
        "message": (
            "The video session with your client is still active. Clocking out will not close the "
            "video session so make sure you hang up on the video session as well. Would you like "
            "to clock out anyway?"
        ),
    }
    r = demo_api.post(f"{API}/visits/{visit['id']}/clock-out", headers=kim, json={"confirm": True})
    assert r.status_code == 200, r.text
    detail = r.json()["visit"]
    assert detail["clock_out_at"] is not None
    assert detail["virtual_session"]["live"] is True  # the call goes on until hung up
    # R-VISIT-15: but no new session can be opened, and the window shows why
    assert detail["buttons"]["join_video"]["reason"] == vmsg.CLOCKED_OUT_NO_SESSION
    hang = demo_api.post(f"{API}/visits/{visit['id']}/hang-up", headers=kim)
    assert hang.json()["message"] == vmsg.SESSION_OVER


def test_r_visit_15_clocked_out_before_any_call_means_no_session_ever(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    link = copy_link(demo_api, kim, visit["id"])
    demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    r = demo_api.post(f"{API}/visits/{visit['id']}/clock-out", headers=kim)
    assert r.status_code == 200, r.text
    assert r.json()["visit"]["virtual_session"]["state"] == "ended"
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert error(r, 409)["code"] in {"session_ended", "clocked_out"}
    r = demo_api.post(f"{API}/visits/{visit['id']}/resend-invite", headers=kim)
    assert r.status_code == 409
    assert link_state(demo_api, link)["status"] == "finished"


def test_r_visit_12_caregiver_hang_up_ends_it_for_good(demo_api, kim, demo_app, db):
    visit = kims_visit(demo_api, kim)
    link = copy_link(demo_api, kim, visit["id"])
    demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    vs_id = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim).json()[
        "virtual_session_id"
    ]
    settings = demo_app.state.settings
    with demo_app.state.session_factory() as s:
        assert visit_service.can_join(
            s, settings, virtual_session_id=vs_id, raw_token=token_of(link)
        ).allowed
        assert (
            visit_service.on_client_join(s, settings, virtual_session_id=vs_id).value == "in_call"
        )
    r = demo_api.post(f"{API}/visits/{visit['id']}/hang-up", headers=kim)
    assert (
        r.json()["message"] == "Your session with the client is over. You can now close the page."
    )
    assert r.json()["visit"]["virtual_session"]["ended_by"] == "employee"
    r = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim)
    assert error(r, 409)["code"] == "session_ended"
    assert link_state(demo_api, link)["status"] == "finished"
    assert demo_api.post(f"{API}/visits/{visit['id']}/copy-link", headers=kim).status_code == 409
    with demo_app.state.session_factory() as s:
        check = visit_service.can_join(
            s, settings, virtual_session_id=vs_id, raw_token=token_of(link)
        )
        assert not check.allowed and check.code == "finished"


def test_r_visit_11_client_hang_up_is_not_an_ending(demo_api, kim, demo_app):
    visit = kims_visit(demo_api, kim)
    link = copy_link(demo_api, kim, visit["id"])
    demo_api.post(f"{API}/visits/{visit['id']}/clock-in", headers=kim)
    vs_id = demo_api.post(f"{API}/visits/{visit['id']}/join", headers=kim).json()[
        "virtual_session_id"
    ]
    settings = demo_app.state.settings
    with demo_app.state.session_factory() as s:
        visit_service.on_client_join(s, settings, virtual_session_id=vs_id)
        result = visit_service.on_client_hangup(s, settings, virtual_session_id=vs_id)
    assert result.notice == (
        "The client has hung up. If the session is not supposed to be over, please reach out to "
        "the client."
    )
    assert link_state(demo_api, link)["status"] == "valid"  # the client may come back
    with demo_app.state.session_factory() as s:
        assert (
            visit_service.on_client_join(s, settings, virtual_session_id=vs_id).value == "in_call"
        )


def test_other_employees_cannot_clock_join_or_read_notes(demo_api, as_user, kim):
    visit = kims_visit(demo_api, kim)
    frank = as_user("frank.frontdesk", "portal")  # staff, not assigned, not a manager
    for path in ("clock-in", "clock-out", "join", "hang-up"):
        r = demo_api.post(f"{API}/visits/{visit['id']}/{path}", headers=frank)
        assert r.status_code == 403, (path, r.text)
    assert demo_api.get(f"{API}/visits/{visit['id']}", headers=frank).status_code == 403
    r = demo_api.put(
        f"{API}/visits/{visit['id']}/notes", headers=frank, json={"notes": "x", "base_version": 0}
    )
    assert r.status_code == 403
    assert demo_api.get(f"{API}/visits/999999", headers=kim).status_code == 404


# --- R-VISIT-16: notes saved as typed -----------------------------------------------------------


def test_r_visit_16_notes_autosave_is_versioned_and_loses_nothing(demo_api, kim, db):
    visit = kims_visit(demo_api, kim)
    url = f"{API}/visits/{visit['id']}/notes"
    assert demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()["notes_version"] == 0
    r = demo_api.put(url, headers=kim, json={"notes": "Client in", "base_version": 0})
    assert r.json()["version"] == 1
    r = demo_api.put(url, headers=kim, json={"notes": "Client in good spirits", "base_version": 1})
    assert r.json() == {
        "notes": "Client in good spirits",
        "version": 2,
        "saved_at": "2026-11-23T09:00:00+00:00",
    }
    # the answer was lost on a drop and the app retries the same save: a success, not a copy
    r = demo_api.put(url, headers=kim, json={"notes": "Client in good spirits", "base_version": 1})
    assert r.status_code == 200 and r.json()["version"] == 2
    # a stale editor (an older version) is refused with the current text; its text is kept
    r = demo_api.put(url, headers=kim, json={"notes": "Client in pain", "base_version": 1})
    err = error(r, 409)
    assert err["code"] == "notes_conflict"
    assert err["current"] == {"notes": "Client in good spirits", "version": 2}
    kept = db.scalars(
        select(VisitNoteRevision).where(VisitNoteRevision.visit_id == visit["id"])
    ).all()
    assert [(k.version, k.text, k.conflict) for k in kept] == [
        (1, "Client in", False),
        (2, "Client in good spirits", False),
        (2, "Client in pain", True),
    ]
    detail = demo_api.get(f"{API}/visits/{visit['id']}", headers=kim).json()
    assert detail["notes"] == "Client in good spirits" and detail["notes_version"] == 2
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action.like("visit_notes%"))).all()
    assert [a.action for a in audit] == [
        "visit_notes_saved",
        "visit_notes_saved",
        "visit_notes_conflict",
    ]
    assert "Client" not in str([a.detail for a in audit])  # the audit never holds the text
    too_long = demo_api.put(url, headers=kim, json={"notes": "x" * 100_001, "base_version": 2})
    assert too_long.status_code == 422


def test_bad_input_is_a_field_error_not_a_500(demo_api, kim):
    visit = kims_visit(demo_api, kim)
    r = demo_api.put(f"{API}/visits/{visit['id']}/notes", headers=kim, json={"notes": 5})
    assert r.status_code == 422
    r = demo_api.get(f"{API}/visits?tz=Not/AZone", headers=kim)
    assert error(r, 400)["code"] == "bad_timezone"
    r = demo_api.get(f"{API}/visits?date=yesterday", headers=kim)
    assert r.status_code == 422
    r = demo_api.post(f"{API}/visits/abc/join", headers=kim)
    assert r.status_code == 422


def test_the_schedule_follows_the_clock_and_managers_see_others(demo_api, as_user, db, clock):
    clock.advance(timedelta(days=1))
    kim, admin = as_user("nurse.kim", "app"), as_user("olivia.admin")
    assert demo_api.get(f"{API}/visits", headers=kim).json()["visits"] == []
    known = ids(db)
    r = demo_api.get(
        f"{API}/visits?date=2026-11-23&employee_id={known['staff']['nurse.kim']}", headers=admin
    )
    assert len(r.json()["visits"]) == 2


def test_dept_scoped_managers_reach_only_their_departments_visits(demo_api, as_user, kim):
    """Bea is associated in Physiotherapy: its Care Coordinator may move her visit; the
    Counselling Dept Admin may neither see nor move it (R-ASSOC-1's scopes, applied to visits)."""
    visit = kims_visit(demo_api, kim)
    times = {"starts_at": at(16).isoformat(), "ends_at": at(16, 45).isoformat()}
    dan = as_user("dan.deptadmin")
    assert demo_api.get(f"{API}/visits/{visit['id']}", headers=dan).status_code == 403
    r = demo_api.put(f"{API}/visits/{visit['id']}/schedule", headers=dan, json=times)
    assert r.status_code == 403
    cara = as_user("cara.coord")
    r = demo_api.put(f"{API}/visits/{visit['id']}/schedule", headers=cara, json=times)
    assert r.status_code == 200, r.text
    assert r.json()["visit"]["schedule_version"] == 2


def test_invite_tokens_never_reach_the_access_log():
    from vtconnect_care.server.redact import RedactSecrets

    def logged(path: str) -> str:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            "",
            0,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", path, "1.1", 200),
            None,
        )
        RedactSecrets().filter(record)
        return record.getMessage()

    assert "/visit/[token]" in logged("/visit/s3cret-Token_x")
    assert "s3cret" not in logged("/api/v1/visit-links/s3cret?tz=UTC")
    assert "/api/v1/visits/4/join" in logged("/api/v1/visits/4/join")


def test_the_employee_must_work_in_one_of_the_clients_departments(demo_api, admin, db):
    """The API refuses what the portal's form never offers: nurse.kim (Physiotherapy) for
    alex.active (Counselling); reassigning a visit follows the same rule."""
    known = ids(db)
    body = {
        "client_id": known["clients"]["alex.active"],
        "employee_id": known["staff"]["nurse.kim"],
        "service_id": known["services"]["VC-CHECK"],
        "starts_at": at(13).isoformat(),
        "ends_at": at(13, 30).isoformat(),
    }
    before = len(list(db.scalars(select(Visit))))
    r = demo_api.post(f"{API}/visits", headers=admin, json=body)
    assert error(r, 422)["fields"] == {
        "employee_id": "Choose a staff member of one of this client's departments."
    }
    db.expire_all()
    assert len(list(db.scalars(select(Visit)))) == before  # nothing saved
    body["employee_id"] = known["staff"]["dr.patel"]  # Counselling and Physiotherapy
    assert demo_api.post(f"{API}/visits", headers=admin, json=body).status_code == 201

    from vtconnect_care.server.errors import ApiError
    from vtconnect_care.server.models import Staff
    from vtconnect_care.server.services import visit_admin

    visit = db.scalars(select(Visit).order_by(Visit.id.desc())).first()
    olivia = db.scalar(select(Staff).where(Staff.username == "olivia.admin"))
    settings = demo_api.app.state.settings
    with pytest.raises(ApiError) as refused:
        visit_admin.reassign(
            db, settings, olivia, visit.id, employee_id=known["staff"]["nurse.kim"]
        )
    assert refused.value.fields == {
        "employee_id": "Choose a staff member of one of this client's departments."
    }
