"""The pre-call connection test, the app's side: ``await run_precall(portal_url, token)``.

One WebRTC connection (aiortc) to the portal's test peer, a few seconds of measuring over data
channels, then a ``PrecallResult``: round trip, loss each way, what arrived each way in kbit/s
and the verdict of ``domain.precall_words.judge``. No Qt: the app runs it on its qasync loop, the
benchmark inside a network namespace. The wire protocol is in docs/protocol.md ("The pre-call
connection test"); the plan and the counting are in ``domain/precall.py``,
the verdict in ``domain/precall_words.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import statistics
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidStateError

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words
from vtconnect_care.domain.precall import Figures, PrecallPhase
from vtconnect_care.domain.precall_words import Judgement, Verdict
from vtconnect_care.domain.transitions import StateMachine

from . import call_http
from .ice import rtc_configuration

log = logging.getLogger("vtconnect.precall")

PATH = "/api/v1/precall"
CONNECT_TIMEOUT = 10.0  # offer to every channel open
RESULT_TIMEOUT = 5.0
PROBE = struct.Struct("!Id")  # sequence number, send time; padded to PROBE_BYTES
PROBE_BYTES = 40
SEQ = struct.Struct("!I")  # each bulk message starts with its sequence number

PhaseCallback = Callable[[PrecallPhase], object]


class PrecallError(Exception):
    """The test could not run or finish; ``message`` is a sentence for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PrecallResult:
    figures: Figures
    judgement: Judgement
    seconds: float  # how long the whole test took, connecting included

    @property
    def rtt_ms(self) -> float | None:
        return self.figures.rtt_ms

    @property
    def loss_up(self) -> float:
        return self.figures.loss_up

    @property
    def loss_down(self) -> float:
        return self.figures.loss_down

    @property
    def up_kbps(self) -> float:
        return self.figures.up_kbps

    @property
    def down_kbps(self) -> float:
        return self.figures.down_kbps

    @property
    def kbps(self) -> float:
        """The slower direction: what a call could count on."""
        return min(self.up_kbps, self.down_kbps)

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    @property
    def word(self) -> str:
        return self.judgement.word

    @property
    def advice(self) -> str:
        return self.judgement.advice

    def as_dict(self) -> dict:
        return {**self.figures.as_dict(), **self.judgement.as_dict(), "seconds": self.seconds}


async def run_precall(
    portal_url: str,
    token: str,
    *,
    seconds: float = rules.DEFAULT_SECONDS,
    on_phase: PhaseCallback | None = None,
) -> PrecallResult:
    """Test the connection to this portal for about ``seconds`` (4 to 9) with a session or a
    visit-link token. Raises PrecallError with a sentence when the portal refuses, cannot be
    reached, or the connection cannot be made or breaks off."""
    started = time.monotonic()
    config = await _request("GET", portal_url, token)
    test = _Test(config.get("ice_servers") or [], on_phase)
    try:
        figures = await test.run(portal_url, token, seconds)
    except InvalidStateError as exc:  # a channel closed under us: the connection broke off
        raise PrecallError("interrupted", words.INTERRUPTED) from exc
    finally:
        await test.close()
    result = PrecallResult(figures, words.judge(figures), round(time.monotonic() - started, 2))
    log.info("pre-call test: %s (%s)", result.word, words.summary(figures))
    return result


async def _request(method: str, portal_url: str, token: str, body: dict | None = None) -> dict:
    try:
        return await call_http.call(method, portal_url, PATH, body, token=token, timeout=15.0)
    except call_http.PortalError as exc:
        log.info("pre-call test refused: %s %s", exc.status, exc.code)
        message = exc.message if exc.code != "http_error" else words.UNREACHABLE
        raise PrecallError(exc.code, message) from exc
    except (OSError, ValueError) as exc:  # URLError, timeouts, a garbled answer
        log.info("pre-call test: portal unreachable: %s", exc)
        raise PrecallError("unreachable", words.UNREACHABLE) from exc


