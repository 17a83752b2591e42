"""The test peer: one aiortc peer connection that a pre-call test talks to, for seconds only.

It answers the tester's offer (non-trickle: the answer carries the candidates), then follows
the tester over four data channels (docs/protocol.md): echoes every probe, counts what arrives
on ``precall-up``, sends as fast as the path takes on ``precall-down`` when asked, and judges
the figures with ``domain.precall``. It sends no media. Whatever happens it is closed after
``limit_seconds``; ``close()`` is idempotent and runs ``on_closed`` once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
from collections.abc import Callable

from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words
from vtconnect_care.domain.precall import PrecallPhase
from vtconnect_care.domain.transitions import StateMachine, WrongMoveError

log = logging.getLogger("vtconnect.precall")

MAX_CONTROL = 64 * 1024  # a report is about 1 KB
LINGER = 2.0  # after the result: time for it to reach the tester before the peer goes
SEQ = struct.Struct("!I")  # each bulk message starts with its sequence number


def stun_only(urls: list[str]) -> RTCConfiguration:
    """The server's own ICE servers: STUN (to learn a public address) and nothing else; an
    explicit list always (aiortc falls back to a public STUN host when given none)."""
    return RTCConfiguration(
        iceServers=[RTCIceServer(urls=u) for u in urls if u.startswith(("stun:", "stuns:"))]
    )


def _rtt(data: dict) -> float | None:
    """The tester's round trip from its probes (it only sizes the sending window)."""
    value = data.get("rtt_ms")
    return float(value) if isinstance(value, int | float) and value >= 0 else None


