"""REST API benchmark: the app's hot GETs at a fixed rate and at saturation.

    .venv/bin/python bench/api.py [--rate 200] [--seconds 15] [--concurrency 20]
                                  [--workers 1] [--json FILE]

A demo server process (SQLite, as `vtconnect-server --demo` starts) and a load client in this
process: keep-alive HTTP/1.1 connections written with asyncio streams (a few microseconds of
client work per request, so the client does not hide the server's ceiling). For each path, with
a valid app token:

- ``fixed``: ``--rate`` requests a second for ``--seconds``, sent on schedule over 20
  connections whatever the answers do (open loop); latency counted from the scheduled time, so
  a server that falls behind shows it; p50/p99 in ms;
- ``saturation``: ``--concurrency`` connections each sending its next request as soon as the
  last one is answered, for ``--seconds``: requests a second, p50/p99.

Paths: the sign-in check (``/auth/me``), ``/appointments/today``, ``/sessions/current``
(practitioner dr.patel) and ``/visits`` (the day's visits, nurse.kim), and ``/health``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.rest import login  # noqa: E402
from tests.helpers.server import ServerProcess  # noqa: E402

PATHS = [
    ("/health", None),
    ("/api/v1/auth/me", "dr.patel"),
    ("/api/v1/appointments/today", "dr.patel"),
    ("/api/v1/sessions/current", "dr.patel"),
    ("/api/v1/visits", "nurse.kim"),
]
FIXED_CONNECTIONS = 20


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


class Http:
    """One keep-alive HTTP/1.1 connection: GET and read the whole answer."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str) -> int:
        assert self.reader is not None and self.writer is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def fixed_rate(host: str, port: int, path: str, headers: dict, rate: float, seconds: float):  # type: ignore[no-untyped-def]
    conns = [Http(host, port, headers) for _ in range(FIXED_CONNECTIONS)]
    for c in conns:
        await c.open()
    idle: asyncio.Queue[Http] = asyncio.Queue()
    for c in conns:
        idle.put_nowait(c)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.1
    total = int(rate * seconds)

    async def one(at: float) -> None:
        nonlocal errors
        conn = await idle.get()
        try:
            status = await conn.get(path)
            if status != 200:
                errors += 1
            latencies.append((time.perf_counter() - at) * 1000)
        finally:
            idle.put_nowait(conn)

    tasks = []
    for i in range(total):
        at = start + i / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        tasks.append(asyncio.create_task(one(at)))
    await asyncio.gather(*tasks)
    for c in conns:
        c.close()
    return {
        "rate": rate,
        "requests": total,
        "p50_ms": pct(latencies, 50),
        "p99_ms": pct(latencies, 99),
        "errors": errors,
    }


async def saturate(host: str, port: int, path: str, headers: dict, clients: int, seconds: float):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        conn = Http(host, port, headers)
        await conn.open()
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            if await conn.get(path) != 200:
                errors += 1
            latencies.append((time.perf_counter() - t) * 1000)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    took = time.perf_counter() - started
    return {
        "concurrency": clients,
        "requests_per_s": round(len(latencies) / took, 1),
        "p50_ms": pct(latencies, 50),
        "p99_ms": pct(latencies, 99),
        "errors": errors,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--seconds", type=float, default=15.0)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--paths", nargs="*", help="only these paths")
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    out: dict = {"rate": args.rate, "seconds": args.seconds, "workers": args.workers, "paths": {}}
    extra: list[str] = []
    env: dict[str, str] = {}
    redis = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.workers > 1:
            from tests.helpers.redis_server import RedisServer

            redis = RedisServer(Path(tmp) / "redis").start()
            env["VTCONNECT_REDIS_URL"] = redis.url
            extra += ["--workers", str(args.workers)]
        server = ServerProcess(Path(tmp) / "server", env=env, args=extra)
        server.start()
        print(f"server pid {server.proc.pid if server.proc else None}", flush=True)
        try:
            if args.workers > 1:
                for _ in range(args.workers):
                    server.wait_for_line("Application startup complete", timeout=60)
            tokens = {u: login(server.url, u) for u in {u for _, u in PATHS if u}}
            gc.collect()
            gc.freeze()
            gc.disable()  # the load client's collections are not the server's latency
            for path, user in PATHS:
                if args.paths and path not in args.paths:
                    continue
                headers = tokens[user] if user else {}
                fixed = asyncio.run(
                    fixed_rate("127.0.0.1", server.port, path, headers, args.rate, args.seconds)
                )
                sat = asyncio.run(
                    saturate(
                        "127.0.0.1", server.port, path, headers, args.concurrency, args.seconds
                    )
                )
                out["paths"][path] = {"fixed": fixed, "saturation": sat}
                print(json.dumps({path: out["paths"][path]}), flush=True)
        finally:
            server.stop()
            if redis is not None:
                redis.stop()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
