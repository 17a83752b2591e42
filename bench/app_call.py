"""App call benchmark: the real desktop app's Care Room (offscreen) in a call with one CLI
participant, beside that CLI engine in the same run.

    .venv/bin/python bench/app_call.py [--width 640 --height 480 --fps 30] [--seconds 30]
                                       [--window 900x600] [--json FILE]

A portal server, alex.active's command-line participant (SYNTHETIC camera and tone) and, in a
process of its own, dr.patel's ``CareRoomWindow`` over ``CareRoomController`` (the app's own
classes, its qasync loop, ``QT_QPA_PLATFORM=offscreen`` unless a display is chosen) hosting
Alex and beginning on his arrival. Both sides send and receive the same picture; the app also
paints it. Figures, over ``--seconds`` of the steady call:

- ``app_cpu_cores``: CPU time of the app's process / wall time; ``engine_cpu_cores``: the same
  for the CLI participant, the engine without a screen; ``app_cpu_ratio_to_engine``;
- ``painted_fps``: new pictures of Alex painted per second on his tile (each painted picture is
  converted once, ``RemoteTile.converted``); ``received_fps``: pictures that arrived; and
  ``self_view_paints_per_s``;
- ``received``: the resolution each side receives, ``sending``: what each engine says it sends.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


# --- the app's side (a child process) -----------------------------------------------------------


class SyntheticDevices:
    """SYNTHETIC devices at the benchmark's size: one camera, one tone, one silent speaker."""

    synthetic = True

    def __init__(self, person: str, size: tuple[int, int], fps: float) -> None:
        self.person, self.size, self.fps = person, size, fps

    def list(self, kind: str) -> list:
        from vtconnect_care.client.media import Device

        names = {"camera": "Synthetic camera", "microphone": "Synthetic tone"}
        return [Device(0, names.get(kind, "Silent speaker"), kind, True)]

    def open_camera(self, device):  # noqa: ANN001, ARG002 - the DeviceProvider shape
        from vtconnect_care.client.media import SyntheticCamera

        return SyntheticCamera(self.person, *self.size, self.fps)

    def open_microphone(self, device):  # noqa: ANN001, ARG002
        from vtconnect_care.client.media import SyntheticTone

        return SyntheticTone()

    def open_speaker(self, device):  # noqa: ANN001, ARG002
        from vtconnect_care.client.media import NullSink

        return NullSink()


def out(kind: str, **data: object) -> None:
    print(json.dumps({"event": kind, "t": time.monotonic(), **data}), flush=True)


def app_side(args: argparse.Namespace) -> int:
    import asyncio
    import gc

    from PySide6.QtWidgets import QApplication

    from vtconnect_care.app.call.frames import Slot
    from vtconnect_care.app.care_room import CareRoomController, CareRoomWindow, RoomRequest
    from vtconnect_care.app.event_loop import close_loop, make_loop

    app = QApplication([])
    loop = make_loop(app)
    pauses: list[float] = []  # how long each garbage collection held the Qt thread
    started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(on_gc)
    w, h = (int(x) for x in args.window.split("x"))
    request = RoomRequest(
        account={"id": 0, "full_name": "Priya Patel", "username": "dr.patel"},
        portal_url=args.portal,
        token=args.token,
        people=({"id": args.alex, "full_name": "Alex Morgan"},),
        devices=SyntheticDevices("Priya Patel", (args.width, args.height), args.fps),
        video_size=(args.width, args.height),
        fps=float(args.fps),
    )
    window = CareRoomWindow(CareRoomController(request))
    window.resize(w, h)
    if not args.hidden:
        window.show()

    async def until(check, timeout: float, what: str) -> None:  # noqa: ANN001
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(0.05)

    async def scenario() -> None:
        c = window.controller
        await c.start()
        await until(lambda: c.can_begin, 30, "Alex arrived")
        await c.begin()
        await until(lambda: args.alex in window.grid.tiles, 15, "Alex's tile")
        tile = window.grid.tiles[args.alex]
        if args.hidden:  # the window never shown: what the engine costs under qasync alone
            await until(lambda: (c.frames.get(args.alex) or Slot()).seq > 30, 30, "pictures")
        else:
            await until(lambda: tile.converted > 30, 30, "pictures of Alex painted")
        out("in_call", tile=[tile.width(), tile.height()], pacer_ms=window.pacer.interval_ms)
        looks = 0
        while True:
            looks += 1
            if args.grab and looks == 5:  # what the window shows, to look at by hand
                window.grab().save(args.grab)
            slot = c.frames.get(args.alex)
            stats = c.engine.stats() if getattr(c, "engine", None) is not None else {}
            peer = stats.get(args.alex, {}) if isinstance(stats, dict) else {}
            out(
                "stats",
                painted=tile.converted,
                paints=tile.paints,
                received=slot.seq if slot is not None else 0,
                size=[slot.frame.width, slot.frame.height] if slot and slot.frame else None,
                self_paints=window.self_view.paints if hasattr(window, "self_view") else None,
                sending=peer.get("sending"),
                gc_pauses=len(pauses),
                gc_ms_max=round(max(pauses, default=0.0) * 1000, 1),
                gc_ms_total=round(sum(pauses) * 1000, 1),
            )
            await asyncio.sleep(1.0)

    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), args.seconds + 120))
    except TimeoutError as exc:
        out("error", message=str(exc))
        return 1
    finally:
        window.force_close()
        loop.run_until_complete(window.controller.aclose())
        close_loop(loop)
    return 0


