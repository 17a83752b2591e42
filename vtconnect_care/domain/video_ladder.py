"""What video a peer sends over a path: a ladder of picture sizes, rates and bitrates (pure).

aiortc adjusts the VP8 bitrate to the receiver's estimate (REMB) but never the picture or the
frame rate, never goes below 250 kbps, and rebuilds its encoder (a key frame and a CPU spike)
whenever the bitrate moves by more than 10%. Here a sender climbs down and up a short ladder
instead: each rung a picture scale, a frame rate and a fixed bitrate, so the encoder is rebuilt
only when the rung changes, and never more often than ``HOLD_SECONDS`` on the way up.

When the path cannot carry even the lowest rung (a sustained estimate under
``AUDIO_ONLY_UNDER_KBPS``, or heavy loss) the sender stops video to keep the sound clear (audio
first) and, every few seconds, *probes*: it sends the lowest rung for ``PROBE_SECONDS`` while the
receiver measures afresh; no overuse or loss in that time brings video back.

Figures: Healthdirect asks 350 kbps each way per person and blocks video under 180 kbps;
Nextcloud Talk advises turning video off at over 30% packet loss (we stop at 18%: see below).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Rung:
    scale: float  # of the camera's width and height
    fps: float
    kbps: int  # the encoder's target bitrate


RUNGS: tuple[Rung, ...] = (
    Rung(1.0, 30, 1000),
    Rung(1.0, 30, 600),  # where a call starts (aiortc starts at 500 kbps, 640x480)
    Rung(0.75, 24, 380),
    Rung(0.5, 20, 240),
    Rung(0.5, 15, 150),  # the least video worth sending
)
START = 1
LOWEST = len(RUNGS) - 1

HEADROOM = 0.9  # a rung fits when its bitrate is under this share of the estimate
CONGESTED = 0.9  # an estimate under this share of what is sent: the path queues
CONGESTED_AFTER = 1.0  # seconds of that before a step down
ROOM = 1.25  # an estimate over this share of what is sent: room to send more
HOLD_SECONDS = 3.0  # room must last this long before a step up
AUDIO_ONLY_UNDER_KBPS = 150.0  # a sustained congested estimate under this stops video
AUDIO_ONLY_AFTER = 2.0  # seconds the estimate stays that low before video stops
LOSS_STEP_DOWN = 0.12  # sustained loss at or over this keeps the picture at LOSSY_BEST or lower
LOSSY_BEST = 2
LOSS_AUDIO_ONLY = 0.18  # sustained loss at or over this stops video: at 20% a key frame
# rarely arrives whole, so pictures come seconds late (measured: bench/network.py loss20);
# Nextcloud Talk advises turning video off at 30%
LOSS_AFTER = 2.0
PROBE_WAITS = (4.0, 6.0, 8.0)  # seconds in audio only before each probe (the last repeats)
PROBE_SECONDS = 4.0
PROBE_SETTLE = 1.5  # the probe's first seconds are not judged: its key frame arrives as a burst
# (a receiver reads that as queuing) and the reports still speak of the pause before
PROBE_FAILS_AT_LOSS = 0.10
CLIMB_WINDOW = 2.0  # seconds: an estimate higher than it was in this window is climbing
CLIMB_MIN = 0.02  # by at least this share
RESUME_GRACE = 6.0  # seconds after a probe brought video back in which a low estimate is the
# receiver's fresh one still climbing (it starts near what it sees arrive), not a thin path


class Mode(StrEnum):
    VIDEO = "video"
    AUDIO_ONLY = "audio_only"  # paused because the path is weak
    PROBING = "probing"  # paused, trying the lowest rung to see whether video fits again


@dataclass(frozen=True)
class Decision:
    mode: Mode
    rung: int  # the rung to send at (meaningful in VIDEO and PROBING)
    changed: bool  # the mode or the rung moved in this update
    reset_estimate: bool = False  # a probe starts: the receiver should measure afresh


class Ladder:
    """One sender's choice, updated with each new measurement (``now`` in monotonic seconds).

    ``estimate_kbps`` is the receiver's latest estimate of what the path carries (None before
    any, or while it is stale), ``sent_kbps`` what this sender's video actually sends (an
    encoder sends less than its target when the picture is easy), ``loss`` the share of
    packets lost in the receiver's last report.

    The estimate is read against what is sent, never alone: a receiver's estimate follows what
    arrives (aiortc's rises to at most 1.5 times that while nothing queues, and falls to 0.85
    times it when the path queues), so a low estimate of a sender that sends little is no sign
    of a thin path. The path is *congested* when the estimate is under what is sent, and has
    *room* when it is well over it.

    A decision that starts a probe says ``reset_estimate``: the receiver should measure
    afresh, since its old estimate was made while nothing was sent.
    """

    def __init__(self, now: float, rung: int = START) -> None:
        self.mode = Mode.VIDEO
        self.rung = rung
        self.changed_at = now
        self._room_since: float | None = None
        self._congested_since: float | None = None
        self._thin_since: float | None = None
        self._lossy_since: float | None = None
        self._heavy_loss_since: float | None = None
        self._probe_at: float | None = None
        self._failed_probes = 0
        self._grace_until = now
        self._estimates: list[tuple[float, float]] = []  # (when, kbps) over CLIMB_WINDOW

    def update(
        self,
        *,
        estimate_kbps: float | None,
        loss: float | None,
        now: float,
        sent_kbps: float | None = None,
    ) -> Decision:
        before = (self.mode, self.rung)
        sent = sent_kbps if sent_kbps is not None else float(RUNGS[self.rung].kbps)
        climbing = self._climbing(estimate_kbps, now)
        congested = estimate_kbps is not None and estimate_kbps < CONGESTED * sent and not climbing
        self._track(estimate_kbps, congested, sent, loss, now)
        if self.mode is Mode.VIDEO:
            self._in_video(estimate_kbps, now)
        elif self.mode is Mode.AUDIO_ONLY:
            if self._probe_at is not None and now >= self._probe_at:
                self._move(Mode.PROBING, LOWEST, now)
                return Decision(self.mode, self.rung, True, reset_estimate=True)
        else:
            self._in_probe(congested, loss, now)
        return Decision(self.mode, self.rung, (self.mode, self.rung) != before)

    # --- the states ------------------------------------------------------------------------

    def _in_video(self, estimate: float | None, now: float) -> None:
        if self._held(self._thin_since, AUDIO_ONLY_AFTER, now) or self._held(
            self._heavy_loss_since, LOSS_AFTER, now
        ):
            self._pause(now)
            return
        since_change = now - self.changed_at
        worst = LOSSY_BEST if self._held(self._lossy_since, LOSS_AFTER, now) else 0
        if self.rung < worst:
            self._move(Mode.VIDEO, worst, now)
        elif self._held(self._congested_since, CONGESTED_AFTER, now) and since_change >= 1.0:
            # down at least a step; as far as the estimate says when it says more
            assert estimate is not None
            self._move(Mode.VIDEO, min(LOWEST, max(self.rung + 1, fitting_rung(estimate))), now)
        elif (
            self.rung > worst
            and self._held(self._room_since, HOLD_SECONDS, now)
            and since_change >= HOLD_SECONDS
        ):
            self._move(Mode.VIDEO, self.rung - 1, now)

    def _in_probe(self, congested: bool, loss: float | None, now: float) -> None:
        if now - self.changed_at < PROBE_SETTLE:
            return
        if congested or (loss is not None and loss >= PROBE_FAILS_AT_LOSS):
            self._failed_probes += 1
            self._pause(now)
        elif now - self.changed_at >= PROBE_SECONDS:
            self._failed_probes = 0
            self._thin_since = self._heavy_loss_since = self._lossy_since = None
            self._congested_since = None
            self._grace_until = now + RESUME_GRACE
            self._move(Mode.VIDEO, LOWEST, now)

    # --- helpers -----------------------------------------------------------------------------

    def _climbing(self, estimate: float | None, now: float) -> bool:
        """Whether the estimate rose over the last seconds: a receiver's estimate that climbs
        is still finding the path (it starts near what arrives and grows by some 8% a second),
        not reporting a queue, even while a spike of the picture sends more than it says."""
        if estimate is None:
            self._estimates.clear()
            return False
        self._estimates = [(t, e) for t, e in self._estimates if now - t <= CLIMB_WINDOW]
        self._estimates.append((now, estimate))
        return estimate > min(e for _, e in self._estimates) * (1 + CLIMB_MIN)

    def _track(
        self,
        estimate: float | None,
        congested: bool,
        sent: float,
        loss: float | None,
        now: float,
    ) -> None:
        graced = now < self._grace_until
        congested = congested and not graced
        self._congested_since = _since(self._congested_since, congested, now)
        thin = congested and estimate is not None and estimate < AUDIO_ONLY_UNDER_KBPS
        self._thin_since = _since(self._thin_since, thin, now)
        room = estimate is not None and estimate >= ROOM * sent
        self._room_since = _since(self._room_since, room, now)
        lossy = loss is not None and loss >= LOSS_STEP_DOWN
        self._lossy_since = _since(self._lossy_since, lossy, now)
        heavy = loss is not None and loss >= LOSS_AUDIO_ONLY
        self._heavy_loss_since = _since(self._heavy_loss_since, heavy, now)

    @staticmethod
    def _held(since: float | None, seconds: float, now: float) -> bool:
        return since is not None and now - since >= seconds

    def _pause(self, now: float) -> None:
        wait = PROBE_WAITS[min(self._failed_probes, len(PROBE_WAITS) - 1)]
        self._probe_at = now + wait
        self._move(Mode.AUDIO_ONLY, LOWEST, now)

    def _move(self, mode: Mode, rung: int, now: float) -> None:
        self.mode, self.rung, self.changed_at = mode, rung, now
        self._room_since = self._congested_since = None


def _since(since: float | None, holds: bool, now: float) -> float | None:
    """When a condition that holds began (None while it does not hold)."""
    if not holds:
        return None
    return now if since is None else since


def fitting_rung(estimate_kbps: float) -> int:
    """The best rung whose bitrate fits in the estimate (the lowest when none does)."""
    for index, rung in enumerate(RUNGS):
        if rung.kbps <= estimate_kbps * HEADROOM:
            return index
    return LOWEST


def picture_size(width: int, height: int, rung: Rung) -> tuple[int, int]:
    """The rung's picture for a camera of this size (even sides, as the encoder needs)."""

    def side(length: int) -> int:
        return max(2, int(length * rung.scale) // 2 * 2)

    return side(width), side(height)


# --- the machine ---------------------------------------------------------------------------
#
# A path can carry more than a machine can encode: a practitioner's laptop beside its clinical
# software, asked for 1280x720. Like Chromium (which sends 960x540 on these 2-core machines when
# asked for 1280x720), a sender whose encoding cannot keep up steps its picture down, and only
# when the picture is at its smallest the frame rate; when the encoder has room again it steps
# back up. The limit combines with the path's rung: what is sent is the smaller of the two.


@dataclass(frozen=True)
class MachineStep:
    scale: float  # the most of the camera's width and height this machine encodes
    fps: float  # the most frames a second


MACHINE_STEPS: tuple[MachineStep, ...] = (
    MachineStep(1.0, 30),
    MachineStep(0.75, 30),  # 1280x720 -> 960x540, as Chromium adapts here
    MachineStep(0.5, 30),
    MachineStep(0.5, 20),  # the frame rate goes last
    MachineStep(0.5, 15),
)
OVERUSE = 0.7  # the encoder busy this share of the wall clock: it cannot keep up for long
# (at 0.7 the event loop, the decoder and the rest of the machine starve; Chromium's own
# overuse detector trips at 85% of a frame interval for capture to encoded)
LOOP_LAG_OVERUSE = 0.05  # seconds an event-loop wake-up comes late: the process is starved
MISSED_OVERUSE = 0.04  # a share of the camera's pictures that never reached the encoder: the
# sender falls behind (1.2 of 30 a second: measured at 1280x720 on a loaded machine, 28.5 fps)
OVERUSE_AFTER = 2.0  # seconds of overuse before a step down
UNDERUSE_NEXT = 0.45  # a step up when the step above is predicted to use less than this
UNDERUSE_AFTER = 6.0  # seconds of that before a step up
MACHINE_HOLD = 3.0  # seconds between two changes


def step_cost(step: MachineStep) -> float:
    """Encoding work of a step relative to the full picture at 30 fps (pixels x frames)."""
    return step.scale * step.scale * step.fps / 30.0


def predicted_usage(usage: float, step: int, to: int) -> float:
    """The encoder's busy share at step ``to``, from what it is at ``step``."""
    return usage * step_cost(MACHINE_STEPS[to]) / step_cost(MACHINE_STEPS[step])


class MachineLimit:
    """How much picture one sender's machine can encode, updated with each measurement.

    ``usage`` is the share of the wall clock the encoder was busy over the last seconds (None
    while nothing is encoded), ``loop_lag`` how late the process's event loop woke up,
    ``missed`` the share of the camera's pictures that never reached the encoder."""

    def __init__(self, now: float, step: int = 0) -> None:
        self.step = step
        self.changed_at = now
        self._over_since: float | None = None
        self._room_since: float | None = None

    @property
    def current(self) -> MachineStep:
        return MACHINE_STEPS[self.step]

    def update(
        self,
        *,
        usage: float | None,
        loop_lag: float | None,
        now: float,
        missed: float | None = None,
    ) -> bool:
        """Whether the step moved."""
        over = (
            (usage is not None and usage >= OVERUSE)
            or (loop_lag is not None and loop_lag >= LOOP_LAG_OVERUSE)
            or (missed is not None and missed >= MISSED_OVERUSE)
        )
        room = (
            not over
            and usage is not None
            and self.step > 0
            and predicted_usage(usage, self.step, self.step - 1) < UNDERUSE_NEXT
            and (loop_lag is None or loop_lag < LOOP_LAG_OVERUSE / 2)
            and (missed is None or missed < MISSED_OVERUSE / 2)
        )
        self._over_since = _since(self._over_since, over, now)
        self._room_since = _since(self._room_since, room, now)
        if now - self.changed_at < MACHINE_HOLD:
            return False
        lowest = len(MACHINE_STEPS) - 1
        if Ladder._held(self._over_since, OVERUSE_AFTER, now) and self.step < lowest:
            self._move(self.step + 1, now)
            return True
        if Ladder._held(self._room_since, UNDERUSE_AFTER, now):
            self._move(self.step - 1, now)
            return True
        return False

    def _move(self, step: int, now: float) -> None:
        self.step, self.changed_at = step, now
        self._over_since = self._room_since = None


def limited(rung: Rung, step: MachineStep) -> Rung:
    """What is sent: the path's rung within what the machine can encode (same bitrate)."""
    return Rung(min(rung.scale, step.scale), min(rung.fps, step.fps), rung.kbps)
