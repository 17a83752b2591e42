"""Office Portal pages for two-step sign-in: the code step of sign-in, set-up with a QR code
and a confirming code, recovery codes (shown once), turning it off, and the organisation's
requirement (Org Admin). Rules in domain/two_factor.py; services/two_factor*.py act."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain import two_factor as rules

from ..api.deps import AddressDep, DbDep, SettingsDep
from ..errors import ApiError, forbidden
from ..services import device_sessions, two_factor, two_factor_login
from .device_pages import security_context, session_id
from .web import (
    SESSION_COOKIE,
    PageAccount,
    PortalRoute,
    form_data,
    menu_for,
    redirect,
    render,
    secure_cookies,
    set_session_cookie,
)

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

STEP_COOKIE = "vt_2fa_step"
SECURITY = "/portal/security"


def ask_for_code(request: Request, db, settings, *, account_id: int, next_url: str) -> Response:
    """Step two of sign-in: the password was right, the code comes next (called by /login)."""
    raw = two_factor_login.begin(db, settings, account_id=account_id, next_url=next_url)
    response = render(request, "login_code.html", {"title": "Two-step sign-in"})
    response.set_cookie(
        STEP_COOKIE,
        raw,
        max_age=int(settings.two_factor_step_ttl.total_seconds()),
        httponly=True,
        secure=secure_cookies(settings),
        samesite="strict",
        path="/login",
    )
    return response


def after_sign_in(request: Request, db, settings, account, target: str) -> str:
    """Where a new portal session goes: staff whom the organisation requires to use two-step
    sign-in, without it, to set it up. The session this browser had before ends (ASVS 7.2.4)."""
    device_sessions.end_replaced(db, settings, request.cookies.get(SESSION_COOKIE))
    return SECURITY + "?notice=enrol_required" if two_factor.must_enrol(db, account) else target


@router.get("/login/code")
def code_page(request: Request) -> Response:
    if not request.cookies.get(STEP_COOKIE):
        return redirect("/login")
    return render(request, "login_code.html", {"title": "Two-step sign-in"})


@router.post("/login/code")
async def code_submit(
    request: Request, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    code = str(form.get("code", ""))[:64]
    try:
        if not code.strip():
            raise ApiError(422, "validation_error", "", fields={"code": rules.CODE_FORMAT})
        done = two_factor_login.finish(
            db,
            settings,
            raw=request.cookies.get(STEP_COOKIE),
            code=code,
            address=address,
            user_agent=request.headers.get("user-agent", ""),
        )
    except ApiError as exc:
        if exc.code == "two_factor_step_expired":
            return redirect("/login?notice=step_expired")
        if exc.status not in (401, 422, 429):
            raise
        return render(
            request,
            "login_code.html",
            {"title": "Two-step sign-in", "errors": exc.fields, "problem": exc.message or None},
            status_code=exc.status,
        )
    device_sessions.end_replaced(db, settings, request.cookies.get(SESSION_COOKIE))
    target = SECURITY + "?notice=enrol_required" if done.must_enrol else done.next
    response = redirect(target)
    set_session_cookie(response, settings, done.token)
    response.delete_cookie(STEP_COOKIE, path="/login")
    return response


# --- set-up, recovery codes, turning off ---------------------------------------------------


def _security(request, db, settings, account, *, status_code: int, **extra) -> Response:
    ctx = security_context(db, settings, account, **extra)
    return render(request, "security.html", ctx, status_code=status_code)


@router.post("/portal/security/two-factor/start")
async def start(request: Request, account: PageAccount, db: DbDep, settings: SettingsDep):
    form = await form_data(request)
    try:
        enrolment = two_factor.start(
            db, settings, account, password=str(form.get("password", ""))[:256]
        )
    except ApiError as exc:
        if exc.status not in (409, 422, 429):
            raise
        return _security(
            request,
            db,
            settings,
            account,
            errors=exc.fields,
            problem=exc.message,
            status_code=exc.status,
        )
    return render(
        request,
        "two_factor_enrol.html",
        {
            "title": "Set up two-step sign-in",
            "enrolment": enrolment,
            "grouped": _grouped(enrolment.secret),
        },
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@router.post("/portal/security/two-factor/confirm")
async def confirm(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    try:
        codes = two_factor.confirm(
            db, settings, account, code=str(form.get("code", ""))[:64], address=address
        )
    except ApiError as exc:
        enrolment = two_factor.pending(db, settings, account)
        if exc.status not in (422, 429) or enrolment is None:
            raise
        return render(
            request,
            "two_factor_enrol.html",
            {
                "title": "Set up two-step sign-in",
                "enrolment": enrolment,
                "grouped": _grouped(enrolment.secret),
                "errors": exc.fields,
                "problem": exc.message if exc.status == 429 else None,
            },
            status_code=exc.status,
        )
    if form.get("end_other_sessions") == "on":
        device_sessions.end_others(db, settings, account, keep_id=session_id(request, db, settings))
    return _codes_page(request, codes, first=True)


def _codes_page(request: Request, codes: list[str], *, first: bool) -> Response:
    return render(
        request,
        "two_factor_codes.html",
        {"title": "Your recovery codes", "codes": codes, "first": first},
    )


@router.post("/portal/security/two-factor/recovery-codes")
async def recovery_codes(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    try:
        codes = two_factor.regenerate_recovery_codes(
            db, settings, account, password=str(form.get("password", ""))[:256], address=address
        )
    except ApiError as exc:
        if exc.status not in (409, 422, 429):
            raise
        return _security(
            request,
            db,
            settings,
            account,
            errors=_prefixed("codes", exc.fields),
            problem=exc.message,
            status_code=exc.status,
        )
    return _codes_page(request, codes, first=False)


@router.post("/portal/security/two-factor/disable")
async def disable(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    try:
        two_factor.disable(
            db, settings, account, password=str(form.get("password", ""))[:256], address=address
        )
    except ApiError as exc:
        if exc.status not in (422, 429):
            raise
        return _security(
            request,
            db,
            settings,
            account,
            errors=_prefixed("off", exc.fields),
            problem=exc.message,
            status_code=exc.status,
        )
    if form.get("end_other_sessions") == "on":
        device_sessions.end_others(db, settings, account, keep_id=session_id(request, db, settings))
    return redirect(SECURITY, "two_factor_off")


def _prefixed(prefix: str, fields: dict[str, str]) -> dict[str, str]:
    """Three forms on one page each have a password field: errors go to the right one."""
    return {f"{prefix}_{k}": v for k, v in fields.items()}


# --- the organisation's requirement ----------------------------------------------------------


@router.post("/portal/organization/two-factor")
async def organization_requirement(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    if not menu_for(account)["org_admin"]:
        raise forbidden("Only the Organizational Administrator can change this.")
    two_factor.set_requirement(
        db, settings, account, required=form.get("require_two_factor") == "on", address=address
    )
    return redirect("/portal/organization", "saved")
