"""Office Portal pages for a person's sign-in security and sessions: "Sign-in and security"
(two-step status, password change), "Signed-in devices" (end one, end the others), and an
Org Admin's actions on a staff member's or client's sessions and on staff activation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain import two_factor as tf_rules
from vtconnect_care.domain.accounts import password_error

from ..api.deps import AddressDep, DbDep, SettingsDep
from ..errors import ApiError, validation
from ..services import accounts, device_sessions, two_factor
from .web import SESSION_COOKIE, PageAccount, PortalRoute, form_data, redirect, render

router = APIRouter(prefix="/portal", route_class=PortalRoute, include_in_schema=False)


def session_id(request: Request, db, settings) -> int:
    _, token = accounts.authenticate(db, settings, request.cookies.get(SESSION_COOKIE))
    return token.id


def security_context(db, settings, account, **extra) -> dict:
    ctx = {
        "title": "Sign-in and security",
        "section": "security",
        "tf": two_factor.status(db, account),
        "must_enrol": two_factor.must_enrol(db, account),
        "enrol_now": tf_rules.ENROL_NOW,
    }
    ctx.update(extra)
    return ctx


@router.get("/security")
def security(request: Request, account: PageAccount, db: DbDep, settings: SettingsDep):
    return render(request, "security.html", security_context(db, settings, account))


@router.post("/security/password")
async def change_password(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    """The current password, the new one twice; other devices end unless unticked."""
    form = await form_data(request)
    new = str(form.get("new_password", ""))[:256]
    try:
        if new != form.get("new_password_confirm"):
            raise validation({"new_password_confirm": "The two new passwords are not the same."})
        problem = password_error(new, account.username)
        if problem:
            raise validation({"new_password": problem})
        accounts.change_password(
            db,
            settings,
            account,
            current=str(form.get("current_password", ""))[:256],
            new=new,
            keep_session_id=session_id(request, db, settings),
            end_other_sessions=form.get("end_other_sessions") == "on",
        )
    except ApiError as exc:
        if exc.status not in (422, 429):
            raise
        db.rollback()
        ctx = security_context(
            db,
            settings,
            account,
            errors=exc.fields,
            problem=exc.message if exc.status == 429 else None,
        )
        return render(request, "security.html", ctx, status_code=exc.status)
    return redirect("/portal/security", "password_changed_here")


# --- signed-in devices ---------------------------------------------------------------------


@router.get("/devices")
def device_list(request: Request, account: PageAccount, db: DbDep, settings: SettingsDep):
    rows = device_sessions.listing(
        db, settings, account, current_id=session_id(request, db, settings)
    )
    return render(
        request,
        "devices.html",
        {"title": "Signed-in devices", "section": "security", "devices": rows},
    )


@router.post("/devices")
async def end_devices(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    """One form: the current password (ASVS 7.5.2) and the button pressed, a device's id or
    "others"."""
    form = await form_data(request)
    current = session_id(request, db, settings)
    choice = str(form.get("end", ""))[:20]
    try:
        two_factor.check_password(db, settings, account, str(form.get("password", ""))[:256])
    except ApiError as exc:
        if exc.status not in (422, 429):
            raise
        rows = device_sessions.listing(db, settings, account, current_id=current)
        ctx: dict = {"title": "Signed-in devices", "section": "security", "devices": rows}
        ctx.update(errors=exc.fields, problem=exc.message if exc.status == 429 else None)
        return render(request, "devices.html", ctx, status_code=exc.status)
    if choice == "others":
        device_sessions.end_others(db, settings, account, keep_id=current)
        return redirect("/portal/devices", "others_ended")
    device_id = int(choice) if choice.isdigit() else 0
    device_sessions.end_one(db, settings, account, session_id=device_id)
    if device_id == current:
        return redirect("/login", "signed_out")
    return redirect("/portal/devices", "device_ended")


# --- an Org Admin on someone else's sessions -----------------------------------------------


@router.post("/staff/{staff_id}/end-sessions")
async def end_staff_sessions(
    request: Request,
    staff_id: int,
    account: PageAccount,
    db: DbDep,
    settings: SettingsDep,
    address: AddressDep,
) -> Response:
    await form_data(request)
    device_sessions.end_all_of(db, settings, account, account_id=staff_id, address=address)
    return redirect(f"/portal/staff/{staff_id}", "sessions_ended")


@router.post("/clients/{client_id}/end-sessions")
async def end_client_sessions(
    request: Request,
    client_id: int,
    account: PageAccount,
    db: DbDep,
    settings: SettingsDep,
    address: AddressDep,
) -> Response:
    await form_data(request)
    device_sessions.end_all_of(db, settings, account, account_id=client_id, address=address)
    return redirect(f"/portal/clients/{client_id}", "sessions_ended")


@router.post("/staff/{staff_id}/active")
async def staff_active(
    request: Request,
    staff_id: int,
    account: PageAccount,
    db: DbDep,
    settings: SettingsDep,
    address: AddressDep,
) -> Response:
    """Deactivate (ends every session of theirs at once) or reactivate a staff member."""
    form = await form_data(request)
    active = form.get("active") == "1"
    device_sessions.set_staff_active(
        db, settings, account, staff_id=staff_id, active=active, address=address
    )
    return redirect(f"/portal/staff/{staff_id}", "reactivated" if active else "deactivated")
