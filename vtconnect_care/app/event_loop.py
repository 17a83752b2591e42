"""The app's asyncio loop: qasync on the QApplication, with a plain thread pool for blocking work.

qasync's own default executor runs jobs on QThreads; ``asyncio.to_thread`` (HTTP requests,
keyring, device probing) instead uses an ordinary ``ThreadPoolExecutor`` here, whose results
come back through ``call_soon_threadsafe`` like in any asyncio loop. PySide6 must stay below
6.12 (DESIGN.md section 8: None's reference count under qasync).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

IO_THREADS = 4


def make_loop(app) -> asyncio.AbstractEventLoop:
    """A qasync QEventLoop for ``app``, set as the current loop; ``loop.close()`` ends the pool."""
    import qasync

    loop = qasync.QEventLoop(app)
    loop.set_default_executor(
        ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="vtconnect-io")
    )
    asyncio.set_event_loop(loop)
    return loop
