"""The engine's watchdog: keep the login alive in a long call, replace connections carrying no
media (after the network came back, a failed connection, a media server back after a restart)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from vtconnect_care.domain.care_room import SessionState

from ..realtime import RealtimeError
from .states import EngineState

KEEPALIVE = 30.0  # seconds between pings while in a session (the login's idle limit is 60 min)


async def keep_media_flowing(engine: Any) -> None:  # a CallEngine (no import: no cycle)
    """Runs for the engine's life, four times a second."""
    last_ping = time.monotonic()
    while True:
        await asyncio.sleep(0.25)
        if not engine._rt.connected.is_set() or not engine.session:
            continue
        now = time.monotonic()
        live = engine.session_state
        if now - last_ping > KEEPALIVE and live is not None and live.live:
            # a call can run for an hour without a message: keep the login from idling out
            last_ping = now
            with contextlib.suppress(ConnectionError):
                await engine._rt.send({"type": "ping"})
        if live is not SessionState.BEGUN or engine.state is not EngineState.IN_CALL:
            continue
        for other in engine._others_present():
            peer = engine.peers.get(other)
            if peer is not None and not peer.needs_replacing(
                now=now, stale_after=engine.stale_after
            ):
                continue
            # the offerer acts at once; the other side too if nothing came for a while
            waited = now - (peer.created if peer else engine.marks.get("joined", now))
            if engine.mesh.offers_to(other) or waited > 3 * engine.stale_after + 3.0:
                with contextlib.suppress(ConnectionError, RealtimeError):
                    await engine.mesh.offer(other)
