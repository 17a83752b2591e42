"""docs/pitfalls.md: PySide6 6.12.0 + qasync drops None's reference count on every socket
event. Push a few thousand UDP datagrams through the app's qasync loop and check it held."""

from __future__ import annotations

import asyncio
import socket
import sys

from tests.app.conftest import run

DATAGRAMS = 3000
BURST = 10


class Counter(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received = 0
        self._waiter: tuple[int, asyncio.Future] | None = None

    def datagram_received(self, data: bytes, addr) -> None:
        self.received += 1
        if self._waiter and self.received >= self._waiter[0] and not self._waiter[1].done():
            self._waiter[1].set_result(None)

    async def reach(self, count: int, timeout: float) -> None:
        """Wait until `count` datagrams arrived (a lost one just ends the wait at the timeout)."""
        if self.received >= count:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiter = (count, fut)
        try:
            await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiter = None


def test_none_refcount_survives_datagrams_through_the_qasync_loop(qloop):
    async def scenario():
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_datagram_endpoint(Counter, local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            before = sys.getrefcount(None)
            sent = 0
            deadline = loop.time() + 30
            while proto.received < DATAGRAMS and loop.time() < deadline:
                for _ in range(BURST):  # small bursts: the receive buffer never overflows
                    sender.sendto(b"x" * 64, ("127.0.0.1", port))
                sent += BURST
                await proto.reach(sent, 0.5)
            after = sys.getrefcount(None)
        finally:
            sender.close()
            transport.close()
        return before, after, proto.received

    before, after, received = run(qloop, scenario(), timeout=40)
    assert received >= DATAGRAMS
    # the broken combination lost about 4 per datagram (12,000 here); allow ordinary jitter
    assert after >= before - 100, f"None's refcount fell from {before} to {after}"


def test_pyside6_is_below_the_broken_release():
    import PySide6

    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), PySide6.__version__


def test_garbage_is_collected_on_the_qt_thread_only(qapp):
    """A QObject in a reference cycle, dropped while an I/O thread allocates, is destroyed by
    the loop's collector on the Qt thread (never on the I/O thread: docs/pitfalls.md)."""
    import gc
    import threading

    from PySide6.QtCore import QObject, QThread, QTimer

    from vtconnect_care.app.event_loop import close_loop, make_loop

    loop = make_loop(qapp)
    destroyed_on: list[bool] = []
    try:
        assert not gc.isenabled()

        class Cyclic(QObject):
            def __init__(self) -> None:
                super().__init__()
                self.me = self  # a reference cycle: only the cyclic collector frees it
                self.timer = QTimer(self, interval=60_000)
                self.timer.start()
                self.destroyed.connect(
                    lambda: destroyed_on.append(QThread.currentThread() is qapp.thread())
                )

        Cyclic()

        kept: list = []

        def allocate() -> None:
            kept.append([{"k": i} for i in range(50_000)])  # Python would collect here

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join(10)
        assert destroyed_on == []  # not collected on the worker thread

        async def until_collected() -> None:
            while not destroyed_on:
                await asyncio.sleep(0.05)

        loop.run_until_complete(asyncio.wait_for(until_collected(), 5))
        assert destroyed_on == [True]
    finally:
        close_loop(loop)
        asyncio.set_event_loop(None)
    assert gc.isenabled()


def test_a_task_is_never_stepped_after_the_loop_stopped(qloop):
    """A task still busy when ``run_until_complete`` returns stays alive for the next run.

    qasync's own ``run_until_complete`` processes Qt's events once more with no running loop:
    the busy task below then failed with "no running event loop" (a CI failure, in the close
    after a Care Room test, came from exactly this)."""
    steps = 0

    async def busy() -> None:
        nonlocal steps
        while True:
            asyncio.get_running_loop()  # as aiortc's queues and timers ask on every step
            steps += 1
            await asyncio.sleep(0)

    task = qloop.create_task(busy())
    run(qloop, asyncio.sleep(0.05))
    assert not task.done(), task.exception() if task.done() and not task.cancelled() else task
    before = steps
    run(qloop, asyncio.sleep(0.05))
    assert steps > before and not task.done()
    task.cancel()
