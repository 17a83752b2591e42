"""Janus VideoRooms for group Care Sessions: one room per session, one Janus session per member.

The portal server creates each room with a random secret and PIN that never leave it, joins
members as publishers under their account id, subscribes them to everyone else, and passes the
SDP between each app and Janus through our own hub (authorization stays ours: a person reaches a
room only through a hub message the server has checked). What Janus says by itself about a room
(publishers arriving and leaving, Janus going away) reaches `on_event(session_id, account_id,
event)`, which the hub turns into messages to that member.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from vtconnect_care.domain.room_mode import SFU_CAP
from vtconnect_care.server.sfu.janus_api import JanusConnection, JanusError, JanusSession

log = logging.getLogger("vtconnect.sfu")

EventSink = Callable[[int, int, dict], Awaitable[None]]


@dataclass
class RoomKeys:
    room: int
    secret: str = field(repr=False)
    pin: str = field(repr=False)


@dataclass
class Member:
    account_id: int
    session: JanusSession
    publisher: int  # handle
    subscriptions: dict[int, int] = field(default_factory=dict)  # feed (account id) -> handle
    live: bool = False  # Janus forwards a publisher's media only once its WebRTC is up


class VideoRooms:
    """Every Janus VideoRoom this server process runs, by Care Session id."""

    def __init__(self, connection: JanusConnection, *, admin_key: str, on_event: EventSink) -> None:
        self._connection = connection
        self._admin_key = admin_key
        self._on_event = on_event
        self._control: tuple[JanusSession, int] | None = None
        self._rooms: dict[int, RoomKeys] = {}
        self._members: dict[tuple[int, int], Member] = {}
        self._lock = asyncio.Lock()

    def keys(self, session_id: int) -> RoomKeys | None:
        return self._rooms.get(session_id)

    def publishers(self, session_id: int) -> list[int]:
        return sorted(
            account
            for (sid, account), member in self._members.items()
            if sid == session_id and member.live
        )

    async def _control_handle(self) -> tuple[JanusSession, int]:
        if self._control is None or not self._connection.is_open:
            session = await JanusSession.create(self._connection)
            self._control = (session, await session.attach())
        return self._control

    async def ensure_room(self, session_id: int) -> RoomKeys:
        """The session's VideoRoom, created with a fresh secret and PIN when it has none."""
        async with self._lock:
            keys = self._rooms.get(session_id)
            if keys is not None:
                return keys
            session, handle = await self._control_handle()
            secret, pin = secrets.token_urlsafe(24), secrets.token_urlsafe(12)
            data, _ = await session.message(
                handle,
                {
                    "request": "create",
                    "admin_key": self._admin_key,
                    "secret": secret,
                    "pin": pin,
                    "is_private": True,
                    "publishers": SFU_CAP,
                    "description": f"Care Session {session_id}",
                    "audiocodec": "opus",
                    "videocodec": "vp8",
                    "notify_joining": False,
                },
            )
            keys = RoomKeys(int(data["room"]), secret, pin)
            self._rooms[session_id] = keys
            log.info("janus room %s created for care session %s", keys.room, session_id)
            return keys

    async def destroy_room(self, session_id: int) -> None:
        """End: everyone leaves and the room is removed from Janus."""
        for sid, account in [key for key in self._members if key[0] == session_id]:
            await self.leave(sid, account)
        keys = self._rooms.pop(session_id, None)
        if keys is None:
            return
        try:
            session, handle = await self._control_handle()
            await session.message(
                handle, {"request": "destroy", "room": keys.room, "secret": keys.secret}
            )
        except JanusError as exc:
            log.info("janus room %s already gone: %s", keys.room, exc)
        log.info("janus room %s removed (care session %s)", keys.room, session_id)

    async def publish(self, session_id: int, account_id: int, *, display: str, offer: dict) -> dict:
        """Join `account_id` as the room's publisher `account_id` and answer its offer."""
        keys = await self.ensure_room(session_id)
        await self.leave(session_id, account_id)  # a re-join replaces the old publisher

        async def listener(event: dict) -> None:
            await self._janus_event(session_id, account_id, event)

        session = await JanusSession.create(self._connection, listener)
        try:
            handle = await session.attach()
            await session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "publisher",
                    "room": keys.room,
                    "pin": keys.pin,
                    "id": account_id,
                    "display": display,
                },
            )
            _, answer = await session.message(
                handle, {"request": "publish", "audio": True, "video": True}, jsep=offer
            )
        except BaseException:
            await session.destroy()
            raise
        if answer is None:
            await session.destroy()
            raise JanusError(0, "Janus gave no answer to the offer")
        self._members[(session_id, account_id)] = Member(account_id, session, handle)
        return answer

    async def subscribe(self, session_id: int, account_id: int, feed: int) -> dict:
        """Subscribe the member to one other member's feed: Janus's offer for it.

        One subscriber connection per feed, as in a mesh one connection per person: a person
        arriving or leaving never renegotiates anyone else's streams, and each remote person's
        connection state is their own."""
        member = self._members.get((session_id, account_id))
        keys = self._rooms.get(session_id)
        if member is None or keys is None:
            raise JanusError(0, "publish before subscribing")
        if feed == account_id or feed not in self.publishers(session_id):
            raise JanusError(428, "no such feed")
        await self.unsubscribe(session_id, account_id, feed)
        handle = await member.session.attach()
        try:
            _, offer = await member.session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": keys.room,
                    "pin": keys.pin,
                    "streams": [{"feed": feed}],
                },
            )
        except BaseException:
            await member.session.detach(handle)
            raise
        if offer is None:
            await member.session.detach(handle)
            raise JanusError(0, "Janus gave no offer for the feed")
        member.subscriptions[feed] = handle
        return offer

    async def start(self, session_id: int, account_id: int, feed: int, answer: dict) -> None:
        """The member's answer to Janus's offer for `feed`."""
        member = self._members.get((session_id, account_id))
        handle = member.subscriptions.get(feed) if member is not None else None
        if member is None or handle is None:
            raise JanusError(0, "no subscription to answer")
        await member.session.message(handle, {"request": "start"}, jsep=answer)

    async def unsubscribe(self, session_id: int, account_id: int, feed: int) -> None:
        member = self._members.get((session_id, account_id))
        handle = member.subscriptions.pop(feed, None) if member is not None else None
        if member is not None and handle is not None:
            await member.session.detach(handle)

    async def leave(self, session_id: int, account_id: int) -> None:
        member = self._members.pop((session_id, account_id), None)
        if member is not None:
            await member.session.destroy()
            await self._announce(session_id)

    async def _announce(self, session_id: int) -> None:
        """Tell every member of the room who publishes now (they subscribe to the others)."""
        feeds = self.publishers(session_id)
        for account in feeds:
            await self._on_event(session_id, account, {"kind": "publishers", "feeds": feeds})

    async def close(self) -> None:
        for session_id in list(self._rooms):
            await self.destroy_room(session_id)
        if self._control is not None:
            await self._control[0].destroy()
            self._control = None

    async def _janus_event(self, session_id: int, account_id: int, event: dict) -> None:
        kind = event.get("janus")
        if kind == "gone":
            self._members.pop((session_id, account_id), None)
            self._rooms.pop(session_id, None)
            await self._on_event(session_id, account_id, {"kind": "janus_gone"})
        elif kind == "webrtcup":
            member = self._members.get((session_id, account_id))
            if member is not None and event.get("sender") == member.publisher and not member.live:
                member.live = True
                await self._announce(session_id)
        elif kind == "hangup":
            await self._on_event(session_id, account_id, {"kind": "media_down"})
