"""Adaptation for one peer connection: the ladder applied, audio only, and what the other side
is told (signal ``media``: ``{"video": false, "reason": "weak" | "chosen"}``, ``{"video": true,
"reason": "probe"}`` before a probe, ``{"video": true}`` when video is back).

Every ``EVERY`` seconds the adapter reads the receiver's estimate (REMB, recorded by the
encoder) and the loss the other side reports (RTCP receiver reports), asks its
``domain.video_ladder.Ladder`` what to send, and sets the sender's ``SendPolicy``. Video also
stops, in both directions, while either person chose "Audio only" (``reason: chosen``).

The machine is read at the same pace: the share of the wall clock the encoder was busy and how
late the event loop woke up go to a ``domain.video_ladder.MachineLimit``, which steps the
picture down (the frame rate last) when this machine cannot keep up; what is sent is the
path's rung within that limit, and the statistics say which of the two holds it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCPeerConnection
from aiortc import clock as rtc_clock

from vtconnect_care.domain.video_ladder import MACHINE_STEPS, RUNGS, Ladder, MachineLimit, Mode

from . import encoders, jitter, starvation
from .encoders import SendPolicy

log = logging.getLogger("vtconnect.call")

EVERY = 0.5  # seconds between decisions
ESTIMATE_FRESH = 3.0  # an estimate older than this is no longer what the path carries
REPORT_FRESH = 3.0
RATE_WINDOW = 2.0  # seconds over which what the encoder sends is measured
LOSS_WINDOW = 3.0  # seconds of receiver reports averaged (one report says little)

Emit = Callable[..., None]
Signal = Callable[[dict], Awaitable[None]]


class Adapter:
    def __init__(
        self,
        account_id: int,
        pc: RTCPeerConnection,
        *,
        signal: Signal,
        emit: Emit,
        chosen_audio_only: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.account_id = account_id
        self.pc = pc
        self.policy = SendPolicy()
        self.ladder = Ladder(clock())
        self.machine = MachineLimit(clock())
        self.watch = starvation.LoopWatch()
        self.usage: float | None = None  # the encoder's busy share of the wall clock
        self.loop_lag: float | None = None  # how late the last wake-up came, seconds
        self._busy: collections.deque[tuple[float, float, int, int]] = collections.deque()
        self.missed: float | None = None  # the camera's pictures that never reached the encoder
        self._signal = signal
        self._emit = emit
        self._clock = clock
        self.i_chose = chosen_audio_only  # "Audio only" on my side
        self.they_chose = False  # "Audio only" on theirs: they want no video from me
        self.paused_by_path = False  # what the other side has been told
        self.loss: float | None = None
        self._sent: collections.deque[tuple[float, int]] = collections.deque()
        self.last_sent_kbps: float | None = None
        self._losses: collections.deque[tuple[float, float]] = collections.deque()
        self._apply()

    # --- set-up --------------------------------------------------------------------------

    def install(self) -> None:
        """Our encoders on the senders, low-delay buffers on the receivers (before media flows)."""
        for transceiver in self.pc.getTransceivers():
            if transceiver.sender is not None:
                encoders.install(transceiver.sender, transceiver.kind, self.policy)
            jitter.tune(transceiver.receiver, transceiver.kind)
            if transceiver.kind == "video":
                starvation.install(transceiver.receiver, self.watch.starved)

    def check_codecs(self) -> None:
        """After negotiation: our encoders only where VP8 and Opus were agreed."""
        wanted = {"video": "video/VP8", "audio": "audio/opus"}
        for transceiver in self.pc.getTransceivers():
            codecs = getattr(transceiver, "_codecs", None) or []
            if codecs and codecs[0].mimeType.lower() != wanted[transceiver.kind].lower():
                log.info("%s negotiated as %s: aiortc's encoder", transceiver.kind, codecs[0])
                encoders.uninstall(transceiver.sender)
                buffer = jitter.buffer_of(transceiver.receiver)
                if isinstance(buffer, jitter.LowDelayJitterBuffer):
                    buffer.vp8 = False  # no VP8 key-frame bit to wait for

    # --- choices -------------------------------------------------------------------------

    def choose_audio_only(self, on: bool) -> None:
        self.i_chose = on
        self._apply()

    async def on_media_signal(self, signal: dict) -> None:
        video, reason = signal.get("video"), signal.get("reason")
        if video is False:
            if reason == "chosen":
                self.they_chose = True
                self._apply()
            self._emit("remote_video", account_id=self.account_id, on=False, reason=reason)
        elif reason == "probe":
            for transceiver in self.pc.getTransceivers():
                if transceiver.kind == "video":
                    jitter.measure_afresh(transceiver.receiver)
        else:
            if self.they_chose:
                self.they_chose = False
                self._apply()
            self._emit("remote_video", account_id=self.account_id, on=True, reason=None)

    async def tell_choice(self) -> None:
        """Say my "Audio only" choice (after connecting, or when it changes)."""
        if self.i_chose:
            await self._say(False, "chosen")
        elif not self.paused_by_path:
            await self._say(True, None)

    # --- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        watch = asyncio.ensure_future(self.watch.run())
        try:
            while True:
                await asyncio.sleep(EVERY)
                self.loop_lag = self.watch.worst(EVERY)  # since the last decision
                if self.pc.connectionState != "connected":
                    continue
                with contextlib.suppress(Exception):  # stats are an aid, never a reason to stop
                    self.loss = self._smoothed(await self._reported_loss())
                await self.step()
        finally:
            watch.cancel()

    async def step(self) -> None:
        before = self.ladder.mode
        decision = self.ladder.update(
            estimate_kbps=self.policy.fresh_estimate(ESTIMATE_FRESH),
            loss=self.loss,
            now=self._clock(),
            sent_kbps=self.sent_kbps(),
        )
        if decision.reset_estimate:
            self.policy.forget_estimate()
            self._losses.clear()  # the probe is judged on what happens to it, not before
            await self._say(True, "probe")
        usage = self.encode_usage()
        machine_moved = self.machine.update(
            usage=usage, loop_lag=self.loop_lag, now=self._clock(), missed=self.missed
        )
        if machine_moved:
            step = self.machine.current
            log.info(
                "video to %s: this machine encodes at most %.2gx, %g fps (encoder busy %s)",
                self.account_id,
                step.scale,
                step.fps,
                f"{self.usage:.0%}" if self.usage is not None else "?",
            )
        if decision.changed or machine_moved:
            self._apply()
            rung = self.policy.current
            log.info(
                "video to %s: %s, rung %d (%.2gx, %g fps, %d kbps)",
                self.account_id,
                decision.mode,
                decision.rung,
                rung.scale,
                rung.fps,
                rung.kbps,
            )
        paused = decision.mode is not Mode.VIDEO
        if paused and before is Mode.VIDEO:
            self.paused_by_path = True
            self._emit("video_paused", account_id=self.account_id, reason="weak")
            await self._say(False, "weak")
        elif not paused and before is not Mode.VIDEO:
            self.paused_by_path = False
            self._emit("video_resumed", account_id=self.account_id)
            if not self.i_chose:
                await self._say(True, None)

    def _smoothed(self, loss: float | None) -> float | None:
        now = self._clock()
        if loss is not None:
            self._losses.append((now, loss))
        while self._losses and now - self._losses[0][0] > LOSS_WINDOW:
            self._losses.popleft()
        if not self._losses:
            return None
        return sum(value for _, value in self._losses) / len(self._losses)

    def sent_kbps(self) -> float | None:
        """What my video to this person carried over the last seconds (None: not known)."""
        encoder = self.video_encoder()
        if encoder is None:
            return None
        now = self._clock()
        self._sent.append((now, encoder.bytes_out))
        while len(self._sent) > 2 and now - self._sent[1][0] >= RATE_WINDOW:
            self._sent.popleft()
        (t0, b0), (t1, b1) = self._sent[0], self._sent[-1]
        self.last_sent_kbps = (b1 - b0) * 8 / 1000 / (t1 - t0) if t1 > t0 else None
        return self.last_sent_kbps

    def encode_usage(self) -> float | None:
        """The share of the last seconds' wall clock my video encoder was busy (None: idle)."""
        encoder = self.video_encoder()
        if encoder is None or not self.policy.video_on:
            self._busy.clear()
            self.usage = None
            return None
        now = self._clock()
        self._busy.append((now, encoder.busy_seconds, encoder.frames_in, encoder.frames_missed))
        while len(self._busy) > 2 and now - self._busy[1][0] >= RATE_WINDOW:
            self._busy.popleft()
        (t0, b0, i0, m0), (t1, b1, i1, m1) = self._busy[0], self._busy[-1]
        self.usage = (b1 - b0) / (t1 - t0) if t1 > t0 else None
        seen = (i1 - i0) + (m1 - m0)
        self.missed = (m1 - m0) / seen if seen > 0 else None
        return self.usage

    def video_encoder(self) -> encoders.LadderVp8Encoder | None:
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == "video" and transceiver.sender is not None:
                return encoders.encoder_of(transceiver.sender)
        return None

    def _apply(self) -> None:
        self.policy.rung = self.ladder.rung
        self.policy.machine = self.machine.step
        self.policy.video_on = (
            self.ladder.mode is not Mode.AUDIO_ONLY and not self.i_chose and not self.they_chose
        )

    async def _say(self, video: bool, reason: str | None) -> None:
        with contextlib.suppress(Exception):  # the socket may be down: the next change says it
            await self._signal({"kind": "media", "video": video, "reason": reason})

    async def _reported_loss(self) -> float | None:
        """The share of what I sent that the other side lost, from its fresh reports."""
        now = rtc_clock.current_datetime()
        worst: float | None = None
        for transceiver in self.pc.getTransceivers():
            if transceiver.sender is None:
                continue
            for stats in (await transceiver.sender.getStats()).values():
                if getattr(stats, "type", None) != "remote-inbound-rtp":
                    continue
                if (now - stats.timestamp).total_seconds() > REPORT_FRESH:
                    continue  # e.g. video while it is paused
                fraction = (stats.fractionLost or 0) / 256.0  # RTCP's 8-bit fixed point
                worst = fraction if worst is None else max(worst, fraction)
        return worst


