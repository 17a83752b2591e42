"""A network lab: Linux network namespaces joined by veth pairs, with loss, caps and outages.

The kernels here have no ``netem``, so the lab builds bad networks from what they do have:

- random loss: nftables ``numgen random`` drop rules in a ``netdev`` table on one end of a link
  (its ingress hook for what arrives, its egress hook for what leaves), IPv4 and IPv6 only: ARP
  always passes, as it would on a lossy radio link whose neighbours stay known;
- bandwidth caps: ``tc`` token bucket filters (``tbf``) as the root qdisc of both ends of a
  veth pair (each end's egress, so both directions), with a bounded queue (``queue_ms``);
- outages: a drop-everything rule in the same table, lifted by ``restore()``.

Drops happen in the network, never at a socket: a sender is not told (no EPERM, no ENOBUFS).

    with NetLab() as lab:                       # namespaces "near" and "far", one veth pair
        server = lab.run("near", [...])         # a process inside a namespace
        lab.loss(10)                            # 10% of packets lost each way on near <-> far
        lab.cap(500)                            # 500 kbit/s each way
        lab.outage(); ...; lab.restore()        # nothing passes, then it does again
        lab.clear()                             # a clean link

``NetLab(["far"], [(ROOT, "far")])`` joins the test process's own namespace to "far" instead.
Every namespace, device, address, rule and process belongs to the lab and goes with it at
``close()`` (also on exceptions); namespaces that a crashed run left behind (their creator's pid
is gone) are removed by the next lab. Addresses are 10.231.X.0/30 blocks, X chosen per lab so
that parallel labs never share one in the root namespace; nothing routes beyond this machine.

The end of the file starts our own programs inside a lab: the portal server and the command-line
call participant (``portal_server``, ``participant``), read through ``LabProcess``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = "root"  # the namespace the test process itself runs in
PREFIX = "vtlab"  # every namespace the lab makes: vtlab<pid>-<lab>-<name>
NET = "10.231"  # a private range: 10.231.X.Y/30 per link
LOCK = Path("/run/vtlab.lock")  # held while a lab picks its X and adds root addresses
REPO = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "VTConnect-demo-1"

_NAME = re.compile(r"^[a-z][a-z0-9]{0,7}$")
_labs = itertools.count()


class LabError(RuntimeError):
    """A lab command failed; the message carries its argv and stderr."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"{' '.join(self.argv)} -> {returncode}: {self.stderr}")


