"""What each sender encodes: speech-sized Opus, and VP8 that follows the path (the ladder).

aiortc's own encoders send Opus at 96 kbps (more than a thin mobile path has for everything)
and VP8 at no less than 250 kbps, at the camera's full size and rate. Each sender here gets:

- ``SpeechOpusEncoder``: Opus at ``OPUS_KBPS``, plenty for a voice (wideband speech is clear
  from about 24 kbps).
- ``LadderVp8Encoder``: VP8 at the picture size, frame rate and bitrate of a rung of
  ``domain.video_ladder`` chosen by the sender's ``SendPolicy``; it records the receiver's
  estimates (REMB) there rather than obeying them, and is rebuilt only when the rung changes.
  While the policy pauses video it encodes nothing: no packets go out.

``install`` puts them on an aiortc sender (a private attribute, checked: see jitter.py), and
gives aiortc's senders the numpy audio level (``media.levels.audio_level_dbov``): aiortc's own
loops over every sample in Python, 0.2 ms of the event loop per 20 ms of sound per peer.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import threading
import time
from dataclasses import dataclass

import av
from aiortc import rtp
from aiortc.codecs.opus import OpusEncoder
from aiortc.codecs.vpx import Vp8Encoder, number_of_threads
from aiortc.mediastreams import VIDEO_TIME_BASE, convert_timebase
from aiortc.rtcrtpsender import RTCRtpSender
from av import VideoFrame
from av.frame import Frame
from av.packet import Packet
from av.video.reformatter import VideoReformatter

from vtconnect_care.client.media.levels import audio_level_dbov
from vtconnect_care.domain.video_ladder import (
    MACHINE_STEPS,
    RUNGS,
    START,
    Rung,
    limited,
    picture_size,
)

log = logging.getLogger("vtconnect.call")

OPUS_KBPS = 32
KEY_FRAME_EVERY = 0.5  # seconds: requests for key frames closer together are answered once
# (on a lossy path every lost packet of a key frame asks for another, larger than a picture)
_ENCODER = "_RTCRtpSender__encoder"


@dataclass
class Estimate:
    kbps: float
    at: float  # monotonic seconds


class SendPolicy:
    """What one sender should send now; written on the event loop, read by the encoder thread."""

    def __init__(self, rung: int = START) -> None:
        self.rung = rung  # the path's (video_ladder.Ladder)
        self.machine = 0  # what this machine can encode (video_ladder.MachineLimit)
        self.video_on = True
        self.estimate: Estimate | None = None
        self._lock = threading.Lock()

    def note_estimate(self, bps: float) -> None:
        with self._lock:
            self.estimate = Estimate(bps / 1000.0, time.monotonic())

    def fresh_estimate(self, within: float) -> float | None:
        with self._lock:
            if self.estimate is None or time.monotonic() - self.estimate.at > within:
                return None
            return self.estimate.kbps

    def forget_estimate(self) -> None:
        with self._lock:
            self.estimate = None

    @property
    def current(self) -> Rung:
        """What is sent: the path's rung within the machine's limit."""
        return limited(RUNGS[self.rung], MACHINE_STEPS[self.machine])

    @property
    def key(self) -> tuple[int, int]:
        return self.rung, self.machine


class SpeechOpusEncoder(OpusEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.codec.bit_rate = OPUS_KBPS * 1000


class LadderVp8Encoder(Vp8Encoder):
    """VP8 on the policy's rung (aiortc's packetiser; our own codec set-up and rate control)."""

    def __init__(self, policy: SendPolicy) -> None:
        super().__init__()
        self.policy = policy
        self._ctx: av.video.codeccontext.VideoCodecContext | None = None
        self._rung: tuple[int, int] | None = None  # (path rung, machine step) built for
        self._size: tuple[int, int] | None = None
        self.size: tuple[int, int] | None = None  # the picture last encoded
        self._scaler = VideoReformatter()
        self.busy_seconds = 0.0  # wall time spent scaling and encoding (the machine's load)
        self._credit = 1.0  # frames owed at the rung's rate
        self._last_pts: float | None = None
        self.rebuilds = 0
        self.frames_encoded = 0
        self.frames_skipped = 0
        self.frames_in = 0  # pictures handed to the encoder
        self.frames_missed = 0  # pictures of the camera that never reached it (it was late)
        self._period: float | None = None
        self.bytes_out = 0  # what the encoder produced (read by the adapter for its rate)
        self._last_key: float | None = None
        self.key_frames = 0
        self._picture_id = random.randint(0, (1 << 15) - 1)

    # aiortc's sender sets this on every REMB: note it, decide on the loop (adapt.py)
    @property
    def target_bitrate(self) -> int:
        return self.policy.current.kbps * 1000

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self.policy.note_estimate(bitrate)

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        assert isinstance(frame, VideoFrame)
        assert frame.pts is not None and frame.time_base is not None
        timestamp = convert_timebase(frame.pts, frame.time_base, VIDEO_TIME_BASE)
        if not self.policy.video_on:
            self._ctx = None  # the next picture after the pause is a key frame
            return [], timestamp
        rung_index = self.policy.key
        rung = self.policy.current
        if not self._due(frame, rung):
            self.frames_skipped += 1
            return [], timestamp
        started = time.perf_counter()
        size = picture_size(frame.width, frame.height, rung)
        if (frame.width, frame.height) != size or frame.format.name != "yuv420p":
            # one libswscale set-up kept while the size holds (frame.reformat makes one a call)
            frame = self._scaler.reformat(
                frame, width=size[0], height=size[1], format="yuv420p", threads=1
            )
        now = time.monotonic()
        fresh_codec = self._ctx is None or self._rung != rung_index or self._size != size
        if fresh_codec:
            self._build(size, rung)
            self._rung, self._size = rung_index, size
        if fresh_codec or force_keyframe:
            if (
                not fresh_codec
                and self._last_key is not None
                and now - self._last_key < KEY_FRAME_EVERY
            ):
                force_keyframe = False  # one just went: it is on its way
            else:
                self._last_key = now
                self.key_frames += 1
        if force_keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        assert self._ctx is not None
        data = b"".join(bytes(p) for p in self._ctx.encode(frame))
        self.busy_seconds += time.perf_counter() - started
        self.size = size
        self.frames_encoded += 1
        self.bytes_out += len(data)
        payloads = self._packetize(data, self._picture_id)
        self._picture_id = (self._picture_id + 1) % (1 << 15)
        return payloads, timestamp

    def pack(self, packet: Packet) -> tuple[list[bytes], int]:
        return super().pack(packet)

    def _due(self, frame: VideoFrame, rung: Rung) -> bool:
        """Thin the camera's pictures to the rung's frame rate, evenly."""
        assert frame.pts is not None and frame.time_base is not None  # set by our tracks
        pts = float(frame.pts * frame.time_base)
        interval = 1.0 / 30 if self._last_pts is None else max(pts - self._last_pts, 1e-3)
        if self._last_pts is not None:
            # the camera's period is the shortest step seen; longer steps are pictures that
            # never reached the encoder (the track or the relay dropped them: it is late)
            self._period = min(self._period or interval, interval)
            self.frames_in += 1
            self.frames_missed += max(0, round(interval / self._period) - 1)
        self._last_pts = pts
        self._credit = min(self._credit + rung.fps * interval, 2.0)
        if self._credit < 1.0 - 1e-6:
            return False
        self._credit -= 1.0
        return True

    def _build(self, size: tuple[int, int], rung: Rung) -> None:
        ctx = av.CodecContext.create("libvpx", "w")
        bitrate = rung.kbps * 1000
        ctx.width, ctx.height = size
        ctx.bit_rate = bitrate
        ctx.pix_fmt = "yuv420p"
        ctx.gop_size = 3000  # key frames on request (PLI) only
        ctx.qmin, ctx.qmax = 2, 56
        ctx.options = {
            "bufsize": str(bitrate),  # a one-second buffer
            "cpu-used": "-6",
            "deadline": "realtime",
            "lag-in-frames": "0",
            "minrate": str(bitrate),
            "maxrate": str(bitrate),
            "noise-sensitivity": "4",
            "overshoot-pct": "15",
            "partitions": "0",
            "static-thresh": "1",
            "undershoot-pct": "100",
            "error-resilient": "1",  # frames decodable after a loss, until the key frame
        }
        ctx.thread_count = number_of_threads(size[0] * size[1], multiprocessing.cpu_count())
        self._ctx = ctx
        self.rebuilds += 1
        log.debug("VP8 encoder at %dx%d, %s fps, %d kbps", *size, rung.fps, rung.kbps)


def install(sender: RTCRtpSender, kind: str, policy: SendPolicy) -> bool:
    """Give an aiortc sender our encoder before it starts sending (VP8 and Opus only)."""
    if getattr(rtp, "compute_audio_level_dbov", None) is not audio_level_dbov:
        if hasattr(rtp, "compute_audio_level_dbov"):  # the sender looks it up on each frame
            rtp.compute_audio_level_dbov = audio_level_dbov
    if not hasattr(sender, _ENCODER):
        log.warning("aiortc's sender changed: its encoder is left as it is")
        return False
    setattr(sender, _ENCODER, LadderVp8Encoder(policy) if kind == "video" else SpeechOpusEncoder())
    return True


def uninstall(sender: RTCRtpSender) -> None:
    """The remote chose another codec: aiortc makes the right encoder itself."""
    if hasattr(sender, _ENCODER):
        setattr(sender, _ENCODER, None)


def encoder_of(sender: RTCRtpSender) -> LadderVp8Encoder | None:
    encoder = getattr(sender, _ENCODER, None)
    return encoder if isinstance(encoder, LadderVp8Encoder) else None
