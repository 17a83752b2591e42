"""R-VISIT-ASSIGN: who may be assigned to a client's visit (R-ASSOC-1's scopes, for visits)."""

from __future__ import annotations

from vtconnect_care.domain.roles import Role, StaffView
from vtconnect_care.domain.visit_assignment import (
    EMPLOYEE_NOT_ACTIVE,
    EMPLOYEE_NOT_IN_DEPARTMENTS,
    EMPLOYEE_NOT_IN_YOURS,
    assignment_departments,
    assignment_refusal,
)

COUNSELLING, PHYSIO, DIETETICS = 1, 2, 3
ORG_ADMIN = StaffView(1, frozenset({Role.ORG_ADMIN}), frozenset({COUNSELLING}))
DEPT_ADMIN = StaffView(2, frozenset({Role.DEPT_ADMIN}), frozenset({COUNSELLING}))
COORDINATOR = StaffView(3, frozenset({Role.CARE_COORDINATOR}), frozenset({PHYSIO}))


def refusal(manager, client, employee, *, active=True):
    return assignment_refusal(
        manager=manager,
        client_department_ids=client,
        employee_department_ids=employee,
        employee_active=active,
    )


def test_r_visit_assign_the_employee_works_in_one_of_the_clients_departments():
    for manager in (ORG_ADMIN, DEPT_ADMIN, COORDINATOR):
        assert refusal(manager, {PHYSIO}, {PHYSIO}) is None
        assert refusal(manager, {PHYSIO, COUNSELLING}, {COUNSELLING, DIETETICS}) is None
        found = refusal(manager, {COUNSELLING}, {PHYSIO})
        assert found is not None and found.code == "employee_outside_client_departments"
        assert found.message == EMPLOYEE_NOT_IN_DEPARTMENTS
    # the client's departments decide, not the manager's: a Physiotherapy coordinator may
    # assign Counselling staff to a client of both departments
    assert refusal(COORDINATOR, {PHYSIO, COUNSELLING}, {COUNSELLING}) is None


def test_r_visit_assign_a_client_with_no_department_borrows_the_managers():
    """An Org Admin assigns staff of any department; a Dept Admin or Care Coordinator only
    staff of their own; staff of no department never."""
    assert refusal(ORG_ADMIN, set(), {PHYSIO}) is None
    assert refusal(ORG_ADMIN, set(), {DIETETICS}) is None
    assert refusal(DEPT_ADMIN, set(), {COUNSELLING, PHYSIO}) is None
    outside = refusal(DEPT_ADMIN, set(), {PHYSIO})
    assert outside is not None and outside.code == "employee_outside_manager_departments"
    assert outside.message == EMPLOYEE_NOT_IN_YOURS
    assert refusal(COORDINATOR, set(), {COUNSELLING}) is not None
    for manager in (ORG_ADMIN, DEPT_ADMIN, COORDINATOR):
        assert refusal(manager, set(), set()) is not None
        assert refusal(manager, {COUNSELLING}, set()) is not None


def test_r_visit_assign_an_inactive_employee_is_never_assigned():
    found = refusal(ORG_ADMIN, {COUNSELLING}, {COUNSELLING}, active=False)
    assert found is not None and found.code == "employee_not_active"
    assert found.message == EMPLOYEE_NOT_ACTIVE


def test_r_visit_assign_the_departments_named_beside_each_choice():
    """What the portal's list shows beside a name: the departments the choice goes through."""
    both = {COUNSELLING, PHYSIO}
    assert assignment_departments(
        manager=DEPT_ADMIN, client_department_ids={PHYSIO}, employee_department_ids=both
    ) == {PHYSIO}
    assert assignment_departments(
        manager=DEPT_ADMIN, client_department_ids=set(), employee_department_ids=both
    ) == {COUNSELLING}
    assert (
        assignment_departments(
            manager=ORG_ADMIN, client_department_ids=set(), employee_department_ids=both
        )
        == both
    )
