"""The hub's watcher: what the database says about open sockets and rooms, off the hot path.

Revocations normally arrive as events (bus.py); the watcher is the net under them, reading the
truth once a second in a few queries for all of this process's sockets: a session token that
was revoked, used up or expired, an account deactivated (or a client no longer active), a visit
link superseded, expired or finished. Each such socket gets its reason and a 4401 close. Every
minute it marks the open sockets' sessions as in use (as their messages did before), and every
ten seconds it reads the rooms held in memory again, which catches room changes made outside
the hub or lost by the bus.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import ClientStatus

from ..models import Client, Staff, Token
from ..services import visits as visit_service
from ..settings import Settings
from .rooms import read

log = logging.getLogger("vtconnect.realtime.watch")

WATCH_SECONDS = 1.0
TOUCH_SECONDS = 60.0
RESYNC_SECONDS = 10.0


def dead_sessions(db: Session, now: datetime, token_ids: list[int]) -> set[int]:
    """Of these session tokens, those that no longer let their holder in."""
    if not token_ids:
        return set()
    live = set(
        db.scalars(
            select(Token.id).where(
                Token.id.in_(token_ids),
                Token.revoked_at.is_(None),
                Token.used_at.is_(None),
                Token.expires_at > now,
            )
        )
    )
    return set(token_ids) - live


def refused_accounts(db: Session, account_ids: list[int]) -> set[int]:
    """Of these accounts, those no longer allowed in the app (deactivated, not active)."""
    if not account_ids:
        return set()
    staff = db.scalars(select(Staff.id).where(Staff.id.in_(account_ids), Staff.active.is_(False)))
    clients = db.scalars(
        select(Client.id).where(
            Client.id.in_(account_ids),
            or_(Client.status != ClientStatus.ACTIVE.value, Client.email_confirmed.is_(False)),
        )
    )
    return set(staff) | set(clients)


def dead_links(db: Session, settings: Settings, tokens: list[str]) -> dict[str, tuple[str, str]]:
    """Of these visit links, those no longer valid: token -> (code, sentence)."""
    out: dict[str, tuple[str, str]] = {}
    for raw in tokens:
        resolution = visit_service.resolve_invite(db, settings, raw)
        if not resolution.ok:
            out[raw] = (resolution.status.value, resolution.message or "")
    return out


def touch(db: Session, now: datetime, token_ids: list[int]) -> None:
    if token_ids:
        db.execute(update(Token).where(Token.id.in_(token_ids)).values(last_used_at=now))
        db.commit()


class Watcher:
    def __init__(self, hub: Any) -> None:  # realtime.hub.Hub (not imported: no cycle)
        self.hub = hub
        self._since_touch = 0.0
        self._since_resync = 0.0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                await self.once()
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("checking open sockets failed")

    async def once(self) -> None:
        hub = self.hub
        now = hub.settings.clock.now()
        conns = hub.open_connections()
        for conn in conns:
            if conn.expires_at is not None and now >= conn.expires_at:
                hub.cut(conn, "session_expired", messages.SESSION_EXPIRED)
        sessions = [c for c in conns if c.via == "session" and c.token_id is not None]
        links = [c for c in conns if c.via == "visit" and c.token]
        token_ids = sorted({c.token_id for c in sessions})  # type: ignore[type-var]
        account_ids = sorted({c.account_id for c in sessions})  # type: ignore[type-var]
        link_tokens = sorted({c.token for c in links})  # type: ignore[type-var]
        self._since_touch += WATCH_SECONDS
        touching = self._since_touch >= TOUCH_SECONDS
        if touching:
            self._since_touch = 0.0

        def check(db: Session) -> tuple[set[int], set[int], dict[str, tuple[str, str]]]:
            dead = dead_sessions(db, now, token_ids)
            refused = refused_accounts(db, account_ids)
            if touching:
                touch(db, now, [t for t in token_ids if t not in dead])
            return dead, refused, dead_links(db, hub.settings, link_tokens)

        dead, refused, bad_links = await hub._db(check)
        for conn in sessions:
            if conn.token_id in dead or conn.account_id in refused:
                hub.cut(conn, "session_expired", messages.SESSION_EXPIRED)
        for conn in links:
            if conn.token in bad_links:
                code, sentence = bad_links[conn.token]  # type: ignore[index]
                hub.cut(conn, code, sentence)
        self._since_resync += WATCH_SECONDS
        if self._since_resync >= RESYNC_SECONDS:
            self._since_resync = 0.0
            await self.resync_rooms()

    async def resync_rooms(self) -> None:
        """Read the rooms held in memory again; keep what changed meanwhile."""
        hub = self.hub
        ids = hub.rooms.ids()
        generations = {sid: hub.rooms.generation(sid) for sid in ids}
        fresh = await hub._db(read, ids)
        for sid in ids:
            view = fresh.get(sid)
            if view is None:
                hub.rooms.invalidate(sid)
            elif view != hub.rooms.get(sid):
                hub.rooms.put(view, read_at=generations[sid])
