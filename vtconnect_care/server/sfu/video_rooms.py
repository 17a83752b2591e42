"""Janus VideoRooms for group Care Sessions: one room per session, one Janus session per member.

Each room's number, secret and PIN are derived from the server's secret key and the session id
(HMAC), so every server process finds the same room without storing or sharing anything, and
nobody without the key can guess them; they never leave the portal server. Members join as
publishers under their account id and receive each other person on a subscriber handle of
their own. Janus is the truth of who publishes (``listparticipants``): when a member's media
comes up or a member leaves, the list is read and handed to ``on_event(session_id, None,
{"kind": "publishers", ...})`` for the hub to tell the whole room, in whatever process each
member is. Janus going away reaches ``on_event(session_id, account_id, {"kind":
"janus_gone"})`` for each member of this process.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from vtconnect_care.domain.room_mode import SFU_CAP
from vtconnect_care.server.sfu.janus_api import JanusConnection, JanusError, JanusSession

log = logging.getLogger("vtconnect.sfu")

EventSink = Callable[[int, int | None, dict], Awaitable[None]]
ROOM_EXISTS, NO_SUCH_ROOM = 427, 426  # JANUS_VIDEOROOM_ERROR_ROOM_EXISTS, _NO_SUCH_ROOM


@dataclass(frozen=True)
class RoomKeys:
    room: int
    secret: str = field(repr=False)
    pin: str = field(repr=False)


def room_keys(server_secret: str, session_id: int) -> RoomKeys:
    """The session's room: the same in every process, unguessable without the server's key."""

    def derive(purpose: str) -> bytes:
        message = f"janus-room:{purpose}:{session_id}".encode()
        return hmac.new(server_secret.encode(), message, hashlib.sha256).digest()

    room = int.from_bytes(derive("number")[:6], "big") or 1  # 48 bits: a JSON-safe integer
    secret = base64.urlsafe_b64encode(derive("secret")).decode().rstrip("=")
    pin = base64.urlsafe_b64encode(derive("pin")[:18]).decode()
    return RoomKeys(room, secret, pin)


@dataclass
class Member:
    account_id: int
    session: JanusSession
    publisher: int  # handle
    subscriptions: dict[int, int] = field(default_factory=dict)  # feed (account id) -> handle
    live: bool = False  # Janus forwards a publisher's media only once its WebRTC is up


class VideoRooms:
    """The Janus side of this server process's members of group rooms."""

    def __init__(
        self,
        connection: JanusConnection,
        *,
        admin_key: str,
        server_secret: str,
        on_event: EventSink,
    ) -> None:
        self._connection = connection
        self._admin_key = admin_key
        self._server_secret = server_secret
        self._on_event = on_event
        self._control: tuple[JanusSession, int] | None = None
        self._created: set[int] = set()  # rooms this process made sure exist
        self._members: dict[tuple[int, int], Member] = {}
        self._lock = asyncio.Lock()

    def keys(self, session_id: int) -> RoomKeys:
        return room_keys(self._server_secret, session_id)

    def local_members(self, session_id: int) -> list[int]:
        return sorted(account for (sid, account) in self._members if sid == session_id)

    async def _control_handle(self) -> tuple[JanusSession, int]:
        if self._control is None or not self._connection.is_open:
            session = await JanusSession.create(self._connection)
            self._control = (session, await session.attach())
        return self._control

    async def ensure_room(self, session_id: int) -> RoomKeys:
        """The session's VideoRoom, created when Janus has none (any process may do it)."""
        keys = self.keys(session_id)
        async with self._lock:
            if session_id in self._created and self._connection.is_open:
                return keys
            session, handle = await self._control_handle()
            try:
                await session.message(
                    handle,
                    {
                        "request": "create",
                        "admin_key": self._admin_key,
                        "room": keys.room,
                        "secret": keys.secret,
                        "pin": keys.pin,
                        "is_private": True,
                        "publishers": SFU_CAP,
                        "description": f"Care Session {session_id}",
                        "audiocodec": "opus",
                        "videocodec": "vp8",
                        "notify_joining": False,
                    },
                )
                log.info("janus room created for care session %s", session_id)
            except JanusError as exc:
                if exc.code != ROOM_EXISTS:
                    raise
            self._created.add(session_id)
            return keys

    async def publishers(self, session_id: int) -> list[int]:
        """Who publishes in the session's room now, as Janus says (every process's members)."""
        keys = self.keys(session_id)
        session, handle = await self._control_handle()
        try:
            data, _ = await session.message(
                handle, {"request": "listparticipants", "room": keys.room}
            )
        except JanusError as exc:
            if exc.code == NO_SUCH_ROOM:
                return []
            raise
        return sorted(int(p["id"]) for p in data.get("participants", []) if p.get("publisher"))

    async def destroy_room(self, session_id: int) -> None:
        """End: this process's members leave and the room is removed from Janus."""
        for account in self.local_members(session_id):
            member = self._members.pop((session_id, account), None)
            if member is not None:
                await member.session.destroy()
        self._created.discard(session_id)
        keys = self.keys(session_id)
        try:
            session, handle = await self._control_handle()
            await session.message(
                handle, {"request": "destroy", "room": keys.room, "secret": keys.secret}
            )
            log.info("janus room removed (care session %s)", session_id)
        except JanusError as exc:
            if exc.code != NO_SUCH_ROOM:
                raise

    async def publish(self, session_id: int, account_id: int, *, display: str, offer: dict) -> dict:
        """Join `account_id` as the room's publisher `account_id` and answer its offer."""
        keys = await self.ensure_room(session_id)
        old = self._members.pop((session_id, account_id), None)
        if old is not None:
            await old.session.destroy()  # a re-join replaces the old publisher

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
            if answer is None:
                raise JanusError(0, "Janus gave no answer to the offer")
        except BaseException:
            await session.destroy()
            raise
        self._members[(session_id, account_id)] = Member(account_id, session, handle)
        return answer

    async def subscribe(self, session_id: int, account_id: int, feed: int) -> dict:
        """Subscribe the member to one other member's feed: Janus's offer for it.

        One subscriber connection per feed, as in a mesh one connection per person: a person
        arriving or leaving never renegotiates anyone else's streams, and each remote person's
        connection state is their own."""
        member = self._members.get((session_id, account_id))
        if member is None:
            raise JanusError(0, "publish before subscribing")
        if feed == account_id:
            raise JanusError(428, "no such feed")
        await self.unsubscribe(session_id, account_id, feed)
        handle = await member.session.attach()
        try:
            _, offer = await member.session.message(
                handle,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": self.keys(session_id).room,
                    "pin": self.keys(session_id).pin,
                    "streams": [{"feed": feed}],
                },
            )
            if offer is None:
                raise JanusError(0, "Janus gave no offer for the feed")
        except BaseException:
            await member.session.detach(handle)
            raise
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

    async def close(self) -> None:
        """This process stops: its members' Janus sessions end (rooms stay for the others)."""
        for key in list(self._members):
            member = self._members.pop(key)
            await member.session.destroy()
        if self._control is not None:
            await self._control[0].destroy()
            self._control = None

    async def _announce(self, session_id: int) -> None:
        await self._on_event(
            session_id, None, {"kind": "publishers", "feeds": await self.publishers(session_id)}
        )

    async def _janus_event(self, session_id: int, account_id: int, event: dict) -> None:
        kind = event.get("janus")
        member = self._members.get((session_id, account_id))
        if kind == "gone":
            self._members.pop((session_id, account_id), None)
            self._created.clear()
            self._control = None
            await self._on_event(session_id, account_id, {"kind": "janus_gone"})
        elif kind == "webrtcup" and member is not None and event.get("sender") == member.publisher:
            member.live = True
            await self._announce(session_id)
