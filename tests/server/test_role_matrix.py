"""Who may do what, through the API: every cell of the role x operation matrix.

R-CLIENT-1 (Org Admin, Dept Admin, Care Coordinator manage clients; nobody else),
R-ASSOC-1 (Dept Admins and Care Coordinators only in their own departments),
R-REG-6 (only the Org Admin changes the organisation), and issue 15's staff and department
administration (domain/staff_admin.py: Org Admins for all; Dept Admins add non-administrator
staff to their own departments and grant only Care Coordinator; departments and deactivation
are the Org Admin's).

Demo departments: dan.deptadmin is in Counselling, cara.coord in Physiotherapy.
alex.active and carl.inactive are Counselling clients, bea.active a Physiotherapy client,
dana.pending and eli.unassigned have no association yet (visible to every manager, R-REG-4).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import login_headers
from vtconnect_care.server.models import Account, Department

ACTORS = [
    "olivia.admin",
    "dan.deptadmin",
    "cara.coord",
    "nurse.kim",
    "frank.frontdesk",
    "alex.active",
]


def _cell(allowed: int, *who: str) -> dict[str, int]:
    """`allowed` for the listed actors, 403 for everyone else."""
    return {a: (allowed if a in who else 403) for a in ACTORS}


MANAGERS = ("olivia.admin", "dan.deptadmin", "cara.coord")
COUNSELLING = ("olivia.admin", "dan.deptadmin")
PHYSIO = ("olivia.admin", "cara.coord")
STAFF = ("olivia.admin", "dan.deptadmin", "cara.coord", "nurse.kim", "frank.frontdesk")
STAFF_ADMINS = ("olivia.admin", "dan.deptadmin")  # Org Admin; Dept Admin in their departments

# operation -> expected status per actor
MATRIX: dict[str, dict[str, int]] = {
    "list clients": _cell(200, *MANAGERS),
    "search clients": _cell(200, *MANAGERS),
    "list pending clients": _cell(200, *MANAGERS),
    "read Counselling client": _cell(200, *COUNSELLING),
    "read Physiotherapy client": _cell(200, *PHYSIO),
    "read unassociated client": _cell(200, *MANAGERS),
    "create client for Counselling": _cell(201, *COUNSELLING),
    "create client for Physiotherapy": _cell(201, *PHYSIO),
    "edit Counselling client": _cell(200, *COUNSELLING),
    "edit Physiotherapy client": _cell(200, *PHYSIO),
    "deactivate Physiotherapy client": _cell(200, *PHYSIO),
    "associate unassociated client in Physiotherapy": _cell(200, *PHYSIO),
    "associate unassociated client in Counselling": _cell(200, *COUNSELLING),
    "approve pending client": _cell(200, *MANAGERS),
    "list staff": _cell(200, *MANAGERS),
    "read Counselling staff": _cell(200, *COUNSELLING),
    "read Physiotherapy staff": _cell(200, *PHYSIO),
    "edit Practitioner box of Counselling staff": _cell(200, *COUNSELLING),
    "edit Practitioner box of Physiotherapy staff": _cell(200, *PHYSIO),
    "associate from a Physiotherapy staff record": _cell(200, *PHYSIO),
    "read organization": _cell(200, *MANAGERS),
    "edit organization": _cell(200, "olivia.admin"),
    "rename organization": _cell(200, "olivia.admin"),  # the Organization information
    "set organization time zone": _cell(200, "olivia.admin"),  # issue 15
    "invitation template": _cell(200, *STAFF),
    # staff and department administration (issue 15, domain/staff_admin.py)
    "create staff in Counselling": _cell(201, *STAFF_ADMINS),
    "create staff in Physiotherapy": _cell(201, "olivia.admin"),
    "create Care Coordinator in Counselling": _cell(201, *STAFF_ADMINS),
    "create Dept Admin in Counselling": _cell(201, "olivia.admin"),
    "create licensed practitioner in Counselling": _cell(201, "olivia.admin"),
    "change roles of Counselling staff": _cell(200, *STAFF_ADMINS),
    "add Counselling staff to Physiotherapy": _cell(200, "olivia.admin"),
    "change roles of Physiotherapy staff": _cell(200, "olivia.admin"),
    "change roles of a Dept Admin": _cell(200, "olivia.admin"),
    "resend set-up link to Counselling staff": _cell(200, *STAFF_ADMINS),
    "list departments": _cell(200, *MANAGERS),
    "create department": _cell(201, "olivia.admin"),
    "rename department": _cell(200, "olivia.admin"),
    "deactivate Counselling staff": _cell(200, "olivia.admin"),
    "reactivate Counselling staff": _cell(200, "olivia.admin"),
    "delete Counselling client": _cell(200, *COUNSELLING),
    "delete Physiotherapy client": _cell(200, *PHYSIO),
}
# refusals answered with a rule's own code rather than "forbidden"
REFUSAL_CODES = {"create licensed practitioner in Counselling": {"licence_org_admin_only"}}


def _ids(app) -> dict[str, int]:
    with app.state.session_factory() as db:
        out = {a.username: a.id for a in db.scalars(select(Account)).all() if a.username}
        for d in db.scalars(select(Department)).all():
            out[d.name] = d.id
        return out


def _operations(ids: dict[str, int]):
    new = {"last_name": "Matrix", "email": None, "date_of_birth": "1990-01-01"}
    return {
        "list clients": ("GET", "/clients", None),
        "search clients": ("GET", "/clients?q=morgan", None),
        "list pending clients": ("GET", "/clients?status=pending", None),
        "read Counselling client": ("GET", f"/clients/{ids['alex.active']}", None),
        "read Physiotherapy client": ("GET", f"/clients/{ids['bea.active']}", None),
        "read unassociated client": ("GET", f"/clients/{ids['eli.unassigned']}", None),
        "create client for Counselling": (
            "POST",
            "/clients",
            {
                **new,
                "first_name": "Cora",
                "email": "cora@x.example",
                "associations": [
                    {"practitioner_id": ids["dr.patel"], "department_id": ids["Counselling"]}
                ],
            },
        ),
        "create client for Physiotherapy": (
            "POST",
            "/clients",
            {
                **new,
                "first_name": "Phil",
                "email": "phil@x.example",
                "associations": [{"practitioner_id": ids["nurse.kim"]}],
            },
        ),
        "edit Counselling client": ("PATCH", f"/clients/{ids['alex.active']}", {"phone": "555"}),
        "edit Physiotherapy client": ("PATCH", f"/clients/{ids['bea.active']}", {"phone": "5"}),
        "deactivate Physiotherapy client": (
            "PATCH",
            f"/clients/{ids['bea.active']}",
            {"active": False},
        ),
        "associate unassociated client in Physiotherapy": (
            "PUT",
            f"/clients/{ids['eli.unassigned']}/associations",
            {"associations": [{"practitioner_id": ids["nurse.kim"]}]},
        ),
        "associate unassociated client in Counselling": (
            "PUT",
            f"/clients/{ids['dana.pending']}/associations",
            {
                "associations": [
                    {"practitioner_id": ids["dr.patel"], "department_id": ids["Counselling"]}
                ]
            },
        ),
        "approve pending client": ("POST", f"/clients/{ids['dana.pending']}/approve", None),
        "list staff": ("GET", "/staff", None),
        "read Counselling staff": ("GET", f"/staff/{ids['frank.frontdesk']}", None),
        "read Physiotherapy staff": ("GET", f"/staff/{ids['nurse.kim']}", None),
        "edit Practitioner box of Counselling staff": (
            "PATCH",
            f"/staff/{ids['frank.frontdesk']}",
            {"is_practitioner": True},
        ),
        "edit Practitioner box of Physiotherapy staff": (
            "PATCH",
            f"/staff/{ids['nurse.kim']}",
            {"notify_new_clients": False},
        ),
        "associate from a Physiotherapy staff record": (
            "PUT",
            f"/staff/{ids['nurse.kim']}/associations",
            {"associations": [{"client_id": ids["bea.active"]}]},
        ),
        "read organization": ("GET", "/organization", None),
        "edit organization": ("PATCH", "/organization", {"manual_approval": True}),
        "rename organization": ("PATCH", "/organization", {"name": "Riverside Care"}),
        "set organization time zone": (
            "PATCH",
            "/organization",
            {"time_zone": "America/New_York"},
        ),
        "invitation template": ("GET", "/organization/invitation", None),
        **_staff_operations(ids),
        "delete Counselling client": ("DELETE", f"/clients/{ids['carl.inactive']}", None),
        "delete Physiotherapy client": ("DELETE", f"/clients/{ids['bea.active']}", None),
    }


def _new_staff(name: str, dept: int, **extra) -> dict:
    return {
        "first_name": name,
        "last_name": "Matrix",
        "email": f"{name.lower()}@staff.example",
        "department_ids": [dept],
        **extra,
    }


def _staff_operations(ids: dict[str, int]):
    couns, physio = ids["Counselling"], ids["Physiotherapy"]
    coordinator = ["care_coordinator"]
    return {
        "create staff in Counselling": ("POST", "/staff", _new_staff("Cory", couns)),
        "create staff in Physiotherapy": ("POST", "/staff", _new_staff("Phyl", physio)),
        "create Care Coordinator in Counselling": (
            "POST",
            "/staff",
            _new_staff("Coco", couns, roles=coordinator),
        ),
        "create Dept Admin in Counselling": (
            "POST",
            "/staff",
            _new_staff("Dede", couns, roles=["dept_admin"]),
        ),
        "create licensed practitioner in Counselling": (
            "POST",
            "/staff",
            _new_staff("Lila", couns, is_practitioner=True, licence="RN-777001"),
        ),
        "change roles of Counselling staff": (
            "PUT",
            f"/staff/{ids['frank.frontdesk']}/roles",
            {"roles": coordinator, "department_ids": [couns]},
        ),
        "add Counselling staff to Physiotherapy": (
            "PUT",
            f"/staff/{ids['frank.frontdesk']}/roles",
            {"roles": coordinator, "department_ids": [couns, physio]},
        ),
        "change roles of Physiotherapy staff": (
            "PUT",
            f"/staff/{ids['nurse.kim']}/roles",
            {"roles": coordinator, "department_ids": [physio]},
        ),
        "change roles of a Dept Admin": (
            "PUT",
            f"/staff/{ids['gwen.deptadmin']}/roles",
            {"roles": [], "department_ids": [couns]},
        ),
        "resend set-up link to Counselling staff": (
            "POST",
            f"/staff/{ids['gus.notsetup']}/setup-link",
            None,
        ),
        "list departments": ("GET", "/departments", None),
        "create department": ("POST", "/departments", {"name": "Speech Therapy"}),
        "rename department": ("PATCH", f"/departments/{physio}", {"name": "Physio and Rehab"}),
        "deactivate Counselling staff": (
            "POST",
            f"/staff/{ids['frank.frontdesk']}/deactivate",
            None,
        ),
        "reactivate Counselling staff": (
            "POST",
            f"/staff/{ids['frank.frontdesk']}/reactivate",
            None,
        ),
    }


def _add_matrix_staff(app, clock) -> None:
    """Two more Counselling staff: a Dept Admin, and one who has not chosen credentials."""
    from vtconnect_care.server.models import Staff

    with app.state.session_factory() as db:
        couns = db.scalar(select(Department).where(Department.name == "Counselling"))
        for username, first, dept_admin in (
            ("gwen.deptadmin", "Gwen", True),
            ("gus.notsetup", "Gus", False),
        ):
            person = Staff(
                organization_id=couns.organization_id,
                username=username,  # the test's handle; the password is what is not set
                email=f"{first.lower()}@riverside.example",
                first_name=first,
                last_name="Matrix",
                created_at=clock.now(),
                is_dept_admin=dept_admin,
            )
            person.departments = [couns]
            db.add(person)
        db.commit()


@pytest.mark.parametrize("actor", ACTORS)
def test_r_client_1_r_assoc_1_role_matrix(demo_app, demo_api, clock, actor):
    _add_matrix_staff(demo_app, clock)
    ids = _ids(demo_app)
    headers = login_headers(demo_api, actor)
    ops = _operations(ids)
    assert set(ops) == set(MATRIX)
    got: dict[str, int] = {}
    for name, (method, path, body) in ops.items():  # in MATRIX order: deletions come last
        r = demo_api.request(method, f"/api/v1{path}", json=body, headers=headers)
        got[name] = r.status_code
        if r.status_code == 403:
            codes = {"forbidden"} | REFUSAL_CODES.get(name, set())
            assert r.json()["error"]["code"] in codes, (name, r.text)
    expected = {name: MATRIX[name][actor] for name in ops}
    assert got == expected


def test_refused_reads_and_lists_leak_nothing(demo_app, demo_api):
    """A Dept Admin's list holds only their departments' clients and the unassociated ones."""
    headers = login_headers(demo_api, "dan.deptadmin")
    names = {
        c["username"] for c in demo_api.get("/api/v1/clients", headers=headers).json()["clients"]
    }
    assert names == {"alex.active", "eli.unassigned"}
    headers = login_headers(demo_api, "cara.coord")
    names = {
        c["username"] for c in demo_api.get("/api/v1/clients", headers=headers).json()["clients"]
    }
    assert names == {"bea.active", "eli.unassigned"}
    staff = {s["username"] for s in demo_api.get("/api/v1/staff", headers=headers).json()["staff"]}
    assert staff == {"cara.coord", "dr.patel", "nurse.kim"}


def test_no_session_is_401_on_every_management_endpoint(demo_api):
    for method, path in [
        ("GET", "/clients"),
        ("POST", "/clients"),
        ("GET", "/staff"),
        ("GET", "/organization"),
        ("PATCH", "/organization"),
    ]:
        r = demo_api.request(method, f"/api/v1{path}", json={})
        assert r.status_code == 401, (method, path)


# --- issue 12, defect 1: side routes and re-rendered forms follow the same rule ---------------


def _names(rows) -> set[str]:
    return {r["client"]["full_name"] for r in rows}


def test_a_managers_view_of_an_employees_schedule_shows_only_their_departments_clients(
    demo_app, demo_api
):
    """GET /visits?employee_id= listed every client of that employee's day."""
    ids = _ids(demo_app)
    path = f"/api/v1/visits?employee_id={ids['nurse.kim']}"
    seen = {
        who: _names(demo_api.get(path, headers=login_headers(demo_api, who)).json()["visits"])
        for who in ("olivia.admin", "dan.deptadmin", "cara.coord")
    }
    assert seen == {
        "olivia.admin": {"Bea Lindqvist", "Alex Morgan"},
        "dan.deptadmin": {"Alex Morgan"},  # Counselling's client only
        "cara.coord": {"Bea Lindqvist"},  # Physiotherapy's
    }
    kim = login_headers(demo_api, "nurse.kim")  # the employee's own day is whole
    assert _names(demo_api.get("/api/v1/visits", headers=kim).json()["visits"]) == {
        "Bea Lindqvist",
        "Alex Morgan",
    }


