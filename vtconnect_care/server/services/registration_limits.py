"""Self-registration is no oracle (issue 12, defect 5): attempts throttled per address, a used
email answered like a success (its owner is emailed), "username taken" answers counted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, ratelimit
from ..mail import outbox
from ..models import Account, Organization
from ..settings import Settings


def attempt(db: Session, settings: Settings, address: str, *, now: datetime) -> None:
    """Count one registration attempt from `address`; 429 past the limit, or while the
    address is locked for guessing usernames."""
    taken_key = f"register-taken:{address[:64]}"
    verdict = ratelimit.locked(db, taken_key, now=now)
    if verdict.allowed:
        verdict = ratelimit.check(
            db,
            f"register-addr:{address[:64]}",
            limit=settings.register_per_address,
            window=settings.rate_window,
            now=now,
        )
    if not verdict.allowed:
        audit.record(db, now=now, action="registration_throttled", address=address)
        db.commit()
        raise ratelimit.too_many(verdict.retry_after)


def username_taken(db: Session, settings: Settings, address: str, *, now: datetime) -> None:
    """A "username taken" answer is unavoidable; a few per window, then the address waits."""
    verdict = ratelimit.record_failure(
        db,
        f"register-taken:{address[:64]}",
        limit=settings.register_taken_per_address,
        window=settings.rate_window,
        lock=settings.rate_window,
        now=now,
    )
    if not verdict.allowed:
        audit.record(db, now=now, action="registration_throttled", address=address)
        db.commit()
        raise ratelimit.too_many(verdict.retry_after)


def tell_owner(
    db: Session, settings: Settings, org: Organization, email: str, address: str, *, now: datetime
) -> None:
    """Someone registered with an address already in use: its owner hears of it, the
    registrant sees the usual "check your email"."""
    owner = db.scalar(
        select(Account.email).where(
            Account.organization_id == org.id, func.lower(Account.email) == email.strip().lower()
        )
    )
    sign_in = f"{settings.base_url}/login"
    forgot = f"{settings.base_url}/forgot-password"
    outbox.enqueue(
        db,
        now=now,
        to=owner or email.strip(),
        template="registration_email_in_use",
        links=[sign_in, forgot],
        sign_in_url=sign_in,
        forgot_url=forgot,
        org_name=org.name,
    )
    audit.record(
        db,
        now=now,
        action="registration_email_in_use",
        actor_label="registrant",
        organization_id=org.id,
        address=address,
    )