def held_reports(adapter: Adapter) -> int:
    """Estimates this side held up while its loop was starved (starvation.SteadyEstimator)."""
    total = 0
    for transceiver in adapter.pc.getTransceivers():
        estimator = starvation.estimator_of(transceiver.receiver)
        total += getattr(estimator, "held", 0)
    return total


def stats_of(adapter: Adapter) -> dict[str, Any]:
    """What the CLI and benchmarks print about the sending side."""
    rung = adapter.policy.current
    path, machine = RUNGS[adapter.ladder.rung], adapter.machine.current
    encoder = adapter.video_encoder()
    held_by = []  # what keeps the picture under the camera's
    if path.scale < 1.0 or path.fps < MACHINE_STEPS[0].fps:
        held_by.append("path")
    if machine.scale < path.scale or machine.fps < path.fps:
        held_by.append("machine")
    size = encoder.size if encoder is not None else None
    return {
        "mode": str(adapter.ladder.mode),
        "rung": adapter.ladder.rung,
        "machine_step": adapter.machine.step,
        "held_by": held_by,
        "sent_picture": f"{size[0]}x{size[1]}" if size and adapter.policy.video_on else None,
        "sent_fps": rung.fps if adapter.policy.video_on else 0,
        "target_kbps": rung.kbps if adapter.policy.video_on else 0,
        "sent_kbps": adapter.last_sent_kbps,
        "estimate_kbps": adapter.policy.fresh_estimate(ESTIMATE_FRESH),
        "loss_out": adapter.loss,
        "rebuilds": encoder.rebuilds if encoder else None,
        "encoder_busy": round(adapter.usage, 3) if adapter.usage is not None else None,
        "frames_missed": round(adapter.missed, 3) if adapter.missed is not None else None,
        "loop_lag_ms": round(adapter.loop_lag * 1000, 1) if adapter.loop_lag is not None else None,
        "estimates_held": held_reports(adapter),
        "audio_only_chosen": adapter.i_chose or adapter.they_chose,
    }
