"""Page plumbing: cookie sessions, CSRF, rendering, and API errors shown as pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain import two_factor as tf_rules
from vtconnect_care.domain.roles import can_edit_organization, can_manage_clients
from vtconnect_care.domain.staff_admin import administers_staff

from .. import redact
from ..api.deps import get_db, get_settings
from ..errors import ApiError
from ..models import Account, Staff
from ..security import constant_equal, new_token, sign
from ..services import accounts, two_factor
from ..settings import Settings
from .notices import SECURITY_NOTICES, STAFF_NOTICES

log = logging.getLogger("vtconnect.portal")

SESSION_COOKIE = "vt_portal"
CSRF_COOKIE = "vt_csrf"
CSRF_FIELD = "csrf_token"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# staff whom the organisation requires to use two-step sign-in reach only these until set up
ENROL_PAGES = ("/portal/security", "/portal/devices")
FORM_EXPIRED = "This form has expired. Please go back, reload the page and try again."

NOTICES = {
    "created": "The client account is created. We emailed them a link to choose a username "
    "and password.",
    "saved": "Your changes are saved.",
    "link_sent": "We emailed the client a new link to choose a username and password.",
    "approved": "The account is approved and is now Active.",
    "deleted": "The client account is deleted.",
    "signed_out": messages.SIGNED_OUT,
    "password_changed": messages.PASSWORD_CHANGED,
    "credentials_set": "Your username and password are set. You can now sign in.",
    "email_confirmed": messages.EMAIL_CONFIRMED,
    "reset_sent": messages.PASSWORD_RESET_SENT,
    **SECURITY_NOTICES,
    **STAFF_NOTICES,
}


def secure_cookies(settings: Settings) -> bool:
    """Secure cookies always, except for a plain-http public address on another machine.

    Browsers keep Secure cookies on https and on http://localhost or 127.0.0.1; a plain-http
    address elsewhere (a LAN trial, never production: it demands https) would lose them.
    """
    if settings.production or settings.base_url.startswith("https://"):
        return True
    host = urlsplit(settings.base_url).hostname or ""
    return host in {"localhost", "127.0.0.1", "::1"}


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_absolute.total_seconds()),
        httponly=True,
        secure=secure_cookies(settings),
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=secure_cookies(settings), samesite="lax"
    )


def csrf_token(request: Request) -> str:
    """The form token: an HMAC of this browser's CSRF cookie (double submit, signed)."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) > 100:
        seed = new_token()
    request.state.csrf_seed = seed
    return sign(request.app.state.settings.secret_key, "csrf:" + seed)


def _attach_csrf_cookie(request: Request, response: Response) -> None:
    seed = getattr(request.state, "csrf_seed", None)
    if seed and seed != request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            httponly=True,
            secure=secure_cookies(request.app.state.settings),
            samesite="lax",  # the form token is an HMAC of it; lax keeps tabs opened from mail
            path="/",
        )


async def form_data(request: Request) -> dict[str, Any]:
    """The posted form, after the CSRF check; list fields keep every value."""
    form = await request.form()
    seed = request.cookies.get(CSRF_COOKIE) or ""
    sent = str(form.get(CSRF_FIELD) or "")
    expected = sign(request.app.state.settings.secret_key, "csrf:" + seed) if seed else ""
    if not seed or not sent or not constant_equal(sent, expected):
        raise ApiError(403, "csrf_failed", FORM_EXPIRED)
    out: dict[str, Any] = {}
    for key in form.keys():
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        out[key] = values if len(values) > 1 else (values[0] if values else "")
    out["_lists"] = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form.keys()}
    return out


def current_account(request: Request, db: Session, settings: Settings) -> Account:
    account, _ = accounts.authenticate(db, settings, request.cookies.get(SESSION_COOKIE))
    request.state.account = account
    return account


def page_account(
    request: Request,
    db: Annotated[Session, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Account:
    account = current_account(request, db, settings)
    if not request.url.path.startswith(ENROL_PAGES) and two_factor.must_enrol(db, account):
        raise ApiError(403, "two_factor_enrolment_required", tf_rules.ENROL_NOW)
    return account


PageAccount = Annotated[Account, Depends(page_account)]


def menu_for(account: Account | None) -> dict:
    if isinstance(account, Staff):
        view = accounts.staff_view(account)
        return {
            "manage": can_manage_clients(view),
            "org_admin": can_edit_organization(view),
            "staff_admin": administers_staff(view),  # add staff, roles (issue 15)
        }
    return {"manage": False, "org_admin": False, "staff_admin": False}


def render(
    request: Request,
    template: str,
    context: dict | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    account = getattr(request.state, "account", None)
    zone_name = org_rules.zone_name(account.organization.time_zone) if account else "UTC"
    ctx = {
        "account": account,
        # the organisation's zone (issue 15): the hhmm and long_date filters show times in it
        "org_zone": org_rules.zone(zone_name),
        "org_zone_name": zone_name,
        "menu": menu_for(account),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "errors": {},
        "values": {},
    }
    ctx.update(context or {})
    response = request.app.state.templates.TemplateResponse(
        request, f"portal/{template}", ctx, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = CSP
    _attach_csrf_cookie(request, response)
    return response


def redirect(url: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        url = f"{url}{'&' if '?' in url else '?'}notice={quote(notice)}"
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, exc: ApiError) -> Response:
    if exc.status == 401:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        response: Response = redirect(f"/login?next={quote(redact.mask(target))}")  # no secret
        clear_session_cookie(response, request.app.state.settings)
        return response
    if exc.code == "two_factor_enrolment_required":
        return redirect("/portal/security", "enrol_required")
    titles = {403: "Not allowed", 404: "Not found", 409: "Not possible", 429: "Please wait"}
    return render(
        request,
        "error.html",
        {"title": titles.get(exc.status, "Something is wrong"), "message": exc.message},
        status_code=exc.status,
    )


class PortalRoute(APIRoute):
    """A page route: API errors (from services or dependencies) become HTML pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return error_page(request, exc)
            except RequestValidationError:  # e.g. /portal/clients/abc: no such page
                return error_page(request, ApiError(404, "not_found", messages.NOT_FOUND))

        return page_handler
