"""Who may do what: R-CLIENT-1, R-ASSOC-1, R-ASSOC-2, R-HOST-1."""

from vtconnect_care.domain.roles import (
    Role,
    StaffView,
    can_act_in_department,
    can_be_associated,
    can_host,
    can_manage_clients,
    can_see_client,
)

ORG_ADMIN = StaffView(id=1, roles=frozenset({Role.ORG_ADMIN}), department_ids=frozenset({1}))
DEPT_ADMIN = StaffView(id=2, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({1}))
COORD = StaffView(id=3, roles=frozenset({Role.CARE_COORDINATOR}), department_ids=frozenset({2}))
PRACTITIONER = StaffView(id=4, department_ids=frozenset({1}), is_practitioner=True, licence="X1")
UNLICENSED = StaffView(id=5, department_ids=frozenset({1}), is_practitioner=True, licence="")


def test_r_client_1_only_the_three_admin_roles_manage_clients():
    assert can_manage_clients(ORG_ADMIN)
    assert can_manage_clients(DEPT_ADMIN)
    assert can_manage_clients(COORD)
    assert not can_manage_clients(PRACTITIONER)


def test_r_assoc_1_department_scope():
    assert can_act_in_department(ORG_ADMIN, 2)
    assert can_act_in_department(DEPT_ADMIN, 1)
    assert not can_act_in_department(DEPT_ADMIN, 2)
    assert not can_act_in_department(COORD, 1)
    assert not can_act_in_department(PRACTITIONER, 1)


def test_managers_see_clients_of_their_departments_and_unassigned_ones():
    assert can_see_client(DEPT_ADMIN, [1])
    assert not can_see_client(DEPT_ADMIN, [2])
    assert can_see_client(DEPT_ADMIN, [])
    assert can_see_client(ORG_ADMIN, [2])
    assert not can_see_client(PRACTITIONER, [1])


def test_r_assoc_2_only_practitioners_can_be_associated():
    assert can_be_associated(PRACTITIONER)
    assert not can_be_associated(DEPT_ADMIN)


def test_r_host_1_hosting_needs_the_role_and_a_licence():
    assert can_host(PRACTITIONER)
    assert not can_host(UNLICENSED)
    assert not can_host(ORG_ADMIN)


def test_staff_edit_refusal_own_record_and_licences_issue_12_defect_4():
    from vtconnect_care.domain.roles import Role, StaffView, staff_edit_refusal

    dept_admin = StaffView(id=1, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({5}))
    org_admin = StaffView(id=2, roles=frozenset({Role.ORG_ADMIN}))
    for field in ("roles", "is_practitioner", "licence"):
        assert staff_edit_refusal(dept_admin, 1, {field}).code == "own_record"
        assert staff_edit_refusal(org_admin, 2, {field}).code == "own_record"
    assert staff_edit_refusal(dept_admin, 1, {"notify_new_clients"}) is None
    assert staff_edit_refusal(dept_admin, 9, {"is_practitioner"}) is None
    assert staff_edit_refusal(dept_admin, 9, {"licence"}).code == "licence_org_admin_only"
    assert staff_edit_refusal(org_admin, 9, {"licence", "is_practitioner"}) is None
