"""The network lab itself: loss drops about what it says, a cap caps, an outage cuts, and nothing
is left behind. Measured with real datagrams and a real TCP stream between namespaces."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.netlab import ROOT, LabError, NetLab, cleanup_stale, sh

pytestmark = [pytest.mark.network, pytest.mark.timeout(120)]

PORT = 9000

# One small program, four roles: a UDP echo, a UDP prober, a TCP sink and a TCP blaster.
PROBE = r"""
import json, select, socket, sys, time
role = sys.argv[1]
if role == "echo":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    print("ready", flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)
elif role == "ping":
    host, port, count, gap = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    got, sent, end = set(), 0, None
    while end is None or time.monotonic() < end:
        if sent < count:
            s.sendto(sent.to_bytes(4, "big") + b"x" * 160, (host, port))
            sent += 1
            if sent == count:
                end = time.monotonic() + 1.0
        if select.select([s], [], [], gap)[0]:
            while True:
                try:
                    got.add(int.from_bytes(s.recv(2048)[:4], "big"))
                except BlockingIOError:
                    break
    print(json.dumps({"sent": sent, "got": len(got)}))
elif role == "sink":
    server = socket.create_server(("0.0.0.0", int(sys.argv[2])))
    print("ready", flush=True)
    conn, _ = server.accept()
    total, start, last = 0, None, None
    while True:
        data = conn.recv(65536)
        if not data:
            break
        now = time.monotonic()
        if start is None:
            start = now + 0.5  # past TCP's slow start and the cap's burst
        elif now >= start:
            total += len(data)
            last = now
    print(json.dumps({"kbps": total * 8 / 1000 / (last - start) if last else 0.0}))
elif role == "blast":
    host, port, seconds = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    conn = socket.create_connection((host, port), timeout=10)
    chunk, end = b"y" * 16384, time.monotonic() + seconds
    while time.monotonic() < end:
        conn.sendall(chunk)
    conn.close()
"""


def _start(lab: NetLab, ns: str, *args: object) -> subprocess.Popen:
    proc = lab.run(
        ns, [sys.executable, "-c", PROBE, *map(str, args)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _delivered(lab: NetLab, src: str, dst: str, count: int = 400) -> float:
    """Share of ``count`` datagrams from src that came back from dst's echo."""
    args = ["ping", lab.addr(dst), PORT, count, 0.002]
    out = lab.exec(src, [sys.executable, "-c", PROBE, *map(str, args)])
    result = json.loads(out)
    assert result["sent"] == count
    return result["got"] / count


def _kbps(lab: NetLab, src: str, dst: str, seconds: float = 3.0) -> float:
    """TCP goodput from src to dst."""
    sink = _start(lab, dst, "sink", PORT + 1)
    args = ["blast", lab.addr(dst), PORT + 1, seconds]
    lab.exec(src, [sys.executable, "-c", PROBE, *map(str, args)])
    out, _ = sink.communicate(timeout=20)
    return json.loads(out)["kbps"]


def test_loss_drops_about_the_share_asked_for_between_namespaces():
    with NetLab(["near", "far"]) as lab:
        _start(lab, "far", "echo", PORT)
        assert _delivered(lab, "near", "far") >= 0.98  # a clean link first
        lab.loss(20, both_ways=False)  # near -> far only: 80% of round trips complete
        assert 0.70 <= _delivered(lab, "near", "far") <= 0.90
        lab.loss(20)  # both ways: 0.8 * 0.8 = 64%
        assert 0.52 <= _delivered(lab, "near", "far") <= 0.76
        lab.clear()
        assert _delivered(lab, "near", "far") >= 0.98


def test_a_cap_caps_both_ways_and_lifts():
    with NetLab(["far"], [(ROOT, "far")]) as lab:
        lab.cap(1500)
        down = _kbps(lab, ROOT, "far")
        up = _kbps(lab, "far", ROOT)
        assert 0.6 * 1500 <= down <= 1.1 * 1500, down
        assert 0.6 * 1500 <= up <= 1.1 * 1500, up
        lab.clear()
        assert _kbps(lab, ROOT, "far", seconds=1.5) > 10 * 1500


def test_an_outage_drops_everything_and_restore_brings_it_back():
    with NetLab(["far"], [(ROOT, "far")]) as lab:
        _start(lab, "far", "echo", PORT)
        assert _delivered(lab, ROOT, "far", count=100) >= 0.98
        lab.outage()
        assert _delivered(lab, ROOT, "far", count=100) == 0.0
        lab.restore()
        assert _delivered(lab, ROOT, "far", count=100) >= 0.98


def _lab_namespaces(tag: str) -> list[str]:
    return [line.split()[0] for line in sh(["ip", "netns", "list"]).splitlines() if tag in line]


def test_close_leaves_nothing_behind_even_after_an_exception():
    lab = NetLab(["near", "far"], [(ROOT, "near"), ("near", "far")])
    with pytest.raises(RuntimeError, match="inside the lab"), lab:
        echo = _start(lab, "far", "echo", PORT)
        root_dev = lab.link("near").dev_a
        assert len(_lab_namespaces(lab.tag)) == 2
        assert root_dev in sh(["ip", "-o", "link", "show"])
        raise RuntimeError("inside the lab")
    assert _lab_namespaces(lab.tag) == []
    assert root_dev not in sh(["ip", "-o", "link", "show"])
    assert echo.poll() is not None  # the lab stopped what it started
    lab.close()  # twice is fine


def test_namespaces_left_by_a_crashed_run_are_removed():
    stale = "vtlab99999999-0-near"  # a pid above pid_max: its creator is surely gone
    sh(["ip", "netns", "add", stale])
    cleanup_stale()
    assert stale not in _lab_namespaces("vtlab99999999")


def test_errors_carry_the_command_and_its_stderr():
    with NetLab() as lab:
        with pytest.raises(LabError, match="Cannot find device"):
            lab.exec("far", ["ip", "link", "set", "nosuchdev", "up"])
