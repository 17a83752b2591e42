"""The reference for bench/call.py: two Chromium peers on loopback, Chromium's own WebRTC.

Debian's Chromium driven by Playwright (tests/helpers/browser.py), its fake camera and
microphone at the size and frame rate asked of our engines, VP8 and Opus as ours send. Two
pages of one headless browser are the two sides; their offer and answer cross through
(a BroadcastChannel between the pages, candidates trickled as
Chromium does best). Figures:

- ``setup_ms_median``: from the offer's creation (media already open, as our Begin is) to each
  side's first decoded frame (``requestVideoFrameCallback`` on the page's video element),
  median over calls, both sides pooled; with ``render=False`` the element lets go of the
  stream after that first frame: Chromium goes on decoding (``framesDecoded`` counts on) but
  paints nothing, as our command-line engines;
- ``fps`` and ``received``: frames decoded per second by each side over the window, and the
  resolution each side receives (``getStats()`` inbound-rtp), so an adapted stream is never
  compared with a full one;
- ``cpu_cores``: CPU time of every Chromium process (browser, renderers, GPU, utility) over the
  window / wall time: both sides and the browser together.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from tests.helpers.browser import CHROMIUM_ARGS, chromium_executable

TICK_FILE = "/proc/{pid}/stat"

PAGE = """<!doctype html><meta charset="utf-8"><title>reference</title>
<script>
let pc = null, stream = null, firstFrameAt = null;
async function openMedia(w, h, fps) {
  stream = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: {width: {exact: w}, height: {exact: h}, frameRate: {exact: fps}}});
  return stream.getVideoTracks()[0].getSettings();
}
function newPc() {
  if (pc) pc.close();
  firstFrameAt = null;
  pc = new RTCPeerConnection({iceServers: []});
  for (const t of stream.getTracks()) pc.addTrack(t, stream);
  for (const tr of pc.getTransceivers()) {
    const kind = tr.sender.track.kind;
    const codecs = RTCRtpSender.getCapabilities(kind).codecs;
    const want = kind === "video" ? "video/VP8" : "audio/opus";
    tr.setCodecPreferences(codecs.filter(c => c.mimeType === want).concat(
      codecs.filter(c => c.mimeType !== want && kind === "video" &&
                     /rtx|red|ulpfec/i.test(c.mimeType))));
  }
  pc.ontrack = (e) => {
    if (e.track.kind !== "video") return;
    document.querySelectorAll("video").forEach(old => { old.srcObject = null; old.remove(); });
    const v = document.createElement("video");
    Object.assign(v, {autoplay: true, muted: true, playsInline: true, width: 320});
    document.body.append(v);
    v.srcObject = new MediaStream([e.track]);
    const first = () => {
      firstFrameAt = performance.timeOrigin + performance.now();
      if (window.noRender) v.srcObject = null;  // keep decoding, stop painting
    };
    v.requestVideoFrameCallback(first);
  };
}
// signalling between the two pages of the browser: offer, answer and trickled candidates
const channel = new BroadcastChannel("signalling");
let early = [];  // candidates that came before the description they belong to
function trickle() {
  early = [];
  pc.onicecandidate = (e) => e.candidate && channel.postMessage({candidate: e.candidate.toJSON()});
}
async function described(desc) {
  await pc.setRemoteDescription(desc);
  for (const c of early.splice(0)) await pc.addIceCandidate(c);
}
channel.onmessage = async ({data}) => {
  if (data.offer) {
    newPc(); trickle();
    await described(data.offer);
    await pc.setLocalDescription(await pc.createAnswer());
    channel.postMessage({answer: pc.localDescription.toJSON()});
  } else if (data.answer) {
    await described(data.answer);
  } else if (data.candidate && pc) {
    if (pc.remoteDescription) await pc.addIceCandidate(data.candidate);
    else early.push(data.candidate);
  }
};
async function call() {
  const t0 = performance.timeOrigin + performance.now();
  newPc(); trickle();
  await pc.setLocalDescription(await pc.createOffer());
  channel.postMessage({offer: pc.localDescription.toJSON()});
  return t0;
}
async function firstFrame() {
  while (firstFrameAt === null) await new Promise(r => setTimeout(r, 5));
  return firstFrameAt;
}
async function inbound() {
  const out = {frames: 0, width: null, height: null, sent_width: null, sent_height: null};
  (await pc.getStats()).forEach(s => {
    if (s.type === "inbound-rtp" && s.kind === "video") {
      out.frames = s.framesDecoded || 0; out.width = s.frameWidth; out.height = s.frameHeight;
    }
    if (s.type === "outbound-rtp" && s.kind === "video") {
      out.sent_width = s.frameWidth; out.sent_height = s.frameHeight;
      out.limitation = s.qualityLimitationReason;
    }
  });
  return out;
}
</script>"""


def _cpu_seconds(pid: int, tick: int) -> float:
    try:
        fields = Path(TICK_FILE.format(pid=pid)).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / tick


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            out.append(child)
            todo.append(child)
    return out


def _chromium_pids() -> dict[int, str]:
    """Every Chromium process started under this one, with its --type (browser if none)."""
    pids = {}
    for pid in _descendants(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        if b"chrom" in cmd[0]:
            kinds = [a[7:].decode() for a in cmd if a.startswith(b"--type=")]
            pids[pid] = kinds[0] if kinds else "browser"
    return pids


def run_chromium(
    width: int, height: int, fps: int, calls: int, seconds: float, *, render: bool = True
) -> dict:
    """Two Chromium peers: setup over ``calls`` calls, then one steady call of ``seconds``."""
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError("no Chromium installed (Debian package chromium)")
    tick = os.sysconf("SC_CLK_TCK")
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--use-fake-device")]
    args.append(f"--use-fake-device-for-media-stream=fps={fps}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=args)
        try:
            context = browser.new_context()
            context.route(
                "http://localhost/ref.html",
                lambda r: r.fulfill(status=200, content_type="text/html", body=PAGE),
            )
            a, b = context.new_page(), context.new_page()
            settings = []
            for page in (a, b):
                page.goto("http://localhost/ref.html")
                page.evaluate(f"window.noRender = {'false' if render else 'true'}")
                settings.append(page.evaluate(f"openMedia({width}, {height}, {fps})"))
            setup: list[float] = []
            for _ in range(calls):
                t0 = a.evaluate("call()")
                for page in (a, b):
                    setup.append(page.evaluate("firstFrame()") - t0)
            a.wait_for_timeout(2000)  # past the first second's ramp-up, as ours
            pids = _chromium_pids()
            cpu0 = {p: _cpu_seconds(p, tick) for p in pids}
            stats0 = [p.evaluate("inbound()") for p in (a, b)]
            wall0 = time.monotonic()
            a.wait_for_timeout(int(seconds * 1000))
            stats1 = [p.evaluate("inbound()") for p in (a, b)]
            wall = time.monotonic() - wall0
            by_type: dict[str, float] = {}
            for pid, kind in pids.items():
                used = (_cpu_seconds(pid, tick) - cpu0[pid]) / wall
                by_type[kind] = by_type.get(kind, 0.0) + used
            cpu = sum(by_type.values())
        finally:
            browser.close()
    fps_each = [(s1["frames"] - s0["frames"]) / wall for s0, s1 in zip(stats0, stats1, strict=True)]
    return {
        "browser": executable,
        "camera": [f"{s.get('width')}x{s.get('height')}@{s.get('frameRate')}" for s in settings],
        "setup_ms_median": round(statistics.median(setup), 1),
        "setup_ms": [round(x, 1) for x in setup],
        "fps": round(statistics.mean(fps_each), 2),
        "fps_each": [round(x, 2) for x in fps_each],
        "received": [f"{s['width']}x{s['height']}" for s in stats1],
        "sent": [f"{s['sent_width']}x{s['sent_height']}" for s in stats1],
        "quality_limitation": [s.get("limitation") for s in stats1],
        "cpu_cores": round(cpu, 3),
        "cpu_cores_by_process_type": {k: round(v, 3) for k, v in sorted(by_type.items())},
        "processes": len(pids),
    }
