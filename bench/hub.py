"""Realtime hub benchmark: N sockets as the app opens them plus one relaying room.

    .venv/bin/python bench/hub.py [--sockets 2000] [--seconds 30] [--processes 1|2]
                                  [--floor|--no-floor] [--json FILE]

A load client (this process, asyncio) opens ``--sockets`` sockets with a Bearer token of an
app sign-in, reads ``hello``, and pings from each every 5 s (staggered). In one real Care Room
the host sends a ``signal`` to the client 10 times a second. Figures:

- ``open_s``: time to open all the load sockets (100 at a time) up to their ``hello``;
- ``relay_p50_ms`` / ``relay_p99_ms``: host's send to the client's receipt of a signal;
- ``pong_p99_ms``: ping to pong on the load sockets during the relaying;
- ``errors``: sockets that failed to open or closed, error messages, signals lost;
- ``rss_mb``: the server processes' resident memory with every socket open (summed).

``--floor`` (the default) runs the same client against a bare Starlette relay that this script
starts itself (same messages, no database, no checks: the floor for Python on this machine)
and reports the ratios. ``--processes 2`` runs two server processes on one database with a
redis-server (started here): the load sockets split between them, host on one, client on the
other.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.redis_server import RedisServer  # noqa: E402
from tests.helpers.rest import login, rest  # noqa: E402
from tests.helpers.server import ServerProcess, free_port  # noqa: E402

LOAD_ACCOUNTS = ["olivia.admin", "dan.deptadmin", "cara.coord", "frank.frontdesk", "nurse.kim"]
PING_EVERY = 5.0
SIGNALS_PER_S = 10
OPEN_AT_ONCE = 100


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


# --- the floor: a bare relay speaking the same messages -----------------------------------


def floor_app():  # type: ignore[no-untyped-def]
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    sockets: dict[int, WebSocket] = {}
    counter = iter(range(1, 10**9))

    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        me = next(counter)
        sockets[me] = websocket
        await websocket.send_text(json.dumps({"type": "hello", "account": {"id": me}}))
        try:
            while True:
                msg = json.loads(await websocket.receive_text())
                kind = msg.get("type")
                if kind == "ping":
                    await websocket.send_text('{"type":"pong"}')
                elif kind == "join":
                    await websocket.send_text(json.dumps({"type": "joined"}))
                elif kind == "signal":
                    target = sockets.get(msg.get("to"))
                    event = {"type": "signal", "from": me, "signal": msg.get("signal")}
                    if target is not None:
                        await target.send_text(json.dumps(event))
        except WebSocketDisconnect:
            pass
        finally:
            sockets.pop(me, None)

    return Starlette(routes=[WebSocketRoute("/api/v1/ws", ws)])


def serve_floor(port: int) -> None:
    import uvicorn

    uvicorn.run(  # the same uvicorn options as vtconnect-server's
        floor_app(),
        host="127.0.0.1",
        port=port,
        log_level="info",
        ws_max_size=256 * 1024,
        ws_per_message_deflate=False,
    )


# --- the load client ------------------------------------------------------------------------


class Load:
    def __init__(self) -> None:
        self.errors = 0
        self.error_kinds: dict[str, int] = {}
        self.pongs: list[float] = []
        self.relay: list[float] = []
        self.measuring = False
        self.sockets: list = []

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


async def open_socket(url: str, token: str | None):  # type: ignore[no-untyped-def]
    from websockets.asyncio.client import connect

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws = await connect(url, additional_headers=headers, open_timeout=60, max_size=2**20)
    hello = json.loads(await asyncio.wait_for(ws.recv(), 60))
    assert hello["type"] == "hello", hello
    return ws, hello


async def pinger(ws, load: Load) -> None:  # type: ignore[no-untyped-def]
    await asyncio.sleep(random.uniform(0, PING_EVERY))
    sent: list[float] = []

    async def reader() -> None:
        async for raw in ws:
            msg = json.loads(raw)
            if msg["type"] == "pong" and sent:
                rtt = (time.perf_counter() - sent.pop(0)) * 1000
                if load.measuring:
                    load.pongs.append(rtt)
            elif msg["type"] == "error":
                load.error(f"load:{msg.get('code')}")

    task = asyncio.create_task(reader())
    try:
        while True:
            sent.append(time.perf_counter())
            await ws.send('{"type":"ping"}')
            await asyncio.sleep(PING_EVERY)
    except Exception:  # noqa: BLE001 - the socket closed: counted
        load.error("load:closed")
    finally:
        task.cancel()


async def room_on_hub(a_url: str, b_url: str, rest_url: str):  # type: ignore[no-untyped-def]
    """dr.patel (on A) hosts alex.active (on B); both join; Begin."""
    patel_h = await asyncio.to_thread(login, rest_url, "dr.patel")
    alex_h = await asyncio.to_thread(
        login, b_url.replace("ws://", "http://").split("/api")[0], "alex.active"
    )
    host, hh = await open_socket(a_url, patel_h["Authorization"].split()[1])
    client, ch = await open_socket(b_url, alex_h["Authorization"].split()[1])
    body = {"invitee_usernames": ["alex.active"]}
    sid = (await asyncio.to_thread(rest, rest_url, "POST", "/sessions", body, patel_h))["id"]
    for ws in (host, client):
        await ws.send(json.dumps({"type": "join", "session_id": sid}))
        while json.loads(await ws.recv())["type"] != "joined":
            pass
    await host.send(json.dumps({"type": "begin", "session_id": sid}))
    while json.loads(await client.recv())["type"] != "session.begun":
        pass
    return host, client, sid, ch["account"]["id"]


async def room_on_floor(url: str):  # type: ignore[no-untyped-def]
    host, _ = await open_socket(url, None)
    client, ch = await open_socket(url, None)
    return host, client, 1, ch["account"]["id"]


async def relay(host, client, sid: int, to: int, seconds: float, load: Load) -> int:  # type: ignore[no-untyped-def]
    sent_at: dict[str, float] = {}
    received = 0

    async def reader() -> None:
        nonlocal received
        async for raw in client:
            msg = json.loads(raw)
            if msg["type"] == "signal":
                t = sent_at.pop(msg["signal"]["pc"], None)
                if t is not None:
                    load.relay.append((time.perf_counter() - t) * 1000)
                    received += 1
            elif msg["type"] == "error":
                load.error(f"relay:{msg.get('code')}")

    async def host_reader() -> None:
        async for raw in host:
            msg = json.loads(raw)
            if msg["type"] == "error":
                load.error(f"relay:{msg.get('code')}")

    tasks = [asyncio.create_task(reader()), asyncio.create_task(host_reader())]
    count = int(seconds * SIGNALS_PER_S)
    candidate = {"candidate": "candidate:1 1 udp 2122260223 10.0.0.2 54321 typ host", "sdpMid": "0"}
    start = time.perf_counter()
    for i in range(count):
        target = start + i / SIGNALS_PER_S
        await asyncio.sleep(max(0.0, target - time.perf_counter()))
        pc = f"b{i}"
        sent_at[pc] = time.perf_counter()
        signal = {"kind": "ice", "pc": pc, "candidate": candidate}
        await host.send(
            json.dumps({"type": "signal", "session_id": sid, "to": to, "signal": signal})
        )
    await asyncio.sleep(2.0)  # the last ones arrive (what has not by then is lost)
    for task in tasks:
        task.cancel()
    return count - received


async def drive(
    urls: list[str], tokens: list[str | None], room, sockets: int, seconds: float, pids: list[int]
) -> dict:  # type: ignore[no-untyped-def]
    load = Load()
    sem = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(i: int):  # type: ignore[no-untyped-def]
        async with sem:
            try:
                ws, _ = await open_socket(urls[i % len(urls)], tokens[i % len(tokens)])
                load.sockets.append(ws)
            except Exception as exc:  # noqa: BLE001 - counted
                load.error(f"open:{type(exc).__name__}")

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(sockets)))
    open_s = time.perf_counter() - started
    # the load client's own garbage collections must not show up as the server's latency
    gc.collect()
    gc.freeze()
    gc.disable()
    pingers = [asyncio.create_task(pinger(ws, load)) for ws in load.sockets]
    host, client, sid, to = await room()
    await asyncio.sleep(PING_EVERY)  # every socket is pinging before measuring
    load.measuring = True
    rss = sum(rss_mb(pid) for pid in pids)
    lost = await relay(host, client, sid, to, seconds, load)
    load.measuring = False
    if lost:
        load.error("relay:lost")
        load.errors += lost - 1
    for task in pingers:
        task.cancel()
    for ws in [*load.sockets, host, client]:
        ws.transport.abort() if hasattr(ws, "transport") else None
    return {
        "sockets": sockets,
        "open_s": round(open_s, 2),
        "relay_p50_ms": pct(load.relay, 50),
        "relay_p99_ms": pct(load.relay, 99),
        "relay_samples": len(load.relay),
        "pong_p99_ms": pct(load.pongs, 99),
        "pong_p50_ms": pct(load.pongs, 50),
        "pong_samples": len(load.pongs),
        "errors": load.errors,
        "error_kinds": load.error_kinds,
        "rss_mb": round(rss, 1),
    }


def run_hub(args: argparse.Namespace, tmp: Path) -> dict:
    env: dict[str, str] = {}
    redis = None
    if args.processes == 2:
        redis = RedisServer(tmp / "redis").start()
        env["VTCONNECT_REDIS_URL"] = redis.url
    a = ServerProcess(tmp / "data", env=env)
    a.start()
    b = ServerProcess(tmp / "data", demo=False, env=env) if args.processes == 2 else a
    try:
        if b is not a:
            b.start()
        servers = [a] if b is a else [a, b]
        tokens = [login(a.url, u)["Authorization"].split()[1] for u in LOAD_ACCOUNTS]
        urls = [s.url.replace("http://", "ws://") + "/api/v1/ws" for s in servers]
        pids = [s.proc.pid for s in servers if s.proc is not None]
        room = lambda: room_on_hub(urls[0], urls[-1], a.url)  # noqa: E731
        return asyncio.run(drive(urls, tokens, room, args.sockets, args.seconds, pids))
    finally:
        if args.server_log:
            args.server_log.write_text("".join(a.lines + (b.lines if b is not a else [])))
        if b is not a:
            b.stop()
        a.stop()
        if redis is not None:
            redis.stop()


def run_floor(args: argparse.Namespace) -> dict:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-floor", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"ws://127.0.0.1:{port}/api/v1/ws"

        async def wait_and_drive() -> dict:
            for _ in range(200):
                try:
                    ws, _ = await open_socket(url, None)
                    await ws.close()
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            return await drive(
                [url], [None], lambda: room_on_floor(url), args.sockets, args.seconds, [proc.pid]
            )

        return asyncio.run(wait_and_drive())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sockets", type=int, default=2000)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--processes", type=int, choices=(1, 2), default=1)
    p.add_argument("--floor", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--json", type=Path)
    p.add_argument("--server-log", type=Path, help="write the server processes' output here")
    p.add_argument("--serve-floor", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve_floor:
        serve_floor(args.serve_floor)
        return 0
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 65536)), hard))
    with tempfile.TemporaryDirectory() as tmp:
        hub = run_hub(args, Path(tmp))
    out: dict = {"processes": args.processes, "seconds": args.seconds, "hub": hub}
    print(json.dumps({"hub": hub}, indent=2), flush=True)
    if args.floor:
        floor = run_floor(args)
        out["floor"] = floor
        out["ratios"] = {
            key: round(hub[key] / floor[key], 2) if hub[key] and floor[key] else None
            for key in ("open_s", "relay_p50_ms", "relay_p99_ms", "pong_p99_ms", "rss_mb")
        }
        print(json.dumps({"floor": floor, "ratios": out["ratios"]}, indent=2), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
