"""Network benchmark (issue 18): a call on emulated bad networks, in Linux network namespaces.

    .venv/bin/python bench/network.py [--scenario NAME]... [--seconds S] [--recover S]
                                      [--json FILE] [--commit REV] [--trace-queues DIR]

A portal server and dr.patel's CLI participant (the host) in namespace "near", alex.active's in
"far", one veth pair between them (tests/helpers/netlab.py): nftables drops packets at random,
tc tbf caps the rate, a drop-all rule makes an outage, always both ways and on every packet
(media, signalling and the hub socket alike). Each scenario is a fresh call: up, 5 s clean,
the impairment for its time, then a recovery period on the clean link.

Scenarios: clean (the reference, same run), loss10 and loss20 (30 s of 10% / 20% random loss),
cap500 and cap150 (40 s at 500 / 150 kbit/s), outage5 (5 s with nothing passing) and
precall_cap500 (the pre-call connection test under a 500 kbit/s cap, when the code has one).

Figures, each the worse of the two directions (``host_receives`` and ``client_receives`` hold
both):

- ``fps``: video frames received per second;
- ``audio_ratio``: audio frames received over 50 per second sent (20 ms Opus frames);
- ``latency_ms_max``: glass to glass (the sender draws its capture time into each picture, the
  receiver reads it back), the highest median of the 0.25 s stats intervals in the period: a
  picture damaged by loss can misread its stamp (``latency_ms_max_any_frame``: the raw highest);
- ``dropped``: the session ended, a peer connection failed or closed, or no audio for 5 s;
- ``width``: the newest received picture's; ``audio_only_after_s``, ``video_back_after_s``: see
  the ``how`` field; ``media_back_ms``: from the network's return to the first new video frame
  and audio frame, both ways (stats lines every 0.25 s bound its precision);
- ``after``: the same once the link is clean again, with ``live_after_s`` (video at 10 fps or
  more, and every later latency under 400 ms: video that comes back 13 s late is not back).

``--commit REV`` runs the server and both engines from that commit (``git archive`` into a
temporary folder) instead of the working tree: a baseline for comparisons. ``--trace-queues``
samples, in each engine, aiortc's receive queues (jitter buffer, decoder queue, decoded frames
waiting to be read), our audio mixer and the sender's audio relay queue, and, in the kernel,
the caps' queues and the UDP sockets' queues, and says where media waited.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.netlab import (  # noqa: E402
    DEMO_PASSWORD,
    LabProcess,
    MediaPoint,
    NetLab,
    at,
    available,
    media_series,
    participant,
    per_second,
    portal_server,
)

AUDIO_SENT_PER_S = 50  # 20 ms Opus frames
STATS_EVERY = 0.25
SETTLE = 5.0  # clean seconds in each call before its impairment
GAP_DROPPED = 5.0  # seconds without audio that count as a call that fell apart


@dataclass(frozen=True)
class Scenario:
    name: str
    seconds: float  # how long the impairment lasts
    recover: float  # clean seconds watched afterwards
    impair: Callable[[NetLab], None] | None
    what: str


SCENARIOS = [
    Scenario("clean", 20, 0, None, "a clean link"),
    Scenario("loss10", 30, 20, lambda lab: lab.loss(10), "10% random loss both ways"),
    Scenario("loss20", 30, 20, lambda lab: lab.loss(20), "20% random loss both ways"),
    Scenario("cap500", 40, 10, lambda lab: lab.cap(500), "500 kbit/s cap each way"),
    Scenario("cap150", 40, 30, lambda lab: lab.cap(150), "150 kbit/s cap each way"),
    Scenario("outage5", 5, 20, lambda lab: lab.outage(), "5 s with nothing passing"),
    Scenario("precall_cap500", 0, 0, lambda lab: lab.cap(500), "pre-call test, 500 kbit/s cap"),
]


# --- the engines' queues, sampled inside each participant (--trace-queues) -----------------------

TRACER = r"""
import json, os, sys, threading, time, weakref
import aiortc.rtcrtpreceiver as rx
from aiortc.contrib import media as contrib
from vtconnect_care.client import cli
from vtconnect_care.client.engine import tracks

