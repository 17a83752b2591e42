"""The session log's raw facts: each stretch of a person's presence in a Care Session.

A stretch opens when the person joins (or comes back after leaving) and closes when they leave,
when their dropped place is given up (at the moment the socket went), or at End. A socket that
drops and comes back within the grace is one stretch: the place was kept (R-ROOM-9).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Attendance


def _open(db: Session, session_id: int, account_id: int) -> Attendance | None:
    return db.scalar(
        select(Attendance).where(
            Attendance.session_id == session_id,
            Attendance.account_id == account_id,
            Attendance.left_at.is_(None),
        )
    )


def arrived(db: Session, *, session_id: int, account_id: int, at: datetime) -> None:
    if _open(db, session_id, account_id) is None:
        db.add(Attendance(session_id=session_id, account_id=account_id, joined_at=at))


def departed(db: Session, *, session_id: int, account_id: int, at: datetime) -> None:
    stretch = _open(db, session_id, account_id)
    if stretch is not None:
        stretch.left_at = max(at, stretch.joined_at)


def ended(db: Session, *, session_id: int, at: datetime) -> None:
    for stretch in db.scalars(
        select(Attendance).where(Attendance.session_id == session_id, Attendance.left_at.is_(None))
    ):
        stretch.left_at = max(at, stretch.joined_at)
