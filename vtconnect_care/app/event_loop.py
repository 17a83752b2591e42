"""The app's asyncio loop: qasync on the QApplication, with a plain thread pool for blocking work.

qasync's own default executor runs jobs on QThreads; ``asyncio.to_thread`` (HTTP requests,
keyring, device probing) instead uses an ordinary ``ThreadPoolExecutor`` here, whose results
come back through ``call_soon_threadsafe`` like in any asyncio loop. PySide6 must stay below
6.12 (docs/pitfalls.md: None's reference count under qasync).

Cyclic garbage is collected on the Qt thread only (``MainThreadCollector``): Python runs its
collector in whichever thread happens to allocate, so a QObject caught in a reference cycle
could otherwise be destroyed on an I/O thread. Qt then warns "Timers cannot be stopped from
another thread" and its event dispatcher keeps a dangling timer that crashes the app later,
far from the cause (seen here in a CI run).
"""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor

IO_THREADS = 4
GC_CHECK_MS = 250


class MainThreadCollector:
    """Turns off automatic garbage collection and collects from a timer on the Qt thread."""

    def __init__(self, interval_ms: int = GC_CHECK_MS) -> None:
        from PySide6.QtCore import QTimer

        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(interval=interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose thresholds were passed, as Python itself would."""
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self._thresholds
        if c0 <= t0:
            return
        generation = 2 if c2 > t2 else 1 if c1 > t1 else 0
        gc.collect(generation)

    def stop(self) -> None:
        """Back to Python's own collector, after a last full collection on this thread."""
        if self._timer is None:
            return
        self._timer.stop()
        self._timer = None
        gc.collect()
        if self._was_enabled:
            gc.enable()


def _loop_class():
    import qasync

    class AppEventLoop(qasync.QEventLoop):
        """qasync's loop whose ``run_until_complete`` ends when the loop ends.

        qasync's own processes Qt's pending events once more after the loop stopped, with no
        running loop set: a socket notifier or timer due then steps an aiortc task outside the
        loop ("no running event loop", "bound to a different event loop"), and that task is
        dead when the call later closes (seen in a CI run, at the close after a Care Room test)."""

        def run_until_complete(self, future):
            if self.is_running():
                raise RuntimeError("Event loop already running")
            future = asyncio.ensure_future(future, loop=self)

            def stop(_future: asyncio.Future) -> None:
                self.stop()

            future.add_done_callback(stop)
            try:
                self.run_forever()
            finally:
                future.remove_done_callback(stop)
            if not future.done():
                raise RuntimeError("Event loop stopped before Future completed.")
            return future.result()

    return AppEventLoop


def make_loop(app) -> asyncio.AbstractEventLoop:
    """A qasync QEventLoop for ``app``, set as the current loop; ``loop.close()`` ends the pool.

    ``loop.collector`` is the loop's ``MainThreadCollector``; ``close_loop`` stops it."""
    loop = _loop_class()(app)
    loop.collector = MainThreadCollector()  # type: ignore[attr-defined]
    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="vtconnect-io")
    )
    asyncio.set_event_loop(loop)
    return loop


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Close ``loop`` and hand garbage collection back to Python (after a last collection)."""
    if not loop.is_closed():
        loop.close()
    collector = getattr(loop, "collector", None)
    if collector is not None:
        collector.stop()
