"""A command-line call participant with synthetic media (demos, end-to-end tests, benchmarks).

    python -m vtconnect_care.client.cli --portal http://127.0.0.1:8470 \\
        --username dr.patel --password VTConnect-demo-1 host alex.active --auto-begin
    python -m vtconnect_care.client.cli --portal ... --username alex.active --password ... join

``host USER...`` hosts a session with these people; ``join [SESSION_ID]`` joins that session, or
the first live session offered, or waits to be hosted (``--follow`` joins every new hosting).
It prints what happens (``--json``: one JSON object per line) and reads commands on stdin:
``begin``, ``end``, ``leave``, ``chat TEXT``, ``host USER...``, ``camera|mic|speaker on|off``,
``audio-only on|off``,
``cut`` (drop the socket as a network failure would), ``break`` (close every peer connection
as if it had failed), ``stats``, ``quit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import statistics
import sys
import time
from typing import Any

import numpy as np

from .call_http import PortalError, login
from .engine import CallEngine, Event, MediaSet, RealtimeError
from .media.synthetic import latency_ms, name_colour, read_band_colour

CHECK_EVERY = 15  # frames between colour checks (a BGR conversion each)


_WEIGHTS = 1 << np.arange(15, -1, -1)


def fast_stamp(gray: np.ndarray) -> tuple[int, int]:
    """``read_stamp`` (synthetic.py's layout) in two numpy reductions instead of 32."""
    height, width = gray.shape[:2]
    row, cell = max(6, int(height * 0.06)), width // 16
    out = []
    for top in (0, row):
        band = gray[top + row // 4 : top + row - row // 4, : 16 * cell]
        blocks = band.reshape(band.shape[0], 16, cell)[:, :, cell // 4 : cell - cell // 4]
        bits = blocks.mean(axis=(0, 2)) > 127.0
        out.append(int((bits * _WEIGHTS).sum()))
    return out[0], out[1]


def _luma(frame: Any) -> np.ndarray:
    if frame.format.name == "yuv420p":
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
        return rows[:, : frame.width]
    return frame.to_ndarray(format="gray")


class Probe:
    """Reads what arrives: frame counts, the sender's colour band, the drawn time stamps."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.frames: dict[int, int] = {}
        self.matches: dict[int, bool] = {}
        self.latencies: list[int] = []
        self.arrivals: list[float] = []
        self.sizes: dict[int, tuple[int, int]] = {}

    def on_frame(self, account_id: int, frame: Any) -> None:
        count = self.frames.get(account_id, 0) + 1
        self.frames[account_id] = count
        self.sizes[account_id] = (frame.width, frame.height)
        now = time.monotonic()
        self.arrivals.append(now)
        _, stamp = fast_stamp(_luma(frame))
        self.latencies.append(latency_ms(stamp, now))
        if count % CHECK_EVERY == 1 and account_id in self.names:
            band = read_band_colour(frame.to_ndarray(format="bgr24"))
            expected = name_colour(self.names[account_id])
            distance = float(np.linalg.norm(np.subtract(band, expected)))
            self.matches[account_id] = distance < 60.0

    def take(self) -> dict:
        lat, self.latencies = self.latencies, []
        arrivals, self.arrivals = self.arrivals, []
        fps = 0.0
        if len(arrivals) > 1 and arrivals[-1] > arrivals[0]:
            fps = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        return {
            "frames": {str(k): v for k, v in self.frames.items()},
            "matches": {str(k): v for k, v in self.matches.items()},
            "sizes": {str(k): list(v) for k, v in self.sizes.items()},  # the newest picture's
            "latency_ms_median": statistics.median(lat) if lat else None,
            "latency_ms_max": max(lat) if lat else None,
            "fps": round(fps, 2),
        }


class Participant:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.engine: CallEngine | None = None
        self.probe = Probe()
        self.done = asyncio.Event()

    def out(self, kind: str, /, **data: Any) -> None:
        if self.args.json:
            print(json.dumps({"event": kind, "t": time.monotonic(), **data}, default=str))
        else:
            detail = " ".join(f"{k}={v}" for k, v in data.items())
            print(f"[{kind}] {detail}")
        sys.stdout.flush()

    def on_event(self, event: Event) -> None:
        data = dict(event.data)
        if event.kind in ("joined", "begun", "hosted"):
            session = data.get("session") or {}
            for m in session.get("members", []):
                self.probe.names[m["account_id"]] = m["name"]
            data = {"session_id": session.get("id"), "state": session.get("state")}
            if event.kind == "joined":
                data["chat"] = len(event.data.get("chat", []))
        if event.kind == "first_frame" and self.engine is not None:
            marks = self.engine.marks
            start = marks.get("begin_sent") or marks.get("joined")
            data["setup_ms"] = round((event.data["at"] - start) * 1000, 1) if start else None
        self.out(event.kind, **data)
        if event.kind == "hosted" and self.args.follow and self.engine is not None:
            asyncio.ensure_future(self._safe(self.engine.join(event.data["session"]["id"])))
        if event.kind == "participant_joined" and self.args.auto_begin and self.engine:
            if self.engine.state == "waiting":
                asyncio.ensure_future(self._safe(self.engine.begin()))
        if event.kind == "ended" and self.args.exit_on_end:
            self.done.set()

    async def _safe(self, coro: Any) -> None:
        try:
            await coro
        except (RealtimeError, PortalError) as exc:
            self.out("refused", code=exc.code, message=exc.message)
        except (ConnectionError, TimeoutError) as exc:
            self.out("error", code="offline", message=str(exc))

    async def run(self) -> int:
        args = self.args
        try:
            account = await login(args.portal, args.username, args.password)
        except PortalError as exc:
            self.out("refused", code=exc.code, message=exc.message)
            return 2
        name = account["account"]["full_name"]
        ice = json.loads(args.ice_servers) if args.ice_servers is not None else []
        media = MediaSet.synthetic(name, width=args.width, height=args.height, fps=args.fps)
        engine = CallEngine(
            args.portal,
            account["token"],
            media,
            ice_servers=ice,
            on_event=self.on_event,
            on_video_frame=self.probe.on_frame,
        )
        self.engine = engine
        tasks = [asyncio.create_task(self._stdin()), asyncio.create_task(self._stats())]
        try:
            hello = await engine.start()
            if args.action == "host":
                await self._safe(engine.host(usernames=args.targets))
            elif args.action == "join":
                target = int(args.targets[0]) if args.targets else None
                if target is None and hello["sessions"]:
                    target = hello["sessions"][0]["id"]
                if target is not None:
                    await self._safe(engine.join(target))
            await self.done.wait()
        finally:
            for task in tasks:
                task.cancel()
            await engine.close()
            self.out("closed", **self.probe.take())
        return 0

    async def _stats(self) -> None:
        while True:
            await asyncio.sleep(self.args.stats_every)
            if self.engine is not None and self.engine.peers:
                peers = {str(k): v for k, v in self.engine.stats().items()}
                self.out("stats", peers=peers, **self.probe.take())

    async def _stdin(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                if not self.args.keep_on_eof:
                    self.done.set()
                return
            await self.command(line.strip())

    async def command(self, line: str) -> None:
        engine = self.engine
        assert engine is not None
        word, _, rest = line.partition(" ")
        if word == "begin":
            await self._safe(engine.begin())
        elif word == "end":
            await self._safe(engine.end())
        elif word == "leave":
            await self._safe(engine.leave())
        elif word == "chat":
            await self._safe(engine.send_chat(rest))
        elif word == "host":
            await self._safe(engine.host(usernames=rest.split()))
        elif word in ("camera", "mic", "speaker"):
            setter = {
                "camera": engine.set_camera_enabled,
                "mic": engine.set_mic_enabled,
                "speaker": engine.set_speaker_enabled,
            }[word]
            setter(rest.strip() == "on")
        elif word == "audio-only":
            engine.set_audio_only(rest.strip() == "on")
        elif word == "cut":
            engine.realtime.cut()
        elif word == "break":
            for peer in list(engine.peers.values()):
                await peer.pc.close()
        elif word == "stats":
            peers = {str(k): v for k, v in engine.stats().items()}
            self.out("stats", peers=peers, **self.probe.take())
        elif word == "quit":
            self.done.set()
        elif word:
            self.out("error", code="unknown_command", message=f"Unknown command: {word}")
        self.out("done", command=word)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m vtconnect_care.client.cli", description=__doc__)
    p.add_argument("--portal", required=True, help="the portal's address, e.g. http://host:8470")
    p.add_argument("--username", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument(
        "--ice-servers",
        default=None,
        help='JSON list, e.g. [{"urls":["stun:host:3478"]}]; default [] (host candidates)',
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--auto-begin", action="store_true", help="host: Begin on the first arrival")
    p.add_argument("--follow", action="store_true", help="join every session you are hosted in")
    p.add_argument("--exit-on-end", action="store_true")
    p.add_argument("--keep-on-eof", action="store_true", help="keep running when stdin closes")
    p.add_argument("--stats-every", type=float, default=1.0)
    p.add_argument("action", choices=["host", "join"])
    p.add_argument("targets", nargs="*", help="host: usernames; join: a session id (optional)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(Participant(args).run())
    return 130


if __name__ == "__main__":
    sys.exit(main())
