"""Office Portal pages for visits and services: the same services as /api/v1 (R-VISIT-1, 7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.roles import can_see_client
from vtconnect_care.domain.times import hhmm
from vtconnect_care.domain.visit_assignment import assignment_departments
from vtconnect_care.domain.visit_status import STATUS_LABELS, visit_status

from ..api.bounds import MAX_ID, OUT_OF_RANGE, PathId, year_in_range
from ..api.deps import DbDep, SettingsDep
from ..errors import ApiError, forbidden
from ..models import Account, Client, Staff, VirtualSession, Visit
from ..services import clients, visit_admin, visits
from ..services.accounts import staff_view
from .web import PageAccount, PortalRoute, form_data, redirect, render

router = APIRouter(prefix="/portal", route_class=PortalRoute, include_in_schema=False)


def _zone(account: Account) -> tzinfo:
    """The organisation's zone (issue 15): visit times are shown and entered in it, named."""
    return org_rules.zone(account.organization.time_zone)


NOTICES = {
    "visit_created": "The visit is scheduled.",
    "time_changed": "The new time is saved.",
    "time_changed_virtual": "The new time is saved. Invite links sent before this change no "
    "longer work: the employee needs to use “Resend invite to client”.",
    "reassigned": "The visit is assigned to its new employee.",
    "service_created": "The service is created.",
}
FIELD_OF = {"starts_at": "start_time", "ends_at": "end_time"}  # service field -> form field


def _manager(account: Account) -> Staff:
    """Org Admins, Dept Admins and Care Coordinators schedule visits; nobody else."""
    if not isinstance(account, Staff) or not visit_admin.is_visit_manager(account):
        raise forbidden()
    return account


def _page(request: Request, template: str, context: dict, *, status_code: int = 200) -> Response:
    notice = NOTICES.get(request.query_params.get("notice", ""))
    extra = {"notice": notice} if notice else {}
    return render(
        request,
        template,
        {"section": "visits", "zone_label": _zone_label(request), **extra, **context},
        status_code=status_code,
    )


def _zone_label(request: Request) -> str:
    account = getattr(request.state, "account", None)
    return org_rules.zone_name(account.organization.time_zone) if account else "UTC"


def _int(value: object) -> int:
    """A posted id; 0 (no such row: the service says "Choose ...") when it is not one."""
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return 0
    return number if 1 <= number <= MAX_ID else 0


def _sessions(db, visit_ids: list[int]) -> dict[int, VirtualSession]:
    if not visit_ids:
        return {}
    rows = db.scalars(select(VirtualSession).where(VirtualSession.visit_id.in_(visit_ids)))
    return {vs.visit_id: vs for vs in rows}


def _row(visit: Visit, vs: VirtualSession | None) -> dict:
    zone = _zone(visit.client)
    status = visit_status(
        clock_in_at=visit.clock_in_at,
        clock_out_at=visit.clock_out_at,
        session_state=vs.state if vs is not None else None,
    )
    return {
        "id": visit.id,
        "client": visit.client.full_name,
        "employee": visit.employee.full_name if visit.employee else None,
        "service": visit.service,
        "is_virtual": rules.is_virtual(visit.service.allows_virtual),
        "day": visit.starts_at.astimezone(zone).date(),
        "start": hhmm(visit.starts_at, zone),
        "end": hhmm(visit.ends_at, zone),
        "status": status.value,
        "status_label": STATUS_LABELS[status],
    }


def employee_choices(db, manager: Staff, client: Client) -> list[dict]:
    """The staff this manager may assign to the client's visits (domain.visit_assignment):
    active staff of the client's departments; for a client with none yet, of the manager's."""
    view = staff_view(manager)
    client_depts = {a.department_id for a in client.associations}
    people = db.scalars(
        select(Staff)
        .where(Staff.organization_id == manager.organization_id, Staff.active.is_(True))
        .order_by(Staff.last_name, Staff.first_name)
    )
    out = []
    for person in people:
        through = assignment_departments(
            manager=view,
            client_department_ids=client_depts,
            employee_department_ids=[d.id for d in person.departments],
        )
        if through:
            names = ", ".join(d.name for d in person.departments if d.id in through)
            out.append({"id": person.id, "label": f"{person.full_name} ({names})"})
    return out


