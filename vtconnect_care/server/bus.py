"""The hub's event bus: what one server process tells the others (deliveries, rooms, revocations).

``LocalBus`` is the embedded default (one process: nobody else to tell). ``RedisBus`` carries the
events through Redis publish/subscribe when ``VTCONNECT_REDIS_URL`` is set, so that several
server processes share rooms. Each event is a small JSON object with a type ``t`` and the
publishing process's ``o`` (origin); a process applies its own events at once and ignores their
echo. Redis pub/sub delivers at most once: after a reconnection the hub re-reads rooms and
sessions from the database (``on_resync``), which stays the truth.

``tell(db, event)`` is for services: the event is published once the database transaction that
caused it commits (a revoked session is told only when the revocation is durable), through the
sink the hub puts in every database session's ``info``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

log = logging.getLogger("vtconnect.bus")

CHANNEL = "vtconnect:hub"
SINK = "vtconnect_bus_sink"  # key in Session.info: a thread-safe callable taking one event
_PENDING = "vtconnect_bus_pending"
OUTGOING_LIMIT = 10_000  # events waiting for Redis; beyond this they are dropped (and logged)

Handler = Callable[[dict[str, Any]], None]


class Bus(Protocol):
    origin: str

    async def start(self, handler: Handler, on_resync: Callable[[], None]) -> None: ...

    def publish(self, event: dict[str, Any]) -> None: ...

    async def close(self) -> None: ...


class LocalBus:
    """One process: every event is already applied where it happened."""

    def __init__(self) -> None:
        self.origin = uuid.uuid4().hex[:12]
        self.published = 0

    async def start(self, handler: Handler, on_resync: Callable[[], None]) -> None:
        return None

    def publish(self, event: dict[str, Any]) -> None:
        self.published += 1

    async def close(self) -> None:
        return None


class RedisBus:
    """Redis publish/subscribe on one channel (redis-py's asyncio client), reconnecting."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self.origin = uuid.uuid4().hex[:12]
        self._out: asyncio.Queue[bytes] = asyncio.Queue(OUTGOING_LIMIT)
        self._tasks: list[asyncio.Task] = []
        self._ready = asyncio.Event()
        self.dropped = 0

    async def start(self, handler: Handler, on_resync: Callable[[], None]) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(handler, on_resync)),
            asyncio.create_task(self._send()),
        ]
        try:  # a server that starts before Redis still starts; events flow once it is up
            await asyncio.wait_for(self._ready.wait(), 5.0)
        except TimeoutError:
            log.warning("Redis at %s is not answering yet; retrying", _safe(self.url))

    def publish(self, event: dict[str, Any]) -> None:
        data = json.dumps({**event, "o": self.origin}, separators=(",", ":")).encode()
        try:
            self._out.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped in (1, 100) or self.dropped % 10_000 == 0:
                log.error("Redis is not keeping up: %s hub events dropped", self.dropped)

    async def _send(self) -> None:
        from redis import asyncio as aioredis

        while True:
            client = aioredis.from_url(self.url)
            try:
                while True:
                    data = await self._out.get()
                    batch = [data]
                    while not self._out.empty() and len(batch) < 256:
                        batch.append(self._out.get_nowait())
                    async with client.pipeline(transaction=False) as pipe:
                        for item in batch:
                            pipe.publish(self.channel, item)
                        await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis went away: reconnect
                log.warning("publishing to Redis failed (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def _listen(self, handler: Handler, on_resync: Callable[[], None]) -> None:
        from redis import asyncio as aioredis

        first = True
        while True:
            client = aioredis.from_url(self.url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                self._ready.set()
                if not first:
                    log.info("Redis is back: re-reading rooms and sessions")
                    on_resync()
                first = False
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        event = json.loads(message["data"])
                    except ValueError:
                        continue
                    if isinstance(event, dict) and event.get("o") != self.origin:
                        try:
                            handler(event)
                        except Exception:  # noqa: BLE001 - one bad event never stops the bus
                            log.exception("hub event failed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis went away: reconnect
                log.warning("Redis subscription lost (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        self._tasks = []


def make_bus(redis_url: str | None) -> Bus:
    return RedisBus(redis_url) if redis_url else LocalBus()


def _safe(url: str) -> str:
    """The Redis address without its password, for logs."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}"


# --- events from services, published after their transaction commits ---------------------


def tell(db: Session, event: dict[str, Any]) -> None:
    """Publish this event once ``db``'s transaction commits (nothing on rollback, or no hub)."""
    if db.info.get(SINK) is None:
        return
    pending = db.info.get(_PENDING)
    if pending is None:
        pending = db.info[_PENDING] = []
        sa_event.listen(db, "after_commit", _flush)
        sa_event.listen(db, "after_rollback", _forget)
    pending.append(event)


def _flush(db: Session) -> None:
    pending, db.info[_PENDING] = db.info.get(_PENDING) or [], []
    sink = db.info.get(SINK)
    for event in pending:
        if sink is not None:
            sink(event)


def _forget(db: Session) -> None:
    db.info[_PENDING] = []
