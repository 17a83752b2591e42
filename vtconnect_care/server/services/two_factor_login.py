"""The Office Portal's second sign-in step: after a right password a short-lived, single-use
step token (an HttpOnly cookie) stands for the account until the code is entered; the
password is never kept or sent again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from vtconnect_care.domain import two_factor as rules
from vtconnect_care.domain.accounts import Audience

from ..errors import ApiError
from ..models import Account, Token
from ..security import TokenPurpose
from ..settings import Settings
from . import device_sessions, tokens, two_factor


@dataclass(frozen=True)
class StepDone:
    token: str  # the new session's
    account: Account
    next: str
    must_enrol: bool


def begin(db: Session, settings: Settings, *, account_id: int, next_url: str) -> str:
    """The step token for an account whose password matched (earlier ones stop working)."""
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.TWO_FACTOR_STEP,
        now=settings.clock.now(),
        ttl=settings.two_factor_step_ttl,
        account_id=account_id,
        data={"next": next_url[:500]},
        replace_earlier=True,
    )
    db.commit()
    return raw


def pending_account(db: Session, settings: Settings, raw: str | None) -> Token:
    row = tokens.find(
        db, purpose=TokenPurpose.TWO_FACTOR_STEP, raw=raw or "", now=settings.clock.now()
    )
    if row is None or row.account is None:
        raise ApiError(400, "two_factor_step_expired", rules.SIGN_IN_AGAIN)
    return row


def finish(
    db: Session, settings: Settings, *, raw: str | None, code: str, address: str, user_agent: str
) -> StepDone:
    """Spend the code (throttled, audited by two_factor.verify) and the step; open a session."""
    row = pending_account(db, settings, raw)
    account = row.account
    assert account is not None
    two_factor.verify(db, settings, account, code=code, address=address)
    row.used_at = settings.clock.now()
    token, _ = device_sessions.open_session(
        db,
        settings,
        account,
        audience=Audience.PORTAL,
        address=address,
        user_agent=user_agent,
        two_factor=True,
    )
    db.commit()
    data = row.data or {}
    return StepDone(
        token=token,
        account=account,
        next=str(data.get("next") or "/portal"),
        must_enrol=two_factor.must_enrol(db, account),
    )
