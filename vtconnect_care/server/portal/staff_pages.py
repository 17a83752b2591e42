"""Office Portal pages for managers: Clients, Staff, Organization (same services as the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain.roles import can_act_in_department

from ..api.bounds import MAX_ID, PathId
from ..api.deps import DbDep, SettingsDep
from ..errors import ApiError
from ..models import Client
from ..services import client_associations, clients, staff_admin
from ..services.client_associations import Wanted
from .web import PageAccount, PortalRoute, form_data, menu_for, redirect, render

router = APIRouter(prefix="/portal", route_class=PortalRoute, include_in_schema=False)

STATUS_LABELS = {"active": "Active", "inactive": "Inactive", "pending": "Pending"}


def _int(value: object) -> int | None:
    """A posted id, or None when it is not one (out of the database's range included)."""
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None


def wanted_from_form(form: dict) -> list[Wanted]:
    """Checked rows `assoc` (ids) with an optional department select `dept_<id>` each."""
    out = []
    for raw in form["_lists"].get("assoc", []):
        other = _int(raw)
        if other is not None:
            out.append(Wanted(other, _int(form.get(f"dept_{other}"))))
    return out


def practitioner_rows(db, actor, view, client: Client | None, form_wanted=None) -> list[dict]:
    """One row per practitioner this manager may use, with the departments to pick from."""
    current = {a.practitioner_id: a.department_id for a in (client.associations if client else [])}
    if form_wanted is not None:
        current = {w.other_id: w.department_id for w in form_wanted}
    rows = []
    for person in client_associations.practitioners_for(db, actor, view):
        depts = [d for d in person.departments if can_act_in_department(view, d.id)]
        rows.append(
            {
                "id": person.id,
                "name": person.full_name,
                "departments": depts,
                "all_departments": person.departments,
                "checked": person.id in current,
                "department_id": current.get(person.id),
            }
        )
    return rows


@router.get("")
def home(account: PageAccount) -> Response:
    if menu_for(account)["manage"]:
        return redirect("/portal/clients")
    return redirect("/portal/me")  # clients, and staff without a managing role


@router.get("/me")
def me(request: Request, account: PageAccount) -> Response:
    return render(request, "me.html", {"title": "Your account"})


# --- clients ------------------------------------------------------------------------------


@router.get("/clients")
def client_list(
    request: Request, account: PageAccount, db: DbDep, status: str = "active", q: str = ""
) -> Response:
    """R-STATUS-1: Active by default; the drop-down in the upper right switches views."""
    if status not in STATUS_LABELS:
        status = "active"
    rows = clients.list_clients(db, account, status=status, query=q[:100])
    return render(
        request,
        "clients.html",
        {
            "title": f"{STATUS_LABELS[status]} clients",
            "section": "clients",
            "clients": rows,
            "status": status,
            "statuses": STATUS_LABELS,
            "q": q[:100],
        },
    )


def _client_form(request, db, account, *, client=None, values=None, errors=None, wanted=None):
    view = clients.manager_view(account)
    status_code = 422 if errors else 200
    values = values or (
        clients.summary(client)
        if client
        else {"first_name": "", "last_name": "", "email": "", "date_of_birth": "", "phone": ""}
    )
    return render(
        request,
        "client_form.html",
        {
            "title": f"Edit {client.full_name}" if client else "Create New client",
            "section": "clients",
            "client": client,
            "values": values,
            "errors": errors or {},
            "practitioners": practitioner_rows(db, account, view, client, wanted),
            "individual": account.organization.individual_practitioner,
        },
        status_code=status_code,
    )


@router.get("/clients/new")
def client_new(request: Request, account: PageAccount, db: DbDep) -> Response:
    return _client_form(request, db, account)


@router.post("/clients/new")
async def client_create(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    wanted = wanted_from_form(form)
    try:
        client = clients.create_client(db, settings, account, form, wanted)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        return _client_form(request, db, account, values=form, errors=exc.fields, wanted=wanted)
    return redirect(f"/portal/clients/{client.id}", "created")


@router.get("/clients/{client_id}")
def client_record(request: Request, client_id: PathId, account: PageAccount, db: DbDep) -> Response:
    view, client = clients.visible_client(db, account, client_id)
    return render(
        request,
        "client.html",
        {
            "title": client.full_name,
            "section": "clients",
            "client": client,
            "c": clients.summary(client),
            "status_label": STATUS_LABELS.get(client.status, client.status),
        },
    )


@router.get("/clients/{client_id}/edit")
def client_edit(request: Request, client_id: PathId, account: PageAccount, db: DbDep) -> Response:
    _, client = clients.visible_client(db, account, client_id)
    return _client_form(request, db, account, client=client)


@router.post("/clients/{client_id}/edit")
async def client_save(
    request: Request, client_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    _, client = clients.visible_client(db, account, client_id)
    data = {k: form.get(k, "") for k in ("first_name", "last_name", "email", "date_of_birth")}
    data["phone"] = form.get("phone", "")
    if client.status != "pending":  # R-STATUS-2: the Active checkbox
        data["active"] = form.get("active") == "on"
    wanted = wanted_from_form(form)
    try:
        clients.update_client(db, settings, account, client_id, data, wanted)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()  # nothing saved; `client` reloads as it was
        values = {**data, "status": client.status, "active": data.get("active")}
        return _client_form(
            request, db, account, client=client, values=values, errors=exc.fields, wanted=wanted
        )
    return redirect(f"/portal/clients/{client_id}", "saved")


@router.post("/clients/{client_id}/approve")
async def client_approve(
    request: Request, client_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    await form_data(request)
    clients.approve(db, settings, account, client_id)
    return redirect(f"/portal/clients/{client_id}", "approved")


@router.post("/clients/{client_id}/setup-link")
async def client_setup_link(
    request: Request, client_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    await form_data(request)
    clients.resend_setup_link(db, settings, account, client_id)
    return redirect(f"/portal/clients/{client_id}", "link_sent")


@router.get("/clients/{client_id}/delete")
def client_delete_confirm(
    request: Request, client_id: PathId, account: PageAccount, db: DbDep
) -> Response:
    _, client = clients.visible_client(db, account, client_id)
    return render(
        request,
        "client_delete.html",
        {"title": f"Delete {client.full_name}?", "section": "clients", "client": client},
    )


@router.post("/clients/{client_id}/delete")
async def client_delete(
    request: Request, client_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    await form_data(request)
    clients.delete(db, settings, account, client_id)
    return redirect("/portal/clients", "deleted")


# --- staff --------------------------------------------------------------------------------


@router.get("/staff")
def staff_list(request: Request, account: PageAccount, db: DbDep) -> Response:
    rows = staff_admin.list_staff(db, account)
    view = clients.manager_view(account)
    return render(
        request,
        "staff_list.html",
        {
            "title": "Staff",
            "section": "staff",
            "staff": [staff_admin.summary(db, s, viewer=view) for s in rows],
        },
    )


@router.get("/staff/{staff_id}")
def staff_record(request: Request, staff_id: PathId, account: PageAccount, db: DbDep) -> Response:
    view, person = staff_admin.visible_staff(db, account, staff_id)
    s = staff_admin.summary(db, person, viewer=view)
    return render(request, "staff.html", {"title": s["full_name"], "section": "staff", "s": s})


def _staff_form(request, db, account, person, *, values=None, errors=None, wanted=None):
    view = clients.manager_view(account)
    s = staff_admin.summary(db, person, viewer=view)
    current = {a["client_id"]: a["department_id"] for a in s["associations"]}
    if wanted is not None:
        current = {w.other_id: w.department_id for w in wanted}
    depts = [d for d in person.departments if can_act_in_department(view, d.id)]
    rows = [
        {
            "id": c.id,
            "name": c.full_name,
            "status": c.status,
            "checked": c.id in current,
            "department_id": current.get(c.id),
        }
        for c in staff_admin.assignable_clients(db, account, view)
    ]
    return render(
        request,
        "staff_form.html",
        {
            "title": f"Edit {s['full_name']}",
            "section": "staff",
            "s": s,
            "values": values or s,
            "errors": errors or {},
            "rows": rows,
            "departments": depts,
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/{staff_id}/edit")
def staff_edit(request: Request, staff_id: PathId, account: PageAccount, db: DbDep) -> Response:
    _, person = staff_admin.visible_staff(db, account, staff_id)
    return _staff_form(request, db, account, person)


@router.post("/staff/{staff_id}/edit")
async def staff_save(
    request: Request, staff_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    _, person = staff_admin.visible_staff(db, account, staff_id)
    data = {
        "is_practitioner": form.get("is_practitioner") == "on",
        "licence": form.get("licence", ""),
        "notify_new_clients": form.get("notify_new_clients") == "on",
    }
    wanted = wanted_from_form(form)
    try:
        staff_admin.update_staff(db, settings, account, staff_id, data, wanted)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        values = {**staff_admin.summary(db, person, viewer=clients.manager_view(account)), **data}
        return _staff_form(
            request, db, account, person, values=values, errors=exc.fields, wanted=wanted
        )
    return redirect(f"/portal/staff/{staff_id}", "saved")