class _Test:
    """One run: the peer connection, its four channels and the phases."""

    def __init__(self, ice_servers: list[dict], on_phase: PhaseCallback | None) -> None:
        self.loop = asyncio.get_running_loop()
        self.pc = RTCPeerConnection(rtc_configuration(ice_servers))
        self.phase = StateMachine(
            "precall",
            PrecallPhase.CONNECTING,
            rules.PHASE_MOVES,
            on_change=(lambda _old, new: on_phase(new)) if on_phase else None,
            logger=log,
        )
        self.control = self.pc.createDataChannel(rules.CONTROL)
        self.probe = self.pc.createDataChannel(rules.PROBE, ordered=False, maxRetransmits=0)
        # bulk too is unordered and never resent: what arrives is counted, what is lost is not
        # waited for (a reliable channel stalled for a second at a time at 5% loss)
        self.up = self.pc.createDataChannel(rules.UP, ordered=False, maxRetransmits=0)
        self.down = self.pc.createDataChannel(rules.DOWN, ordered=False, maxRetransmits=0)
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.failed = asyncio.Event()
        self.sent_at: dict[int, float] = {}
        self.rtts: list[float] = []
        self.probe_deadline = float("inf")
        self.down_bins: rules.Bins | None = None
        self.down_total = 0
        self.down_ack = 0  # messages accounted for: the highest sequence number seen, plus one
        self.up_ack = 0  # the peer's count, and how many more bytes may be on the way
        self.up_allowed = rules.MIN_WINDOW
        self.control.on("message", self._on_control)
        self.probe.on("message", self._on_echo)
        self.down.on("message", self._on_down)
        self.pc.on("connectionstatechange", self._on_state)

    # --- events --------------------------------------------------------------------------

    def _on_state(self) -> None:
        if self.pc.connectionState in ("failed", "closed"):
            self.failed.set()

    def _on_control(self, message: str | bytes) -> None:
        with contextlib.suppress(ValueError, TypeError, KeyError):
            data = json.loads(message)
            if not isinstance(data, dict):
                return
            if data.get("type") == "window":  # feedback while we upload: not queued
                self.up_ack = max(self.up_ack, int(data["ack"]))
                self.up_allowed = max(0, int(data["allowed"]))
                return
            self.inbox.put_nowait(data)

    def _on_echo(self, message: str | bytes) -> None:
        now = self.loop.time()
        if not isinstance(message, bytes) or len(message) < PROBE.size or now > self.probe_deadline:
            return
        seq, _ = PROBE.unpack_from(message)
        sent = self.sent_at.pop(seq, None)
        if sent is not None:
            self.rtts.append((now - sent) * 1000)

    def _on_down(self, message: str | bytes) -> None:
        if self.down_bins is not None and isinstance(message, bytes) and len(message) >= SEQ.size:
            self.down_ack = max(self.down_ack, SEQ.unpack_from(message)[0] + 1)
            self.down_total += len(message)
            self.down_bins.add(len(message), self.loop.time())

    # --- the run -------------------------------------------------------------------------

    async def run(self, portal_url: str, token: str, seconds: float) -> Figures:
        await self.pc.setLocalDescription(await self.pc.createOffer())  # gathers: no trickle
        offer = self.pc.localDescription
        answer = await _request("POST", portal_url, token, {"type": offer.type, "sdp": offer.sdp})
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await self._until_open()
        self.control.send(json.dumps({"type": "start", "seconds": seconds}))
        plan_msg = await self._expect("plan", CONNECT_TIMEOUT)
        the_plan = rules.Plan(
            probe=float(plan_msg["probe_seconds"]),
            up=float(plan_msg["up_seconds"]),
            down=float(plan_msg["down_seconds"]),
            warmup=float(plan_msg["warmup_seconds"]),
            interval=float(plan_msg["bin_seconds"]),
            probe_interval=float(plan_msg["probe_interval"]),
            max_kbps=int(plan_msg["max_kbps"]),
            message_bytes=int(plan_msg["message_bytes"]),
        )
        self.phase.move(PrecallPhase.READY)
        probes_sent = await self._probe(the_plan)
        await self._upload(the_plan)
        await self._download(the_plan)
        assert self.down_bins is not None
        self.control.send(
            json.dumps(
                {
                    "type": "report",
                    "probes_sent": probes_sent,
                    "rtt_ms": [round(r, 2) for r in self.rtts],
                    "down_bins": self.down_bins.counts,
                }
            )
        )
        result = await self._expect("result", RESULT_TIMEOUT)
        self.phase.move(PrecallPhase.REPORTED)
        return Figures.from_dict(result["figures"])

    async def _until_open(self) -> None:
        channels = (self.control, self.probe, self.up, self.down)

        async def opened(channel: RTCDataChannel) -> None:
            if channel.readyState != "open":
                event = asyncio.Event()
                channel.once("open", event.set)
                await event.wait()

        waiting: asyncio.Future[object] = asyncio.ensure_future(
            asyncio.gather(*(opened(c) for c in channels))
        )
        failed: asyncio.Future[object] = asyncio.ensure_future(self.failed.wait())
        try:
            done, _ = await asyncio.wait(
                {waiting, failed}, timeout=CONNECT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiting.cancel()
            failed.cancel()
        if waiting not in done or waiting.cancelled():
            raise PrecallError("no_connection", words.NO_CONNECTION)

    async def _expect(self, kind: str, timeout: float) -> dict:
        deadline = self.loop.time() + timeout
        while True:
            left = deadline - self.loop.time()
            if left <= 0 or self.failed.is_set():
                raise PrecallError("interrupted", words.INTERRUPTED)
            try:
                message = await asyncio.wait_for(self.inbox.get(), min(left, 0.25))
            except TimeoutError:
                continue
            if message.get("type") == kind:
                return message
            if message.get("type") == "error":
                raise PrecallError(str(message.get("code", "error")), words.INTERRUPTED)

    def _check(self) -> None:
        if self.failed.is_set() or self.control.readyState != "open":
            raise PrecallError("interrupted", words.INTERRUPTED)

    async def _probe(self, the_plan: rules.Plan) -> int:
        self.phase.move(PrecallPhase.PROBING)
        padding = b"\0" * (PROBE_BYTES - PROBE.size)
        start = self.loop.time()
        seq = 0
        while self.loop.time() - start < the_plan.probe:
            self._check()
            now = self.loop.time()
            self.sent_at[seq] = now
            self.probe.send(PROBE.pack(seq, now) + padding)
            seq += 1
            await asyncio.sleep(start + seq * the_plan.probe_interval - self.loop.time())
        self.probe_deadline = self.loop.time() + rules.PROBE_GRACE
        await asyncio.sleep(rules.PROBE_GRACE)
        return seq

    def _rtt(self) -> float | None:
        return round(statistics.median(self.rtts), 2) if self.rtts else None

    async def _upload(self, the_plan: rules.Plan) -> None:
        self.phase.move(PrecallPhase.UPLOAD)
        self.control.send(json.dumps({"type": "up", "rtt_ms": self._rtt()}))
        size = the_plan.message_bytes
        padding = b"\x55" * (size - SEQ.size)
        start = self.loop.time()
        pacer = rules.Pacer(the_plan.max_kbps, start)
        sent = 0  # messages
        while self.loop.time() - start < the_plan.up:
            self._check()
            while (
                (sent - self.up_ack) * size < self.up_allowed
                and self.up.bufferedAmount < rules.MAX_BUFFERED
                and pacer.take(size, self.loop.time())
            ):
                self.up.send(SEQ.pack(sent) + padding)
                sent += 1
            await asyncio.sleep(0.005)
        # what is still queued would compete with the download: let it go first (bounded)
        drained = self.loop.time() + 1.5
        while self.up.bufferedAmount > 0 and self.loop.time() < drained:
            await asyncio.sleep(0.02)

    async def _download(self, the_plan: rules.Plan) -> None:
        self.phase.move(PrecallPhase.DOWNLOAD)
        self.down_bins = rules.Bins(self.loop.time(), the_plan.down, the_plan.interval)
        self.control.send(json.dumps({"type": "down", "rtt_ms": self._rtt()}))
        ended = asyncio.ensure_future(self._expect("down_end", the_plan.down + 3.0))
        try:
            while not ended.done():  # tell the peer what arrived, so it sends no faster
                self.control.send(
                    json.dumps({"type": "got", "bytes": self.down_total, "ack": self.down_ack})
                )
                await asyncio.wait({ended}, timeout=rules.FEEDBACK_SECONDS)
        finally:
            ended.cancel()
        ended.result()

    async def close(self) -> None:
        if self.phase.state is not PrecallPhase.CLOSED:
            self.phase.move(PrecallPhase.CLOSED)
        with contextlib.suppress(Exception):
            await self.pc.close()
