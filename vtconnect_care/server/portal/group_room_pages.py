"""The Organization page's "Group sessions" setting (R-ROOM-MODE, docs/group-rooms.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..api.deps import DbDep, SettingsDep
from ..services import organization
from .web import PageAccount, PortalRoute, form_data, redirect

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


@router.post("/portal/organization/group-rooms")
async def group_rooms_save(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    form = await form_data(request)
    organization.set_group_rooms(
        db, settings, account, via_janus=form.get("group_rooms_via_janus") == "on"
    )
    return redirect("/portal/organization", "saved")
