"""Typed dependencies shared by every router: database session, settings, current account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from vtconnect_care.domain import messages
from vtconnect_care.domain import two_factor as tf_rules
from vtconnect_care.domain.accounts import Audience

from ..errors import ApiError, bad_request, forbidden
from ..models import Account, Client, Staff, Token
from ..services import accounts, two_factor
from ..settings import Settings

# Dependencies that do no I/O are ``async def``: FastAPI runs a plain ``def`` dependency on a
# worker thread, and each such hop cost more than the work itself on the hot GETs (py-spy,
# bench/api.py). Only the ones that query the database stay on threads.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_db(request: Request) -> AsyncIterator[Session]:
    # a session touches the database only when first used (on the route's thread); closing
    # one that was used gives its connection back to the pool, on a thread too
    db = request.app.state.session_factory()
    try:
        yield db
    finally:
        if db.in_transaction():
            await run_in_threadpool(db.close)
        else:
            db.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db)]


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


AddressDep = Annotated[str, Depends(client_address)]


async def viewer_zone(tz: str = Query("UTC", max_length=64)) -> ZoneInfo:
    """The viewer's time zone (IANA name): the day of a schedule and every HH:MM in messages."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise bad_request(
            "bad_timezone", messages.UNKNOWN_TIME_ZONE, tz=messages.TIME_ZONE_HINT
        ) from exc


ZoneDep = Annotated[ZoneInfo, Depends(viewer_zone)]


def bearer_token(request: Request) -> str | None:  # a plain function, not a dependency
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


# Issue 12 defect 3: every endpoint serves the audiences of the sign-ins meant for it. The
# app's own endpoints take only the app's sign-in (a Pending client's portal token gets the
# app's refusal there); the rest (accounts, Office Portal management, visits) take both. The
# hub checks the same for sockets (realtime/principal.py).
APP_ONLY_PATHS = ("/api/v1/appointments", "/api/v1/hosting/", "/api/v1/me/", "/api/v1/sessions")
BOTH = frozenset({Audience.APP, Audience.PORTAL})
APP = frozenset({Audience.APP})


def served_audiences(path: str) -> frozenset[Audience]:
    return APP if path.startswith(APP_ONLY_PATHS) else BOTH


# Staff whose organisation requires two-step sign-in, without it yet, sign in to the portal only
# to set it up (the portal holds them on its set-up page); their portal token reaches no more
# of the JSON API than the same: their own account's endpoints (two-factor set-up, sign-out).
ENROL_PATHS = ("/api/v1/auth/",)


def get_session(request: Request, db: DbDep, settings: SettingsDep) -> tuple[Account, Token]:
    account, token = accounts.authenticate(db, settings, bearer_token(request))
    path = request.url.path
    accounts.require_audience(account, token, served_audiences(path))
    if (
        token.audience == Audience.PORTAL.value
        and isinstance(account, Staff)
        and not path.startswith(ENROL_PATHS)
        and two_factor.must_enrol(db, account)
    ):
        raise ApiError(403, "two_factor_enrolment_required", tf_rules.ENROL_NOW)
    request.state.account = account
    return account, token


SessionDep = Annotated[tuple[Account, Token], Depends(get_session)]


async def get_account(session: SessionDep) -> Account:
    return session[0]


CurrentAccount = Annotated[Account, Depends(get_account)]


async def get_staff(account: CurrentAccount) -> Staff:
    if not isinstance(account, Staff):
        raise forbidden()
    return account


async def get_client(account: CurrentAccount) -> Client:
    if not isinstance(account, Client):
        raise forbidden()
    return account


CurrentStaff = Annotated[Staff, Depends(get_staff)]
CurrentClient = Annotated[Client, Depends(get_client)]