receivers, mixers, relays = weakref.WeakSet(), weakref.WeakSet(), weakref.WeakSet()
def remember(cls, registry):
    init = cls.__init__
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        registry.add(self)
    cls.__init__ = patched
remember(rx.RTCRtpReceiver, receivers)
remember(tracks.AudioMixer, mixers)
remember(contrib.RelayStreamTrack, relays)

def receiver(r):
    kind = r._RTCRtpReceiver__kind
    track = getattr(r, "_track", None)
    out = {"kind": kind, "decoder_queue": r._RTCRtpReceiver__decoder_queue.qsize(),
           "track_queue": track._queue.qsize() if track is not None else 0}
    jb = getattr(r, "_RTCRtpReceiver__jitter_buffer", None)
    out["jitter_buffer"] = type(jb).__module__ + "." + type(jb).__name__
    packets = getattr(jb, "_packets", [])
    packets = list(packets.values() if isinstance(packets, dict) else packets)
    held = [p for p in packets if hasattr(p, "timestamp")]
    out["jitter_packets"] = len(held)
    stamps = [p.timestamp for p in held] or [0]
    clock = 90000 if kind == "video" else 48000
    out["jitter_ms"] = round((max(stamps) - min(stamps)) * 1000 / clock)
    return out

def sample(path):
    with open(path, "a") as f:
        while True:
            time.sleep(0.25)
            try:
                mixed = [max(m._sizes.values(), default=0) for m in list(mixers)]
                relay = [r._queue.qsize() for r in list(relays) if r._queue and r.kind == "audio"]
                row = {"t": time.monotonic(),
                       "receivers": [receiver(r) for r in list(receivers)],
                       "mixer_ms": max(mixed, default=0) / 48, "relay_audio": max(relay, default=0)}
            except Exception as exc:
                row = {"t": time.monotonic(), "error": repr(exc)}
            f.write(json.dumps(row) + "\n")
            f.flush()

threading.Thread(target=sample, args=(os.environ["VTLAB_QUEUES"],), daemon=True).start()
sys.exit(cli.main(sys.argv[1:]))
"""

PRECALL = r"""
import asyncio, json, sys
from vtconnect_care.client.call_http import login
from vtconnect_care.client.precall import run_precall

async def main(url, username, password):
    account = await login(url, username, password)
    r = await run_precall(url, account["token"])
    print(json.dumps({"measured_kbps": round(r.kbps, 1), "up_kbps": round(r.up_kbps, 1),
                      "down_kbps": round(r.down_kbps, 1), "rtt_ms": r.rtt_ms,
                      "loss_up": r.loss_up, "loss_down": r.loss_down, "word": r.word,
                      "seconds": r.seconds}))

