"""Password guessing limits: sign-in (defect 11) and the current password (defect 8).

Three counters of failures (never of successes), kept in the shared rate-limit table:

    address   every failure from one address: a guesser spraying many names is stopped; an
              office behind one address signs in as often as it likes
    pair      one account from one address: five wrong guesses lock that pair, for longer at
              each repeat (domain.accounts.login_lock_for)
    account   one account from everywhere: a higher ceiling that stops a spread-out guesser,
              except at an address where the owner signed in lately (their office keeps in)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from vtconnect_care.domain.accounts import login_lock_for

from .. import audit, ratelimit
from ..errors import validation
from ..models import Account, RateCounter
from ..security import verify_password
from ..settings import Settings

STRIKES_REMEMBERED = timedelta(days=1)  # how long a pair's earlier lock-outs count
KNOWN_ADDRESS_FOR = timedelta(days=30)  # how long a sign-in makes an address the owner's


@dataclass(frozen=True)
class Keys:
    address: str
    pair: str
    strikes: str
    account: str
    known: str


def keys(name: str, address: str) -> Keys:
    address = address[:64]
    name = name[:100]
    return Keys(
        address=f"login-addr:{address}",
        pair=f"login-pair:{name}|{address}",
        strikes=f"login-strikes:{name}|{address}",
        account=f"login-user:{name}",
        known=f"login-known:{name}|{address}",
    )


def _known(db: Session, k: Keys, now: datetime) -> bool:
    row = db.get(RateCounter, k.known)
    return row is not None and row.window_start + KNOWN_ADDRESS_FOR > now


def refused(db: Session, name: str, address: str, *, now: datetime) -> ratelimit.Verdict:
    """Whether a sign-in may be tried now: nothing is counted here."""
    k = keys(name, address)
    for key in (k.address, k.pair):
        verdict = ratelimit.locked(db, key, now=now)
        if not verdict.allowed:
            return verdict
    if not _known(db, k, now):
        return ratelimit.locked(db, k.account, now=now)
    return ratelimit.Verdict(True)


def failed(
    db: Session, settings: Settings, name: str, address: str, *, now: datetime
) -> ratelimit.Verdict:
    """Count a wrong password (or unknown name); the first lock it causes, if any."""
    k = keys(name, address)
    window = settings.rate_window
    strikes = db.get(RateCounter, k.strikes)
    strike_count = (
        strikes.count if strikes and strikes.window_start + STRIKES_REMEMBERED > now else 0
    )
    verdicts = [
        ratelimit.record_failure(
            db,
            k.address,
            limit=settings.login_per_address,
            window=window,
            lock=window,
            now=now,
        ),
        ratelimit.record_failure(
            db,
            k.pair,
            limit=settings.login_fail_limit,
            window=window,
            lock=login_lock_for(strike_count, settings.login_lock),
            now=now,
        ),
        ratelimit.record_failure(
            db,
            k.account,
            limit=settings.login_account_ceiling,
            window=window,
            lock=settings.login_lock,
            now=now,
        ),
    ]
    if not verdicts[1].allowed:  # the pair locked again: the next lock is longer
        ratelimit.check(db, k.strikes, limit=10**6, window=STRIKES_REMEMBERED, now=now)
    refused_by = [v for v in verdicts[:2] if not v.allowed]
    if not verdicts[2].allowed and not _known(db, k, now):
        refused_by.append(verdicts[2])
    if refused_by:
        return max(refused_by, key=lambda v: v.retry_after)
    return ratelimit.Verdict(True)


def succeeded(db: Session, name: str, address: str, *, now: datetime) -> None:
    """The owner signed in from here: the pair starts afresh and the address is theirs."""
    k = keys(name, address)
    ratelimit.clear(db, k.pair)
    ratelimit.clear(db, k.strikes)
    ratelimit.touch(db, k.known, now=now)


def forget_account(db: Session, name: str) -> None:
    """A password reset: the account-wide counter starts afresh."""
    ratelimit.clear(db, f"login-user:{name[:100]}")


WRONG_CURRENT = "That is not your current password."


def check_current_password(
    db: Session,
    settings: Settings,
    account: Account,
    password: str,
    *,
    now: datetime,
    key_prefix: str = "current-password",
    action: str = "current_password_wrong",
    field: str = "current_password",
    wrong: str = WRONG_CURRENT,
) -> None:
    """A signed-in person confirms their current password (to change it, or their two-factor
    settings): five wrong ones per window lock this for login_lock, audited (defect 8).

    A stolen session cannot guess its way to the password behind it."""
    key = f"{key_prefix}:{account.id}"
    verdict = ratelimit.locked(db, key, now=now)
    if not verdict.allowed:
        raise ratelimit.too_many(verdict.retry_after)
    if verify_password(account.password_hash, password):
        ratelimit.clear(db, key)
        return
    verdict = ratelimit.record_failure(
        db,
        key,
        limit=settings.login_fail_limit,
        window=settings.rate_window,
        lock=settings.login_lock,
        now=now,
    )
    audit.record(
        db,
        now=now,
        action=action,
        actor=account,
        object_type="account",
        object_id=account.id,
        locked=not verdict.allowed,
    )
    db.commit()
    if not verdict.allowed:
        raise ratelimit.too_many(verdict.retry_after)
    raise validation({field: wrong})
