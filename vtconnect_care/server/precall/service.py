"""The running test peers of one server process: at most ``precall_concurrent`` at once.

``PrecallService.reserve()`` takes a place or raises 429 ``precall_busy``; ``start()`` makes
the peer in that place and answers the offer; a peer gives its place back when it closes
(after its result, on a failed connection, or at ``precall_max_seconds`` at the latest).
``close()`` ends every peer at shutdown and is idempotent. The bound is per process (the peers
live in it); the rate limit per tester is shared by all processes through the database.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI

from vtconnect_care.domain import precall_words as words

from ..errors import ApiError
from ..settings import Settings
from .access import Tester
from .peer import TestPeer

log = logging.getLogger("vtconnect.precall")

BUSY_RETRY_AFTER = 15  # seconds: about one test's length


class Place:
    """A reserved place for one test; ``release()`` is idempotent."""

    def __init__(self, service: PrecallService) -> None:
        self._service = service
        self.released = False

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._service._taken -= 1


class PrecallService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.peers: dict[str, TestPeer] = {}
        self._taken = 0
        self._closed = False

    @property
    def running(self) -> int:
        return self._taken

    def reserve(self) -> Place:
        if self._closed or self._taken >= self.settings.precall_concurrent:
            raise ApiError(
                429,
                "precall_busy",
                words.BUSY,
                headers={"Retry-After": str(BUSY_RETRY_AFTER)},
            )
        self._taken += 1
        return Place(self)

    async def start(self, place: Place, who: Tester, offer_sdp: str) -> tuple[str, str]:
        """The peer's id and its answer SDP; the place goes with the peer (or back, on error)."""
        peer_id = secrets.token_hex(6)

        def closed(peer: TestPeer) -> None:
            self.peers.pop(peer.id, None)
            place.release()

        peer = TestPeer(
            peer_id,
            who.label,
            ice_urls=self.settings.ice_servers,
            limit_seconds=self.settings.precall_max_seconds,
            on_closed=closed,
        )
        self.peers[peer_id] = peer
        try:
            answer = await peer.answer(offer_sdp)
        except Exception as exc:  # noqa: BLE001 - aiortc raises several kinds on a bad offer
            log.info("precall %s for %s: bad offer: %s", peer_id, who.label, exc)
            await peer.close()
            raise ApiError(
                400, "bad_offer", "The connection test could not start: the offer was not valid."
            ) from exc
        log.info("precall %s for %s: answered", peer_id, who.label)
        return peer_id, answer

    async def close(self) -> None:
        self._closed = True
        for peer in list(self.peers.values()):
            await peer.close()


def of(app: FastAPI) -> PrecallService:
    """The app's service, made on first use (closed with the app)."""
    service = getattr(app.state, "precall", None)
    if service is None:
        service = PrecallService(app.state.settings)
        app.state.precall = service

        async def close(_app: FastAPI) -> None:
            await service.close()

        app.state.closers.append(close)
    return service
