"""Public pages: sign in and out, the organisation's portal, registration, emailed links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import Audience

from ..api.deps import AddressDep, DbDep, SettingsDep
from ..errors import ApiError
from ..models import Staff
from ..services import accounts, registration, two_factor
from .two_factor_pages import after_sign_in, ask_for_code
from .web import (
    SESSION_COOKIE,
    PortalRoute,
    clear_session_cookie,
    form_data,
    redirect,
    render,
    set_session_cookie,
)

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


def _safe_next(raw: str | None) -> str:
    if (
        raw
        and raw.startswith("/")
        and not raw.startswith("//")
        and "\\" not in raw
        and all(c.isprintable() and not c.isspace() for c in raw)
    ):
        return raw[:500]
    return "/portal"


@router.get("/")
def root() -> Response:
    return redirect("/login")


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"title": "Sign in", "next": _safe_next(next)})


@router.post("/login")
async def login(
    request: Request, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    form = await form_data(request)
    username = str(form.get("username", ""))[:254]
    target = _safe_next(str(form.get("next", "")))
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = messages.ENTER_USERNAME
    if not form.get("password"):
        errors["password"] = "Enter your password."  # noqa: S105
    if not errors:
        try:
            result = accounts.login(
                db,
                settings,
                username=username,
                password=str(form.get("password", ""))[:256],
                audience=Audience.PORTAL,
                address=address,
                user_agent=request.headers.get("user-agent", ""),
            )
        except two_factor.CodeNeeded as step:  # the password was right: the code, next
            return ask_for_code(request, db, settings, account_id=step.account_id, next_url=target)
        except ApiError as exc:
            if exc.status not in (400, 401, 403, 429):
                raise
            return render(
                request,
                "login.html",
                {
                    "title": "Sign in",
                    "next": target,
                    "values": {"username": username},
                    "errors": exc.fields,
                    "problem": exc.message,
                },
                status_code=exc.status,
            )
        if not isinstance(result.account, Staff) and (
            target == "/portal" or target.startswith("/portal/")
        ):
            target = "/portal/me"  # a client's own page; the management pages are staff's
        response = redirect(after_sign_in(request, db, settings, result.account, target))
        set_session_cookie(response, settings, result.token)
        return response
    return render(
        request,
        "login.html",
        {"title": "Sign in", "next": target, "values": {"username": username}, "errors": errors},
        status_code=422,
    )


@router.post("/logout")
async def logout(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    await form_data(request)
    try:
        account, token = accounts.authenticate(db, settings, request.cookies.get(SESSION_COOKIE))
        accounts.logout(db, settings, token, account)
    except ApiError:
        pass  # already signed out
    response = redirect("/login", "signed_out")
    clear_session_cookie(response, settings)
    return response


@router.get("/forgot-password")
def forgot_page(request: Request) -> Response:
    return render(
        request,
        "forgot.html",
        {"title": "Forgot your password?", "forgot_username": messages.FORGOT_USERNAME},
    )


@router.post("/forgot-password")
async def forgot(request: Request, db: DbDep, settings: SettingsDep, address: AddressDep):
    form = await form_data(request)
    username = str(form.get("username", ""))[:254]
    try:
        if not username.strip():
            raise ApiError(
                422, "validation_error", "", fields={"username": messages.ENTER_USERNAME}
            )
        accounts.forgot_password(db, settings, username=username, address=address)
    except ApiError as exc:
        if exc.status not in (400, 422, 429):
            raise
        return render(
            request,
            "forgot.html",
            {
                "title": "Forgot your password?",
                "forgot_username": messages.FORGOT_USERNAME,
                "values": {"username": username},
                "errors": exc.fields,
                "problem": exc.message if exc.status == 429 else None,
            },
            status_code=exc.status,
        )
    return redirect("/login", "reset_sent")


@router.get("/reset-password")
def reset_page(request: Request, token: str = "") -> Response:
    return render(request, "reset.html", {"title": "Choose a new password", "token": token[:200]})


@router.post("/reset-password")
async def reset(request: Request, db: DbDep, settings: SettingsDep, address: AddressDep):
    form = await form_data(request)
    token = str(form.get("token", ""))[:200]
    password = str(form.get("password", ""))[:256]
    try:
        if password != form.get("password_confirm"):
            raise ApiError(
                422,
                "validation_error",
                "",
                fields={"password_confirm": messages.PASSWORDS_DIFFER},
            )
        accounts.reset_password(db, settings, token=token, password=password, address=address)
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        return render(
            request,
            "reset.html",
            {
                "title": "Choose a new password",
                "token": token,
                "errors": exc.fields,
                "problem": exc.message if exc.status == 400 else None,
            },
            status_code=exc.status,
        )
    return redirect("/login", "password_changed")


@router.get("/setup-account")
def setup_page(request: Request, db: DbDep, settings: SettingsDep, token: str = "") -> Response:
    """R-CLIENT-3: the staff-created client chooses a username and password."""
    try:
        client = registration.setup_client(db, settings, token[:200])
    except ApiError as exc:
        return render(
            request,
            "setup.html",
            {"title": "Set up your account", "problem": exc.message},
            status_code=exc.status,
        )
    return render(
        request,
        "setup.html",
        {"title": "Set up your account", "token": token[:200], "client": client},
    )


@router.post("/setup-account")
async def setup(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    form = await form_data(request)
    token = str(form.get("token", ""))[:200]
    username = str(form.get("username", ""))[:100]
    try:
        registration.set_credentials(
            db,
            settings,
            token=token,
            username=username,
            password=str(form.get("password", ""))[:256],
            password_confirm=str(form.get("password_confirm", ""))[:256],
        )
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        db.rollback()
        client = None
        if exc.status == 422:
            client = registration.setup_client(db, settings, token)
        return render(
            request,
            "setup.html",
            {
                "title": "Set up your account",
                "token": token,
                "client": client,
                "values": {"username": username},
                "errors": exc.fields,
                "problem": exc.message if exc.status == 400 else None,
            },
            status_code=exc.status,
        )
    return redirect("/login", "credentials_set")


@router.get("/confirm-email")
def confirm_page(request: Request, token: str = "") -> Response:
    """R-REG-5: a button, so that mail scanners opening the link do not confirm by themselves."""
    return render(request, "confirm.html", {"title": "Confirm your email", "token": token[:200]})


@router.post("/confirm-email")
async def confirm(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    form = await form_data(request)
    token = str(form.get("token", ""))[:200]
    try:
        registration.confirm_email(db, settings, token)
    except ApiError as exc:
        if exc.status != 400:
            raise
        return render(
            request,
            "confirm.html",
            {"title": "Confirm your email", "problem": exc.message},
            status_code=400,
        )
    return redirect("/login", "email_confirmed")


# --- the organisation's own portal URL (R-REG-1) -------------------------------------------


@router.get("/o/{slug}")
def org_home_noslash(slug: str) -> Response:
    return redirect(f"/o/{slug[:64]}/")


@router.get("/o/{slug}/")
def org_home(request: Request, slug: str, db: DbDep) -> Response:
    org = registration.organization(db, slug)
    return render(request, "org_home.html", {"title": org.name, "org": org})


def _register_form(request, db, org, *, values=None, errors=None, status_code=200):
    return render(
        request,
        "register.html",
        {
            "title": f"Register with {org.name}",
            "org": org,
            "options": registration.practitioner_options(db, org),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/o/{slug}/register")
def register_page(request: Request, slug: str, db: DbDep) -> Response:
    org = registration.organization(db, slug)
    return _register_form(request, db, org)


@router.post("/o/{slug}/register")
async def register(
    request: Request, slug: str, db: DbDep, settings: SettingsDep, address: AddressDep
) -> Response:
    """R-REG-1..6; a used email address goes on like a new one (its owner is emailed)."""
    form = await form_data(request)
    org = registration.organization(db, slug)
    try:
        registration.register(db, settings, slug, form, address=address)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        values = {k: v for k, v in form.items() if "password" not in k and k != "_lists"}
        return _register_form(request, db, org, values=values, errors=exc.fields, status_code=422)
    return redirect(f"/o/{org.slug}/registered")


@router.get("/o/{slug}/registered")
def registered(request: Request, slug: str, db: DbDep) -> Response:
    org = registration.organization(db, slug)
    return render(request, "registered.html", {"title": "Check your email", "org": org})


@router.get("/o/{slug}/get-started")
def get_started(request: Request, slug: str, db: DbDep) -> Response:
    """R-CLIENT-4: the three steps to get started."""
    org = registration.organization(db, slug)
    return render(request, "get_started.html", {"title": "Get started", "org": org})
