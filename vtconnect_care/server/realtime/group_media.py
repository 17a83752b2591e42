"""The hub's side of group rooms through Janus: `sfu` steps checked and relayed, the room told.

A step is allowed from a present member of a begun session whose media is `sfu` (the same rule
as peer-to-peer signalling, ``domain.care_room.may_signal`` against oneself excepted), decided
from the room held in memory. Who publishes goes to every present member of the room, in any
server process (through the hub's deliveries). At End the room is removed from Janus; a member
who leaves or drops is taken out of it. Janus going away tells this process's members so, and
their apps publish again when it is back.
"""

from __future__ import annotations

import logging
from typing import Any

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain.care_room import RoomRefusal, SessionState
from vtconnect_care.domain.errors import Refusal
from vtconnect_care.domain.signalling import ClientMessage

from ..settings import Settings
from ..sfu.janus_api import JanusConnection, JanusUnavailable
from ..sfu.relay import UNAVAILABLE, SfuRelay
from ..sfu.video_rooms import VideoRooms
from .connection import Connection
from .rooms import RoomView

log = logging.getLogger("vtconnect.sfu")

NO_MEDIA_SERVER = RoomRefusal(
    "media_server_unavailable",
    "This group room needs the media server, which this portal does not have configured.",
)


class GroupMedia:
    """Janus for the hub: one connection per server process, rooms by Care Session."""

    def __init__(self, hub: Any, settings: Settings) -> None:  # the Hub (no import: no cycle)
        assert settings.janus_url is not None
        self.hub = hub
        self.connection = JanusConnection(settings.janus_url, settings.janus_api_secret or "")
        self.rooms = VideoRooms(
            self.connection,
            admin_key=settings.janus_admin_key or "",
            server_secret=settings.secret_key,
            on_event=self._janus_event,
        )
        self.relay = SfuRelay(self.rooms)

    async def step(self, conn: Connection, msg: ClientMessage, sid: int) -> None:
        """One member's step: checked against the room in memory, relayed, answered."""
        view = await self.hub.room_view(sid)
        me = view.member(conn.account_id)
        room.may_talk(view.state, me)  # strangers are refused first, whatever the room's state
        if sid not in conn.sessions:
            raise RoomRefusal("not_joined", room.NOT_IN_ROOM)
        if view.media != "sfu":
            raise RoomRefusal("bad_message", "This room's media is peer to peer, not a group room.")
        if view.state is not SessionState.BEGUN:
            raise RoomRefusal("not_begun", room.NOT_BEGUN)
        step = dict(msg.signal or {})
        feed = step.get("feed")
        if feed is not None and (view.member(feed) is None or feed == conn.account_id):
            raise RoomRefusal("not_in_room", "That person is not in the session.")
        account_id = conn.account_id
        assert account_id is not None
        try:
            reply = await self.relay.step(
                session_id=sid, account_id=account_id, display=str(account_id), step=step
            )
        except Refusal as exc:
            raise RoomRefusal(exc.code, exc.message) from exc
        out = {"type": "sfu", "session_id": sid, **reply}
        if msg.ref is not None:
            out["ref"] = msg.ref
        conn.send(out)

    async def after_change(self, views: list[RoomView]) -> None:
        """A room changed: removed from Janus at End, leavers taken out of it."""
        for view in views:
            if view.media != "sfu":
                continue
            try:
                if view.state is SessionState.ENDED:
                    await self.rooms.destroy_room(view.session_id)
                    continue
                for account in self.rooms.local_members(view.session_id):
                    member = view.member(account)
                    if member is None or not member.present:
                        await self.rooms.leave(view.session_id, account)
            except (JanusUnavailable, Refusal) as exc:
                log.info("janus not told of a change in session %s: %s", view.session_id, exc)

    async def welcome(self, account_id: int | None, session_id: int) -> None:
        """Someone (re-)joined a group room: who publishes now, so that a person whose place
        was given up meanwhile sees they are not among them and publishes again."""
        try:
            view = await self.hub.room_view(session_id)
            if view.media != "sfu" or view.state is not SessionState.BEGUN or account_id is None:
                return
            feeds = await self.rooms.publishers(session_id)
        except (JanusUnavailable, Refusal) as exc:
            log.info("no publisher list for session %s: %s", session_id, exc)
            return
        message = {"type": "sfu", "op": "publishers", "session_id": session_id, "feeds": feeds}
        self.hub.deliver([account_id], session_id, message)

    async def _janus_event(self, session_id: int, account_id: int | None, event: dict) -> None:
        if event["kind"] == "publishers":
            view = await self.hub.room_view(session_id)
            message = {
                "type": "sfu",
                "op": "publishers",
                "session_id": session_id,
                "feeds": event["feeds"],
            }
            self.hub.deliver(view.present(), session_id, message)
        elif event["kind"] == "janus_gone" and account_id is not None:
            message = {
                "type": "sfu",
                "op": "unavailable",
                "session_id": session_id,
                "message": UNAVAILABLE.message,
            }
            self.hub.deliver([account_id], session_id, message)

    async def close(self) -> None:
        await self.rooms.close()
        await self.connection.close()
