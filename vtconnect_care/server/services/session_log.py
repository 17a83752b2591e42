"""The session log for the Reports page, its CSV and its API (issue 16): read, scoped, filtered.

Every Care Room session and virtual visit of the organisation, newest first: who hosted, who
took part, when each joined and left, the call's length and each person's time in it. A manager
sees the sessions in their scope (``domain.session_log.may_see_session``); the filters are the
page's. A few queries for the whole page, whatever the number of sessions.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from vtconnect_care.domain import session_log as rules
from vtconnect_care.domain.times import hhmm, long_date

from ..errors import forbidden
from ..models import (
    Account,
    Association,
    Attendance,
    CareSession,
    CareSessionMember,
    Client,
    Staff,
    StaffDepartment,
)
from ..settings import Settings
from . import accounts

MAX_SESSIONS = 500  # one page of the log; narrow the filters for older ones


@dataclass(frozen=True)
class PersonRow:
    account_id: int
    name: str
    role: str  # Host, Client, Staff
    time: rules.PersonTime


@dataclass(frozen=True)
class Entry:
    session_id: int
    kind: str  # Care Room, Virtual visit
    host_id: int
    host_name: str
    created_at: datetime
    begun_at: datetime | None
    ended_at: datetime | None
    call_seconds: float
    people: list[PersonRow] = field(default_factory=list)


def _bounds(filters: rules.Filters, zone: tzinfo) -> tuple[datetime | None, datetime | None]:
    def utc(day, extra: int) -> datetime:
        local = datetime.combine(day + timedelta(days=extra), time.min, tzinfo=zone)
        return local.astimezone(UTC)

    return (
        utc(filters.start, 0) if filters.start else None,
        utc(filters.end, 1) if filters.end else None,
    )


def entries(
    db: Session, settings: Settings, viewer: Account, filters: rules.Filters, zone: tzinfo
) -> list[Entry]:
    if not isinstance(viewer, Staff):
        raise forbidden()
    view = accounts.staff_view(viewer)
    if not rules.may_read_log(view):
        raise forbidden()
    query = select(CareSession).where(CareSession.organization_id == viewer.organization_id)
    start, end = _bounds(filters, zone)
    if start is not None:
        query = query.where(CareSession.created_at >= start)
    if end is not None:
        query = query.where(CareSession.created_at < end)
    if filters.host_id is not None:
        query = query.where(CareSession.host_id == filters.host_id)
    sessions = db.scalars(
        query.options(
            selectinload(CareSession.members).selectinload(CareSessionMember.account),
            selectinload(CareSession.host),
        )
        .order_by(CareSession.created_at.desc(), CareSession.id.desc())
        .limit(MAX_SESSIONS)
    ).all()
    ids = [s.id for s in sessions]
    stretches: dict[tuple[int, int], list[rules.Stretch]] = defaultdict(list)
    for row in db.scalars(
        select(Attendance)
        .where(Attendance.session_id.in_(ids))
        .order_by(Attendance.joined_at, Attendance.id)
    ):
        stretches[(row.session_id, row.account_id)].append(
            rules.Stretch(row.joined_at, row.left_at)
        )
    people_ids = {m.account_id for s in sessions for m in s.members}
    staff_depts: dict[int, set[int]] = defaultdict(set)
    for staff_id, dept in db.execute(
        select(StaffDepartment.staff_id, StaffDepartment.department_id).where(
            StaffDepartment.staff_id.in_(people_ids)
        )
    ):
        staff_depts[staff_id].add(dept)
    client_depts: dict[int, set[int]] = defaultdict(set)
    for client_id, dept in db.execute(
        select(Association.client_id, Association.department_id).where(
            Association.client_id.in_(people_ids)
        )
    ):
        client_depts[client_id].add(dept)
    now = settings.clock.now()
    out: list[Entry] = []
    for s in sessions:
        clients = [m.account_id for m in s.members if isinstance(m.account, Client)]
        if not rules.may_see_session(
            view,
            host_department_ids=staff_depts[s.host_id],
            client_department_ids=[client_depts[c] for c in clients],
        ):
            continue
        length = rules.call_seconds(s.begun_at, s.ended_at, now)
        started_on = s.created_at.astimezone(zone).date()
        if not rules.passes(
            filters,
            host_id=s.host_id,
            member_ids=[m.account_id for m in s.members],
            started_on=started_on,
            call_length=length,
        ):
            continue
        people = [
            PersonRow(
                m.account_id,
                m.account.full_name,
                "Host"
                if m.account_id == s.host_id
                else ("Client" if isinstance(m.account, Client) else "Staff"),
                rules.person_time(
                    stretches[(s.id, m.account_id)],
                    begun_at=s.begun_at,
                    ended_at=s.ended_at,
                    now=now,
                ),
            )
            for m in sorted(s.members, key=lambda m: (m.account_id != s.host_id, m.id))
        ]
        out.append(
            Entry(
                s.id,
                "Virtual visit" if s.virtual_session_id else "Care Room",
                s.host_id,
                s.host.full_name,
                s.created_at,
                s.begun_at,
                s.ended_at,
                length,
                people,
            )
        )
    return out


def _when(value: datetime | None, zone: tzinfo) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local.date().isoformat()} {hhmm(local)}"


def as_json(entries_: list[Entry], zone: tzinfo) -> list[dict]:
    return [
        {
            "session_id": e.session_id,
            "kind": e.kind,
            "host": {"id": e.host_id, "name": e.host_name},
            "created_at": e.created_at.isoformat(),
            "begun_at": e.begun_at.isoformat() if e.begun_at else None,
            "ended_at": e.ended_at.isoformat() if e.ended_at else None,
            "call_seconds": round(e.call_seconds),
            "day": long_date(e.created_at.astimezone(zone).date()),
            "people": [
                {
                    "id": p.account_id,
                    "name": p.name,
                    "role": p.role,
                    "joined_at": p.time.first_joined.isoformat() if p.time.first_joined else None,
                    "left_at": p.time.last_left.isoformat() if p.time.last_left else None,
                    "seconds_present": round(p.time.seconds_present),
                    "seconds_in_call": round(p.time.seconds_in_call),
                }
                for p in e.people
            ],
        }
        for e in entries_
    ]


def as_csv(entries_: list[Entry], zone: tzinfo, zone_name: str) -> str:
    """One row per person per session, times in ``zone`` (named in the row's last cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rules.CSV_COLUMNS)
    for e in entries_:
        for p in e.people:
            writer.writerow(
                [
                    e.session_id,
                    e.kind,
                    e.host_name,
                    p.name,
                    p.role,
                    _when(p.time.first_joined, zone),
                    _when(p.time.last_left, zone),
                    rules.minutes(p.time.seconds_present),
                    rules.minutes(p.time.seconds_in_call),
                    _when(e.begun_at, zone),
                    _when(e.ended_at, zone),
                    rules.minutes(e.call_seconds),
                    zone_name,
                ]
            )
    return out.getvalue()
