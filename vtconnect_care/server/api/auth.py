"""Sign-in, sign-out, the current account and password recovery (R-LOGIN-1..4)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from vtconnect_care.domain import devices, messages
from vtconnect_care.domain.accounts import Audience

from ..services import accounts
from .deps import AddressDep, CurrentAccount, DbDep, SessionDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    audience: Audience = Audience.APP
    # staff with two-factor on: the authenticator's 6 digits or a recovery code (else a 401
    # two_factor_required answers the password, and the same request is sent again with it)
    code: str | None = Field(default=None, max_length=64)


class LoginOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105
    expires_at: datetime
    account: dict


class ForgotIn(BaseModel):
    username: str = Field(min_length=1, max_length=254)


class ResetIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=256)


class ChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)
    end_other_sessions: bool = True  # this session stays signed in either way


class MessageOut(BaseModel):
    message: str


@router.post("/login", response_model=LoginOut)
def login(
    body: LoginIn, request: Request, db: DbDep, settings: SettingsDep, address: AddressDep
) -> LoginOut:
    result = accounts.login(
        db,
        settings,
        username=body.username,
        password=body.password,
        audience=body.audience,
        address=address,
        code=body.code,
        user_agent=request.headers.get("user-agent", ""),
    )
    return LoginOut(
        token=result.token, expires_at=result.expires_at, account=accounts.summary(result.account)
    )


@router.post("/logout", response_model=MessageOut)
def logout(session: SessionDep, db: DbDep, settings: SettingsDep) -> MessageOut:
    account, token = session
    accounts.logout(db, settings, token, account)
    return MessageOut(message=messages.SIGNED_OUT)


@router.get("/me")
def me(account: CurrentAccount) -> dict:
    return accounts.summary(account)


@router.post("/password/forgot", response_model=MessageOut)
def forgot_password(
    body: ForgotIn, db: DbDep, settings: SettingsDep, address: AddressDep
) -> MessageOut:
    accounts.forgot_password(db, settings, username=body.username, address=address)
    return MessageOut(message=messages.PASSWORD_RESET_SENT)


@router.post("/password/reset", response_model=MessageOut)
def reset_password(
    body: ResetIn, db: DbDep, settings: SettingsDep, address: AddressDep
) -> MessageOut:
    accounts.reset_password(db, settings, token=body.token, password=body.password, address=address)
    return MessageOut(message=messages.PASSWORD_CHANGED)


@router.post("/password/change", response_model=MessageOut)
def change_password(
    body: ChangeIn, session: SessionDep, db: DbDep, settings: SettingsDep
) -> MessageOut:
    account, token = session
    accounts.change_password(
        db,
        settings,
        account,
        current=body.current_password,
        new=body.new_password,
        keep_session_id=token.id,
        end_other_sessions=body.end_other_sessions,
    )
    return MessageOut(message=devices.PASSWORD_CHANGED_HERE)


@router.get("/forgot-username", response_model=MessageOut)
def forgot_username() -> MessageOut:
    """R-LOGIN-3: no lookup by email; the guidance text only."""
    return MessageOut(message=messages.FORGOT_USERNAME)
