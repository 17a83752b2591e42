"""Registration and client-record rules: R-CLIENT-2, R-ASSOC-3, R-REG-2..4, R-REG-6."""

from __future__ import annotations

from datetime import date

import pytest

from vtconnect_care.domain.accounts import ClientStatus
from vtconnect_care.domain.registration import (
    Choice,
    association_department,
    client_field_errors,
    practitioner_choice_allowed,
    practitioner_wants_notice,
    registration_outcome,
)
from vtconnect_care.domain.roles import Role, StaffView, can_edit_organization, can_see_staff

TODAY = date(2026, 11, 23)


def test_r_client_2_first_last_email_and_dob_are_required():
    errors = client_field_errors(
        first_name=" ", last_name=None, email="", date_of_birth=None, today=TODAY
    )
    assert errors == {
        "first_name": "First Name is required.",
        "last_name": "Last Name is required.",
        "email": "Email is required.",
        "date_of_birth": "DOB is required.",
    }


def test_r_client_2_bad_email_and_dates_are_refused_beside_their_field():
    errors = client_field_errors(
        first_name="A", last_name="B", email="nope", date_of_birth="2030-01-01", today=TODAY
    )
    assert set(errors) == {"email", "date_of_birth"}
    assert "future" in errors["date_of_birth"]
    errors = client_field_errors(
        first_name="A", last_name="B", email="a@b.example", date_of_birth="14/03/1984", today=TODAY
    )
    assert errors == {"date_of_birth": "Enter the date of birth as YYYY-MM-DD."}


def test_r_client_2_a_complete_record_passes():
    assert not client_field_errors(
        first_name="Alex",
        last_name="Morgan",
        email="a@b.example",
        date_of_birth="1984-03-14",
        today=TODAY,
    )


def test_r_assoc_3_one_department_needs_no_choice():
    assert association_department({7}, None) == (7, None)


def test_r_assoc_3_several_departments_need_exactly_one_of_theirs():
    dept, problem = association_department({1, 2}, None)
    assert dept is None and "choose one" in problem
    assert association_department({1, 2}, 2) == (2, None)
    dept, problem = association_department({1, 2}, 3)
    assert dept is None and problem


def test_r_reg_2_not_sure_is_not_offered_for_an_individual_practitioner():
    assert practitioner_choice_allowed(False, Choice.NOT_SURE)
    assert practitioner_choice_allowed(False, Choice.PRACTITIONER)
    assert not practitioner_choice_allowed(True, Choice.NOT_SURE)
    assert not practitioner_choice_allowed(True, Choice.PRACTITIONER)
    assert practitioner_choice_allowed(True, Choice.AUTOMATIC)


def test_r_reg_3_a_picked_practitioner_is_approved_and_associated():
    out = registration_outcome(manual_approval=False, choice=Choice.PRACTITIONER)
    assert out.status is ClientStatus.ACTIVE and out.associate and out.notify_practitioner
    assert not out.notify_org_admins


def test_r_reg_4_not_sure_is_approved_not_associated_and_org_admins_told():
    out = registration_outcome(manual_approval=False, choice=Choice.NOT_SURE)
    assert out.status is ClientStatus.ACTIVE and not out.associate
    assert out.notify_org_admins and not out.notify_practitioner


@pytest.mark.parametrize("choice", list(Choice))
def test_r_reg_6_manual_approval_makes_every_registration_pending(choice):
    out = registration_outcome(manual_approval=True, choice=choice)
    assert out.status is ClientStatus.PENDING
    assert out.notify_org_admins


@pytest.mark.parametrize(
    ("roles", "on", "told"),
    [
        ({Role.CARE_COORDINATOR}, True, True),
        ({Role.DEPT_ADMIN}, True, True),
        ({Role.ORG_ADMIN}, True, True),
        (set(), True, False),
        ({Role.CARE_COORDINATOR}, False, False),
    ],
)
def test_r_reg_3_practitioner_notice_needs_notifications_on_and_an_admin_role(roles, on, told):
    assert practitioner_wants_notice(frozenset(roles), on) is told


def test_staff_visibility_follows_departments():
    dept_admin = StaffView(id=1, roles=frozenset({Role.DEPT_ADMIN}), department_ids=frozenset({1}))
    assert can_see_staff(dept_admin, [1, 2])
    assert not can_see_staff(dept_admin, [2])
    org_admin = StaffView(id=2, roles=frozenset({Role.ORG_ADMIN}))
    assert can_see_staff(org_admin, [9])
    assert can_edit_organization(org_admin) and not can_edit_organization(dept_admin)
