"""Every input is bounded and checked at the edge: odd sizes get a 4xx with the JSON error body.

Issue 12, defect 6: ids of 2^63 and above overflowed SQLite, dates near year 9999 with far time
zones overflowed date arithmetic, and JSON nested a thousand deep overflowed the parser: 500s.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import login_headers
from tests.server.test_portal import sign_in
from vtconnect_care.server.edge import json_depth_exceeds
from vtconnect_care.server.models import Account, Service

HUGE_IDS = [2**31, 2**63 - 1, 2**63, 10**400]


def _ids(app) -> dict[str, int]:
    with app.state.session_factory() as db:
        out = {a.username: a.id for a in db.scalars(select(Account)).all() if a.username}
        out["VC-CHECK"] = db.scalar(select(Service.id).where(Service.code == "VC-CHECK"))
        return out


def _json_4xx(r) -> None:
    assert 400 <= r.status_code < 500, (r.request.url, r.status_code, r.text[:300])
    assert r.json()["error"]["code"], r.text


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_past_the_database_range_in_paths_are_a_4xx_json_error(demo_api, huge):
    headers = login_headers(demo_api, "olivia.admin")
    for method, path in [
        ("GET", f"/api/v1/clients/{huge}"),
        ("PATCH", f"/api/v1/clients/{huge}"),
        ("POST", f"/api/v1/clients/{huge}/approve"),
        ("DELETE", f"/api/v1/clients/{huge}"),
        ("GET", f"/api/v1/staff/{huge}"),
        ("GET", f"/api/v1/visits/{huge}"),
        ("POST", f"/api/v1/visits/{huge}/clock-in"),
        ("PUT", f"/api/v1/visits/{huge}/notes"),
        ("GET", f"/api/v1/sessions/{huge}"),
        ("GET", f"/api/v1/visits?employee_id={huge}"),
    ]:
        r = demo_api.request(method, path, headers=headers, json={})
        _json_4xx(r)


@pytest.mark.parametrize("huge", [2**31, 2**63])
def test_ids_past_the_database_range_in_bodies_are_a_4xx_json_error(demo_app, demo_api, huge):
    ids = _ids(demo_app)
    headers = login_headers(demo_api, "olivia.admin")
    visit = {
        "client_id": huge,
        "employee_id": ids["nurse.kim"],
        "service_id": ids["VC-CHECK"],
        "starts_at": "2026-11-24T10:00:00Z",
        "ends_at": "2026-11-24T10:30:00Z",
    }
    for method, path, body in [
        ("POST", "/api/v1/visits", visit),
        ("POST", "/api/v1/visits", {**visit, "client_id": ids["bea.active"], "service_id": huge}),
        (
            "PUT",
            f"/api/v1/staff/{ids['nurse.kim']}/associations",
            {"associations": [{"client_id": huge}]},
        ),
        (
            "PUT",
            f"/api/v1/clients/{ids['bea.active']}/associations",
            {"associations": [{"practitioner_id": huge}]},
        ),
        ("POST", "/api/v1/sessions", {"invitee_ids": [huge]}),
    ]:
        _json_4xx(demo_api.request(method, path, headers=headers, json=body))


@pytest.fixture
def web(demo_settings, demo_app):
    from fastapi.testclient import TestClient

    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def test_ids_past_the_database_range_on_portal_pages_are_not_found(web):
    sign_in(web, "olivia.admin")
    for path in (
        f"/portal/clients/{2**63}",
        f"/portal/staff/{2**63}",
        f"/portal/visits/{2**63}",
        f"/portal/visits/new?client_id={2**63}",
    ):
        r = web.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "date=9999-12-31&tz=Pacific/Kiritimati",
        "date=0001-01-01&tz=America/Adak",
        "date=9999-12-31&tz=Etc/GMT%2B12",
    ],
)
def test_schedule_days_near_the_ends_of_the_calendar_are_a_4xx(demo_api, query):
    headers = login_headers(demo_api, "nurse.kim")
    _json_4xx(demo_api.get(f"/api/v1/visits?{query}", headers=headers))


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("9999-12-31T22:00:00-23:00", "9999-12-31T23:00:00-23:00"),
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:50:00+00:00"),
        ("0001-01-01T00:10:00+23:00", "0001-01-01T00:20:00+23:00"),
    ],
)
def test_visit_times_near_the_ends_of_the_calendar_are_a_4xx(demo_app, demo_api, starts, ends):
    ids = _ids(demo_app)
    headers = login_headers(demo_api, "olivia.admin")
    body = {
        "client_id": ids["bea.active"],
        "employee_id": ids["nurse.kim"],
        "service_id": ids["VC-CHECK"],
        "starts_at": starts,
        "ends_at": ends,
    }
    _json_4xx(demo_api.post("/api/v1/visits", headers=headers, json=body))
    visit_id = demo_api.get(
        f"/api/v1/visits?employee_id={ids['nurse.kim']}", headers=headers
    ).json()["visits"][0]["id"]
    _json_4xx(
        demo_api.put(
            f"/api/v1/visits/{visit_id}/schedule",
            headers=headers,
            json={"starts_at": starts, "ends_at": ends},
        )
    )


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_a_thousand_deep_is_a_400_before_and_after_sign_in(demo_api, depth):
    r = demo_api.post(
        "/api/v1/auth/login", content=_nested(depth), headers={"Content-Type": "application/json"}
    )
    _json_4xx(r)
    headers = {**login_headers(demo_api, "olivia.admin"), "Content-Type": "application/json"}
    deep_field = '{"notes": "x", "base_version": 0, "extra": ' + _nested(depth) + "}"
    for path, body in [
        ("/api/v1/visits", _nested(depth)),
        ("/api/v1/clients", '{"first_name": ' + _nested(depth) + "}"),
        ("/api/v1/visits/1/notes", deep_field),
    ]:
        method = "PUT" if path.endswith("notes") else "POST"
        _json_4xx(demo_api.request(method, path, content=body, headers=headers))
    # and with no content type at all (FastAPI reads such a body as JSON)
    _json_4xx(demo_api.post("/api/v1/auth/login", content=_nested(depth)))


def test_an_oversized_body_is_413(demo_api):
    r = demo_api.post(
        "/api/v1/auth/login",
        content=b'{"username": "' + b"a" * (3 * 1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"


def test_json_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 3)
    assert not json_depth_exceeds(b'{"a": "\\"[[[[[[[[[[[[[[[[[[[["}', 3)
    assert json_depth_exceeds(b'{"a": [[[[1]]]]}', 4)
    assert not json_depth_exceeds(b'{"a": [[[1]]], "b": [[[2]]]}', 4)