asyncio.run(main(*sys.argv[1:4]))
"""


class Kernel:
    """Samples the caps' queues and the UDP sockets' queues of both namespaces (--trace-queues)."""

    def __init__(self, lab: NetLab) -> None:
        self.lab = lab
        self.rows: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _udp(self, ns: str) -> tuple[int, int]:
        text = self.lab.exec(ns, ["cat", "/proc/net/udp"])
        tx = rx = 0
        for line in text.splitlines()[1:]:
            queues = line.split()[4]  # tx_queue:rx_queue, hex bytes
            t, r = (int(x, 16) for x in queues.split(":"))
            tx, rx = max(tx, t), max(rx, r)
        return tx, rx

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            with contextlib.suppress(Exception):  # a sample lost while a scenario ends
                row: dict = {"t": time.monotonic(), "cap_backlog": self.lab.queue_bytes()}
                for ns in ("near", "far"):
                    row[f"udp_{ns}"] = self._udp(ns)
                self.rows.append(row)

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.rows


# --- one call through one scenario -------------------------------------------------------------


@dataclass
class Context:
    lab: NetLab
    url: str
    code: Path
    trace: Path | None


def _rates(series: list[MediaPoint], t0: float, t1: float) -> tuple[float, float]:
    fps, audio = per_second(series, t0, t1)
    return round(fps, 1), round(audio / AUDIO_SENT_PER_S, 3)


def _plausible(series: list[MediaPoint]) -> list[MediaPoint]:
    """The series with impossible latencies blanked: frames arrive in capture order, so a
    latency can grow at most as fast as time passes since the last frames. A picture decoded
    without its references (after loss) can misread its drawn stamp as anything."""
    out, last = [], None
    for p in series:
        lat = p.latency_ms_median
        if lat is not None and last is not None:
            bound = last[1] + (p.t - last[0]) * 1000 + 500
            if lat > bound:
                p = replace(p, latency_ms_median=None, latency_ms_max=None)
        if p.latency_ms_median is not None:
            last = (p.t, p.latency_ms_median)
        out.append(p)
    return out


def _misreads(series: list[MediaPoint]) -> int:
    cleaned = _plausible(series)
    return sum(
        1
        for a, b in zip(series, cleaned, strict=True)
        if a.latency_ms_median and not b.latency_ms_median
    )


def _within(series: list[MediaPoint], t0: float, t1: float) -> list[MediaPoint]:
    return [p for p in series if t0 < p.t <= t1]


def _latency_max(points: list[MediaPoint], *, any_frame: bool = False) -> float | None:
    """The highest latency of the stats intervals' medians (robust: a picture damaged by loss
    can misread its stamp), or with ``any_frame`` the highest of any single frame."""
    picked = [p.latency_ms_max if any_frame else p.latency_ms_median for p in points]
    values = [v for v in picked if v is not None]
    return max(values) if values else None


def _longest_gap(series: list[MediaPoint], t0: float, t1: float, field: str) -> float:
    """The longest time in [t0, t1] over which the count in ``field`` did not move."""
    points = [at(series, t0), *_within(series, t0, t1)]
    longest, since = 0.0, points[0].t
    for before, now in zip(points, points[1:], strict=False):
        if getattr(now, field) > getattr(before, field):
            since = now.t
        longest = max(longest, now.t - since)
    return round(longest, 2)


def _paused_from(series: list[MediaPoint], t0: float, t1: float, hold: float = 3.0) -> float | None:
    """Seconds after t0 until video stopped for at least ``hold`` s (0 fps = paused)."""
    points = [at(series, t0), *_within(series, t0, t1)]
    for i, start in enumerate(points):
        later = [p for p in points[i:] if p.t <= start.t + hold]
        if later[-1].t - start.t >= hold - STATS_EVERY and later[-1].video == start.video:
            return round(max(0.0, start.t - t0), 2)
    return None


def _flowing_from(
    series: list[MediaPoint], t0: float, t1: float, fps: float = 10.0
) -> float | None:
    """Seconds after t0 until video came at ``fps`` or more over a whole second."""
    for p in _within(series, t0, t1):
        if p.t - 1.0 >= t0 and per_second(series, p.t - 1.0, p.t)[0] >= fps:
            return round(p.t - 1.0 - t0, 2)
    return None


def _live_after(
    series: list[MediaPoint], t1: float, t2: float, limit: float = 400.0
) -> float | None:
    """Seconds after t1 until video was live again: 10 fps or more over a second, and every
    latency from then on under ``limit`` ms (video that comes back 13 s late is not back)."""
    points = _within(series, t1, t2)
    for i, p in enumerate(points):
        if p.t - 1.0 < t1 or per_second(series, p.t - 1.0, p.t)[0] < 10:
            continue
        later = [q.latency_ms_median for q in points[i:] if q.latency_ms_median is not None]
        if later and max(later) <= limit:
            return round(p.t - 1.0 - t1, 2)
    return None


def _back_after(series: list[MediaPoint], t: float, t_end: float) -> float | None:
    """Milliseconds from t to the first stats line showing new video and new audio."""
    base = at(series, t)
    video = next((p.t for p in _within(series, t, t_end) if p.video > base.video), None)
    audio = next((p.t for p in _within(series, t, t_end) if p.audio > base.audio), None)
    if video is None or audio is None:
        return None
    return round((max(video, audio) - t) * 1000)


def side(events: list[dict], other: int, sc: Scenario, t0: float, t1: float, t2: float) -> dict:
    """What one participant received from the other: before (clean), during and after."""
    raw = media_series(events, other)
    s = _plausible(raw)
    during = _within(s, t0, t1)
    fps, audio_ratio = _rates(s, t0, t1)
    widths = sorted({p.width for p in during if p.width})
    lat = [p.latency_ms_median for p in during if p.latency_ms_median is not None]
    out: dict = {
        "fps": fps,
        "audio_ratio": audio_ratio,
        "latency_ms_max": _latency_max(during),
        "latency_ms_max_any_frame": _latency_max(during, any_frame=True),
        "latency_ms_median": round(statistics.median(lat), 1) if lat else None,
        "width": next((p.width for p in reversed(during) if p.width), None),
        "widths_seen": widths,
        "longest_audio_gap_s": _longest_gap(s, t0, t2, "audio"),
        "longest_video_gap_s": _longest_gap(s, t0, t2, "video"),
        "connections": len({p.pc for p in s if p.pc}),
        "latency_misreads": _misreads(_within(raw, t0, t2)),
        "before": dict(zip(("fps", "audio_ratio"), _rates(s, t0 - SETTLE + 1, t0), strict=True)),
    }
    if sc.recover:
        after = _within(s, t1, t2)
        fps_after, audio_after = _rates(s, t1, t2)
        tail = [p.latency_ms_median for p in after if p.t > t2 - 2 and p.latency_ms_median]
        out["after"] = {
            "fps": fps_after,
            "audio_ratio": audio_after,
            "latency_ms_max": _latency_max(after),
            "latency_ms_end": round(statistics.median(tail), 1) if tail else None,
            "live_after_s": _live_after(s, t1, t2),
        }
    if sc.name == "cap150":
        out["audio_only_after_s_by_fps"] = _paused_from(s, t0, t1)
        out["video_back_after_s_by_fps"] = _flowing_from(s, t1, t2)
        paused = [e for e in events if _pause_event(e, other) is True and t0 <= e["t"] <= t1]
        back = [e for e in events if _pause_event(e, other) is False and t1 <= e["t"] <= t2]
        out["audio_only_after_s_by_event"] = round(paused[0]["t"] - t0, 2) if paused else None
        out["video_back_after_s_by_event"] = round(back[0]["t"] - t1, 2) if back else None
    if sc.name == "outage5":
        out["media_back_ms"] = _back_after(s, t1, t2)
        full = _flowing_from(s, t1, t2, fps=20.0)
        out["video_20fps_after_ms"] = None if full is None else round(full * 1000)
    return out


def _pause_event(event: dict, other: int) -> bool | None:
    """True when an engine event says video from or to ``other`` paused by itself, False when
    it came back, None for any other event (the engine's names: video_paused, video_resumed,
    remote_video with reason "weak")."""
    if event.get("account_id") != other:
        return None
    if event["event"] == "video_paused" or (
        event["event"] == "remote_video" and not event.get("on") and event.get("reason") == "weak"
    ):
        return True
    if event["event"] == "video_resumed" or (event["event"] == "remote_video" and event.get("on")):
        return False
    return None


def _broken(events: list[dict], t0: float, t2: float) -> list[str]:
    out = []
    for e in events:
        if not t0 <= e["t"] <= t2:
            continue
        if e["event"] == "ended":
            out.append("session ended")
        elif e["event"] == "peer_state" and e["state"] in ("failed", "closed"):
            out.append(f"peer connection {e['state']}")
    return out


def _worst(host: dict, client: dict) -> dict:
    """Each figure as the worse of the two directions."""

    def pick(key: str, worse: Callable) -> object:
        values = [host.get(key), client.get(key)]
        return None if None in values else worse(values)

    out = {key: pick(key, min) for key in ("fps", "audio_ratio", "width")}
    out["latency_ms_max"] = pick("latency_ms_max", max)
    for key in ("media_back_ms", "video_back_after_s_by_fps", "audio_only_after_s_by_fps"):
        if key in host:
            out[key] = pick(key, max)
    return out


def _progress(sc: Scenario, people: list[tuple[str, LabProcess, int]], t0: float, t: float) -> None:
    parts = []
    for label, p, other in people:
        s = _plausible(media_series(p.events, other))
        if not s:
            continue
        fps, audio = per_second(s, t - 5, t)
        lat = _latency_max(_within(s, t - 5, t))
        parts.append(f"{label}: {fps:4.1f} fps, audio {audio:4.1f}/s, latency max {lat} ms")
    print(f"  {sc.name} {t - t0:+6.1f} s  " + " | ".join(parts), flush=True)


def _watch(sc, people, t0: float, until: float) -> None:
    next_print = time.monotonic() + 5
    while (now := time.monotonic()) < until:
        time.sleep(min(0.25, until - now))
        if time.monotonic() >= next_print:
            _progress(sc, people, t0, time.monotonic())
            next_print += 5


def run_call(ctx: Context, sc: Scenario, seconds: float, recover: float) -> dict:
    lab = ctx.lab
    stats = ["--stats-every", str(STATS_EVERY)]
    launcher: list[str] = [sys.executable, "-m", "vtconnect_care.client.cli"]
    env: dict[str, str] = {}
    if ctx.trace:
        launcher = [sys.executable, "-c", TRACER]
    people = []
    for ns, username, args in (
        ("far", "alex.active", ["--follow", "join"]),
        ("near", "dr.patel", ["--auto-begin", "host", "alex.active"]),
    ):
        if ctx.trace:
            env = {"VTLAB_QUEUES": str(ctx.trace / f"{sc.name}-{username}.jsonl")}
        people.append(
            participant(
                lab, ns, ctx.url, username, *stats, *args, cwd=ctx.code, env=env, launcher=launcher
            )
        )
    client, host = people
    kernel: Kernel | None = None
    try:
        client_id = client.wait("hello", timeout=60)["account"]["id"]
        host_id = host.wait("hello", timeout=60)["account"]["id"]
        host.wait("first_frame", timeout=60)
        client.wait("first_frame", timeout=60)
        watched = [("host receives", host, client_id), ("client receives", client, host_id)]
        time.sleep(SETTLE)
        _progress(sc, watched, time.monotonic(), time.monotonic())  # the clean seconds before
        kernel = Kernel(lab) if ctx.trace else None
        t0 = time.monotonic()
        if sc.impair:
            sc.impair(lab)
        _watch(sc, watched, t0, t0 + seconds)
        lab.clear()
        t1 = time.monotonic()
        _watch(sc, watched, t0, t1 + recover)
        t2 = time.monotonic()
        host.send("end")
        with contextlib.suppress(TimeoutError):
            host.wait("ended", timeout=15)
    finally:
        lab.clear()
        rows = kernel.stop() if kernel else []
        for p in people:
            p.stop()
    sides = {
        "host_receives": side(host.events, client_id, sc, t0, t1, t2),
        "client_receives": side(client.events, host_id, sc, t0, t1, t2),
    }
    broken = _broken(host.events, t0, t2) + _broken(client.events, t0, t2)
    gap_from = t1 if sc.name == "outage5" else t0  # the outage's own silence is not a drop
    gap = max(
        _longest_gap(media_series(p.events, other), gap_from, t2, "audio")
        for p, other in ((host, client_id), (client, host_id))
    )
    figures: dict = {
        "what": sc.what,
        "seconds": round(t1 - t0, 1),
        "recover_seconds": round(t2 - t1, 1),
        **_worst(sides["host_receives"], sides["client_receives"]),
        "dropped": bool(broken) or gap >= GAP_DROPPED,
        "why_dropped": broken + ([f"no audio for {gap} s"] if gap >= GAP_DROPPED else []),
        **sides,
    }
    if sc.name == "cap150":
        live = [sides[k]["after"]["live_after_s"] for k in sides]
        figures["video_live_after_s"] = None if None in live else max(live)
        by_event = [sides[k]["audio_only_after_s_by_event"] for k in sides]
        if all(v is not None for v in by_event):
            figures["audio_only_after_s"] = max(by_event)
            back = [sides[k]["video_back_after_s_by_event"] for k in sides]
            figures["video_back_after_s"] = None if None in back else max(back)
            figures["how"] = "the engines' video_paused / video_resumed events, both sides"
        else:
            figures["audio_only_after_s"] = figures["audio_only_after_s_by_fps"]
            figures["video_back_after_s"] = figures["video_back_after_s_by_fps"]
            figures["how"] = (
                "derived from received video: audio only = the first moment from which no video "
                "frame arrived for 3 s (0 fps = paused); back = the first whole second with 10 fps "
                "or more after the cap was lifted; no engine pause event was seen"
            )
    if ctx.trace:
        figures["queues"] = _queues(ctx.trace, sc, rows, t0, t1, t2, host, client_id)
    return figures


def _queues(trace: Path, sc: Scenario, kernel: list[dict], t0, t1, t2, host, client_id) -> dict:
    """Where media waited: the highest of each queue during and after, and the state of every
    queue when the host's latency peaked."""
    series = _plausible(media_series(host.events, client_id))
    during = _within(series, t0, t1 + (t2 - t1))
    peak = max(during, key=lambda p: p.latency_ms_median or 0, default=None)
    out: dict = {}
    for username in ("dr.patel", "alex.active"):
        path = trace / f"{sc.name}-{username}.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        mine: dict = {}
        for label, lo, hi in (("during", t0, t1), ("after", t1, t2)):
            part = [r for r in rows if lo <= r["t"] <= hi and "receivers" in r]
            summary: dict = {
                "mixer_ms_max": max((r["mixer_ms"] for r in part), default=None),
                "relay_audio_max": max((r["relay_audio"] for r in part), default=None),
            }
            for kind in ("audio", "video"):
                recs = [x for r in part for x in r["receivers"] if x["kind"] == kind]
                for key in ("jitter_packets", "jitter_ms", "decoder_queue", "track_queue"):
                    summary[f"{kind}_{key}_max"] = max((x[key] for x in recs), default=None)
            mine[label] = summary
        if peak is not None and rows:
            nearest = min(rows, key=lambda r: abs(r["t"] - peak.t))
            mine["at_host_latency_peak"] = {"latency_ms": peak.latency_ms_median, **nearest}
            mine["at_host_latency_peak"]["t"] = round(nearest["t"] - t0, 2)
        out[username] = mine
    k_during = [r for r in kernel if t0 <= r["t"] <= t1]
    out["kernel"] = {
        "cap_backlog_bytes_max": {
            end: max((r["cap_backlog"][end] for r in k_during), default=None)
            for end in ("near", "far")
        },
        "udp_tx_queue_bytes_max": max(
            (max(r["udp_near"][0], r["udp_far"][0]) for r in k_during), default=None
        ),
        "udp_rx_queue_bytes_max": max(
            (max(r["udp_near"][1], r["udp_far"][1]) for r in k_during), default=None
        ),
    }
    return out


