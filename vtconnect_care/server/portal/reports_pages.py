"""The Office Portal's Reports page: the session log, filtered, and its CSV (issue 16)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain.session_log import Filters, minutes

from ..api.deps import DbDep, SettingsDep
from ..services import session_log
from .web import PageAccount, PortalRoute, render

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
UTC_ZONE = ZoneInfo("UTC")  # the organisation's own zone once it has one (issue 15)


def _int(value: str | None, top: int = 2**31 - 1) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 <= number <= top else None


def _day(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def _filters(request: Request) -> Filters:
    q = request.query_params
    return Filters(
        host_id=_int(q.get("host_id")) or None,
        client_id=_int(q.get("client_id")) or None,
        start=_day(q.get("start")),
        end=_day(q.get("end")),
        min_minutes=_int(q.get("min_minutes"), 24 * 60) or 0,
    )


@router.get("/portal/reports")
def reports_page(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    filters = _filters(request)
    rows = session_log.entries(db, settings, account, filters, UTC_ZONE)
    hosts = sorted({(e.host_id, e.host_name) for e in rows}, key=lambda h: h[1])
    return render(
        request,
        "reports.html",
        {
            "title": "Reports",
            "section": "reports",
            "rows": rows,
            "filters": filters,
            "hosts": hosts,
            "query": request.url.query,
            "minutes": minutes,
            "zone": "UTC",
        },
    )


@router.get("/portal/reports.csv")
def reports_csv(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    rows = session_log.entries(db, settings, account, _filters(request), UTC_ZONE)
    return Response(
        session_log.as_csv(rows, UTC_ZONE),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="session-log.csv"'},
    )
