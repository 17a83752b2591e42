"""The hosted and re-join offers on the client's home: "you are being hosted" (R-ROOM-1) and a
session still in progress after leaving or coming back to the app (R-ROOM-9).

While a client is signed in, one light realtime socket listens for ``hosted`` and
``session.ended``; the hub's ``hello`` lists the live sessions to offer. No camera or
microphone is opened until the person chooses Join: the Care Room then starts its own engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from vtconnect_care.client import call_http
from vtconnect_care.client.realtime import RealtimeClient, RealtimeError, ws_url

from .tasks import TaskGroup

log = logging.getLogger("vtconnect.app")

HOSTED = "You are being hosted by {host} in a Care Session."
REJOIN = "Your Care Session with {host} is still in progress. Would you like to re-join it?"
JOIN = "Join"
REJOIN_BUTTON = "Re-join"


class PresenceController(QObject):
    """Feeds an ``OfferArea`` (``offer(text, button, on_join)``, ``withdraw()``)."""

    offer_changed = Signal(object)  # the session offered, or None

    def __init__(
        self,
        offers: Any,
        open_room: Callable[[int], Any],
        *,
        realtime_factory: Callable[..., RealtimeClient] = RealtimeClient,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.offers = offers
        self.open_room = open_room
        self.realtime_factory = realtime_factory
        self.tasks = TaskGroup()
        self.offered: dict | None = None
        self.in_room: set[int] = set()
        self.account: dict | None = None
        self._rt: RealtimeClient | None = None
        self._portal = ""
        self._token = ""

    # --- life -----------------------------------------------------------------------------

    def start(self, portal_url: str, token: str, account: dict) -> None:
        self.stop()
        self.account, self._portal, self._token = account, portal_url, token
        self._rt = self.realtime_factory(
            ws_url(portal_url), token, on_message=self._on_message, on_state=self._on_state
        )
        self.tasks.spawn(self._connect(self._rt), "presence connect")

    async def _connect(self, rt: RealtimeClient) -> None:
        try:
            await rt.start(timeout=30.0)  # the hello arrives through _on_state
        except (RealtimeError, ConnectionError, TimeoutError) as exc:
            log.info("hosted offers unavailable: %s", exc)

    def stop(self) -> None:
        """At sign-out or close (idempotent): the socket closes, the offer goes."""
        rt, self._rt = self._rt, None
        if rt is not None:
            self.tasks.spawn(rt.close(), "presence close")
        self._withdraw()

    # --- the hub's news ---------------------------------------------------------------------

    def _on_state(self, state: str, data: dict) -> None:
        if state == "connected":
            self._offer_live(data.get("sessions", []))

    def _on_message(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "hosted":
            self._offer(message["session"])
        elif kind == "session.ended":
            if self.offered and self.offered.get("id") == message.get("session_id"):
                self._withdraw()

    def _offer_live(self, sessions: list[dict]) -> None:
        live = [s for s in sessions if s.get("state") != "ended" and s["id"] not in self.in_room]
        if live:
            self._offer(live[0])
        elif self.offered and self.offered["id"] not in {s["id"] for s in sessions}:
            self._withdraw()

    def _offer(self, session: dict) -> None:
        if session["id"] in self.in_room:
            return
        me = (self.account or {}).get("id")
        mine = next((m for m in session.get("members", []) if m["account_id"] == me), None)
        been_in = session.get("state") == "begun" or (mine or {}).get("status") in (
            "left",
            "dropped",
            "present",
        )
        host = session.get("host_name") or "your practitioner"
        if been_in:
            text, button = REJOIN.format(host=host), REJOIN_BUTTON
        else:
            text, button = HOSTED.format(host=host), JOIN
        self.offered = session
        self.offers.offer(text, button, lambda sid=session["id"]: self.join(sid))
        self.offer_changed.emit(session)

    def _withdraw(self) -> None:
        if self.offered is not None:
            self.offered = None
            self.offer_changed.emit(None)
        self.offers.withdraw()

    # --- joining ----------------------------------------------------------------------------

    def join(self, session_id: int) -> Any:
        self._withdraw()
        self.in_room.add(session_id)
        room = self.open_room(session_id)
        finished = getattr(room, "finished", None)
        if finished is not None:
            finished.connect(lambda sid, ended: self._room_closed(session_id, ended))
        return room

    def _room_closed(self, session_id: int, ended: bool) -> None:
        self.in_room.discard(session_id)
        if not ended and self._rt is not None:
            self.tasks.spawn(self._check_still_live(), "presence re-join check")

    async def _check_still_live(self) -> None:
        """After leaving: offer to re-join while the session goes on (R-ROOM-9)."""
        try:
            sessions = await call_http.call(
                "GET", self._portal, "/api/v1/sessions/current", token=self._token
            )
        except (call_http.PortalError, OSError) as exc:
            log.info("could not check the live sessions: %s", exc)
            return
        await asyncio.sleep(0)
        if self._rt is not None:
            self._offer_live(list(sessions or []))