def sh(argv: Sequence[str], *, input: str | None = None, timeout: float = 20.0) -> str:
    """Run one command, checked: its stdout, or LabError with its stderr."""
    try:
        done = subprocess.run(
            list(argv), input=input, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise LabError(argv, None, f"timed out after {timeout} s") from exc
    except OSError as exc:
        raise LabError(argv, None, str(exc)) from exc
    if done.returncode != 0:
        raise LabError(argv, done.returncode, done.stderr or done.stdout)
    return done.stdout


def in_ns(ns: str | None, argv: Sequence[str]) -> list[str]:
    """argv run inside network namespace ``ns`` (``None``: the root namespace)."""
    return list(argv) if ns is None else ["ip", "netns", "exec", ns, *argv]


@functools.cache
def available() -> tuple[bool, str]:
    """(True, "") when labs can run here, else (False, why): checked by building a tiny one."""
    if os.geteuid() != 0:
        return False, "network namespaces need root (the lab runs `ip netns add`)"
    for tool, package in (("ip", "iproute2"), ("tc", "iproute2"), ("nft", "nftables")):
        if shutil.which(tool) is None:
            return False, f"no `{tool}` here: apt-get install {package}"
    probe = f"{PREFIX}{os.getpid()}-probe"
    try:
        sh(["ip", "netns", "add", probe])
    except LabError as exc:
        return False, f"no network namespaces: {exc.stderr}"
    try:
        sh(["ip", "-n", probe, "link", "add", "pa", "type", "veth", "peer", "name", "pb"])
        drop = ["meta protocol { ip, ip6 } numgen random mod 10000 < 1 drop"]
        sh(["ip", "netns", "exec", probe, "nft", "-f", "-"], input=_table("lab", "pa", drop, drop))
        sh(["ip", "-n", probe, "link", "set", "pa", "up"])
        sh(["tc", "-n", probe, "qdisc", "add", "dev", "pa", "root", *_tbf(500, 200)])
    except LabError as exc:
        return False, f"the kernel cannot do what the lab needs: {exc}"
    finally:
        with contextlib.suppress(LabError):
            sh(["ip", "netns", "del", probe])
    return True, ""


def _pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def stale_namespaces(prefix: str = PREFIX) -> list[str]:
    """Lab namespaces whose creating process is gone (a crashed or killed run)."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)-")
    out = []
    for line in sh(["ip", "netns", "list"]).splitlines():
        name = line.split()[0] if line.strip() else ""
        match = pattern.match(name)
        if match and not _pid_alive(int(match.group(1))):
            out.append(name)
    return out


def _remove_namespace(name: str) -> None:
    """Kill what still runs inside (processes the lab started there), then delete it."""
    with contextlib.suppress(LabError):
        for pid in sh(["ip", "netns", "pids", name]).split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
    sh(["ip", "netns", "del", name])


def cleanup_stale(prefix: str = PREFIX) -> list[str]:
    """Remove the namespaces that crashed runs left behind; returns their names."""
    removed = []
    for name in stale_namespaces(prefix):
        with contextlib.suppress(LabError):  # another run may be removing it right now
            _remove_namespace(name)
            removed.append(name)
    return removed


def _table(name: str, dev: str, into: list[str], out: list[str]) -> str:
    """An nft script that replaces table ``netdev name`` atomically (empty rules: no table)."""
    script = f"table netdev {name}\ndelete table netdev {name}\n"
    if into or out:
        script += f"table netdev {name} {{\n"
        for chain, hook, rules in (("into", "ingress", into), ("out", "egress", out)):
            script += (
                f'  chain {chain} {{\n    type filter hook {hook} device "{dev}" priority 0;\n'
            )
            script += "".join(f"    {rule}\n" for rule in rules) + "  }\n"
        script += "}\n"
    return script


def _tbf(kbit: float, queue_ms: float) -> list[str]:
    burst = max(3200, int(kbit * 1000 / 8 * 0.01))  # two full frames, or 10 ms at the rate
    return ["tbf", "rate", f"{kbit:g}kbit", "burst", str(burst), "latency", f"{queue_ms:g}ms"]


@dataclass
class Link:
    """One veth pair from ``a`` to ``b``; its loss and outage rules live on b's end."""

    index: int
    a: str
    b: str
    dev_a: str
    dev_b: str
    addr_a: str
    addr_b: str
    loss_into_b: float = 0.0  # percent of what a sends to b
    loss_from_b: float = 0.0  # percent of what b sends to a
    down: bool = False
    cap_kbit: float | None = None

    @property
    def name(self) -> str:
        return f"{self.a}-{self.b}"


class NetLab:
    """Namespaces joined by veth pairs, impairments on a link, processes inside: a context manager.

    ``namespaces``: short names ("near", "far"); ``links``: pairs of names, ``ROOT`` allowed as
    the first of a pair (default: a chain through the namespaces in order). Impairments act on
    ``link`` (a pair, or the name of the link's second end); by default the last link.
    """

    def __init__(
        self,
        namespaces: Sequence[str] = ("near", "far"),
        links: Sequence[tuple[str, str]] | None = None,
        *,
        prefix: str = PREFIX,
    ) -> None:
        names = list(namespaces)
        for name in names:
            if not _NAME.match(name) or name == ROOT:
                raise ValueError(f"a namespace is a short lower-case name, not {name!r}")
        if len(set(names)) != len(names) or not names:
            raise ValueError("namespaces must be distinct, and at least one")
        pairs = list(links) if links is not None else list(itertools.pairwise(names))
        for a, b in pairs:
            if b == ROOT:
                a, b = b, a
            if a not in (*names, ROOT) or b not in names or a == b:
                raise ValueError(f"a link joins two of {names} (or {ROOT!r} first): {(a, b)}")
        if not pairs:
            raise ValueError("a lab needs at least one link")
        self.prefix = prefix
        self.tag = f"{prefix}{os.getpid()}-{next(_labs)}"
        self.names = names
        self._pairs = [(b, a) if b == ROOT else (a, b) for a, b in pairs]
        self.links: list[Link] = []
        self._procs: list[subprocess.Popen] = []
        self._made: list[str] = []
        self._closed = False

    # --- life ----------------------------------------------------------------------------------

    def ns(self, name: str) -> str | None:
        """The real namespace name of ``name`` (``None`` for the root namespace)."""
        if name == ROOT:
            return None
        if name not in self.names:
            raise KeyError(f"no namespace {name!r} in this lab ({self.names})")
        return f"{self.tag}-{name}"

    def start(self) -> NetLab:
        ok, why = available()
        if not ok:
            raise LabError(["netlab"], None, why)
        cleanup_stale(self.prefix)
        try:
            with _root_lock():
                block = _free_block(os.getpid() + len(self._made))
                for name in self.names:
                    real = self.ns(name)
                    assert real is not None
                    sh(["ip", "netns", "add", real])
                    self._made.append(real)
                    sh(["ip", "-n", real, "link", "set", "lo", "up"])
                for index, (a, b) in enumerate(self._pairs):
                    self.links.append(self._link(index, a, b, block))
        except BaseException:
            self.close()
            raise
        return self

    def _link(self, index: int, a: str, b: str, block: int) -> Link:
        dev_a = f"vl{os.getpid():x}.{index:x}" if a == ROOT else f"v{index}-{b}"[:15]
        dev_b = f"v{index}-{a}"[:15]
        net = f"{NET}.{block}.{4 * index}"
        base = net.rsplit(".", 1)[0]
        addr_a, addr_b = f"{base}.{4 * index + 1}", f"{base}.{4 * index + 2}"
        ns_a, ns_b = self.ns(a), self.ns(b)
        assert ns_b is not None
        near_end = ["ip", "link", "add", dev_a] + (["netns", ns_a] if ns_a else [])
        sh([*near_end, "type", "veth", "peer", "name", dev_b, "netns", ns_b])
        for ns, dev, addr in ((ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)):
            ip = ["ip"] + (["-n", ns] if ns else [])
            sh([*ip, "addr", "add", f"{addr}/30", "dev", dev])
            sh([*ip, "link", "set", dev, "up"])
        return Link(index, a, b, dev_a, dev_b, addr_a, addr_b)

    def close(self) -> None:
        """Stop the lab's processes, remove its namespaces (rules, qdiscs, devices go with
        them). Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for proc in self._procs:
            _stop(proc)
        errors = []
        for real in reversed(self._made):
            try:
                _remove_namespace(real)
            except LabError as exc:
                errors.append(exc)
        for link in self.links:  # the root end dies with its pair; the kernel does it lazily
            if link.a == ROOT:
                _wait_gone(link.dev_a)
        if errors:
            raise errors[0]

    def __enter__(self) -> NetLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- where things are ----------------------------------------------------------------------

    def link(self, which: str | tuple[str, str] | None = None) -> Link:
        """A link by its pair, by its second end's name, or the last link."""
        if which is None:
            return self.links[-1]
        for link in self.links:
            if which in (link.b, (link.a, link.b), (link.b, link.a)):
                return link
        raise KeyError(f"no link {which!r} in this lab")

    def addr(self, name: str, link: str | tuple[str, str] | None = None) -> str:
        """The address of ``name`` on ``link`` (default: the first link it is on)."""
        links = [self.link(link)] if link is not None else self.links
        for each in links:
            if name == each.a:
                return each.addr_a
            if name == each.b:
                return each.addr_b
        raise KeyError(f"{name!r} is not on {link or 'any link'}")

    # --- impairments ---------------------------------------------------------------------------

    def loss(
        self, percent: float, *, both_ways: bool = True, link: str | tuple[str, str] | None = None
    ) -> None:
        """Drop ``percent`` % of IP packets at random on the link: both ways, or (``both_ways``
        False) only what the link's first end sends to its second."""
        if not 0 <= percent <= 100:
            raise ValueError("loss is a percentage, 0 to 100")
        chosen = self.link(link)
        chosen.loss_into_b = percent
        chosen.loss_from_b = percent if both_ways else 0.0
        self._rules(chosen)

    def outage(self, *, link: str | tuple[str, str] | None = None) -> None:
        """Nothing passes (IP, both ways) until ``restore()``; loss and caps stay as they are."""
        chosen = self.link(link)
        chosen.down = True
        self._rules(chosen)

    def restore(self, *, link: str | tuple[str, str] | None = None) -> None:
        """End an outage (loss and caps stay)."""
        chosen = self.link(link)
        chosen.down = False
        self._rules(chosen)

    def cap(
        self, kbit: float, *, queue_ms: float = 200.0, link: str | tuple[str, str] | None = None
    ) -> None:
        """Cap the link at ``kbit`` kbit/s each way; at most ``queue_ms`` of packets wait in
        each direction's queue, the rest is dropped (a router's buffer)."""
        if kbit <= 0:
            raise ValueError("a cap is a positive rate")
        chosen = self.link(link)
        for ns, dev in self._ends(chosen):
            sh(["tc", *_ns_flag(ns), "qdisc", "replace", "dev", dev, "root", *_tbf(kbit, queue_ms)])
        chosen.cap_kbit = kbit

    def uncap(self, *, link: str | tuple[str, str] | None = None) -> None:
        chosen = self.link(link)
        if chosen.cap_kbit is not None:
            for ns, dev in self._ends(chosen):
                sh(["tc", *_ns_flag(ns), "qdisc", "del", "dev", dev, "root"])
            chosen.cap_kbit = None

    def clear(self, *, link: str | tuple[str, str] | None = None) -> None:
        """A clean link again: no loss, no outage, no cap."""
        chosen = self.link(link)
        chosen.loss_into_b = chosen.loss_from_b = 0.0
        chosen.down = False
        self._rules(chosen)
        self.uncap(link=(chosen.a, chosen.b))

    def queue_bytes(self, *, link: str | tuple[str, str] | None = None) -> dict[str, int]:
        """Bytes waiting in each end's cap queue right now (``tc -s``), by sending end."""
        chosen = self.link(link)
        out = {}
        for (ns, dev), end in zip(self._ends(chosen), (chosen.a, chosen.b), strict=True):
            text = sh(["tc", *_ns_flag(ns), "-s", "qdisc", "show", "dev", dev])
            match = re.search(r"backlog (\d+)b", text)
            out[end] = int(match.group(1)) if match else 0
        return out

    def _ends(self, link: Link) -> list[tuple[str | None, str]]:
        return [(self.ns(link.a), link.dev_a), (self.ns(link.b), link.dev_b)]

    def _rules(self, link: Link) -> None:
        ip = "meta protocol { ip, ip6 }"
        into: list[str] = []
        out: list[str] = []
        if link.down:
            into, out = [f"{ip} drop"], [f"{ip} drop"]
        else:
            for rules, percent in ((into, link.loss_into_b), (out, link.loss_from_b)):
                if percent > 0:
                    rules.append(f"{ip} numgen random mod 10000 < {round(percent * 100)} drop")
        ns = self.ns(link.b)
        script = _table(f"lab{link.index}", link.dev_b, into, out)
        sh(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=script)  # type: ignore[list-item]

    # --- processes -----------------------------------------------------------------------------

    def run(self, name: str, argv: Sequence[str], **popen: Any) -> subprocess.Popen:
        """Start ``argv`` inside namespace ``name`` (``ip netns exec``: the same pid); the lab
        stops it at close() if it still runs. Keyword arguments go to ``subprocess.Popen``."""
        popen.setdefault("cwd", REPO)
        proc = subprocess.Popen(in_ns(self.ns(name), argv), **popen)
        self._procs.append(proc)
        return proc

    def exec(self, name: str, argv: Sequence[str], *, timeout: float = 30.0) -> str:
        """Run ``argv`` inside ``name`` to its end, checked; its stdout."""
        return sh(in_ns(self.ns(name), argv), timeout=timeout)


def _ns_flag(ns: str | None) -> list[str]:
    return ["-n", ns] if ns else []


@contextlib.contextmanager
def _root_lock() -> Iterator[None]:
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _free_block(seed: int) -> int:
    """An X for 10.231.X.0/24 that no address or route of the root namespace uses."""
    used = sh(["ip", "-4", "-o", "addr", "show"]) + sh(
        ["ip", "-4", "route", "show", "table", "all"]
    )
    taken = {int(x) for x in re.findall(rf"\b{re.escape(NET)}\.(\d+)\.", used)}
    for step in range(256):
        block = (seed + step) % 256
        if block not in taken:
            return block
    raise LabError(["netlab"], None, f"every {NET}.X.0/24 block is in use in the root namespace")


def _wait_gone(dev: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/sys/class/net/{dev}").exists():
            return
        time.sleep(0.05)
    with contextlib.suppress(LabError):
        sh(["ip", "link", "del", dev])


def _stop(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


# --- our programs inside a lab ------------------------------------------------------------------


class LabProcess:
    """A child process in a lab namespace; its output read line by line, JSON lines as events
    (each event keeps its own ``t``, the child's monotonic clock, which is also ours)."""

    def __init__(
        self,
        lab: NetLab,
        ns: str,
        argv: Sequence[str],
        *,
        name: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        quits_on_eof: bool = True,
    ) -> None:
        self.name = name
        self.ns = ns
        self.quits_on_eof = quits_on_eof
        self.proc = lab.run(
            ns,
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            cwd=cwd or REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        self.lines: list[str] = []
        self.events: list[dict] = []
        self._q: queue.Queue[dict | str] = queue.Queue()
        threading.Thread(target=self._pump, name=f"pump-{name}", daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            try:
                event = json.loads(line)
            except ValueError:
                self._q.put(line)
                continue
            if isinstance(event, dict) and "event" in event:
                self.events.append(event)
                self._q.put(event)

    def tail(self, lines: int = 30) -> str:
        return "".join(self.lines[-lines:])

    def _next(self, deadline: float, what: str) -> dict | str:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            with contextlib.suppress(queue.Empty):
                return self._q.get(timeout=remaining)
        raise TimeoutError(f"{self.name}: no {what}\n{self.tail()}")

    def wait_line(self, needle: str, timeout: float = 30.0) -> str:
        """The next output line that contains ``needle``."""
        deadline = time.monotonic() + timeout
        while True:
            item = self._next(deadline, repr(needle))
            line = item if isinstance(item, str) else json.dumps(item)
            if needle in line:
                return line

    def wait(
        self, kind: str, pred: Callable[[dict], bool] = lambda e: True, timeout: float = 30.0
    ) -> dict:
        """The next event of this kind that satisfies ``pred`` (earlier ones are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            item = self._next(deadline, f"{kind} event")
            if isinstance(item, dict) and item["event"] == kind and pred(item):
                return item

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop(self, timeout: float = 10.0) -> None:
        """Close its stdin (a participant quits on end of input), then terminate, then kill."""
        if self.quits_on_eof and self.proc.poll() is None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=timeout)
        _stop(self.proc)


def portal_server(
    lab: NetLab,
    ns: str,
    data_dir: Path,
    *,
    port: int = 8470,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> tuple[LabProcess, str]:
    """``vtconnect-server --demo`` inside ``ns``, listening on its lab addresses; (it, its url).
    ``cwd``: run the code of another tree (an exported commit) instead of this one."""
    url = f"http://{lab.addr(ns)}:{port}"
    argv = [
        sys.executable,
        "-m",
        "vtconnect_care.server.cli",
        "--host",
        "0.0.0.0",  # inside the namespace: its loopback and its lab addresses only
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--public-url",
        url,
        "--demo",
    ]
    server = LabProcess(lab, ns, argv, name="server", cwd=cwd, env=env, quits_on_eof=False)
    server.wait_line("Uvicorn running on", timeout=timeout)
    return server, url


def participant(
    lab: NetLab,
    ns: str,
    portal: str,
    username: str,
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    launcher: Sequence[str] = (sys.executable, "-m", "vtconnect_care.client.cli"),
) -> LabProcess:
    """The command-line call participant (synthetic camera and tone) inside ``ns``, ``--json``.
    ``launcher`` replaces ``python -m vtconnect_care.client.cli`` (a wrapper that traces)."""
    argv = [*launcher, "--portal", portal, "--username", username, "--password", DEMO_PASSWORD]
    return LabProcess(lab, ns, [*argv, "--json", *args], name=username, cwd=cwd, env=env)


@dataclass(frozen=True)
class MediaPoint:
    """One stats line of a participant, about what it received from one other person."""

    t: float
    video: int  # frames received so far, summed over replaced connections
    audio: int
    pc: str | None  # the connection's id (None while there is none)
    state: str | None
    latency_ms_median: float | None  # glass to glass, over the stats interval
    latency_ms_max: float | None
    width: int | None  # the newest received picture's


def media_series(events: Sequence[dict], other_id: int) -> list[MediaPoint]:
    """What a participant's stats lines say it received from ``other_id``, in time order."""
    out: list[MediaPoint] = []
    base_v = base_a = last_v = last_a = 0
    last_pc: str | None = None
    for event in events:
        if event["event"] != "stats":
            continue
        peer = event["peers"].get(str(other_id))
        pc = peer["pc"] if peer else None
        if peer is not None:
            if last_pc is not None and pc != last_pc:  # a new connection counts from zero
                base_v, base_a = base_v + last_v, base_a + last_a
            last_pc, last_v, last_a = pc, peer["video_frames"], peer["audio_frames"]
        size = (event.get("sizes") or {}).get(str(other_id))
        lat_max = event.get("latency_ms_max", event["latency_ms_median"])
        out.append(
            MediaPoint(
                t=event["t"],
                video=base_v + last_v,
                audio=base_a + last_a,
                pc=pc,
                state=peer["state"] if peer else None,
                latency_ms_median=event["latency_ms_median"],
                latency_ms_max=lat_max,
                width=size[0] if size else None,
            )
        )
    return out


def at(series: Sequence[MediaPoint], t: float) -> MediaPoint:
    """The last point at or before ``t`` (the first point if none is)."""
    before = [p for p in series if p.t <= t]
    return before[-1] if before else series[0]


def per_second(series: Sequence[MediaPoint], t0: float, t1: float) -> tuple[float, float]:
    """(video frames/s, audio frames/s) received between t0 and t1, from the stats lines."""
    a, b = at(series, t0), at(series, t1)
    span = b.t - a.t
    if span <= 0:
        return 0.0, 0.0
    return (b.video - a.video) / span, (b.audio - a.audio) / span
