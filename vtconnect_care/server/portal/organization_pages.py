"""The Office Portal's Organization page: its information and settings, and the invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vtconnect_care.domain.organization import zone_choices

from ..api.deps import DbDep, SettingsDep
from ..errors import ApiError
from ..services import organization
from .web import PageAccount, PortalRoute, form_data, redirect, render

router = APIRouter(prefix="/portal", route_class=PortalRoute, include_in_schema=False)


def _organization_page(
    request: Request, org: dict, *, values: dict | None = None, errors: dict | None = None
) -> Response:
    return render(
        request,
        "organization.html",
        {
            "title": "Organization",
            "section": "organization",
            "org": org,
            "zone_choices": zone_choices(),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/organization")
def organization_page(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    return _organization_page(request, organization.read(db, settings, account))


@router.post("/organization")
async def organization_save(
    request: Request, account: PageAccount, db: DbDep, settings: SettingsDep
) -> Response:
    """Editing the Organization information: name, time zone (issue 15) and Client
    Management's "manually approve client registrations" (R-REG-6), then Save."""
    form = await form_data(request)
    values: dict = {"manual_approval": form.get("manual_approval") == "on"}
    for key in ("name", "time_zone"):  # a field the form did not send stays as it is
        if key in form:
            values[key] = str(form[key])
    try:
        organization.update(db, settings, account, **values)
    except ApiError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        org = organization.read(db, settings, account)
        return _organization_page(request, org, values=values, errors=exc.fields)
    return redirect("/portal/organization", "saved")


@router.get("/invitation")
def invitation_page(request: Request, account: PageAccount, settings: SettingsDep) -> Response:
    """R-REG-7: the invitation email template with the portal URL and a copy button."""
    invite = organization.invitation(settings, account)
    return render(
        request,
        "invitation.html",
        {"title": "Invite clients", "section": "organization", "invite": invite},
    )
