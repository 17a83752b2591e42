"""Staff and department administration (issue 15): who adds staff, grants which roles, moves
staff between departments, and runs the departments; the checks of a staff form's fields.

The rules, each the answer of one function below:

- Org Admins administer every staff member and grant every role; Dept Admins administer the
  staff of their own departments who hold no administrator role, and grant only the Care
  Coordinator role, within their own departments (the department scope of R-ASSOC-1 applied
  to staff). Care Coordinators and everyone else administer no staff (they still tick the
  "Practitioner" box of a colleague, for R-ASSOC-2: roles.staff_edit_refusal).
- Nobody changes their own roles or departments (roles.OWN_RECORD, issue 12 defect 4).
- A licence is granted by Org Admins only (roles.LICENCE_ORG_ADMIN_ONLY); a practitioner with no
  licence cannot host (R-HOST-1) and is not offered at registration (R-REG-2: see
  offered_at_registration).
- Every staff member belongs to at least one department.
- Departments are created and renamed by Org Admins (the organisation's shape is theirs, as
  its settings are: roles.can_edit_organization).
- Deactivating staff (every session of theirs ends) stays an Org Admin's, like ending someone
  else's sessions (devices.can_end_sessions_of_others).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import messages
from .accounts import email_error
from .errors import Refusal
from .roles import LICENCE_ORG_ADMIN_ONLY, OWN_RECORD, Role, StaffView, can_host

ROLE_LABELS = {
    Role.ORG_ADMIN: "Org Admin",
    Role.DEPT_ADMIN: "Dept Admin",
    Role.CARE_COORDINATOR: "Care Coordinator",
}

STAFF_REQUIRED = {
    "first_name": "First Name is required.",
    "last_name": "Last Name is required.",
    "email": "Email is required.",
}
CHOOSE_A_DEPARTMENT = "Choose at least one department."
LICENCE_NEEDS_PRACTITIONER = 'A licence is for practitioners: check the "Practitioner" box too.'
UNKNOWN_ROLE = "Choose from Org Admin, Dept Admin and Care Coordinator."
NOT_A_DEPARTMENT = "We could not find that department."
DEPARTMENT_NAME_REQUIRED = "Department name is required."
DEPARTMENT_NAME_TAKEN = "Another department already has this name."

STAFF_ADMIN_ONLY = "Only an Org Admin or a Dept Admin can add staff or change their roles."
ROLE_ORG_ADMIN_ONLY = "Only an Org Admin can grant or remove the Org Admin or Dept Admin role."
OWN_DEPARTMENTS_ONLY = (
    "A Dept Admin can add staff to, or remove them from, their own departments only."
)
ADMINS_ORG_ADMIN_ONLY = (
    "The roles and departments of an Org Admin or a Dept Admin are changed by an Org Admin."
)
OWN_DEPARTMENTS = (
    "You cannot change your own roles or departments. "
    "Please ask another manager of your organisation."
)
DEPARTMENTS_ORG_ADMIN_ONLY = "Only an Org Admin can create or rename departments."
NO_LICENCE_NO_HOSTING = "No licence yet: cannot host a session until an Org Admin adds one."

_ADMIN_ROLES = frozenset({Role.ORG_ADMIN, Role.DEPT_ADMIN})


def parse_roles(raw: Iterable[str]) -> tuple[frozenset[Role], str | None]:
    """The roles named on a form or in a request; an error sentence for a name that is none."""
    out = set()
    for name in raw:
        try:
            out.add(Role(str(name)))
        except ValueError:
            return frozenset(out), UNKNOWN_ROLE
    return frozenset(out), None


def administers_staff(actor: StaffView) -> bool:
    """Org Admins and Dept Admins add staff and change their roles and departments."""
    return actor.is_org_admin or Role.DEPT_ADMIN in actor.roles


def grantable_roles(actor: StaffView) -> frozenset[Role]:
    """Org Admins grant every role; Dept Admins the Care Coordinator role; others none."""
    if actor.is_org_admin:
        return frozenset(Role)
    if Role.DEPT_ADMIN in actor.roles:
        return frozenset({Role.CARE_COORDINATOR})
    return frozenset()


def assignable_departments(actor: StaffView) -> frozenset[int] | None:
    """Departments this actor puts staff in or takes them out of; None: every one (Org Admin)."""
    if actor.is_org_admin:
        return None
    if Role.DEPT_ADMIN in actor.roles:
        return actor.department_ids
    return frozenset()


def can_administer(actor: StaffView, target: StaffView) -> bool:
    """May `actor` change this colleague's roles and departments (or resend their link)?"""
    if not administers_staff(actor):
        return False
    if actor.is_org_admin:
        return True
    return bool(target.department_ids & actor.department_ids) and not (target.roles & _ADMIN_ROLES)


