"""Two-factor settings and signed-in devices over REST: my status, enrol, confirm, recovery
codes, disable; my devices, end one or the others; an Org Admin ends all of someone's."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from vtconnect_care.domain import devices

from ..services import device_sessions, two_factor
from .deps import AddressDep, CurrentAccount, DbDep, SessionDep, SettingsDep

router = APIRouter(tags=["two-factor and devices"])


class PasswordIn(BaseModel):
    password: str = Field(min_length=1, max_length=256)


class DisableIn(PasswordIn):
    end_other_sessions: bool = True


class ConfirmIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    end_other_sessions: bool = True


class StatusOut(BaseModel):
    available: bool
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int
    required_by_organization: bool


class EnrolmentOut(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]
    message: str = "Keep these codes somewhere safe: each works once, and they are shown once."


class DeviceOut(BaseModel):
    id: int
    device: str
    audience: str | None
    signed_in_at: datetime
    last_used_at: datetime
    address: str | None
    user_agent: str | None
    current: bool


class MessageOut(BaseModel):
    message: str


# --- two-factor ------------------------------------------------------------------------------


@router.get("/auth/two-factor", response_model=StatusOut)
def status(account: CurrentAccount, db: DbDep) -> StatusOut:
    return StatusOut(**two_factor.status(db, account))


@router.post("/auth/two-factor/enrol", response_model=EnrolmentOut)
def enrol(body: PasswordIn, account: CurrentAccount, db: DbDep, settings: SettingsDep):
    """A new seed, unconfirmed until a code from it is sent to /confirm."""
    e = two_factor.start(db, settings, account, password=body.password)
    return EnrolmentOut(secret=e.secret, otpauth_uri=e.uri, qr_svg_data_uri=e.qr_data_uri)


@router.post("/auth/two-factor/confirm", response_model=RecoveryCodesOut)
def confirm(
    body: ConfirmIn, session: SessionDep, db: DbDep, settings: SettingsDep, address: AddressDep
) -> RecoveryCodesOut:
    account, token = session
    codes = two_factor.confirm(db, settings, account, code=body.code, address=address)
    if body.end_other_sessions:
        device_sessions.end_others(db, settings, account, keep_id=token.id)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/auth/two-factor/recovery-codes", response_model=RecoveryCodesOut)
def new_recovery_codes(
    body: PasswordIn, account: CurrentAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> RecoveryCodesOut:
    codes = two_factor.regenerate_recovery_codes(
        db, settings, account, password=body.password, address=address
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/auth/two-factor/disable", response_model=MessageOut)
def disable(
    body: DisableIn, session: SessionDep, db: DbDep, settings: SettingsDep, address: AddressDep
) -> MessageOut:
    account, token = session
    two_factor.disable(db, settings, account, password=body.password, address=address)
    if body.end_other_sessions:
        device_sessions.end_others(db, settings, account, keep_id=token.id)
    return MessageOut(message="Two-step sign-in is off.")


# --- signed-in devices -----------------------------------------------------------------------


@router.get("/auth/devices", response_model=list[DeviceOut])
def my_devices(session: SessionDep, db: DbDep, settings: SettingsDep) -> list[DeviceOut]:
    account, token = session
    rows = device_sessions.listing(db, settings, account, current_id=token.id)
    return [DeviceOut(**row) for row in rows]


@router.post("/auth/devices/{device_id}/end", response_model=MessageOut)
def end_device(
    device_id: int, body: PasswordIn, account: CurrentAccount, db: DbDep, settings: SettingsDep
) -> MessageOut:
    """End one of my sessions, after the current password (ASVS 7.5.2)."""
    two_factor.check_password(db, settings, account, body.password)
    device_sessions.end_one(db, settings, account, session_id=device_id)
    return MessageOut(message=devices.DEVICE_ENDED)


@router.post("/auth/devices/end-others", response_model=MessageOut)
def end_other_devices(
    body: PasswordIn, session: SessionDep, db: DbDep, settings: SettingsDep
) -> MessageOut:
    account, token = session
    two_factor.check_password(db, settings, account, body.password)
    device_sessions.end_others(db, settings, account, keep_id=token.id)
    return MessageOut(message=devices.OTHERS_ENDED)


@router.delete("/accounts/{account_id}/sessions", response_model=MessageOut)
def end_all_of(
    account_id: int,
    account: CurrentAccount,
    db: DbDep,
    settings: SettingsDep,
    address: AddressDep,
) -> MessageOut:
    """Org Admin: every session of a staff member or client of the organisation ends."""
    target = device_sessions.end_all_of(
        db, settings, account, account_id=account_id, address=address
    )
    return MessageOut(message=devices.ALL_ENDED.format(name=target.full_name))


@router.post("/staff/{staff_id}/deactivate", response_model=MessageOut)
def deactivate_staff(
    staff_id: int, account: CurrentAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> MessageOut:
    """Org Admin: the staff member can no longer sign in, and every session of theirs ends."""
    person = device_sessions.set_staff_active(
        db, settings, account, staff_id=staff_id, active=False, address=address
    )
    return MessageOut(message=devices.DEACTIVATED.format(name=person.full_name))


@router.post("/staff/{staff_id}/reactivate", response_model=MessageOut)
def reactivate_staff(
    staff_id: int, account: CurrentAccount, db: DbDep, settings: SettingsDep, address: AddressDep
) -> MessageOut:
    person = device_sessions.set_staff_active(
        db, settings, account, staff_id=staff_id, active=True, address=address
    )
    return MessageOut(message=devices.REACTIVATED.format(name=person.full_name))
