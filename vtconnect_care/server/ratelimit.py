"""Fixed-window rate limits and temporary locks kept in the database.

Why not the `limits` package: these counters must follow the injected clock (tests move time
instead of sleeping) and be shared by every server process without requiring Redis; a table
of counters does both in a few lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages

from .errors import ApiError
from .models import RateCounter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds


def too_many(retry_after: int) -> ApiError:
    """The 429 of every limit, with how long to wait."""
    return ApiError(
        429,
        "rate_limited",
        messages.TOO_MANY_ATTEMPTS.format(minutes=messages.wait_minutes(retry_after)),
        headers={"Retry-After": str(max(1, retry_after))},
    )


def _row(db: Session, key: str, now: datetime, window: timedelta) -> RateCounter:
    row = db.get(RateCounter, key, with_for_update=not db.bind.dialect.name == "sqlite")
    if row is None:
        row = RateCounter(key=key, window_start=now, count=0)
        try:
            with db.begin_nested():
                db.add(row)
        except IntegrityError:
            row = db.get(RateCounter, key)
            assert row is not None
    if row.window_start + window <= now:
        row.window_start = now
        row.count = 0
    return row


def check(db: Session, key: str, *, limit: int, window: timedelta, now: datetime) -> Verdict:
    """Count one attempt under `key`; refuse once `limit` attempts fall in the window."""
    row = _row(db, key, now, window)
    if row.locked_until and row.locked_until > now:
        return Verdict(False, int((row.locked_until - now).total_seconds()) + 1)
    if row.count >= limit:
        return Verdict(False, int((row.window_start + window - now).total_seconds()) + 1)
    row.count += 1
    return Verdict(True)


def locked(db: Session, key: str, *, now: datetime) -> Verdict:
    row = db.get(RateCounter, key)
    if row and row.locked_until and row.locked_until > now:
        return Verdict(False, int((row.locked_until - now).total_seconds()) + 1)
    return Verdict(True)


def record_failure(
    db: Session, key: str, *, limit: int, window: timedelta, lock: timedelta, now: datetime
) -> Verdict:
    """Count a failure; at `limit` failures within the window, lock the key for `lock`."""
    row = _row(db, key, now, window)
    row.count += 1
    if row.count >= limit:
        row.locked_until = now + lock
        row.count = 0
        row.window_start = now
        return Verdict(False, int(lock.total_seconds()))
    return Verdict(True)


def touch(db: Session, key: str, *, now: datetime) -> None:
    """Remember that something happened under `key` now (e.g. a sign-in from an address)."""
    row = _row(db, key, now, timedelta(0))  # a zero window: always starts afresh, now
    row.count = 1


def clear(db: Session, key: str) -> None:
    db.execute(delete(RateCounter).where(RateCounter.key == key))


def purge_expired(db: Session, *, before: datetime) -> None:
    db.execute(
        delete(RateCounter).where(
            RateCounter.window_start < before,
            (RateCounter.locked_until.is_(None)) | (RateCounter.locked_until < before),
        )
    )


__all__ = [
    "Verdict",
    "too_many",
    "check",
    "locked",
    "record_failure",
    "touch",
    "clear",
    "purge_expired",
    "select",
]
