"""The Office Portal's Reports page: the session log, filtered, and its CSV (issue 16)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain.session_log import Filters, minutes

from ..api.deps import DbDep, SettingsDep
from ..models import Account
from ..services import clients, session_log
from ..services.clients import STATUSES
from .web import PageAccount, PortalRoute, render

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


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


def _zone_name(account: Account) -> str:
    """The organisation's zone (issue 15): the page's times, its days and the CSV's."""
    return org_rules.zone_name(account.organization.time_zone)


def _client_choices(db, account: Account) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """The clients this manager may see, whatever their status, for the Client filter."""
    people = [c for status in STATUSES for c in clients.list_clients(db, account, status=status)]
    return sorted(((c.id, c.full_name) for c in people), key=lambda c: (c[1].lower(), c[0]))


@router.get("/portal/reports")
def reports_page(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    filters = _filters(request)
    zone_name = _zone_name(account)
    rows = session_log.entries(db, settings, account, filters, org_rules.zone(zone_name))
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
            "clients": _client_choices(db, account),
            "query": request.url.query,
            "minutes": minutes,
            "zone": zone_name,
        },
    )


@router.get("/portal/reports.csv")
def reports_csv(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    zone_name = _zone_name(account)
    zone = org_rules.zone(zone_name)
    rows = session_log.entries(db, settings, account, _filters(request), zone)
    return Response(
        session_log.as_csv(rows, zone, zone_name),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="session-log.csv"'},
    )
