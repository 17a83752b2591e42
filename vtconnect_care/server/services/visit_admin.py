"""Office staff schedule visits: services with a virtual flag, visits, new times (R-VISIT-1, 7)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from vtconnect_care.domain.accounts import ClientStatus
from vtconnect_care.domain.roles import can_manage_clients, can_see_client
from vtconnect_care.domain.visit_assignment import EMPLOYEE_NOT_ACTIVE, assignment_refusal

from .. import audit
from ..errors import ApiError, forbidden, not_found, validation
from ..models import Association, Client, Service, Staff, Visit
from ..settings import Settings
from .accounts import staff_view

SERVICE_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
MAX_VISIT = timedelta(hours=24)
CODE_TAKEN = "A service with this code already exists."


def visit_query() -> Select[Visit]:
    return select(Visit).options(
        selectinload(Visit.client).selectinload(Client.organization),
        selectinload(Visit.employee),
        selectinload(Visit.service),
    )


def is_visit_manager(staff: Staff) -> bool:
    """Org Admin, Dept Admin and Care Coordinator schedule visits (as they manage clients)."""
    return can_manage_clients(staff_view(staff))


def _require_manager(staff: Staff) -> None:
    if not is_visit_manager(staff):
        raise forbidden()


def manages_visit(db: Session, staff: Staff, visit: Visit) -> bool:
    """A manager whose departments reach the visit's client (Org Admins: every visit)."""
    return is_visit_manager(staff) and can_see_client(
        staff_view(staff), _client_departments(db, visit.client_id)
    )


def service_row(service: Service) -> dict:
    return {
        "id": service.id,
        "code": service.code,
        "name": service.name,
        "allows_virtual": service.allows_virtual,
    }


def list_services(db: Session, staff: Staff) -> list[dict]:
    rows = db.scalars(
        select(Service)
        .where(Service.organization_id == staff.organization_id)
        .order_by(Service.code)
    )
    return [service_row(s) for s in rows]


def create_service(
    db: Session, settings: Settings, staff: Staff, *, code: str, name: str, allows_virtual: bool
) -> Service:
    """R-VISIT-1: a service code either allows virtual visits or not."""
    _require_manager(staff)
    now = settings.clock.now()
    code = code.strip().upper()
    name = name.strip()
    problems: dict[str, str] = {}
    if not SERVICE_CODE_RE.match(code):
        problems["code"] = "Use 1 to 32 letters, digits, dots, dashes or underscores."
    if not name:
        problems["name"] = "Name is required."
    if problems:
        raise validation(problems)
    taken = db.scalar(
        select(Service.id).where(
            Service.organization_id == staff.organization_id, Service.code == code
        )
    )
    if taken is not None:
        raise ApiError(409, "service_code_taken", CODE_TAKEN, fields={"code": CODE_TAKEN})
    service = Service(
        organization_id=staff.organization_id, code=code, name=name, allows_virtual=allows_virtual
    )
    db.add(service)
    db.flush()
    audit.record(
        db,
        now=now,
        action="service_created",
        actor=staff,
        object_type="service",
        object_id=service.id,
        code=code,
        allows_virtual=allows_virtual,
    )
    db.commit()
    return service


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise validation({"ends_at": "The end must be after the start."})
    if ends_at - starts_at > MAX_VISIT:
        raise validation({"ends_at": "A visit lasts at most 24 hours."})


def _client_departments(db: Session, client_id: int) -> list[int]:
    return list(
        db.scalars(select(Association.department_id).where(Association.client_id == client_id))
    )


def _employee_problem(
    db: Session, manager: Staff, employee: Staff | None, client_id: int | None
) -> str | None:
    """Why this manager may not assign this employee to a visit of this client, or None.

    domain.visit_assignment decides (the portal's form offers the same staff). With no valid
    client (`client_id` None) only the employee's own standing is checked."""
    active = (
        employee is not None
        and employee.organization_id == manager.organization_id
        and employee.active
    )
    if client_id is None:
        return None if active else EMPLOYEE_NOT_ACTIVE
    refusal = assignment_refusal(
        manager=staff_view(manager),
        client_department_ids=_client_departments(db, client_id),
        employee_department_ids=[d.id for d in employee.departments] if employee else [],
        employee_active=active,
    )
    return refusal.message if refusal is not None else None


