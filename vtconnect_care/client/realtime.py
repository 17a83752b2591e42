"""The app's realtime channel: one WebSocket to the portal hub, re-opened with backoff after a drop.

``RealtimeClient(url, token, on_message=..., on_state=...)``: ``start()`` connects and waits for
the hub's ``hello``; ``send(msg)`` writes one message; ``request(msg)`` sends it with a ``ref`` and
waits for the reply carrying the same ``ref`` (an ``error`` reply raises ``RealtimeError``).
Unsolicited messages go to ``on_message(msg)``; state changes (``connected`` with the hello,
``disconnected``, ``gave_up``, ``refused``) go to ``on_state(state, data)``. After a drop it keeps
trying for ``reconnect_for`` seconds (120 by default; the hub keeps a place for at least 60),
with a backoff that doubles from 0.1 s up to 1.5 s. ``close()`` is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

log = logging.getLogger("vtconnect.realtime")

AUTH_REFUSED = 4401  # close code: the token is not (or no longer) valid


class RealtimeError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def ws_url(portal_url: str) -> str:
    base = portal_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://") :] + "/api/v1/ws"
    if base.startswith("http://"):
        return "ws://" + base[len("http://") :] + "/api/v1/ws"
    return base + "/api/v1/ws"


class RealtimeClient:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        on_message: Callable[[dict], None],
        on_state: Callable[[str, dict], None] | None = None,
        reconnect_for: float = 120.0,
        backoff: tuple[float, float] = (0.1, 1.5),
        request_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self._token = token
        self._on_message = on_message
        self._on_state = on_state or (lambda state, data: None)
        self.reconnect_for = reconnect_for
        self.backoff = backoff
        self.request_timeout = request_timeout
        self.hello: dict | None = None
        self.connected = asyncio.Event()
        self.connections = 0  # how many times a socket was opened (1 + reconnects)
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task | None = None
        self._closed = False
        self._first: asyncio.Future[dict] | None = None
        self._pending: dict[str, asyncio.Future[dict]] = {}
        self._refs = itertools.count(1)
        self._dispatch_refs: set[str] = set()

    # --- life -------------------------------------------------------------------------------

    async def start(self, timeout: float = 10.0) -> dict:
        """Connect and return the hub's hello; raises RealtimeError or TimeoutError."""
        if self._task is None:
            self._first = asyncio.get_running_loop().create_future()
            self._task = asyncio.create_task(self._run(), name="realtime")
        assert self._first is not None
        return await asyncio.wait_for(asyncio.shield(self._first), timeout)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        ws, task = self._ws, self._task
        if ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 2.0)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._fail_pending(ConnectionError("closed"))

    def cut(self) -> None:
        """Drop the socket abruptly, as a network failure would (tests and demos)."""
        ws = self._ws
        if ws is not None:
            ws.transport.abort()

    # --- sending -----------------------------------------------------------------------------

    async def send(self, message: dict) -> None:
        ws = self._ws
        if ws is None or not self.connected.is_set():
            raise ConnectionError("The connection to the portal is down; it is being restored.")
        await ws.send(json.dumps(message, separators=(",", ":")))

    async def request(
        self, message: dict, timeout: float | None = None, *, dispatch: bool = False
    ) -> dict:
        """Send and wait for the reply. With ``dispatch``, a successful reply also goes to
        ``on_message`` first, in order with the events around it."""
        ref = f"r{next(self._refs)}"
        future: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._pending[ref] = future
        if dispatch:
            self._dispatch_refs.add(ref)
        try:
            await self.send({**message, "ref": ref})
            return await asyncio.wait_for(future, timeout or self.request_timeout)
        finally:
            self._pending.pop(ref, None)
            self._dispatch_refs.discard(ref)

    # --- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self.backoff[0]
        down_since: float | None = None
        while not self._closed:
            refused = False
            try:
                async with connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {self._token}"},
                    open_timeout=5,
                    max_size=2**20,
                    ping_interval=10,
                    ping_timeout=10,
                ) as ws:
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if hello.get("type") != "hello":
                        refused = True
                        self._refuse(hello)
                        return
                    self._ws = ws
                    self.hello = hello
                    self.connections += 1
                    delay, down_since = self.backoff[0], None
                    self.connected.set()
                    if self._first is not None and not self._first.done():
                        self._first.set_result(hello)
                    self._on_state("connected", hello)
                    async for raw in ws:
                        self._dispatch(raw)
                    if ws.close_code == AUTH_REFUSED:
                        refused = True
                        self._refuse({"code": "not_authenticated", "message": "Log in again."})
                        return
            except asyncio.CancelledError:
                raise
            except InvalidStatus as exc:
                log.warning("portal refused the socket: %s", exc)
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError, ValueError) as exc:
                log.info("realtime socket down: %s", exc)
            finally:
                was_up = self.connected.is_set()
                self._ws = None
                self.connected.clear()
                self._fail_pending(ConnectionError("The connection to the portal dropped."))
                if was_up and not refused and not self._closed:
                    self._on_state("disconnected", {})
            if self._closed:
                return
            down_since = down_since or time.monotonic()
            if time.monotonic() - down_since > self.reconnect_for:
                self._on_state("gave_up", {})
                if self._first is not None and not self._first.done():
                    self._first.set_exception(ConnectionError("The portal cannot be reached."))
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.backoff[1])

    def _refuse(self, message: dict) -> None:
        err = RealtimeError(message.get("code", "refused"), message.get("message", "Refused."))
        if self._first is not None and not self._first.done():
            self._first.set_exception(err)
        self._on_state("refused", {"code": err.code, "message": err.message})

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            message: dict[str, Any] = json.loads(raw)
        except ValueError:
            log.warning("the hub sent something that is not JSON")
            return
        ref = message.get("ref")
        future = self._pending.get(ref) if isinstance(ref, str) else None
        if future is not None and not future.done():
            if message.get("type") == "error":
                future.set_exception(RealtimeError(message["code"], message["message"]))
                return
            if ref in self._dispatch_refs:
                self._on_message(message)
            future.set_result(message)
            return
        try:
            self._on_message(message)
        except Exception:  # noqa: BLE001 - one bad handler never stops the socket
            log.exception("handling %s failed", message.get("type"))

    def _fail_pending(self, exc: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
        self._pending.clear()
