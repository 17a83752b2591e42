"""The client's browser visit page at the invite link (R-VISIT-7, 8, 10, 12).

GET /visit/{token} serves the page: the greeting and the call when the link is valid, a plain
explanation when it is not (never a broken page). GET /api/v1/visit-links/{token} tells the
page's script the same thing as JSON. The token is the credential: nothing else is needed.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vtconnect_care.domain import visits as rules

from .api.deps import DbDep, SettingsDep
from .services import visits as visit_service

router = APIRouter()

MAX_TOKEN = 200
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _zone(request: Request) -> ZoneInfo:
    name = request.query_params.get("tz", "UTC")[:64]
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


ZoneDep = Annotated[ZoneInfo, Depends(_zone)]


def link_view(db, settings, token: str, zone) -> dict:  # type: ignore[no-untyped-def]
    """What the link opens, for the page and its script (no client data beyond a first name)."""
    resolution = visit_service.resolve_invite(db, settings, token[: MAX_TOKEN + 1])
    if not resolution.ok:
        return {"status": resolution.status.value, "message": resolution.message}
    visit, vs = resolution.visit, resolution.session
    assert visit is not None and vs is not None
    start = visit.starts_at.astimezone(zone)
    return {
        "status": "valid",
        "virtual_session_id": vs.id,
        "client_first_name": visit.client.first_name,
        "employee_name": visit.employee.full_name if visit.employee else "",
        "org_name": visit.client.organization.name,
        "starts_at": visit.starts_at.astimezone(UTC).isoformat(),
        "ends_at": visit.ends_at.astimezone(UTC).isoformat(),
        "visit_day": start.strftime("%A %d %B %Y"),
        "visit_time": f"{rules.hhmm(visit.starts_at, zone)} to {rules.hhmm(visit.ends_at, zone)}",
        "zone": str(zone),
    }


@router.get("/api/v1/visit-links/{token}")
def link_status(token: str, db: DbDep, settings: SettingsDep, zone: ZoneDep) -> dict:
    return link_view(db, settings, token, zone)


@router.get("/visit/{token}", response_class=HTMLResponse)
def visit_page(
    token: str, request: Request, db: DbDep, settings: SettingsDep, zone: ZoneDep
) -> HTMLResponse:
    view = link_view(db, settings, token, zone)
    templates = request.app.state.templates
    name = "visit/page.html" if view["status"] == "valid" else "visit/closed.html"
    return templates.TemplateResponse(
        request,
        name,
        {"view": view, "token": token if view["status"] == "valid" else ""},
        headers=NO_STORE,
    )
