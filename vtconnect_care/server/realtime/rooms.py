"""Each room's state and roster in memory: what the hub checks a signal or a chat against.

The database stays the truth. A room is read from it the first time a message needs it, and
again after every change: the process that made the change puts its fresh copy in at once
(``put``), other processes drop theirs on the room event (``invalidate``) and read it again. A
read that started before a change is not kept (``generation``), so an old copy never replaces a
newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain.care_room import MemberRole, MemberView, SessionState

from ..models import CareSession, CareSessionMember

MAX_ROOMS = 50_000  # live rooms kept per process; beyond, the oldest are read again on use


@dataclass(frozen=True)
class RoomView:
    session_id: int
    state: SessionState
    host_id: int
    members: dict[int, MemberView] = field(default_factory=dict)
    media: str = "mesh"  # or "sfu": the room runs through Janus (R-ROOM-MODE)

    def member(self, account_id: int | None) -> MemberView | None:
        return self.members.get(account_id) if account_id is not None else None

    def present(self) -> list[int]:
        return [m.account_id for m in self.members.values() if m.present]


def view_of(session: CareSession) -> RoomView:
    return RoomView(
        session_id=session.id,
        state=SessionState(session.state),
        host_id=session.host_id,
        members={
            m.account_id: MemberView(m.account_id, MemberRole(m.role), m.present)
            for m in session.members
        },
        media=session.media,
    )


def read(db: Session, session_ids: list[int]) -> dict[int, RoomView]:
    """These rooms as the database has them now (two queries whatever their number)."""
    if not session_ids:
        return {}
    sessions = db.execute(
        select(CareSession.id, CareSession.state, CareSession.host_id, CareSession.media).where(
            CareSession.id.in_(session_ids)
        )
    ).all()
    members: dict[int, dict[int, MemberView]] = {s.id: {} for s in sessions}
    for row in db.execute(
        select(
            CareSessionMember.session_id,
            CareSessionMember.account_id,
            CareSessionMember.role,
            CareSessionMember.present,
        ).where(CareSessionMember.session_id.in_(session_ids))
    ):
        members[row.session_id][row.account_id] = MemberView(
            row.account_id, MemberRole(row.role), bool(row.present)
        )
    return {
        s.id: RoomView(s.id, SessionState(s.state), s.host_id, members[s.id], s.media)
        for s in sessions
    }


class RoomCache:
    """Rooms this process has needed, by session id, each with a change generation."""

    def __init__(self) -> None:
        self._rooms: dict[int, RoomView] = {}
        self._generation: dict[int, int] = {}

    def get(self, session_id: int) -> RoomView | None:
        return self._rooms.get(session_id)

    def generation(self, session_id: int) -> int:
        return self._generation.get(session_id, 0)

    def put(self, view: RoomView, *, read_at: int | None = None) -> bool:
        """Keep this copy; one read before a later change (``read_at`` older) is not kept."""
        sid = view.session_id
        if read_at is not None and read_at != self.generation(sid):
            return False
        self._generation[sid] = self.generation(sid) + 1
        self._rooms[sid] = view
        if len(self._rooms) > MAX_ROOMS:
            oldest = next(iter(self._rooms))
            self._rooms.pop(oldest, None)
        return True

    def invalidate(self, session_id: int) -> None:
        self._generation[session_id] = self.generation(session_id) + 1
        self._rooms.pop(session_id, None)

    def ids(self) -> list[int]:
        return list(self._rooms)

    def clear(self) -> None:
        for sid in list(self._rooms):
            self.invalidate(sid)

    def __len__(self) -> int:
        return len(self._rooms)
