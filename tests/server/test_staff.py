"""Staff records through the API: the Practitioner box, R-ASSOC-2, R-ASSOC-3, R-ASSOC-4."""

from __future__ import annotations

from tests.server.test_clients import API, audits, ids


def test_staff_list_and_record(demo_app, demo_api, as_user):
    admin = as_user("olivia.admin")
    staff = demo_api.get(f"{API}/staff", headers=admin).json()["staff"]
    assert len(staff) == 6
    i = ids(demo_app)
    patel = demo_api.get(f"{API}/staff/{i['dr.patel']}", headers=admin).json()
    assert patel["is_practitioner"] and patel["roles"] == ["care_coordinator"]
    assert {a["client_name"] for a in patel["associations"]} == {
        "Alex Morgan",
        "Bea Lindqvist",
        "Carl Novak",
    }


def test_r_assoc_2_associations_need_the_practitioner_box_first(demo_app, demo_api, as_user):
    i = ids(demo_app)
    admin = as_user("olivia.admin")
    r = demo_api.put(
        f"{API}/staff/{i['frank.frontdesk']}/associations",
        headers=admin,
        json={"associations": [{"client_id": i["eli.unassigned"]}]},
    )
    assert r.status_code == 422
    assert "practitioner role" in r.json()["error"]["fields"]["associations"]
    r = demo_api.patch(
        f"{API}/staff/{i['frank.frontdesk']}", headers=admin, json={"is_practitioner": True}
    )
    assert r.status_code == 200 and r.json()["is_practitioner"] is True
    r = demo_api.put(
        f"{API}/staff/{i['frank.frontdesk']}/associations",
        headers=admin,
        json={"associations": [{"client_id": i["eli.unassigned"]}]},
    )
    assert r.status_code == 200
    assert r.json()["associations"][0]["client_name"] == "Eli Brooks"
    # R-ASSOC-4: the same association shows on the client record
    eli = demo_api.get(f"{API}/clients/{i['eli.unassigned']}", headers=admin).json()
    assert [a["practitioner_name"] for a in eli["associations"]] == ["Frank Fischer"]
    assert [e.object_id for e in audits(demo_app, "staff_updated")] == [i["frank.frontdesk"]] * 2


def test_unticking_practitioner_with_clients_is_refused(demo_app, demo_api, as_user):
    i = ids(demo_app)
    admin = as_user("olivia.admin")
    r = demo_api.patch(
        f"{API}/staff/{i['nurse.kim']}", headers=admin, json={"is_practitioner": False}
    )
    assert r.status_code == 422 and "is_practitioner" in r.json()["error"]["fields"]
    assert demo_api.get(f"{API}/staff/{i['nurse.kim']}", headers=admin).json()["is_practitioner"]


def test_r_assoc_3_from_the_staff_record_one_department_each(demo_app, demo_api, as_user):
    i = ids(demo_app)
    admin = as_user("olivia.admin")
    url = f"{API}/staff/{i['dr.patel']}/associations"
    r = demo_api.put(
        url, headers=admin, json={"associations": [{"client_id": i["eli.unassigned"]}]}
    )
    assert r.status_code == 422
    assert (
        "several departments" in r.json()["error"]["fields"][f"associations.{i['eli.unassigned']}"]
    )
    r = demo_api.put(
        url,
        headers=admin,
        json={
            "associations": [{"client_id": i["eli.unassigned"], "department_id": i["Counselling"]}]
        },
    )
    assert r.status_code == 200
    assert [(a["client_name"], a["department_name"]) for a in r.json()["associations"]] == [
        ("Eli Brooks", "Counselling")
    ]


def test_care_coordinator_keeps_other_departments_clients_of_a_shared_practitioner(
    demo_app, demo_api, as_user
):
    """R-ASSOC-1: cara (Physiotherapy) edits dr.patel; the Counselling clients stay."""
    i = ids(demo_app)
    cara = as_user("cara.coord")
    r = demo_api.put(
        f"{API}/staff/{i['dr.patel']}/associations", headers=cara, json={"associations": []}
    )
    assert r.status_code == 200
    assert r.json()["associations"] == []  # cara sees her departments' only (issue 12, defect 1)
    olivia = demo_api.get(f"{API}/staff/{i['dr.patel']}", headers=as_user("olivia.admin"))
    assert {a["department_name"] for a in olivia.json()["associations"]} == {"Counselling"}
