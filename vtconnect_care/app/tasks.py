"""Background coroutines started from Qt slots: kept alive, errors logged, cancellable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("vtconnect.app")


class TaskGroup:
    """Owns the asyncio tasks a controller starts; ``cancel_all()`` is idempotent."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task | None:
        """Start ``coro`` on the current loop. With the loop already closed (at exit) the
        coroutine is dropped and logged, and None is returned."""
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError as exc:  # "Event loop is closed" / no loop: nothing can run now
            coro.close()
            log.debug("%s not started: %s", name or "task", exc)
            return None
        if name:
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            loop = asyncio.get_event_loop()
            loop.call_exception_handler(
                {"message": f"background task {task.get_name()} failed", "exception": exc}
            )

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
