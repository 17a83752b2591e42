"""Roles and who may do what (R-CLIENT-1, R-ASSOC-1, R-ASSOC-2, R-HOST-1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import Refusal


class Role(StrEnum):
    ORG_ADMIN = "org_admin"
    DEPT_ADMIN = "dept_admin"
    CARE_COORDINATOR = "care_coordinator"


ADMIN_ROLES = frozenset(Role)


@dataclass(frozen=True)
class StaffView:
    """What the rules need to know about a staff member."""

    id: int
    roles: frozenset[Role] = frozenset()
    department_ids: frozenset[int] = frozenset()
    is_practitioner: bool = False
    licence: str | None = None

    @property
    def is_org_admin(self) -> bool:
        return Role.ORG_ADMIN in self.roles


@dataclass(frozen=True)
class ClientScope:
    """Which departments a client belongs to, through its associations."""

    department_ids: frozenset[int] = field(default_factory=frozenset)


def can_manage_clients(staff: StaffView) -> bool:
    """R-CLIENT-1: Org Admin, Dept Admin and Care Coordinator; nobody else."""
    return bool(staff.roles & ADMIN_ROLES)


def managed_department_ids(staff: StaffView) -> frozenset[int] | None:
    """Departments a manager acts in; None means every department (Org Admin)."""
    if staff.is_org_admin:
        return None
    if not can_manage_clients(staff):
        return frozenset()
    return staff.department_ids


def can_act_in_department(staff: StaffView, department_id: int) -> bool:
    """R-ASSOC-1: Org Admins anywhere; Dept Admins and Care Coordinators in their own."""
    scope = managed_department_ids(staff)
    return scope is None or department_id in scope


def sees_department(staff: StaffView, department_ids: Iterable[int]) -> bool:
    """A manager sees only what belongs to one of their departments (Org Admins: all).

    The one rule behind every list, side route and re-rendered form (issue 12, defect 1): a
    client, an association on a staff record, a visit in an employee's schedule.
    """
    scope = managed_department_ids(staff)
    return scope is None or bool(frozenset(department_ids) & scope)


def can_see_client(staff: StaffView, client_department_ids: Iterable[int]) -> bool:
    """A manager sees a client that has an association in one of their departments.

    Unassociated clients (no department yet) are visible to every manager of the
    organisation, so that "not sure" registrations can be assigned (R-REG-4).
    """
    if not can_manage_clients(staff):
        return False
    depts = frozenset(client_department_ids)
    return not depts or sees_department(staff, depts)


def can_be_associated(practitioner: StaffView) -> bool:
    """R-ASSOC-2: only staff with the practitioner role can be associated with clients."""
    return practitioner.is_practitioner


def can_host(staff: StaffView) -> bool:
    """R-HOST-1: the practitioner role and a licence."""
    return staff.is_practitioner and bool((staff.licence or "").strip())


def can_see_staff(staff: StaffView, target_department_ids: Iterable[int]) -> bool:
    """Org Admins see all staff; Dept Admins and Care Coordinators those sharing a department."""
    scope = managed_department_ids(staff)
    if scope is None:
        return True
    return bool(frozenset(target_department_ids) & scope)


def can_edit_organization(staff: StaffView) -> bool:
    """R-REG-6: the Org Admin edits the organisation (Client Management)."""
    return staff.is_org_admin


# What makes a staff member able to act or host: nobody changes these on their own record.
PROTECTED_STAFF_FIELDS = frozenset({"roles", "is_practitioner", "licence"})
OWN_RECORD = (
    "You cannot change your own roles, practitioner box or licence. "
    "Please ask another manager of your organisation."
)
LICENCE_ORG_ADMIN_ONLY = "Only an Org Admin can grant or change a practitioner's licence."


def staff_edit_refusal(actor: StaffView, target_id: int, changed: Iterable[str]) -> Refusal | None:
    """Why this manager may not make these changes to this staff record, or None (defect 4).

    Nobody changes their own roles, practitioner flag or licence (a Dept Admin made
    themselves a practitioner with a made-up licence, then hosted). A licence is what lets a
    practitioner host (R-HOST-1), a claim the organisation vouches for: granting or changing
    one is reserved to Org Admins, and audited.
    """
    changed = frozenset(changed)
    if actor.id == target_id and changed & PROTECTED_STAFF_FIELDS:
        return Refusal("own_record", OWN_RECORD)
    if "licence" in changed and not actor.is_org_admin:
        return Refusal("licence_org_admin_only", LICENCE_ORG_ADMIN_ONLY)
    return None
