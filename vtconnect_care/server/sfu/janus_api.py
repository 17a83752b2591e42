"""Janus's WebSocket API, as the portal server speaks it: transactions, sessions, handles, events.

Only the portal server talks to Janus (docs/deploy.md): Janus listens on loopback or a private
address and refuses any request without the API secret. One `JanusConnection` per server
process carries every session; answers are matched to requests by transaction, and anything
Janus sends by itself (a publisher arrived, media up, a hang-up) goes to the session's listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

log = logging.getLogger("vtconnect.sfu")

KEEPALIVE_EVERY = 25.0  # Janus drops a session after 60 s of silence (session_timeout)
ANSWER_TIMEOUT = 10.0

Listener = Callable[[dict], Awaitable[None] | None]


class JanusUnavailable(Exception):
    """Janus cannot be reached (not running, restarting, or the connection dropped)."""


class JanusError(Exception):
    """Janus or its VideoRoom plugin said no."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def plugin_answer(message: dict) -> tuple[dict, dict | None]:
    """The VideoRoom's data and any SDP from an answer; its refusals raised as JanusError."""
    if message.get("janus") == "error":
        error = message.get("error") or {}
        raise JanusError(int(error.get("code", 0)), str(error.get("reason", "error")))
    data = (message.get("plugindata") or {}).get("data") or {}
    if "error_code" in data:
        raise JanusError(int(data["error_code"]), str(data.get("error", "error")))
    return data, message.get("jsep")


class JanusConnection:
    """One WebSocket to Janus's API, shared by every session of this server process."""

    def __init__(self, url: str, api_secret: str) -> None:
        self.url = url
        self._secret = api_secret
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._answers: dict[str, asyncio.Future[dict]] = {}
        self._listeners: dict[int, Listener] = {}
        # events go to listeners from a task of their own, in order: a listener that asks
        # Janus something must not hold up the reader that brings the answer
        self._events: asyncio.Queue[tuple[Listener, dict]] = asyncio.Queue()
        self._dispatcher: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        return self._ws is not None and self._reader is not None and not self._reader.done()

    async def open(self) -> None:
        async with self._lock:
            if self.is_open:
                return
            try:
                ws = await asyncio.wait_for(
                    connect(self.url, subprotocols=["janus-protocol"], max_size=2**22),  # type: ignore[list-item]
                    ANSWER_TIMEOUT,
                )
            except (OSError, TimeoutError, WebSocketException) as exc:
                raise JanusUnavailable(f"Janus at {self.url} cannot be reached: {exc}") from exc
            self._ws = ws
            self._reader = asyncio.create_task(self._read(ws), name="janus-reader")
            if self._dispatcher is None or self._dispatcher.done():
                self._dispatcher = asyncio.create_task(self._dispatch(), name="janus-events")

    async def close(self) -> None:
        reader, ws = self._reader, self._ws
        self._reader = self._ws = None
        if ws is not None:
            with contextlib.suppress(WebSocketException, OSError):
                await ws.close()
        dispatcher, self._dispatcher = self._dispatcher, None
        for task in (reader, dispatcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._fail_waiting()

    def listen(self, session_id: int, listener: Listener) -> None:
        self._listeners[session_id] = listener

    def forget(self, session_id: int) -> None:
        self._listeners.pop(session_id, None)

    async def request(self, body: dict[str, Any], *, timeout: float = ANSWER_TIMEOUT) -> dict:
        """Send one request and wait for its answer (success, error, or the plugin's event)."""
        await self.open()
        transaction = secrets.token_hex(8)
        answer: asyncio.Future[dict] = asyncio.get_running_loop().create_future()
        self._answers[transaction] = answer
        try:
            assert self._ws is not None
            await self._ws.send(
                json.dumps({**body, "transaction": transaction, "apisecret": self._secret})
            )
            return await asyncio.wait_for(answer, timeout)
        except (OSError, WebSocketException) as exc:
            raise JanusUnavailable(f"the connection to Janus dropped: {exc}") from exc
        except TimeoutError as exc:
            raise JanusUnavailable(
                f"Janus did not answer {body.get('janus')} in {timeout} s"
            ) from exc
        finally:
            self._answers.pop(transaction, None)

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    log.warning("janus sent a message that is not JSON")
                    continue
                await self._route(message)
        except (OSError, WebSocketException) as exc:
            log.warning("the connection to Janus dropped: %s", exc)
        finally:
            self._fail_waiting()
            for listener in list(self._listeners.values()):
                self._events.put_nowait((listener, {"janus": "gone"}))

    async def _route(self, message: dict) -> None:
        kind = message.get("janus")
        if kind == "ack":
            return  # an asynchronous plugin answer follows with the same transaction
        waiting = self._answers.get(message.get("transaction") or "")
        if waiting is not None and not waiting.done() and kind in ("success", "error", "event"):
            waiting.set_result(message)
            return
        listener = self._listeners.get(message.get("session_id") or 0)
        if listener is not None:
            self._events.put_nowait((listener, message))

    async def _dispatch(self) -> None:
        while True:
            listener, message = await self._events.get()
            await _call(listener, message)

    def _fail_waiting(self) -> None:
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(JanusUnavailable("the connection to Janus closed"))


async def _call(listener: Listener, message: dict) -> None:
    try:
        result = listener(message)
        if result is not None:
            await result
    except Exception:  # noqa: BLE001 - one listener's bug must not stop the reader
        log.exception("a Janus event listener failed")


class JanusSession:
    """A Janus session (kept alive) with VideoRoom handles attached to it."""

    def __init__(self, connection: JanusConnection, session_id: int) -> None:
        self.connection = connection
        self.id = session_id
        self._keepalive = asyncio.create_task(
            self._keep_alive(), name=f"janus-keepalive-{session_id}"
        )

    @classmethod
    async def create(
        cls, connection: JanusConnection, listener: Listener | None = None
    ) -> JanusSession:
        answer = await connection.request({"janus": "create"})
        plugin_answer(answer)
        session = cls(connection, int(answer["data"]["id"]))
        if listener is not None:
            connection.listen(session.id, listener)
        return session

    async def attach(self) -> int:
        answer = await self.connection.request(
            {"janus": "attach", "plugin": "janus.plugin.videoroom", "session_id": self.id}
        )
        plugin_answer(answer)
        return int(answer["data"]["id"])

    async def message(
        self, handle: int, body: dict, jsep: dict | None = None
    ) -> tuple[dict, dict | None]:
        request: dict[str, Any] = {
            "janus": "message",
            "session_id": self.id,
            "handle_id": handle,
            "body": body,
        }
        if jsep is not None:
            request["jsep"] = jsep
        return plugin_answer(await self.connection.request(request))

    async def detach(self, handle: int) -> None:
        with contextlib.suppress(JanusError, JanusUnavailable):
            await self.connection.request(
                {"janus": "detach", "session_id": self.id, "handle_id": handle}
            )

    async def destroy(self) -> None:
        self._keepalive.cancel()
        self.connection.forget(self.id)
        with contextlib.suppress(JanusError, JanusUnavailable):
            await self.connection.request({"janus": "destroy", "session_id": self.id})

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_EVERY)
            try:
                await self.connection.request({"janus": "keepalive", "session_id": self.id})
            except JanusUnavailable:
                log.warning("keepalive of Janus session %s not answered", self.id)
