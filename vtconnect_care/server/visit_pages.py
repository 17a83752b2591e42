"""The client's browser visit page at the invite link (R-VISIT-7, 8, 10, 12).

GET /visit/{token} serves the page: the greeting and the call when the link is valid, a plain
explanation when it is not (never a broken page). GET /api/v1/visit-links/{token} tells the
page's script the same thing as JSON. The token is the credential: nothing else is needed.
"""

from __future__ import annotations

from datetime import UTC

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from vtconnect_care.domain import call_quality
from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.times import long_date

from . import redact
from .api.deps import DbDep, SettingsDep
from .errors import ApiError
from .precall import page as precall_page
from .realtime import visit_rooms
from .services import visits as visit_service

router = APIRouter()

redact.install()  # the invite token is a credential: masked in the access log

MAX_TOKEN = 200
# a link that cannot be used still gets a whole page, with the HTTP status that says why
STATUS_CODES = {"invalid": 404, "superseded": 410, "expired": 410, "finished": 410}
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
# Like the portal's pages (issue 12, defect 9): no inline script or style, no framing. The page
# talks to this server only (REST, and the hub's socket: 'self' covers ws/wss in CSP 3, the
# explicit origin covers older browsers); the camera's stream plays from a MediaStream.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self' {ws}; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def page_headers(request: Request) -> dict[str, str]:
    """The visit page's security headers, the portal's policy with the hub's socket."""
    scheme = "wss" if request.url.scheme == "https" else "ws"
    return {
        **NO_STORE,
        "Content-Security-Policy": PAGE_CSP.format(ws=f"{scheme}://{request.url.netloc}"),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
    }


def link_view(db, settings, token: str, *, page: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """What the link opens, for the page and its script (no client data beyond a first name).
    Times in the organisation's zone, named (issue 15): the same as the invite email said.
    ``page``: a link that cannot be used keeps its organisation's name in the page's header."""
    resolution = visit_service.resolve_invite(db, settings, token[: MAX_TOKEN + 1])
    if resolution.ok:  # the room may have been ended on the hub meanwhile (R-VISIT-12)
        visit_rooms.reconcile(db, settings, resolution.session)
        resolution = visit_service.resolve_invite(db, settings, token)
    if not resolution.ok:
        view = {"status": resolution.status.value, "message": resolution.message}
        if page and resolution.visit is not None:  # the same header before and after a reload
            view["org_name"] = resolution.visit.client.organization.name
        return view
    visit, vs = resolution.visit, resolution.session
    assert visit is not None and vs is not None
    org = visit.client.organization
    zone = org_rules.zone(org.time_zone)
    return {
        "status": "valid",
        "virtual_session_id": vs.id,
        "client_first_name": visit.client.first_name,
        "employee_name": visit.employee.full_name if visit.employee else "",
        "org_name": org.name,
        "starts_at": visit.starts_at.astimezone(UTC).isoformat(),
        "ends_at": visit.ends_at.astimezone(UTC).isoformat(),
        "visit_day": long_date(visit.starts_at, zone),
        "visit_time": visit_service.visit_time(visit, zone),
        "zone": org_rules.zone_name(org.time_zone),
    }


@router.get("/api/v1/visit-links/{token}")
def link_status(token: str, db: DbDep, settings: SettingsDep) -> dict:
    return link_view(db, settings, token)


class LinkIn(BaseModel):
    token: str = Field(min_length=1, max_length=MAX_TOKEN)


def _valid(db, settings, token: str) -> visit_service.InviteResolution:  # type: ignore[no-untyped-def]
    visit_rooms.reconcile(db, settings, visit_service.resolve_invite(db, settings, token).session)
    resolution = visit_service.resolve_invite(db, settings, token)
    if not resolution.ok:
        raise ApiError(409, resolution.status.value, resolution.message or "")
    return resolution


@router.post("/api/v1/visit-links/join")
def client_join(body: LinkIn, request: Request, db: DbDep, settings: SettingsDep) -> dict:
    """The page's Join: the visit's room to join on the hub (the token authenticates there)."""
    resolution = _valid(db, settings, body.token)
    vs, visit = resolution.session, resolution.visit
    assert vs is not None and visit is not None
    state = visit_service.on_client_join(db, settings, virtual_session_id=vs.id)
    room = visit_rooms.ensure_room(db, settings, vs)
    visit_rooms.post(
        request.app.state,
        [visit.employee_id] if visit.employee_id else [],
        {"type": "visit.client_joined", "visit_id": visit.id, "virtual_session_id": vs.id},
    )
    return {
        "care_session_id": room.id,
        "employee_account_id": visit.employee_id,
        "client_account_id": visit.client_id,
        "state": state.value,
    }


@router.post("/api/v1/visit-links/hang-up")
def client_hang_up(body: LinkIn, request: Request, db: DbDep, settings: SettingsDep) -> dict:
    """The client hung up or closed the page: not an ending, they may come back (R-VISIT-11)."""
    resolution = _valid(db, settings, body.token)
    vs, visit = resolution.session, resolution.visit
    assert vs is not None and visit is not None
    result = visit_service.on_client_hangup(db, settings, virtual_session_id=vs.id)
    if result.notice is not None and visit.employee_id:
        visit_rooms.post(
            request.app.state,
            [visit.employee_id],
            {
                "type": "visit.client_hung_up",
                "visit_id": visit.id,
                "virtual_session_id": vs.id,
                "message": vmsg.CLIENT_HUNG_UP,
            },
        )
    return {"state": result.state.value, "message": vmsg.CLIENT_LEFT_PAGE}


@router.get("/visit/{token}", response_class=HTMLResponse)
def visit_page(token: str, request: Request, db: DbDep, settings: SettingsDep) -> HTMLResponse:
    view = link_view(db, settings, token, page=True)
    templates = request.app.state.templates
    name = "visit/page.html" if view["status"] == "valid" else "visit/closed.html"
    return templates.TemplateResponse(
        request,
        name,
        {
            "view": view,
            "token": token if view["status"] == "valid" else "",
            "messages": vmsg,
            "quality": call_quality.client_config(),  # the rules and sentences for quality.js
            "precall": precall_page.page_data(settings),  # precall.js; None when turned off
        },
        status_code=STATUS_CODES.get(view["status"], 200),
        headers=page_headers(request),
    )
