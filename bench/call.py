"""Call benchmark: a portal server and two call engines (separate processes) on loopback,
beside two Chromium peers in the same run (the reference, bench/chromium_ref.py).

    .venv/bin/python bench/call.py [--width 640 --height 480 --fps 30] [--calls 10]
                                   [--seconds 30] [--reference chromium|none] [--json FILE]

Figures (synthetic camera and tone in each engine; everything else real):

- ``setup_ms_median``: the host's Begin (host side) or the client's join (client side) to the
  first decoded remote frame, median over ``--calls`` calls (both sides pooled);
- ``fps``: frames per second received by the host over ``--seconds`` seconds of one call;
- ``latency_ms_median``: glass to glass: the sender draws its capture time into each frame,
  the receiver reads it back on arrival (both processes share the monotonic clock);
- ``cpu_cores_per_side``: CPU time of each engine process over that window / wall time
  (mean of both sides); ``cpu_cores_both`` their sum. On a shared machine this is noisy;
- ``received``: the resolution each side receives (an adapted stream is never compared with a
  full one), and ``sending``: what each engine's statistics say it sends (rung, picture, fps);
- with ``--reference chromium`` (the default where Debian's Chromium is installed), the same
  figures of two Chromium peers with the fake camera at the same size and rate, and the ratios
  ``cpu_ratio_to_chromium`` (both sides' CPU) and ``setup_ratio_to_chromium``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chromium_ref import run_chromium  # noqa: E402
from tests.e2e.participants import Participant  # noqa: E402
from tests.helpers.browser import chromium_executable  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def run(args: argparse.Namespace) -> dict:
    size = ["--width", str(args.width), "--height", str(args.height), "--fps", str(args.fps)]
    with tempfile.TemporaryDirectory() as tmp, ServerProcess(Path(tmp) / "server") as server:
        alex = Participant(server.url, "alex.active", *size, "--follow", "join")
        patel = Participant(server.url, "dr.patel", *size, "--auto-begin", "host", "alex.active")
        try:
            alex_id = alex.wait("hello", timeout=30)["account"]["id"]
            patel_id = patel.wait("hello", timeout=30)["account"]["id"]
            host_setup: list[float] = []
            client_setup: list[float] = []
            for call in range(args.calls):
                if call:
                    patel.send("end")
                    patel.wait("ended")
                    alex.wait("ended")
                    patel.send("host alex.active")
                first = patel.wait("first_frame", lambda e: e["account_id"] == alex_id, 30)
                host_setup.append(first["setup_ms"])
                first = alex.wait("first_frame", lambda e: e["account_id"] == patel_id, 30)
                client_setup.append(first["setup_ms"])
                print(f"call {call + 1}: host {host_setup[-1]} ms, client {client_setup[-1]} ms")
                if args.trace and max(host_setup[-1], client_setup[-1]) > 1000:
                    for person in (patel, alex):
                        for event in person.events[-14:]:
                            if event["event"] != "stats":
                                print(person.username, json.dumps(event)[:200])
            # one steady call: frame rate, latency and CPU over the window
            patel.wait("stats", timeout=10)
            start = patel.wait("stats", timeout=10)
            cpu0 = {p: cpu_seconds(p.proc.pid) for p in (alex, patel)}
            wall0 = time.monotonic()
            latencies: list[float] = []
            end = start
            while end["t"] - start["t"] < args.seconds:
                end = patel.wait("stats", timeout=10)
                if end["latency_ms_median"] is not None:
                    latencies.append(end["latency_ms_median"])
            wall = time.monotonic() - wall0
            cpu = {p.username: (cpu_seconds(p.proc.pid) - cpu0[p]) / wall for p in (alex, patel)}
            frames = end["frames"][str(alex_id)] - start["frames"][str(alex_id)]
            fps = frames / (end["t"] - start["t"])
            alex.wait("stats", timeout=10)
            alex_end = [e for e in alex.events if e["event"] == "stats"][-1]  # the newest
            received = {
                "dr.patel": "x".join(map(str, end["sizes"].get(str(alex_id), []))),
                "alex.active": "x".join(map(str, alex_end["sizes"].get(str(patel_id), []))),
            }
            sending = {
                "dr.patel": end["peers"][str(alex_id)].get("sending"),
                "alex.active": alex_end["peers"][str(patel_id)].get("sending"),
            }
        except TimeoutError:
            for person in (patel, alex):
                print(f"--- {person.username}, last events:", file=sys.stderr)
                for event in person.events[-25:]:
                    if event["event"] != "stats":
                        print(json.dumps(event)[:300], file=sys.stderr)
                print("".join(person.other[-30:]), file=sys.stderr)
            raise
        finally:
            alex.stop()
            patel.stop()
    setup = host_setup + client_setup
    return {
        "width": args.width,
        "height": args.height,
        "calls": args.calls,
        "seconds": args.seconds,
        "setup_ms_median": round(statistics.median(setup), 1),
        "setup_ms_median_host_begin": round(statistics.median(host_setup), 1),
        "setup_ms_median_client_join": round(statistics.median(client_setup), 1),
        "fps": round(fps, 2),
        "latency_ms_median": round(statistics.median(latencies), 1) if latencies else None,
        "cpu_cores_per_side": round(statistics.mean(cpu.values()), 3),
        "cpu_cores_both": round(sum(cpu.values()), 3),
        "cpu_cores": {k: round(v, 3) for k, v in cpu.items()},
        "received": received,
        "sending": sending,
        "cpu_count": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
        "note": "shared machine: CPU and latency figures are noisy",
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=480)
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--calls", type=int, default=10)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--trace", action="store_true", help="print the events of slow calls")
    p.add_argument(
        "--reference",
        choices=["chromium", "none"],
        default="chromium" if chromium_executable() else "none",
        help="run two Chromium peers in the same run as the reference (default where installed)",
    )
    p.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    args = p.parse_args()
    load_before = os.getloadavg()
    figures = run(args)
    if args.reference == "chromium":
        # our CLI engines decode but paint nothing: so does the reference after its first frame
        ref = run_chromium(
            args.width, args.height, args.fps, args.calls, args.seconds, render=False
        )
        figures["chromium"] = ref
        figures["cpu_ratio_to_chromium"] = round(figures["cpu_cores_both"] / ref["cpu_cores"], 2)
        figures["setup_ratio_to_chromium"] = round(
            figures["setup_ms_median"] / ref["setup_ms_median"], 2
        )
    figures["load_average_before_after"] = [round(load_before[0], 2), os.getloadavg()[0]]
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
