"""Office Portal pages for staff administration (issue 15): Create New staff, a staff member's
roles and departments, a new set-up link, and Departments (create, rename).

The same services as the JSON API (services/staff_accounts.py, services/departments.py); who
may do what is domain/staff_admin.py's. The staff list and record are staff_pages.py's.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain import staff_admin as rules
from vtconnect_care.domain.roles import Role

from ..api.bounds import PathId
from ..api.deps import DbDep, SettingsDep
from ..errors import ApiError
from ..services import accounts, departments, staff_accounts, staff_admin
from ..services.client_access import manager_view
from .web import PageAccount, PortalRoute, form_data, redirect, render

router = APIRouter(prefix="/portal", route_class=PortalRoute, include_in_schema=False)

ROLE_CHOICES = [(r.value, rules.ROLE_LABELS[r]) for r in Role]


def _choices(db, account, view, *, held_roles=(), held_departments=()) -> dict:
    """The roles and departments this manager may tick; the others are shown, not offered."""
    grantable = rules.grantable_roles(view)
    scope = rules.assignable_departments(view)
    all_depts = departments.listing(db, account)
    return {
        "role_choices": [(v, label) for v, label in ROLE_CHOICES if Role(v) in grantable],
        "roles_kept": [
            label for v, label in ROLE_CHOICES if v in held_roles and Role(v) not in grantable
        ],
        "dept_choices": [d for d in all_depts if scope is None or d["id"] in scope],
        "depts_kept": [
            d["name"]
            for d in all_depts
            if d["id"] in held_departments and scope is not None and d["id"] not in scope
        ],
        "grants_licence": view.is_org_admin,
    }


def _posted(form: dict, name: str) -> list[str]:
    return [str(v)[:40] for v in form["_lists"].get(name, [])][:50]


# --- Create New staff ---------------------------------------------------------------------


def _new_form(request, db, account, *, values=None, errors=None) -> Response:
    view = manager_view(account)
    choices = _choices(db, account, view)
    if values is None:
        only = choices["dept_choices"]
        values = {
            "roles": [],
            "department_ids": [str(only[0]["id"])] if len(only) == 1 else [],
            "notify_new_clients": True,
        }
    return render(
        request,
        "staff_new.html",
        {
            "title": "Create New staff",
            "section": "staff",
            "values": values,
            "errors": errors or {},
            **choices,
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/new")
def staff_new(request: Request, account: PageAccount, db: DbDep) -> Response:
    view = manager_view(account)
    if not rules.administers_staff(view):
        raise ApiError(403, "forbidden", rules.STAFF_ADMIN_ONLY)
    return _new_form(request, db, account)


@router.post("/staff/new")
async def staff_create(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    data = {
        "first_name": str(form.get("first_name", ""))[:200],
        "last_name": str(form.get("last_name", ""))[:200],
        "email": str(form.get("email", ""))[:254],
        "roles": _posted(form, "roles"),
        "department_ids": _posted(form, "department_ids"),
        "is_practitioner": form.get("is_practitioner") == "on",
        "licence": str(form.get("licence", ""))[:200],
        "notify_new_clients": form.get("notify_new_clients") == "on",
    }
    try:
        person = staff_accounts.create_staff(db, settings, account, data)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        return _new_form(request, db, account, values=data, errors=exc.fields)
    return redirect(f"/portal/staff/{person.id}", "staff_created")


# --- roles and departments ------------------------------------------------------------------


def _roles_form(request, db, account, person, *, values=None, errors=None) -> Response:
    view, _ = staff_admin.visible_staff(db, account, person.id)
    s = staff_admin.summary(db, person, viewer=view)
    held_depts = [d["id"] for d in s["departments"]]
    values = values or {
        "roles": s["roles"],
        "department_ids": [str(i) for i in held_depts],
    }
    return render(
        request,
        "staff_roles.html",
        {
            "title": f"Roles and departments of {s['full_name']}",
            "section": "staff",
            "s": s,
            "values": values,
            "errors": errors or {},
            **_choices(db, account, view, held_roles=s["roles"], held_departments=held_depts),
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/{staff_id}/roles")
def staff_roles(request: Request, staff_id: PathId, account: PageAccount, db: DbDep) -> Response:
    view, person = staff_admin.visible_staff(db, account, staff_id)
    if person.id == view.id:
        raise ApiError(403, "own_record", rules.OWN_DEPARTMENTS)
    if not rules.administers_staff(view):
        raise ApiError(403, "forbidden", rules.STAFF_ADMIN_ONLY)
    if not rules.can_administer(view, accounts.staff_view(person)):
        raise ApiError(403, "forbidden", rules.ADMINS_ORG_ADMIN_ONLY)
    return _roles_form(request, db, account, person)


@router.post("/staff/{staff_id}/roles")
async def staff_roles_save(
    request: Request, staff_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    view, person = staff_admin.visible_staff(db, account, staff_id)
    target = accounts.staff_view(person)
    # what this manager is not offered stays as it is (a Dept Admin's form shows only theirs)
    grantable = {r.value for r in rules.grantable_roles(view)}
    scope = rules.assignable_departments(view)
    roles = [r for r in _posted(form, "roles") if r in grantable] + [
        r.value for r in target.roles if r.value not in grantable
    ]
    posted_depts = _posted(form, "department_ids")
    kept = [] if scope is None else [str(d) for d in target.department_ids if d not in scope]
    if scope is not None:
        posted_depts = [d for d in posted_depts if d.isdigit() and int(d) in scope]
    values = {"roles": roles, "department_ids": posted_depts + kept}
    try:
        staff_accounts.change_roles(
            db, settings, account, staff_id, roles=roles, department_ids=values["department_ids"]
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        return _roles_form(request, db, account, person, values=values, errors=exc.fields)
    return redirect(f"/portal/staff/{staff_id}", "roles_saved")


@router.post("/staff/{staff_id}/setup-link")
async def staff_setup_link(
    request: Request, staff_id: PathId, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    await form_data(request)
    staff_accounts.resend_setup_link(db, settings, account, staff_id)
    return redirect(f"/portal/staff/{staff_id}", "staff_link_sent")


# --- departments --------------------------------------------------------------------------


def _departments_page(request, db, account, *, values=None, errors=None, editing=None):
    view = manager_view(account)
    return render(
        request,
        "departments.html",
        {
            "title": "Departments",
            "section": "staff",
            "departments": departments.listing(db, account),
            "may_edit": rules.department_refusal(view) is None,
            "values": values or {},
            "errors": errors or {},
            "editing": editing,
        },
        status_code=422 if errors else 200,
    )


@router.get("/departments")
def department_list(request: Request, account: PageAccount, db: DbDep) -> Response:
    return _departments_page(request, db, account)


@router.post("/departments")
async def department_create(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    name = str(form.get("name", ""))[:300]
    try:
        departments.create(db, settings, account, name=name)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        return _departments_page(request, db, account, values={"name": name}, errors=exc.fields)
    return redirect("/portal/departments", "department_created")


@router.post("/departments/{department_id}")
async def department_rename(
    request: Request,
    department_id: PathId,
    account: PageAccount,
    db: DbDep,
    settings: SettingsDep,
) -> Response:
    form = await form_data(request)
    name = str(form.get("name", ""))[:300]
    try:
        departments.rename(db, settings, account, department_id, name=name)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        errors = {f"name_{department_id}": exc.fields.get("name", exc.message)}
        values = {f"name_{department_id}": name}
        return _departments_page(
            request, db, account, values=values, errors=errors, editing=department_id
        )
    return redirect("/portal/departments", "department_renamed")
