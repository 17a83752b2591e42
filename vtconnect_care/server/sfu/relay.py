"""The hub's `sfu` steps: a member's Janus signalling, checked and passed to their VideoRoom.

The hub has already decided that the sender is a member of the session and that the session runs
through Janus (docs/protocol.md); this module checks the step's own shape, bounds what it
carries, and turns Janus's problems into refusals the app can show.
"""

from __future__ import annotations

import logging
from typing import Any

from vtconnect_care.domain.errors import Refusal
from vtconnect_care.server.sfu.janus_api import JanusError, JanusUnavailable
from vtconnect_care.server.sfu.video_rooms import VideoRooms

log = logging.getLogger("vtconnect.sfu")

MAX_SDP = 64 * 1024
OPS = ("publish", "subscribe", "start", "leave")

UNAVAILABLE = Refusal(
    "media_server_unavailable",
    "The group room's media server cannot be reached. The room reconnects by itself as soon "
    "as it is back.",
)


def _bad(message: str) -> Refusal:
    return Refusal("bad_message", message)


def _sdp(step: dict) -> str:
    sdp = step.get("sdp")
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP:
        raise _bad("An sfu step needs its session description (sdp).")
    return sdp


def _feed(step: dict) -> int:
    feed = step.get("feed")
    if not isinstance(feed, int) or isinstance(feed, bool) or not 0 < feed < 2**31:
        raise _bad("An sfu step needs the feed (an account id) it is about.")
    return feed


class SfuRelay:
    """Passes members' steps to Janus; every answer is one reply to the member."""

    def __init__(self, rooms: VideoRooms) -> None:
        self.rooms = rooms

    async def step(self, *, session_id: int, account_id: int, display: str, step: dict) -> dict:
        """One checked step; the reply to send back. Raises Refusal for the hub to answer."""
        op = step.get("op")
        if op not in OPS:
            raise _bad(f"Unknown sfu step; expected one of {', '.join(OPS)}.")
        try:
            return await self._step(session_id, account_id, display, op, step)
        except JanusUnavailable as exc:
            log.warning("janus unavailable for care session %s: %s", session_id, exc)
            raise UNAVAILABLE from exc
        except JanusError as exc:
            log.info("janus refused %s for care session %s: %s", op, session_id, exc)
            raise Refusal(
                "media_server_refused",
                "The group room's media server refused that step; the room retries by itself.",
            ) from exc

    async def _step(
        self, session_id: int, account_id: int, display: str, op: str, step: dict
    ) -> dict[str, Any]:
        if op == "publish":
            offer = {"type": "offer", "sdp": _sdp(step)}
            answer = await self.rooms.publish(
                session_id, account_id, display=display[:100], offer=offer
            )
            return {"op": "answer", "sdp": answer["sdp"]}
        if op == "subscribe":
            feed = _feed(step)
            offer = await self.rooms.subscribe(session_id, account_id, feed)
            return {"op": "offer", "feed": feed, "sdp": offer["sdp"]}
        if op == "start":
            feed = _feed(step)
            await self.rooms.start(
                session_id, account_id, feed, {"type": "answer", "sdp": _sdp(step)}
            )
            return {"op": "started", "feed": feed}
        await self.rooms.leave(session_id, account_id)
        return {"op": "left"}
