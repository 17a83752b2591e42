"""One hub connection: who it is (kept from the connect), which rooms it joined, and a bounded
outgoing queue written by its own task, so that no delivery ever waits on a slow reader."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime

from starlette.websockets import WebSocket

from .limits import TokenBucket

log = logging.getLogger("vtconnect.realtime")

OUTBOX_LIMIT = 256  # a client that lets this many messages pile up is cut off


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        *,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.websocket = websocket
        self.account_id: int | None = None
        self.token: str | None = None
        self.token_id: int | None = None  # the row a revocation names
        self.via = "session"  # or "visit": a visit page's invite link
        self.allowed: frozenset[int] | None = None  # sessions it may touch (None: its own)
        self.expires_at: datetime | None = None
        self.sessions: set[int] = set()
        self.bucket = TokenBucket(rate, burst, clock)
        self._outbox: asyncio.Queue[dict | None] = asyncio.Queue(OUTBOX_LIMIT)
        self._writer: asyncio.Task | None = None
        self.closed = False

    def may_use(self, session_id: int) -> bool:
        return self.allowed is None or session_id in self.allowed

    def start_writer(self) -> None:
        self._writer = asyncio.create_task(self._write_loop())

    async def _write_loop(self) -> None:
        while True:
            message = await self._outbox.get()
            if message is None:
                return
            try:
                await self.websocket.send_text(json.dumps(message, separators=(",", ":")))
            except Exception:  # noqa: BLE001 - the socket went away; the reader notices
                self.closed = True
                return

    def send(self, message: dict) -> None:
        """Queue a message; never waits. A client too slow to read is disconnected."""
        if self.closed:
            return
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("account %s does not read its socket: closing it", self.account_id)
            self.closed = True
            asyncio.create_task(self.close(code=1008))

    async def close(self, code: int = 1000) -> None:
        self.closed = True
        with contextlib.suppress(Exception):
            await self.websocket.close(code=code)

    async def finish(self) -> None:
        """Flush what is queued, then stop the writer (idempotent)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        with contextlib.suppress(asyncio.QueueFull):
            self._outbox.put_nowait(None)
        try:
            await asyncio.wait_for(writer, timeout=2.0)
        except (TimeoutError, asyncio.CancelledError, Exception):  # noqa: BLE001
            writer.cancel()


def error_message(code: str, message: str, ref: str | None = None) -> dict:
    """The hub's refusal of a message: a code for programs, a sentence for people."""
    out = {"type": "error", "code": code, "message": message}
    if ref is not None:
        out["ref"] = ref
    return out