class TestPeer:
    """The server's side of one test. ``label`` names the tester in logs (never a token)."""

    __test__ = False  # not a pytest class

    def __init__(
        self,
        peer_id: str,
        label: str,
        *,
        ice_urls: list[str],
        limit_seconds: float,
        on_closed: Callable[[TestPeer], object] | None = None,
    ) -> None:
        self.id = peer_id
        self.label = label
        self.loop = asyncio.get_running_loop()
        self.pc = RTCPeerConnection(stun_only(ice_urls))
        self.phase = StateMachine(f"precall {peer_id}", PrecallPhase.CONNECTING, rules.PHASE_MOVES)
        self.plan: rules.Plan | None = None
        self.probes_received = 0
        self.up_bins: rules.Bins | None = None
        self.up_total = 0
        self.up_ack = 0  # messages accounted for: the highest sequence number seen, plus one
        self.down_window: rules.Window | None = None
        self.down_ack = 0
        self.down_channel: RTCDataChannel | None = None
        self.control: RTCDataChannel | None = None
        self.result: dict | None = None
        self._on_closed = on_closed
        self._tasks: set[asyncio.Task] = set()
        self._closing: asyncio.Task | None = None
        self._deadline = self.loop.call_later(limit_seconds, self._expired)
        self.pc.on("datachannel", self._on_channel)
        self.pc.on("connectionstatechange", self._on_state)

    @property
    def closed(self) -> bool:
        return self.phase.state is PrecallPhase.CLOSED

    async def answer(self, offer_sdp: str) -> str:
        """The answer SDP, its candidates gathered (raises ValueError on a bad offer)."""
        await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        assert self.pc.localDescription is not None
        return self.pc.localDescription.sdp

    # --- channels ------------------------------------------------------------------------

    def _on_channel(self, channel: RTCDataChannel) -> None:
        if channel.label == rules.PROBE:
            channel.on("message", lambda m: self._on_probe(channel, m))
        elif channel.label == rules.UP:
            channel.on("message", self._on_up)
        elif channel.label == rules.DOWN:
            self.down_channel = channel
        elif channel.label == rules.CONTROL:
            self.control = channel
            channel.on("message", self._on_control)
        else:
            log.info("precall %s: unknown channel %r closed", self.id, channel.label[:40])
            channel.close()

    def _on_probe(self, channel: RTCDataChannel, message: str | bytes) -> None:
        if self.phase.state is PrecallPhase.PROBING and isinstance(message, bytes):
            if len(message) <= 256:
                self.probes_received += 1
                channel.send(message)  # the echo: loss and round trip both ways

    def _on_up(self, message: str | bytes) -> None:
        if self.up_bins is not None and self.phase.state is PrecallPhase.UPLOAD:
            if isinstance(message, bytes) and len(message) >= SEQ.size:
                self.up_ack = max(self.up_ack, SEQ.unpack_from(message)[0] + 1)
            self.up_total += len(message)
            self.up_bins.add(len(message), self.loop.time())

    def _on_state(self) -> None:
        if self.pc.connectionState in ("failed", "closed"):
            self.close_soon(0)

    # --- the tester's moves --------------------------------------------------------------

    def _send(self, message: dict) -> None:
        if self.control is not None and self.control.readyState == "open":
            self.control.send(json.dumps(message))

    def _on_control(self, message: str | bytes) -> None:
        if not isinstance(message, str) or len(message) > MAX_CONTROL:
            return
        try:
            data = json.loads(message)
            kind = data["type"]
        except (ValueError, KeyError, TypeError):
            return
        try:
            self._handle(kind, data)
        except WrongMoveError:
            log.info("precall %s: %r out of turn in %s", self.id, kind, self.phase.state)
            self._send({"type": "error", "code": "out_of_turn"})
        except (ValueError, TypeError, KeyError):
            log.info("precall %s: malformed %r", self.id, kind)
            self._send({"type": "error", "code": "bad_message"})

    def _handle(self, kind: object, data: dict) -> None:
        if kind == "start":
            self.phase.move(PrecallPhase.READY)
            seconds = data.get("seconds")
            self.plan = rules.plan(float(seconds) if isinstance(seconds, int | float) else None)
            self.phase.move(PrecallPhase.PROBING)
            self._send(self.plan.as_message())
        elif kind == "up":
            assert self.plan is not None
            self.phase.move(PrecallPhase.UPLOAD)
            self.up_bins = rules.Bins(self.loop.time(), self.plan.up, self.plan.interval)
            self._spawn(self._up_feedback(rules.Window(_rtt(data))))
        elif kind == "down":
            assert self.plan is not None
            self.phase.move(PrecallPhase.DOWNLOAD)
            self.down_window = rules.Window(_rtt(data))
            self._spawn(self._send_down(self.plan, self.down_window))
        elif kind == "got":
            if self.down_window is not None and self.phase.state is PrecallPhase.DOWNLOAD:
                self.down_ack = max(self.down_ack, int(data["ack"]))
                self.down_window.update(int(data["bytes"]), self.loop.time())
        elif kind == "report":
            self._report(data)

    async def _up_feedback(self, window: rules.Window) -> None:
        """While the tester sends: what arrived so far, and how much more may be on the way."""
        while self.phase.state is PrecallPhase.UPLOAD:
            allowed = window.update(self.up_total, self.loop.time())
            self._send(
                {"type": "window", "got": self.up_total, "ack": self.up_ack, "allowed": allowed}
            )
            await asyncio.sleep(rules.FEEDBACK_SECONDS)

    async def _send_down(self, the_plan: rules.Plan, window: rules.Window) -> None:
        channel = self.down_channel
        if channel is None:
            self._send({"type": "error", "code": "no_down_channel"})
            return
        size = the_plan.message_bytes
        padding = b"\xaa" * (size - SEQ.size)
        start = self.loop.time()
        pacer = rules.Pacer(the_plan.max_kbps, start)
        sent = 0  # messages
        while self.loop.time() - start < the_plan.down and channel.readyState == "open":
            while (
                (sent - self.down_ack) * size < window.allowed
                and channel.bufferedAmount < rules.MAX_BUFFERED
                and pacer.take(size, self.loop.time())
            ):
                channel.send(SEQ.pack(sent) + padding)
                sent += 1
            await asyncio.sleep(0.005)
        self._send({"type": "down_end", "sent": sent * size})

    def _report(self, data: dict) -> None:
        assert self.plan is not None and self.up_bins is not None
        rtts = data.get("rtt_ms") or []
        down = data.get("down_bins") or []
        if not isinstance(rtts, list) or not isinstance(down, list):
            raise ValueError("report lists")
        limit = 4 * rules.bins_for(self.plan.probe, self.plan.probe_interval)
        figures = rules.figures(
            the_plan=self.plan,
            probes_sent=int(data.get("probes_sent", 0)),
            probes_received=self.probes_received,
            rtts_ms=[float(r) for r in rtts[:limit]],
            up_bins=self.up_bins.counts,
            down_bins=[int(b) for b in down[: rules.bins_for(self.plan.down) + 1]],
        )
        log.debug("precall %s: up bins %s, down bins %s", self.id, self.up_bins.counts, down)
        self.phase.move(PrecallPhase.REPORTED)
        judgement = words.judge(figures)
        self.result = {
            "figures": figures.as_dict(),
            **judgement.as_dict(),
            "lines": words.figure_lines(figures),
        }
        self._send({"type": "result", **self.result})
        log.info(
            "precall %s for %s: %s (%s)",
            self.id,
            self.label,
            judgement.word,
            words.summary(figures),
        )
        self.close_soon(LINGER)

    # --- life ----------------------------------------------------------------------------

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _expired(self) -> None:
        if not self.closed:
            log.info("precall %s: time is up in %s; closing", self.id, self.phase.state)
            self.close_soon(0)

    def close_soon(self, delay: float) -> None:
        if self._closing is None and not self.closed:
            self._closing = asyncio.ensure_future(self._close_after(delay))

    async def _close_after(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.close()

    async def close(self) -> None:
        if self.closed:
            return
        self.phase.move(PrecallPhase.CLOSED)
        self._deadline.cancel()
        if self._closing is not None and self._closing is not asyncio.current_task():
            self._closing.cancel()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await self.pc.close()
        if self._on_closed is not None:
            self._on_closed(self)