def _with_current(choices: list[dict], visit: Visit) -> list[dict]:
    """The assigned employee stays in the list, even from another department."""
    employee = visit.employee
    if employee is not None and all(c["id"] != employee.id for c in choices):
        choices = [{"id": employee.id, "label": employee.full_name}, *choices]
    return choices


def _parse_times(
    form: dict, zone: tzinfo
) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """The posted date and times, read in the organisation's zone, as UTC."""
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(str(form.get("date", "")).strip())
    except ValueError:
        errors["date"] = "Enter the date of the visit."
        day = None
    if day is not None and not year_in_range(day.year):
        errors["date"] = OUT_OF_RANGE
    parsed: dict[str, time] = {}
    for key in ("start_time", "end_time"):
        try:
            parsed[key] = time.fromisoformat(str(form.get(key, "")).strip())
        except ValueError:
            errors[key] = "Enter a time like 09:30."
    if errors or day is None:
        return None, None, errors
    starts = datetime.combine(day, parsed["start_time"], tzinfo=zone).astimezone(UTC)
    ends = datetime.combine(day, parsed["end_time"], tzinfo=zone).astimezone(UTC)
    return starts, ends, {}


def _field_errors(exc: ApiError) -> dict[str, str]:
    return {FIELD_OF.get(k, k): v for k, v in (exc.fields or {}).items()}


# --- the visits of a day ------------------------------------------------------------------


@router.get("/visits")
def visit_list(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep, date: str = ""
) -> Response:
    """Visits by day (today by default), for the clients this manager may manage."""
    manager = _manager(account)
    today = settings.clock.now().astimezone(_zone(manager)).date()
    try:
        day = datetime.strptime(date, "%Y-%m-%d").date() if date else today
    except ValueError:
        day = today
    start, end = visits.day_bounds(day, _zone(manager))
    rows = [
        v
        for v in db.scalars(
            visit_admin.visit_query()
            .where(
                Visit.organization_id == manager.organization_id,
                Visit.starts_at >= start,
                Visit.starts_at < end,
            )
            .order_by(Visit.starts_at, Visit.id)
        )
        if visit_admin.manages_visit(db, manager, v)
    ]
    sessions = _sessions(db, [v.id for v in rows])
    return _page(
        request,
        "visits.html",
        {
            "title": "Visits",
            "day": day,
            "today": today,
            "prev_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "visits": [_row(v, sessions.get(v.id)) for v in rows],
        },
    )


# --- a new visit --------------------------------------------------------------------------