def run_precall(ctx: Context, sc: Scenario) -> dict:
    if not (ctx.code / "vtconnect_care" / "client" / "precall.py").exists():
        return {
            "what": sc.what,
            "measured_kbps": None,
            "note": "not built: vtconnect_care/client/precall.py does not exist in this code",
        }
    ctx.lab.cap(500)
    try:
        argv = [sys.executable, "-c", PRECALL, ctx.url, "alex.active", DEMO_PASSWORD]
        proc = ctx.lab.run(
            "far", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ctx.code
        )
        out, err = proc.communicate(timeout=60)
    finally:
        ctx.lab.clear()
    if proc.returncode != 0:
        return {"what": sc.what, "measured_kbps": None, "note": "the test failed: " + err[-500:]}
    return {"what": sc.what, **json.loads(out.strip().splitlines()[-1])}


# --- the run -----------------------------------------------------------------------------------


def _code_tree(commit: str | None, tmp: Path) -> tuple[Path, str]:
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if commit is None:
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "vtconnect_care"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return ROOT, f"working tree at {head}" + (" with uncommitted changes" if dirty else "")
    tree = tmp / "code"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "vtconnect_care"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    full = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return tree, f"commit {full}"


def run(args: argparse.Namespace) -> dict:
    chosen = [sc for sc in SCENARIOS if not args.scenario or sc.name in args.scenario]
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp_name, NetLab(["near", "far"]) as lab:
        tmp = Path(tmp_name)
        code, described = _code_tree(args.commit, tmp)
        trace = Path(args.trace_queues) if args.trace_queues else None
        if trace:
            trace.mkdir(parents=True, exist_ok=True)
        server, url = portal_server(lab, "near", tmp / "server", cwd=code)
        ctx = Context(lab, url, code, trace)
        results["meta"] = {
            "code": described,
            "topology": "server + dr.patel (host) in netns near, alex.active in netns far, one "
            "veth pair; impairments on every packet, both ways",
            "stats_every_s": STATS_EVERY,
            "cpu_count": os.cpu_count(),
            "load_average_1m_at_start": os.getloadavg()[0],
            "not_emulated": "delay and jitter (the lab has no netem and no delay relay)",
            "audio_ratio_how": "audio frames decoded by the receiver / 50 per second sent",
            "figures_how": "each top-level figure is the worse of the two directions",
        }
        try:
            for sc in chosen:
                print(f"== {sc.name}: {sc.what}", flush=True)
                seconds = (
                    sc.seconds if args.seconds is None or sc.name == "outage5" else args.seconds
                )
                recover = sc.recover if args.recover is None or not sc.recover else args.recover
                try:
                    if sc.name == "precall_cap500":
                        results[sc.name] = run_precall(ctx, sc)
                    else:
                        results[sc.name] = run_call(ctx, sc, seconds, recover)
                except TimeoutError as exc:
                    results[sc.name] = {"what": sc.what, "error": str(exc)[-2000:]}
                print(
                    json.dumps(
                        {k: v for k, v in results[sc.name].items() if not isinstance(v, dict)}
                    ),
                    flush=True,
                )
        finally:
            server.stop()
    results["meta"]["load_average_1m_at_end"] = os.getloadavg()[0]
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    names = [sc.name for sc in SCENARIOS]
    p.add_argument("--scenario", action="append", choices=names, help="run only this (repeatable)")
    p.add_argument("--seconds", type=float, default=None, help="impairment length, every scenario")
    p.add_argument("--recover", type=float, default=None, help="recovery length, every scenario")
    p.add_argument("--commit", default=None, help="run the code of this commit, not the tree")
    p.add_argument("--trace-queues", default=None, metavar="DIR", help="sample every queue")
    p.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    args = p.parse_args()
    ok, why = available()
    if not ok:
        print(f"bench/network.py cannot run here: {why}", file=sys.stderr)
        return 2
    figures = run(args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