def create_visit(
    db: Session,
    settings: Settings,
    staff: Staff,
    *,
    client_id: int,
    employee_id: int,
    service_id: int,
    starts_at: datetime,
    ends_at: datetime,
) -> Visit:
    """Schedule a visit of a client with an assigned employee and a service."""
    _require_manager(staff)
    now = settings.clock.now()
    _check_times(starts_at, ends_at)
    org = staff.organization_id
    client = db.get(Client, client_id)
    problems: dict[str, str] = {}
    if client is None or client.organization_id != org:
        problems["client_id"] = "Choose a client of your organisation."
    elif not can_see_client(staff_view(staff), _client_departments(db, client.id)):
        problems["client_id"] = "You can schedule visits only for clients of your departments."
    elif client.status == ClientStatus.INACTIVE.value:
        problems["client_id"] = "This client is inactive. Activate the client first."
    employee = db.get(Staff, employee_id)
    valid_client = client_id if "client_id" not in problems else None
    problem = _employee_problem(db, staff, employee, valid_client)
    if problem:
        problems["employee_id"] = problem
    service = db.get(Service, service_id)
    if service is None or service.organization_id != org:
        problems["service_id"] = "Choose a service of your organisation."
    if problems:
        raise validation(problems)
    visit = Visit(
        organization_id=org,
        client_id=client_id,
        employee_id=employee_id,
        service_id=service_id,
        starts_at=starts_at,
        ends_at=ends_at,
        schedule_version=1,
        notes="",
    )
    db.add(visit)
    db.flush()
    audit.record(
        db,
        now=now,
        action="visit_created",
        actor=staff,
        object_type="visit",
        object_id=visit.id,
        client_id=client_id,
        employee_id=employee_id,
        service_code=service.code if service else None,
    )
    db.commit()
    return visit


def reschedule(
    db: Session,
    settings: Settings,
    staff: Staff,
    visit_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
) -> Visit:
    """R-VISIT-7: a new time bumps the schedule version, so earlier invite links stop working."""
    _require_manager(staff)
    now = settings.clock.now()
    _check_times(starts_at, ends_at)
    visit = db.scalar(
        visit_query()
        .where(Visit.id == visit_id, Visit.organization_id == staff.organization_id)
        .with_for_update(of=Visit)
    )
    if visit is None:
        raise not_found()
    if not manages_visit(db, staff, visit):
        raise forbidden()
    if visit.clock_out_at is not None:
        raise ApiError(
            409, "visit_finished", "The employee has clocked out of this visit: it is finished."
        )
    if (visit.starts_at, visit.ends_at) != (starts_at, ends_at):
        old = (visit.starts_at.isoformat(), visit.ends_at.isoformat())
        visit.starts_at, visit.ends_at = starts_at, ends_at
        visit.schedule_version += 1
        audit.record(
            db,
            now=now,
            action="visit_rescheduled",
            actor=staff,
            object_type="visit",
            object_id=visit.id,
            client_id=visit.client_id,
            old_starts_at=old[0],
            old_ends_at=old[1],
            schedule_version=visit.schedule_version,
        )
    db.commit()
    return visit


def reassign(
    db: Session, settings: Settings, staff: Staff, visit_id: int, *, employee_id: int
) -> Visit:
    """Assign another employee to a visit, until the assigned one has clocked in."""
    _require_manager(staff)
    now = settings.clock.now()
    visit = db.scalar(
        visit_query()
        .where(Visit.id == visit_id, Visit.organization_id == staff.organization_id)
        .with_for_update(of=Visit)
    )
    if visit is None:
        raise not_found()
    if not manages_visit(db, staff, visit):
        raise forbidden()
    if visit.clock_in_at is not None:
        raise ApiError(
            409,
            "visit_started",
            "The employee has clocked in to this visit: it can no longer be reassigned.",
        )
    employee = db.get(Staff, employee_id)
    problem = _employee_problem(db, staff, employee, visit.client_id)
    if problem or employee is None:
        raise validation({"employee_id": problem or EMPLOYEE_NOT_ACTIVE})
    if visit.employee_id != employee.id:
        old = visit.employee_id
        visit.employee_id = employee.id
        audit.record(
            db,
            now=now,
            action="visit_reassigned",
            actor=staff,
            object_type="visit",
            object_id=visit.id,
            client_id=visit.client_id,
            old_employee_id=old,
            employee_id=employee.id,
        )
    db.commit()
    return visit
