"""JSON API for the organisation: its information and time zone (issue 15, R-REG-6), invitation."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..services import organization
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/organization", tags=["organization"])


class OrganizationPatch(BaseModel):
    """The Organization information: any of its fields; a missing one stays as it is."""

    name: str | None = Field(default=None, max_length=1000)
    time_zone: str | None = Field(default=None, max_length=1000)  # checked by the rules (422)
    manual_approval: bool | None = None


@router.get("")
def read(actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    return organization.read(db, settings, actor)


@router.patch("")
def update(
    body: OrganizationPatch, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    return organization.update(db, settings, actor, **body.model_dump(exclude_none=True))


@router.get("/invitation")
def invitation(actor: CurrentAccount, settings: SettingsDep) -> dict:
    return organization.invitation(settings, actor)