# --- the benchmark ------------------------------------------------------------------------------


class AppProcess:
    def __init__(self, cmd: list[str], env: dict[str, str]) -> None:
        from tests.e2e.participants import Participant

        # a Participant's reader without its command line: JSON lines from our child
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1, env=env,
        )  # fmt: skip
        reader = Participant.__new__(Participant)
        reader.username, reader.proc, reader.events, reader.other = "app", self.proc, [], []
        import queue
        import threading

        reader._q = queue.Queue()
        threading.Thread(target=reader._pump, daemon=True).start()
        self.reader = reader

    def wait(self, kind: str, timeout: float = 30.0) -> dict:
        return self.reader.wait(kind, timeout=timeout)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(args: argparse.Namespace) -> dict:
    from tests.e2e.participants import Participant
    from tests.helpers.rest import login
    from tests.helpers.server import ServerProcess

    size = ["--width", str(args.width), "--height", str(args.height), "--fps", str(args.fps)]
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "server") as server:
        alex = Participant(server.url, "alex.active", *size, "--follow", "join")
        app: AppProcess | None = None
        try:
            alex_id = alex.wait("hello", timeout=30)["account"]["id"]
            token = login(server.url, "dr.patel")["Authorization"].split()[1]
            cmd = [sys.executable, str(Path(__file__).resolve()), "--app-side", "--portal",
                   server.url, "--token", token, "--alex", str(alex_id), *size,
                   "--window", args.window, "--seconds", str(args.seconds),
                   *(["--hidden"] if args.hidden else []),
                   *(["--grab", args.grab] if args.grab else [])]  # fmt: skip
            app = AppProcess(cmd, env)
            first = app.wait("in_call", timeout=90)
            for _ in range(3):  # past the first seconds' ramp
                app.wait("stats", timeout=10)
            start = app.wait("stats", timeout=10)
            pids = {"app": app.proc.pid, "engine": alex.proc.pid}
            cpu0 = {k: cpu_seconds(p) for k, p in pids.items()}
            wall0 = time.monotonic()
            end = start
            while end["t"] - start["t"] < args.seconds:
                end = app.wait("stats", timeout=10)
            wall = time.monotonic() - wall0
            cpu = {k: (cpu_seconds(p) - cpu0[k]) / wall for k, p in pids.items()}
            span = end["t"] - start["t"]
            alex.wait("stats", timeout=10)
            alex_end = [e for e in alex.events if e["event"] == "stats"][-1]
        except TimeoutError:
            print("".join(alex.other[-20:]), file=sys.stderr)
            if app is not None:
                print("".join(app.reader.other[-40:]), file=sys.stderr)
                print(json.dumps(app.reader.events[-5:])[:2000], file=sys.stderr)
            raise
        finally:
            alex.stop()
            if app is not None:
                app.stop()
    engine_peer = next(iter(alex_end["peers"].values()), {})
    self_paints = None
    if end.get("self_paints") is not None and start.get("self_paints") is not None:
        self_paints = round((end["self_paints"] - start["self_paints"]) / span, 2)
    return {
        "width": args.width,
        "height": args.height,
        "fps_asked": args.fps,
        "window": "hidden" if args.hidden else args.window,
        "tile": first["tile"],
        "pacer_ms": first["pacer_ms"],
        "seconds": round(span, 1),
        "app_cpu_cores": round(cpu["app"], 3),
        "engine_cpu_cores": round(cpu["engine"], 3),
        "app_cpu_ratio_to_engine": round(cpu["app"] / cpu["engine"], 2),
        "painted_fps": round((end["painted"] - start["painted"]) / span, 2),
        "received_fps": round((end["received"] - start["received"]) / span, 2),
        "tile_paints_per_s": round((end["paints"] - start["paints"]) / span, 2),
        "self_view_paints_per_s": self_paints,
        "gc_pauses_per_s": round((end["gc_pauses"] - start["gc_pauses"]) / span, 2),
        "gc_ms_per_s": round((end["gc_ms_total"] - start["gc_ms_total"]) / span, 2),
        "gc_ms_max": end["gc_ms_max"],
        "received": {
            "app": "x".join(map(str, end["size"] or [])),
            "engine": "x".join(map(str, next(iter(alex_end["sizes"].values()), []))),
        },
        "engine_fps": alex_end["fps"],
        "sending": {"app": end.get("sending"), "engine": engine_peer.get("sending")},
        "cpu_count": os.cpu_count(),
        "qt_platform": env["QT_QPA_PLATFORM"],
        "note": "shared machine: CPU figures are noisy; the ratio is of the same run",
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--window", default="900x600", help="the Care Room window's size")
    p.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    p.add_argument(
        "--hidden", action="store_true", help="never show the window: the app's engine alone"
    )
    p.add_argument("--grab", default=None, help="save a picture of the window to this file")
    p.add_argument("--app-side", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--portal", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument("--alex", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.app_side:
        return app_side(args)
    load_before = os.getloadavg()[0]
    figures = run(args)
    figures["load_average_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