def test_a_staff_record_lists_only_the_associations_of_the_viewers_departments(demo_app, demo_api):
    """dr.patel works in both departments: each manager sees their own department's clients."""
    ids = _ids(demo_app)
    seen = {}
    for who in ("olivia.admin", "dan.deptadmin", "cara.coord"):
        headers = login_headers(demo_api, who)
        record = demo_api.get(f"/api/v1/staff/{ids['dr.patel']}", headers=headers).json()
        listed = next(
            s
            for s in demo_api.get("/api/v1/staff", headers=headers).json()["staff"]
            if s["username"] == "dr.patel"
        )
        assert listed["associations"] == record["associations"]
        seen[who] = {a["client_name"] for a in record["associations"]}
    assert seen == {
        "olivia.admin": {"Alex Morgan", "Bea Lindqvist", "Carl Novak"},
        "dan.deptadmin": {"Alex Morgan", "Carl Novak"},
        "cara.coord": {"Bea Lindqvist"},
    }


def test_re_rendered_portal_forms_never_show_another_departments_client(demo_app, demo_settings):
    """A form re-rendered after a validation error showed the client it was posted with."""
    from fastapi.testclient import TestClient

    from tests.server.test_portal import csrf, sign_in

    ids = _ids(demo_app)
    demo_settings.public_url = "https://portal.test"
    with TestClient(demo_app, base_url="https://testserver", follow_redirects=False) as web:
        assert sign_in(web, "cara.coord").status_code == 303  # Physiotherapy
        token = csrf(web, "/portal/visits/new")
        r = web.post(
            "/portal/visits/new",
            data={"client_id": ids["alex.active"], "date": "not a date", "csrf_token": token},
        )
        assert r.status_code == 422
        assert "Alex" not in r.text and "Morgan" not in r.text
        page = web.get(f"/portal/staff/{ids['dr.patel']}").text
        assert "Bea Lindqvist" in page and "Alex Morgan" not in page
        token = csrf(web, f"/portal/staff/{ids['dr.patel']}/edit")
        r = web.post(
            f"/portal/staff/{ids['dr.patel']}/edit",
            data={
                "is_practitioner": "on",
                "licence": "PSY-204518",
                "assoc": [str(ids["alex.active"]), "junk"],
                "csrf_token": token,
            },
        )
        assert "Alex Morgan" not in r.text and "Carl Novak" not in r.text
