"""JSON API of the session log (issue 16): the Reports page's rows, same filters, same scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from vtconnect_care.domain.session_log import Filters

from ..services import session_log
from .bounds import BoundedDate, Id
from .deps import CurrentAccount, DbDep, SettingsDep, ZoneDep

router = APIRouter(prefix="/reports", tags=["reports"])


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
    zone: ZoneDep,
    host_id: Annotated[Id | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    start: Annotated[BoundedDate | None, Query()] = None,
    end: Annotated[BoundedDate | None, Query()] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> dict:
    wanted = filters(host_id, client_id, start, end, min_minutes)
    found = session_log.entries(db, settings, actor, wanted, zone)
    return {"sessions": session_log.as_json(found, zone)}


@router.get("/sessions.csv")
def sessions_csv(
    actor: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
    zone: ZoneDep,
    host_id: Annotated[Id | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    start: Annotated[BoundedDate | None, Query()] = None,
    end: Annotated[BoundedDate | None, Query()] = None,
    min_minutes: Annotated[int, Query(ge=0, le=24 * 60)] = 0,
) -> Response:
    wanted = filters(host_id, client_id, start, end, min_minutes)
    found = session_log.entries(db, settings, actor, wanted, zone)
    return Response(
        session_log.as_csv(found, zone),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="session-log.csv"'},
    )