def _visit_form(request, db, manager, *, client=None, values=None, errors=None, day=None):
    services = visit_admin.list_services(db, manager)
    return _page(
        request,
        "visit_form.html",
        {
            "title": "New visit",
            "clients": clients.list_clients(db, manager, status="active"),
            "client": client,
            "employees": employee_choices(db, manager, client) if client else [],
            "services": services,
            "values": values or {"date": (day or "")},
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/visits/new")
def visit_new(
    request: Request,
    account: PageAccount,
    db: DbDep,
    settings: SettingsDep,
    client_id: str = "",
    date: str = "",
) -> Response:
    """Step 1: the client; step 2 (with client_id): employee, service, date and times."""
    manager = _manager(account)
    client = clients.visible_client(db, manager, _int(client_id))[1] if client_id else None
    day = date or settings.clock.now().astimezone(_zone(manager)).date().isoformat()
    return _visit_form(request, db, manager, client=client, day=day[:10])


@router.post("/visits/new")
async def visit_create(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    manager = _manager(account)
    client = db.get(Client, _int(form.get("client_id")))
    if client is not None and (
        client.organization_id != manager.organization_id
        or not can_see_client(staff_view(manager), clients.client_department_ids(client))
    ):
        client = None  # never re-rendered: another department's client (defect 1)
    starts, ends, errors = _parse_times(form, _zone(manager))
    if not errors and starts is not None and ends is not None:
        try:
            visit = visit_admin.create_visit(
                db,
                settings,
                manager,
                client_id=_int(form.get("client_id")),
                employee_id=_int(form.get("employee_id")),
                service_id=_int(form.get("service_id")),
                starts_at=starts,
                ends_at=ends,
            )
        except ApiError as exc:
            if exc.status != 422:
                raise
            db.rollback()
            errors = _field_errors(exc)
        else:
            return redirect(f"/portal/visits/{visit.id}", "visit_created")
    if client is not None and "client_id" in errors:
        client = None  # pick another client
    return _visit_form(request, db, manager, client=client, values=form, errors=errors)


# --- one visit: change the time, reassign -------------------------------------------------


def _managed_visit(db, manager: Staff, visit_id: int) -> Visit:
    visit = visits.load_visit(db, manager, visit_id)
    if not visit_admin.manages_visit(db, manager, visit):
        raise forbidden()
    return visit


def _time_values(visit: Visit) -> dict:
    zone = _zone(visit.client)
    start, end = visit.starts_at.astimezone(zone), visit.ends_at.astimezone(zone)
    return {
        "date": start.date().isoformat(),
        "start_time": hhmm(start),
        "end_time": hhmm(end),
        "employee_id": visit.employee_id,
    }


def _visit_page(request, db, manager, visit, *, values=None, errors=None, status_code=200):
    vs = visits.session_of(db, visit)
    sfacts = visits.session_facts(vs)
    return _page(
        request,
        "visit.html",
        {
            "title": f"Visit with {visit.client.full_name}",
            "visit": visit,
            "v": _row(visit, vs),
            "vs": vs,
            "last_invite": hhmm(vs.last_invite_sent_at, _zone(visit.client))
            if vs is not None
            else None,
            "invite_outdated": sfacts is not None
            and rules.is_invite_outdated(visits.visit_facts(visit), sfacts),
            "employees": _with_current(employee_choices(db, manager, visit.client), visit),
            "values": values or _time_values(visit),
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/visits/{visit_id}")
def visit_page(request: Request, visit_id: PathId, account: PageAccount, db: DbDep) -> Response:
    manager = _manager(account)
    return _visit_page(request, db, manager, _managed_visit(db, manager, visit_id))


@router.post("/visits/{visit_id}/time")
async def visit_change_time(
    request: Request, visit_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    """R-VISIT-7: a new time; earlier invite links stop working (the page says so)."""
    form = await form_data(request)
    manager = _manager(account)
    visit = _managed_visit(db, manager, visit_id)
    before = (visit.starts_at, visit.ends_at)
    starts, ends, errors = _parse_times(form, _zone(manager))
    if not errors and starts is not None and ends is not None:
        try:
            visit = visit_admin.reschedule(
                db, settings, manager, visit_id, starts_at=starts, ends_at=ends
            )
        except ApiError as exc:
            if exc.status != 422:
                raise
            db.rollback()
            errors = _field_errors(exc)
        else:
            if (visit.starts_at, visit.ends_at) == before:
                return redirect(f"/portal/visits/{visit_id}")
            virtual = rules.is_virtual(visit.service.allows_virtual)
            return redirect(
                f"/portal/visits/{visit_id}", "time_changed_virtual" if virtual else "time_changed"
            )
    visit = _managed_visit(db, manager, visit_id)
    values = {**_time_values(visit), **{k: form.get(k, "") for k in _time_values(visit)}}
    values["employee_id"] = visit.employee_id
    return _visit_page(request, db, manager, visit, values=values, errors=errors, status_code=422)


@router.post("/visits/{visit_id}/employee")
async def visit_reassign(
    request: Request, visit_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    manager = _manager(account)
    try:
        visit_admin.reassign(
            db, settings, manager, visit_id, employee_id=_int(form.get("employee_id"))
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        visit = _managed_visit(db, manager, visit_id)
        return _visit_page(request, db, manager, visit, errors=_field_errors(exc), status_code=422)
    return redirect(f"/portal/visits/{visit_id}", "reassigned")


# --- services -----------------------------------------------------------------------------


def _services_page(request, db, manager, *, values=None, errors=None) -> Response:
    return _page(
        request,
        "services.html",
        {
            "title": "Services",
            "services": visit_admin.list_services(db, manager),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/services")
def service_list(request: Request, account: PageAccount, db: DbDep) -> Response:
    return _services_page(request, db, _manager(account))


@router.post("/services")
async def service_create(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    """R-VISIT-1: a service code either allows virtual visits or not."""
    form = await form_data(request)
    manager = _manager(account)
    try:
        visit_admin.create_service(
            db,
            settings,
            manager,
            code=str(form.get("code", ""))[:64],
            name=str(form.get("name", ""))[:200],
            allows_virtual=form.get("allows_virtual") == "on",
        )
    except ApiError as exc:
        if not exc.fields:
            raise
        db.rollback()
        return _services_page(request, db, manager, values=form, errors=_field_errors(exc))
    return redirect("/portal/services", "service_created")
