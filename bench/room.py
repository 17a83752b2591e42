"""Group room benchmark: N people in one Care Room as a mesh and through Janus, same run.

    .venv/bin/python bench/room.py [--people 4] [--seconds 20] [--json bench/results/room.json]

Each person is a command-line call participant (the app's call engine, SYNTHETIC camera and
tone) in its own process, so each one's CPU is its own (/proc, Linux only: a benchmark, not the
app). One server process with demo data per mode; for the Janus run a real Janus (Debian's
package, generated config, tests/helpers/janus.py) whose CPU is shared out among the people.
After everyone sees everyone, a window of --seconds measures per person: CPU (cores), upload
(media payload bytes sent, kbit/s) and the frame rate each receiver got from each sender; then a
fifth person (invited at Host) joins and the time from its join to its first remote frame is
taken. Prints a table and writes JSON with cpu_cores_per_person_mesh / _sfu, fps_min (the
lowest any receiver got, per mode), upload_kbps_per_person_mesh / _sfu, the ratios, and the
fifth person's first frame. Run it alone: two cores are the whole machine.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import janus  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402

PASSWORD = "VTConnect-demo-1"  # noqa: S105 - the demo accounts' published password
PEOPLE = ["dr.patel", "alex.active", "bea.active", "nurse.kim", "cara.coord", "dan.deptadmin"]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


class Participant:
    """One CLI participant; its JSON lines collected by a reader thread."""

    def __init__(self, portal: str, username: str, *args: str, fps: int, size: tuple[int, int]):
        argv = [
            sys.executable,
            "-m",
            "vtconnect_care.client.cli",
            "--portal",
            portal,
            "--username",
            username,
            "--password",
            PASSWORD,
            "--json",
            "--stats-every",
            "1",
            "--width",
            str(size[0]),
            "--height",
            str(size[1]),
            "--fps",
            str(fps),
            *args,
        ]
        self.username = username
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            cwd=ROOT,
        )
        self.events: queue.Queue[dict] = queue.Queue()
        self.last_stats: dict | None = None
        self.lines: list[dict] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.lines.append(event)
            if event.get("event") == "stats":
                self.last_stats = event
            self.events.put(event)

    def wait_for(self, kind: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.username}: no {kind} event in {timeout} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("event") == kind:
                return event

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def peers(self) -> dict[str, dict]:
        stats = self.last_stats or {}
        return {k: v for k, v in (stats.get("peers") or {}).items() if k != "publishing"}

    def bytes_out(self) -> int:
        peers = (self.last_stats or {}).get("peers") or {}
        return sum(int(v.get("bytes_out") or 0) for v in peers.values())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # a poll of the children's latest stats lines, bounded by the deadline
        if time.monotonic() > deadline:
            raise TimeoutError(f"not in {timeout} s: {what}")
        time.sleep(0.2)


def run_mode(mode: str, args: argparse.Namespace, work: Path) -> dict:
    env: dict[str, str] = {}
    janus_server = None
    if mode == "sfu":
        janus_server = janus.start(work / "janus")
        env = {
            "VTCONNECT_JANUS_URL": janus_server.url,
            "VTCONNECT_JANUS_API_SECRET": janus_server.api_secret,
            "VTCONNECT_JANUS_ADMIN_KEY": janus_server.admin_key,
        }
    size = (args.width, args.height)
    people: list[Participant] = []
    try:
        with ServerProcess(work / f"server-{mode}", env=env) as server:
            first = PEOPLE[: args.people]
            invited = PEOPLE[1 : args.people + 1]  # one more than joins at first: the fifth
            host = Participant(
                server.url, first[0], "host", *invited, "--auto-begin", fps=args.fps, size=size
            )
            people.append(host)
            session = host.wait_for("joined")["session_id"]
            for username in first[1:]:
                people.append(
                    Participant(server.url, username, "join", str(session), fps=args.fps, size=size)
                )
            others = len(first) - 1

            def everyone_receives() -> bool:
                return all(
                    len(p.peers()) == others
                    and all((v.get("video_frames") or 0) > 30 for v in p.peers().values())
                    for p in people
                )

            wait_until(everyone_receives, 90, f"{mode}: everyone receiving everyone")
            time.sleep(3.0)  # settle: the first seconds' key frames and ladder steps pass
            start_cpu = {p.username: cpu_seconds(p.proc.pid) for p in people}
            start_janus = cpu_seconds(janus_server.process.pid) if janus_server else 0.0
            start_frames = {
                p.username: {k: v["video_frames"] for k, v in p.peers().items()} for p in people
            }
            start_bytes = {p.username: p.bytes_out() for p in people}
            t0 = time.monotonic()
            time.sleep(args.seconds)  # the measuring window itself
            window = time.monotonic() - t0
            cpu = {
                p.username: (cpu_seconds(p.proc.pid) - start_cpu[p.username]) / window
                for p in people
            }
            janus_cpu = (
                (cpu_seconds(janus_server.process.pid) - start_janus) / window
                if janus_server
                else 0.0
            )
            fps = {
                p.username: {
                    k: (v["video_frames"] - start_frames[p.username].get(k, 0)) / window
                    for k, v in p.peers().items()
                }
                for p in people
            }
            upload = {
                p.username: (p.bytes_out() - start_bytes[p.username]) * 8 / window / 1000
                for p in people
            }

            # a fifth person arrives: from its join to its first remote frame
            fifth = Participant(
                server.url, PEOPLE[args.people], "join", str(session), fps=args.fps, size=size
            )
            people.append(fifth)
            joined = fifth.wait_for("joined", 60)
            frame = fifth.wait_for("first_frame", 60)
            fifth_first_frame_s = frame["t"] - joined["t"]
    finally:
        for person in people:
            person.stop()
        if janus_server is not None:
            janus_server.stop()
    engines = sum(cpu.values())
    return {
        "mode": mode,
        "people": args.people,
        "window_s": round(window, 2),
        "cpu_cores_per_process": {k: round(v, 3) for k, v in cpu.items()},
        "janus_cores": round(janus_cpu, 3),
        "cpu_cores_per_person": round((engines + janus_cpu) / args.people, 3),
        "fps": {k: {s: round(f, 1) for s, f in v.items()} for k, v in fps.items()},
        "fps_min": round(min(f for v in fps.values() for f in v.values()), 1),
        "upload_kbps": {k: round(v, 1) for k, v in upload.items()},
        "upload_kbps_per_person": round(sum(upload.values()) / args.people, 1),
        "fifth_first_frame_s": round(fifth_first_frame_s, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--people", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--modes", default="mesh,sfu")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not 2 <= args.people <= len(PEOPLE) - 1:
        parser.error(f"--people must be between 2 and {len(PEOPLE) - 1}")
    if janus.skip_reason() and "sfu" in args.modes:
        parser.error(janus.skip_reason() or "")
    load_before = os.getloadavg()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-room-") as tmp:
        for mode in args.modes.split(","):
            print(
                f"== {mode}: {args.people} people at {args.width}x{args.height}@{args.fps}",
                flush=True,
            )
            results[mode] = run_mode(mode, args, Path(tmp))
            r = results[mode]
            print(
                f"   cpu/person {r['cpu_cores_per_person']:.3f} cores"
                f" (janus {r['janus_cores']:.3f}),"
                f" fps_min {r['fps_min']}, upload/person {r['upload_kbps_per_person']:.0f} kbit/s,"
                f" fifth's first frame {r['fifth_first_frame_s']:.2f} s",
                flush=True,
            )
    out: dict = {
        "people": args.people,
        "size": f"{args.width}x{args.height}",
        "fps": args.fps,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "modes": results,
    }
    if "mesh" in results and "sfu" in results:
        mesh, sfu = results["mesh"], results["sfu"]
        out.update(
            {
                "cpu_cores_per_person_mesh": mesh["cpu_cores_per_person"],
                "cpu_cores_per_person_sfu": sfu["cpu_cores_per_person"],
                "cpu_ratio_sfu_to_mesh": round(
                    sfu["cpu_cores_per_person"] / mesh["cpu_cores_per_person"], 3
                ),
                "upload_kbps_per_person_mesh": mesh["upload_kbps_per_person"],
                "upload_kbps_per_person_sfu": sfu["upload_kbps_per_person"],
                "upload_ratio_sfu_to_mesh": round(
                    sfu["upload_kbps_per_person"] / mesh["upload_kbps_per_person"], 3
                ),
                "fps_min_mesh": mesh["fps_min"],
                "fps_min_sfu": sfu["fps_min"],
                "fifth_first_frame_s_sfu": sfu["fifth_first_frame_s"],
            }
        )
        print(json.dumps({k: v for k, v in out.items() if k != "modes"}, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
