"""JSON API of the session log (issue 16): the Reports page's rows, filters, scope and zone."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from vtconnect_care.domain import messages
from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain.session_log import Filters

from ..errors import bad_request
from ..models import Account
from ..services import session_log
from .bounds import BoundedDate, Id
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/reports", tags=["reports"])


def report_zone(actor: Account, tz: str | None) -> tuple[tzinfo, str]:
    """``tz`` when asked for (an IANA name), else the organisation's zone (issue 15)."""
    name = org_rules.zone_name(actor.organization.time_zone) if tz is None else tz.strip()
    if org_rules.zone_error(name):
        raise bad_request("bad_timezone", messages.UNKNOWN_TIME_ZONE, tz=messages.TIME_ZONE_HINT)
    return org_rules.zone(name), name


TzQuery = Annotated[str | None, Query(max_length=64)]


def filters(
    host_id: Annotated[Id | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    start: Annotated[BoundedDate | None, Query()] = None,
    end: Annotated[BoundedDate | None, Query()] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> Filters:
    return Filters(host_id, client_id, start, end, min_minutes)


@router.get("/sessions")
def sessions(
    actor: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
    tz: TzQuery = None,
    host_id: Annotated[Id | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    start: Annotated[BoundedDate | None, Query()] = None,
    end: Annotated[BoundedDate | None, Query()] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> dict:
    zone, zone_name = report_zone(actor, tz)
    wanted = filters(host_id, client_id, start, end, min_minutes)
    found = session_log.entries(db, settings, actor, wanted, zone)
    return {"time_zone": zone_name, "sessions": session_log.as_json(found, zone)}


@router.get("/sessions.csv")
def sessions_csv(
    actor: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
    tz: TzQuery = None,
    host_id: Annotated[Id | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    start: Annotated[BoundedDate | None, Query()] = None,
    end: Annotated[BoundedDate | None, Query()] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> Response:
    zone, zone_name = report_zone(actor, tz)
    wanted = filters(host_id, client_id, start, end, min_minutes)
    found = session_log.entries(db, settings, actor, wanted, zone)
    return Response(
        session_log.as_csv(found, zone, zone_name),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="session-log.csv"'},
    )
