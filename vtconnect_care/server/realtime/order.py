"""The hub's background work: tasks kept until done, and each room's changes one at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


class Tasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()
        self._tails: dict[int, asyncio.Task] = {}  # each room's last queued change

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def in_order(self, key: int, work: Callable[[], Awaitable[None]]) -> asyncio.Task:
        """Run ``work`` after the earlier work of the same room, in the order it was queued."""
        before = self._tails.get(key)

        async def run() -> None:
            if before is not None and not before.done():
                await asyncio.wait([before])
            await work()

        task = self.spawn(run())
        self._tails[key] = task

        def forget(t: asyncio.Task) -> None:
            if self._tails.get(key) is t:
                del self._tails[key]

        task.add_done_callback(forget)
        return task

    def __len__(self) -> int:
        return len(self._tasks)
