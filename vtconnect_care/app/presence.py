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

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from vtconnect_care.client import call_http
from vtconnect_care.client.realtime import RealtimeClient, RealtimeError, ws_url

from . import notifier
from .client_home import OfferArea
from .tasks import TaskGroup

log = logging.getLogger("vtconnect.app")

HOSTED = "You are being hosted by {host} in a Care Session."
REJOIN = "Your Care Session with {host} is still in progress. Would you like to re-join it?"
REJOIN_HOST = "Your Care Session with {people} is still in progress. Would you like to re-join it?"
JOIN = "Join"
REJOIN_BUTTON = "Re-join"


class PresenceController(QObject):
    """Feeds an ``OfferArea`` (``offer(text, button, on_join)``, ``withdraw()``): ``offers`` on
    the client's home, ``staff_offers`` (a FloatingOffer over the window) for staff, who have
    no client home; colleagues can be hosted too (R-HOST-2) and a host may re-join (R-ROOM-9).
    """

    offer_changed = Signal(object)  # the session offered, or None

    def __init__(
        self,
        offers: Any,
        open_room: Callable[[int], Any],
        *,
        staff_offers: Any = None,
        realtime_factory: Callable[..., RealtimeClient] = RealtimeClient,
        alert: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client_offers = offers
        self.staff_offers = staff_offers
        self.offers = offers
        self.open_room = open_room
        self.realtime_factory = realtime_factory
        self.alert = alert  # (title, text): a sound and a desktop notification
        self.alerted: set[int] = set()  # sessions already announced
        self.tasks = TaskGroup()
        self.offered: dict | None = None
        self.in_room: set[int] = set()
        self.rooms: list[Any] = []  # open Care Room windows (their sessions are not offered)
        self.account: dict | None = None
        self._rt: RealtimeClient | None = None
        self._portal = ""
        self._token = ""

    # --- life -----------------------------------------------------------------------------

    def start(self, portal_url: str, token: str, account: dict) -> None:
        self.stop()
        self.account, self._portal, self._token = account, portal_url, token
        staff = account.get("kind") == "staff" and self.staff_offers is not None
        self.offers = self.staff_offers if staff else self.client_offers
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
        if self.staff_offers is not None:
            self.staff_offers.withdraw()

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
        open_ = self._open_sessions()
        live = [s for s in sessions if s.get("state") != "ended" and s["id"] not in open_]
        if live:
            self._offer(live[0])
        elif self.offered and self.offered["id"] not in {s["id"] for s in sessions}:
            self._withdraw()

    def _open_sessions(self) -> set:
        """Sessions that a Care Room window of this app has open right now."""
        ids = set(self.in_room)
        for room in self.rooms:
            ids.add(getattr(getattr(room, "controller", None), "session_id", None))
        return ids

    def _offer(self, session: dict) -> None:
        if session["id"] in self._open_sessions():
            return
        me = (self.account or {}).get("id")
        members = session.get("members", [])
        mine = next((m for m in members if m["account_id"] == me), None)
        been_in = session.get("state") == "begun" or (mine or {}).get("status") in (
            "left",
            "dropped",
        )
        host = session.get("host_name") or "your practitioner"
        if session.get("host_id") == me:  # the practitioner's own session (R-ROOM-9)
            names = [m["name"] for m in members if m["account_id"] != me] or ["your clients"]
            people = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            text, button = REJOIN_HOST.format(people=people), REJOIN_BUTTON
        elif been_in:
            text, button = REJOIN.format(host=host), REJOIN_BUTTON
        else:
            text, button = HOSTED.format(host=host), JOIN
            if self.alert is not None and session["id"] not in self.alerted:
                self.alerted.add(session["id"])  # once per session, not at every reconnect
                self.alert(*notifier.hosted(host))
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
        self.watch(room, session_id)
        return room

    def watch(self, room: Any, session_id: int | None = None) -> None:
        """When this room's window closes while its session goes on, offer to re-join."""
        finished = getattr(room, "finished", None)
        if finished is not None:
            self.rooms.append(room)
            finished.connect(lambda sid, ended: self._room_closed(room, sid or session_id, ended))

    def _room_closed(self, room: Any, session_id: int | None, ended: bool) -> None:
        if room in self.rooms:
            self.rooms.remove(room)
        self.in_room.discard(session_id)  # type: ignore[arg-type]
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


class FloatingOffer(OfferArea):
    """The same offer (text and a Join button) as a banner floating over a window's top."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        lay = self.layout()
        lay.setContentsMargins(16, 10, 12, 10)
        self.dismiss_button = QPushButton("Not now")
        self.dismiss_button.setAccessibleName("Not now: hide this invitation")
        self.dismiss_button.clicked.connect(self.withdraw)
        lay.addWidget(self.dismiss_button)
        parent.installEventFilter(self)

    def offer(self, text: str, button: str, on_join: Callable[[], object]) -> None:
        super().offer(text, button, on_join)
        self._place()
        self.raise_()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(760, parent.width() - 40)
        height = max(self.sizeHint().height(), self.heightForWidth(width), 56)
        self.setGeometry((parent.width() - width) // 2, 64, width, height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False
