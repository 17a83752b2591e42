"""The session log (issue 16): who met whom and for how long, and who may read it.

Pure rules over plain values: each person's stretches of presence become their time in the
session and their time in the call (the part after Begin and before End); a session's length is
Begin to End (a session never begun has none); the Reports filters; the CSV's columns; and the
scope: managers read the log of sessions hosted in, or with a client of, one of their
departments (Org Admins: all), like every other list (``roles.sees_department``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .roles import StaffView, can_manage_clients, sees_department

CSV_COLUMNS = (
    "Session",
    "Kind",
    "Host",
    "Person",
    "Role",
    "Joined",
    "Left",
    "Time in session (min)",
    "Time in call (min)",
    "Session started",
    "Session ended",
    "Call length (min)",
    "Time zone",  # of every time in the row: the organisation's (issue 15)
)


@dataclass(frozen=True)
class Stretch:
    joined_at: datetime
    left_at: datetime | None  # None: still there


@dataclass(frozen=True)
class PersonTime:
    first_joined: datetime | None
    last_left: datetime | None  # None while still there (or never came)
    seconds_present: float
    seconds_in_call: float


@dataclass(frozen=True)
class Filters:
    host_id: int | None = None
    client_id: int | None = None
    start: date | None = None  # first day, in the viewer's zone
    end: date | None = None  # last day, included
    min_minutes: int = 0  # call length at least this


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def person_time(
    stretches: Sequence[Stretch],
    *,
    begun_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
) -> PersonTime:
    """One person's presence, and the part of it inside the call (Begin to End)."""
    if not stretches:
        return PersonTime(None, None, 0.0, 0.0)
    present = in_call = 0.0
    for stretch in stretches:
        until = stretch.left_at or now
        present += max(0.0, (until - stretch.joined_at).total_seconds())
        if begun_at is not None:
            in_call += _overlap(stretch.joined_at, until, begun_at, ended_at or now)
    last = stretches[-1].left_at
    return PersonTime(stretches[0].joined_at, last, present, in_call)


def call_seconds(begun_at: datetime | None, ended_at: datetime | None, now: datetime) -> float:
    if begun_at is None:
        return 0.0
    return max(0.0, ((ended_at or now) - begun_at).total_seconds())


def passes(
    filters: Filters,
    *,
    host_id: int,
    member_ids: Iterable[int],
    started_on: date,
    call_length: float,
) -> bool:
    """Whether a session is in what the Reports filters ask for."""
    if filters.host_id is not None and host_id != filters.host_id:
        return False
    if filters.client_id is not None and filters.client_id not in set(member_ids):
        return False
    if filters.start is not None and started_on < filters.start:
        return False
    if filters.end is not None and started_on > filters.end:
        return False
    return call_length >= filters.min_minutes * 60


def may_read_log(viewer: StaffView) -> bool:
    """The Reports page is for managers: Org Admins, Dept Admins, Care Coordinators."""
    return can_manage_clients(viewer)


def may_see_session(
    viewer: StaffView,
    *,
    host_department_ids: Iterable[int],
    client_department_ids: Iterable[Iterable[int]],
) -> bool:
    """A session in the viewer's scope: hosted in, or with a client of, one of their departments."""
    if not may_read_log(viewer):
        return False
    if sees_department(viewer, host_department_ids):
        return True
    return any(
        depts and sees_department(viewer, depts) for depts in map(frozenset, client_department_ids)
    )


def minutes(seconds: float) -> str:
    """Whole and tenth minutes, as the CSV and the page show them."""
    return f"{seconds / 60:.1f}"
