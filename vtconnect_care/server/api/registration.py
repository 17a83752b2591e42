"""Public JSON API: self-registration, email confirmation, credential set-up (R-REG-*)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from vtconnect_care.domain import messages

from ..services import registration
from .bounds import BoundedDate
from .deps import AddressDep, DbDep, SettingsDep

router = APIRouter(prefix="/public", tags=["registration"])

REGISTERED_CHECK_EMAIL = (
    "Thank you for registering. Please check your email and click the link to confirm your "
    "email address."
)


class RegisterIn(BaseModel):
    first_name: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    date_of_birth: BoundedDate | None = None
    username: str | None = Field(None, max_length=100)
    password: str | None = Field(None, max_length=256)
    practitioner: str | None = Field(None, max_length=40)  # "<id>:<department id>" or not_sure


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class CredentialsIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    username: str = Field(max_length=100)
    password: str = Field(max_length=256)


@router.get("/orgs/{slug}")
def organization(slug: str, db: DbDep, settings: SettingsDep) -> dict:
    return registration.public_info(db, settings, slug)


@router.post("/orgs/{slug}/register", status_code=201)
def register(
    slug: str, body: RegisterIn, db: DbDep, settings: SettingsDep, address: AddressDep
) -> dict:
    """The same answer whether the email address was new or already in use (defect 5)."""
    registration.register(db, settings, slug, body.model_dump(), address=address)
    return {"message": REGISTERED_CHECK_EMAIL}


@router.post("/confirm-email")
def confirm_email(body: TokenIn, db: DbDep, settings: SettingsDep) -> dict:
    client = registration.confirm_email(db, settings, body.token)
    return {"id": client.id, "message": messages.EMAIL_CONFIRMED}


@router.post("/setup-account")
def setup_account(body: CredentialsIn, db: DbDep, settings: SettingsDep) -> dict:
    client = registration.set_credentials(
        db, settings, token=body.token, username=body.username, password=body.password
    )
    return {"id": client.id, "username": client.username, "message": "You can now sign in."}
