"""JSON API for the organisation: Client Management (R-REG-6) and the invitation (R-REG-7)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from ..services import organization
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/organization", tags=["organization"])


class OrganizationPatch(BaseModel):
    manual_approval: bool


@router.get("")
def read(actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    return organization.read(db, settings, actor)


@router.patch("")
def update(
    body: OrganizationPatch, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    return organization.update(db, settings, actor, manual_approval=body.manual_approval)


@router.get("/invitation")
def invitation(actor: CurrentAccount, settings: SettingsDep) -> dict:
    return organization.invitation(settings, actor)
