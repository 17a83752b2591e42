"""Staff and department administration (issue 15): domain/staff_admin.py's rules."""

from vtconnect_care.domain import staff_admin as rules
from vtconnect_care.domain.errors import Refusal
from vtconnect_care.domain.roles import OWN_RECORD, Role, StaffView

ORG = StaffView(id=1, roles=frozenset({Role.ORG_ADMIN}), department_ids=frozenset({1}))
DEPT = StaffView(id=2, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({1}))
COORD = StaffView(id=3, roles=frozenset({Role.CARE_COORDINATOR}), department_ids=frozenset({1}))
PLAIN = StaffView(id=4, department_ids=frozenset({1}))
ELSEWHERE = StaffView(id=5, department_ids=frozenset({2}))
OTHER_ADMIN = StaffView(id=6, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({1}))
NONE = frozenset()


def test_who_administers_staff_and_what_they_grant():
    assert rules.administers_staff(ORG) and rules.administers_staff(DEPT)
    assert not rules.administers_staff(COORD) and not rules.administers_staff(PLAIN)
    assert rules.grantable_roles(ORG) == frozenset(Role)
    assert rules.grantable_roles(DEPT) == {Role.CARE_COORDINATOR}
    assert rules.grantable_roles(COORD) == NONE
    assert rules.assignable_departments(ORG) is None
    assert rules.assignable_departments(DEPT) == {1}


def test_r_assoc_1_scope_a_dept_admin_adds_staff_to_their_departments_only():
    assert (
        rules.new_staff_refusal(DEPT, roles=NONE, department_ids=frozenset({1}), licence=False)
        is None
    )
    assert rules.new_staff_refusal(
        DEPT, roles=NONE, department_ids=frozenset({1, 2}), licence=False
    ) == Refusal("forbidden", rules.OWN_DEPARTMENTS_ONLY)
    assert rules.new_staff_refusal(
        DEPT, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({1}), licence=False
    ) == Refusal("forbidden", rules.ROLE_ORG_ADMIN_ONLY)
    assert rules.new_staff_refusal(
        COORD, roles=NONE, department_ids=frozenset({1}), licence=False
    ) == Refusal("forbidden", rules.STAFF_ADMIN_ONLY)
    assert (
        rules.new_staff_refusal(
            ORG, roles=frozenset(Role), department_ids=frozenset({2}), licence=True
        )
        is None
    )


def test_r_host_1_licences_come_from_org_admins():
    assert (
        rules.new_staff_refusal(DEPT, roles=NONE, department_ids=frozenset({1}), licence=True).code
        == "licence_org_admin_only"
    )


def test_changes_judged_by_what_changes():
    both = frozenset({1, 2})
    target = StaffView(id=7, department_ids=both)
    # a Dept Admin keeps the other department as it is, and may change their own department's
    assert rules.staff_change_refusal(DEPT, target, roles=NONE, department_ids=both) is None
    assert (
        rules.staff_change_refusal(DEPT, target, roles=NONE, department_ids=frozenset({2})) is None
    )
    assert rules.staff_change_refusal(
        DEPT, target, roles=NONE, department_ids=frozenset({1})
    ) == Refusal("forbidden", rules.OWN_DEPARTMENTS_ONLY)
    assert rules.staff_change_refusal(
        DEPT, ELSEWHERE, roles=frozenset({Role.CARE_COORDINATOR}), department_ids=frozenset({2})
    ) == Refusal("forbidden", rules.ADMINS_ORG_ADMIN_ONLY)
    assert rules.staff_change_refusal(
        DEPT, OTHER_ADMIN, roles=NONE, department_ids=frozenset({1})
    ) == Refusal("forbidden", rules.ADMINS_ORG_ADMIN_ONLY)
    assert (
        rules.staff_change_refusal(ORG, OTHER_ADMIN, roles=NONE, department_ids=frozenset({1}))
        is None
    )


def test_nobody_changes_their_own_roles_or_departments():
    assert rules.staff_change_refusal(
        ORG, ORG, roles=NONE, department_ids=ORG.department_ids
    ) == Refusal("own_record", OWN_RECORD)
    assert rules.staff_change_refusal(
        ORG, ORG, roles=ORG.roles, department_ids=frozenset({1, 2})
    ) == Refusal("own_record", rules.OWN_DEPARTMENTS)
    assert (
        rules.staff_change_refusal(ORG, ORG, roles=ORG.roles, department_ids=ORG.department_ids)
        is None
    )


def test_departments_are_the_org_admins():
    assert rules.department_refusal(ORG) is None
    assert rules.department_refusal(DEPT) == Refusal("forbidden", rules.DEPARTMENTS_ORG_ADMIN_ONLY)
    assert rules.department_name_error(" ", taken=False) == rules.DEPARTMENT_NAME_REQUIRED
    assert rules.department_name_error("Speech", taken=True) == rules.DEPARTMENT_NAME_TAKEN
    assert rules.department_name_error("x" * 101, taken=False).startswith("Use at most")


def test_staff_fields():
    errors = rules.staff_field_errors(
        first_name="", last_name="L", email="nope", department_count=0,
        is_practitioner=False, licence="RN-1",
    )  # fmt: skip
    assert errors == {
        "first_name": rules.STAFF_REQUIRED["first_name"],
        "email": "Enter a valid email address, like name@example.org.",
        "departments": rules.CHOOSE_A_DEPARTMENT,
        "licence": rules.LICENCE_NEEDS_PRACTITIONER,
    }
    assert rules.parse_roles(["org_admin", "care_coordinator"]) == (
        {Role.ORG_ADMIN, Role.CARE_COORDINATOR},
        None,
    )
    assert rules.parse_roles(["boss"])[1] == rules.UNKNOWN_ROLE


def test_r_reg_2_only_licensed_active_practitioners_are_offered():
    licensed = StaffView(id=8, is_practitioner=True, licence="RN-1")
    assert rules.offered_at_registration(licensed, active=True)
    assert not rules.offered_at_registration(licensed, active=False)
    assert not rules.offered_at_registration(StaffView(id=9, is_practitioner=True), active=True)