def _scope_refusal(
    actor: StaffView,
    roles_changed: frozenset[Role],
    departments_changed: frozenset[int],
) -> Refusal | None:
    if roles_changed - grantable_roles(actor):
        return Refusal("forbidden", ROLE_ORG_ADMIN_ONLY)
    scope = assignable_departments(actor)
    if scope is not None and departments_changed - scope:
        return Refusal("forbidden", OWN_DEPARTMENTS_ONLY)
    return None


def new_staff_refusal(
    actor: StaffView, *, roles: frozenset[Role], department_ids: frozenset[int], licence: bool
) -> Refusal | None:
    """Why `actor` may not add a staff member with these roles, departments and licence."""
    if not administers_staff(actor):
        return Refusal("forbidden", STAFF_ADMIN_ONLY)
    if licence and not actor.is_org_admin:
        return Refusal("licence_org_admin_only", LICENCE_ORG_ADMIN_ONLY)
    return _scope_refusal(actor, roles, department_ids)


def staff_change_refusal(
    actor: StaffView,
    target: StaffView,
    *,
    roles: frozenset[Role],
    department_ids: frozenset[int],
) -> Refusal | None:
    """Why `actor` may not give `target` these roles and departments, or None.

    Only what changes is judged: a Dept Admin may save a record that keeps another
    department's membership as it is, not add or remove it.
    """
    roles_changed = roles ^ target.roles
    departments_changed = department_ids ^ target.department_ids
    if not roles_changed and not departments_changed:
        return None
    if actor.id == target.id:
        return Refusal("own_record", OWN_RECORD if roles_changed else OWN_DEPARTMENTS)
    if not administers_staff(actor):
        return Refusal("forbidden", STAFF_ADMIN_ONLY)
    if not can_administer(actor, target):
        return Refusal("forbidden", ADMINS_ORG_ADMIN_ONLY)
    return _scope_refusal(actor, roles_changed, departments_changed)


def department_refusal(actor: StaffView) -> Refusal | None:
    """Create or rename a department: Org Admins only."""
    if actor.is_org_admin:
        return None
    return Refusal("forbidden", DEPARTMENTS_ORG_ADMIN_ONLY)


def staff_field_errors(
    *,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    department_count: int,
    is_practitioner: bool,
    licence: str | None,
) -> dict[str, str]:
    """A new staff member's form: names and email required, one department at least, and a
    licence only with the "Practitioner" box (R-HOST-1: the licence is what lets them host)."""
    errors: dict[str, str] = {}
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if not value or not value.strip():
            errors[name] = STAFF_REQUIRED[name]
        elif len(value.strip()) > 100:
            errors[name] = messages.at_most(100)
    problem = email_error(email)
    if problem:
        errors["email"] = problem
    elif len((email or "").strip()) > 254:
        errors["email"] = messages.at_most(254)
    if department_count < 1:
        errors["departments"] = CHOOSE_A_DEPARTMENT
    licence = (licence or "").strip()
    if len(licence) > 100:
        errors["licence"] = messages.at_most(100)
    elif licence and not is_practitioner:
        errors["licence"] = LICENCE_NEEDS_PRACTITIONER
    return errors


def department_name_error(name: str | None, *, taken: bool) -> str | None:
    value = (name or "").strip()
    if not value:
        return DEPARTMENT_NAME_REQUIRED
    if len(value) > 100:
        return messages.at_most(100)
    if taken:
        return DEPARTMENT_NAME_TAKEN
    return None


def offered_at_registration(staff: StaffView, *, active: bool) -> bool:
    """R-REG-2: a registrant picks among active practitioners who can host (a licence, R-HOST-1);
    an unlicensed "practitioner" is not offered."""
    return active and can_host(staff)
