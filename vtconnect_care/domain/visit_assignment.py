"""Who may be assigned to a client's visit (R-VISIT-ASSIGN, R-ASSOC-1's scopes applied to visits).

The portal's employee list and the service that saves a visit both ask these functions, so
what the form offers is exactly what the server accepts:

- the employee is an active staff member of the organisation;
- the employee works in one of the client's departments (the departments of its
  associations);
- a client with no department yet (a "not sure" registration, R-REG-4) borrows the scheduling
  manager's departments: a Dept Admin or Care Coordinator assigns staff of their own
  departments, an Org Admin staff of any department. Staff who work in no department are
  never assigned, to any client.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import Refusal
from .roles import StaffView, can_act_in_department

EMPLOYEE_NOT_ACTIVE = "Choose an active staff member of your organisation."
EMPLOYEE_NOT_IN_DEPARTMENTS = "Choose a staff member of one of this client's departments."
EMPLOYEE_NOT_IN_YOURS = (
    "This client has no department yet: choose a staff member of one of your departments."
)


def assignment_departments(
    *,
    manager: StaffView,
    client_department_ids: Iterable[int],
    employee_department_ids: Iterable[int],
) -> frozenset[int]:
    """The departments through which this employee may be assigned to this client's visits.

    Empty means the employee may not be assigned (whatever their other qualities).
    """
    employee = frozenset(employee_department_ids)
    client = frozenset(client_department_ids)
    if client:
        return employee & client
    return frozenset(d for d in employee if can_act_in_department(manager, d))


def assignment_refusal(
    *,
    manager: StaffView,
    client_department_ids: Iterable[int],
    employee_department_ids: Iterable[int],
    employee_active: bool,
) -> Refusal | None:
    """Why this employee may not be assigned to this client's visit by this manager, or None.

    ``employee_active`` is False for nobody, a stranger to the organisation or an inactive one.
    """
    if not employee_active:
        return Refusal("employee_not_active", EMPLOYEE_NOT_ACTIVE)
    client = frozenset(client_department_ids)
    shared = assignment_departments(
        manager=manager,
        client_department_ids=client,
        employee_department_ids=employee_department_ids,
    )
    if shared:
        return None
    if client:
        return Refusal("employee_outside_client_departments", EMPLOYEE_NOT_IN_DEPARTMENTS)
    return Refusal("employee_outside_manager_departments", EMPLOYEE_NOT_IN_YOURS)
