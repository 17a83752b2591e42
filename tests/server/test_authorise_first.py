"""Authorise first, then check state, on every visit route (issue 12, defect 10).

A stranger to a visit got "not virtual" (409) before "not allowed" (403): the answer told them
about a visit they may not see. Now a stranger gets 403 or 404, whatever the visit's state.
"""

from __future__ import annotations

import pytest

from tests.server.test_visits_api import API, kims_visit

ROUTES = [
    ("POST", "/send-invite", None),
    ("POST", "/resend-invite", None),
    ("POST", "/copy-link", None),
    ("POST", "/join", None),
    ("POST", "/clock-in", None),
    ("POST", "/clock-out", {"confirm": True}),
    ("POST", "/hang-up", None),
    ("PUT", "/notes", {"notes": "x", "base_version": 0}),
    ("GET", "", None),
]
# not assigned, and no manager of the client's departments (the demo's alex.active is a
# Counselling client, bea.active a Physiotherapy one)
ALEX_STRANGERS = ["frank.frontdesk", "cara.coord", "eli.unassigned"]
BEA_STRANGERS = ["frank.frontdesk", "dan.deptadmin", "alex.active"]


def _answers(demo_api, headers, visit_id: int) -> dict[str, int]:
    return {
        f"{method} {suffix or '/'}": demo_api.request(
            method, f"{API}/visits/{visit_id}{suffix}", headers=headers, json=body
        ).status_code
        for method, suffix, body in ROUTES
    }


@pytest.mark.parametrize("stranger", ALEX_STRANGERS)
def test_a_stranger_to_a_visit_that_is_not_virtual_gets_403_not_409(demo_api, as_user, stranger):
    kim = as_user("nurse.kim", "app")
    visit = kims_visit(demo_api, kim, "HOME-NURSE")  # alex.active's home visit: not virtual
    got = _answers(demo_api, as_user(stranger), visit["id"])
    assert set(got.values()) <= {403, 404}, got


@pytest.mark.parametrize("stranger", BEA_STRANGERS)
def test_a_stranger_to_a_finished_visit_gets_403_not_409(demo_api, as_user, stranger):
    kim = as_user("nurse.kim", "app")
    visit = kims_visit(demo_api, kim)  # bea.active's virtual check-in
    path = f"{API}/visits/{visit['id']}"
    assert demo_api.post(f"{path}/copy-link", headers=kim).status_code == 200
    assert demo_api.post(f"{path}/clock-in", headers=kim).status_code == 200
    assert demo_api.post(f"{path}/hang-up", headers=kim).status_code == 200
    assert (
        demo_api.post(f"{path}/clock-out", headers=kim, json={"confirm": True}).status_code == 200
    )
    got = _answers(demo_api, as_user(stranger), visit["id"])
    assert set(got.values()) <= {403, 404}, got
    # the assigned employee is told the state, as before
    assert demo_api.post(f"{path}/join", headers=kim).status_code == 409
