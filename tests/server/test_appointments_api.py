"""The app's REST view of appointments and hosting: R-HOST-1, R-HOST-2, R-CLIENT-5."""

from __future__ import annotations

from datetime import timedelta

from vtconnect_care.domain import messages


def names(people):
    return [p["full_name"] for p in people]


def test_r_host_2_practitioner_sees_todays_appointments_with_hostable_clients(demo_api, as_user):
    r = demo_api.get("/api/v1/appointments/today", headers=as_user("dr.patel", "app"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["date"] == "2026-11-23"
    titles = [a["title"] for a in body["appointments"]]
    assert titles == ["Weekly check-in", "Family session"]  # in time order
    family = body["appointments"][1]
    assert names(family["clients"]) == ["Bea Lindqvist", "Alex Morgan"]
    assert all(c["hostable"] for c in family["clients"])
    assert "email" not in family["clients"][0]


def test_appointments_today_follow_the_injected_clock(demo_api, as_user, clock):
    clock.advance(timedelta(days=1))
    r = demo_api.get("/api/v1/appointments/today", headers=as_user("dr.patel", "app"))
    assert r.status_code == 200
    assert r.json() == {
        "date": "2026-11-24",
        "time_zone": "UTC",
        "organization_time_zone": "UTC",  # issue 15: the app says when the two differ
        "appointments": [],
    }


def test_appointments_today_in_a_time_zone_and_a_bad_zone(demo_api, as_user):
    headers = as_user("dr.patel", "app")
    r = demo_api.get("/api/v1/appointments/today?tz=America/New_York", headers=headers)
    assert r.status_code == 200  # 04:00 in New York: the day holds both 10:00 and 14:00 UTC
    assert len(r.json()["appointments"]) == 2
    r = demo_api.get("/api/v1/appointments/today?tz=Pacific/Kiritimati", headers=headers)
    # 23:00 on the 23rd there: 10:00 UTC is already the 24th, so nothing is left today
    assert r.json() == {
        "date": "2026-11-23",
        "time_zone": "Pacific/Kiritimati",
        "organization_time_zone": "UTC",
        "appointments": [],
    }
    bad = demo_api.get("/api/v1/appointments/today?tz=Not/AZone", headers=headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_timezone"


def test_r_host_2_hosting_candidates_are_active_associated_clients_and_colleagues(
    demo_api, as_user
):
    r = demo_api.get("/api/v1/hosting/candidates", headers=as_user("dr.patel", "app"))
    assert r.status_code == 200
    body = r.json()
    assert body["can_host"] is True and body["reason"] is None
    # carl.inactive is associated but inactive; eli.unassigned has no association (R-CLIENT-5)
    assert names(body["clients"]) == ["Bea Lindqvist", "Alex Morgan"]
    colleagues = names(body["colleagues"])
    assert "Jin Kim" in colleagues and "Frank Fischer" in colleagues
    assert "Priya Patel" not in colleagues


def test_r_host_1_staff_without_licence_is_told_why(demo_api, as_user):
    r = demo_api.get("/api/v1/hosting/candidates", headers=as_user("frank.frontdesk", "app"))
    assert r.status_code == 200
    body = r.json()
    assert body == {
        "can_host": False,
        "reason": messages.HOST_NEEDS_LICENCE,
        "clients": [],
        "colleagues": [],
    }
    today = demo_api.get("/api/v1/appointments/today", headers=as_user("frank.frontdesk", "app"))
    assert today.json()["appointments"] == []


def test_staff_endpoints_refuse_clients_and_anonymous_callers(demo_api, as_user):
    client_headers = as_user("alex.active", "app")
    for path in ("/api/v1/appointments/today", "/api/v1/hosting/candidates"):
        assert demo_api.get(path, headers=client_headers).status_code == 403
        anon = demo_api.get(path)
        assert anon.status_code == 401
        assert anon.json()["error"]["code"] == "not_authenticated"


def test_client_sees_their_practitioners_and_upcoming_appointments(demo_api, as_user, clock):
    headers = as_user("bea.active", "app")
    r = demo_api.get("/api/v1/me/practitioners", headers=headers)
    assert r.status_code == 200
    assert [(p["full_name"], p["department"]) for p in r.json()["practitioners"]] == [
        ("Jin Kim", "Physiotherapy"),
        ("Priya Patel", "Physiotherapy"),
    ]
    r = demo_api.get("/api/v1/me/appointments", headers=headers)
    got = [(a["title"], a["practitioner"]["full_name"]) for a in r.json()["appointments"]]
    assert got == [("Physio follow-up", "Jin Kim"), ("Family session", "Priya Patel")]
    clock.advance(hours=3)  # 12:00: the 11:00 appointment has ended
    r = demo_api.get("/api/v1/me/appointments", headers=as_user("bea.active", "app"))
    assert [a["title"] for a in r.json()["appointments"]] == ["Family session"]


def test_r_client_5_unassociated_client_has_no_practitioners(demo_api, as_user):
    r = demo_api.get("/api/v1/me/practitioners", headers=as_user("eli.unassigned", "app"))
    assert r.json() == {"practitioners": []}


def test_client_endpoints_refuse_staff(demo_api, as_user):
    headers = as_user("dr.patel", "app")
    for path in ("/api/v1/me/practitioners", "/api/v1/me/appointments"):
        r = demo_api.get(path, headers=headers)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden"
