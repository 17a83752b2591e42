// The visit page's connection check before Join (issue 18): a real WebRTC connection to the
// portal's test peer, a few seconds of measuring, then the verdict with figures and advice.
//
// The same test as the app's (vtconnect_care/client/precall.py; docs/protocol.md, "The pre-call
// connection test"): GET and POST /api/v1/precall with the invite token as the Bearer token, four
// data channels, probes echoed, each direction sent as fast as the path takes while the receiver
// says what arrived. This page only counts and obeys the peer: the plan and every number come
// from the peer's "plan" message, the verdict and every sentence from domain/precall_words.py (the
// "result" message and the JSON data block #precall-data). Clicking Join stops a running test.

const dataBlock = document.getElementById("precall-data");
const root = document.getElementById("visit");
const $ = (id) => document.getElementById(id);

const data = dataBlock ? JSON.parse(dataBlock.textContent) : null;
const texts = data?.texts;
const token = root?.dataset.token;

// What the tests (and anyone debugging) can look at.
const precall = (window.visitPrecall = { state: "idle", result: null, error: null, run: null });

class Refused extends Error {
  constructor(message, code) { super(message); this.code = code; }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function api(method, body) {
  let r;
  try {
    r = await fetch("/api/v1/precall", {
      method,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "omit",
    });
  } catch {
    throw new Refused(texts.unreachable, "unreachable");
  }
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Refused(answer?.error?.message || texts.unreachable, answer?.error?.code);
  return answer;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// One run: the peer connection, its channels, the phases. `abort()` stops it at once.
class Run {
  constructor(iceServers) {
    this.pc = new RTCPeerConnection({ iceServers });
    this.control = this.pc.createDataChannel("precall-control");
    const lossy = { ordered: false, maxRetransmits: 0 };
    this.probe = this.pc.createDataChannel("precall-probe", lossy);
    this.up = this.pc.createDataChannel("precall-up", lossy);
    this.down = this.pc.createDataChannel("precall-down", lossy);
    for (const ch of [this.probe, this.up, this.down]) ch.binaryType = "arraybuffer";
    this.inbox = [];
    this.waiters = [];
    this.aborted = false;
    this.sentAt = new Map();
    this.rtts = [];
    this.probeDeadline = Infinity;
    this.upAck = 0;
    this.upAllowed = 0;
    this.downTotal = 0;
    this.downAck = 0;
    this.downBins = null;
    this.control.onmessage = (ev) => this.onControl(ev.data);
    this.probe.onmessage = (ev) => this.onEcho(ev.data);
    this.down.onmessage = (ev) => this.onDown(ev.data);
    this.pc.onconnectionstatechange = () => {
      if (["failed", "closed"].includes(this.pc.connectionState)) this.wake();
    };
  }

  onControl(raw) {
    let msg;
    try { msg = JSON.parse(raw); } catch { return; }
    if (msg.type === "window") { // while we upload: what arrived, how much more may be on the way
      this.upAck = Math.max(this.upAck, msg.ack);
      this.upAllowed = msg.allowed;
      return;
    }
    this.inbox.push(msg);
    this.wake();
  }

  onEcho(buffer) {
    const now = performance.now();
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < 12 || now > this.probeDeadline) return;
    const seq = new DataView(buffer).getUint32(0);
    const sent = this.sentAt.get(seq);
    if (sent !== undefined) { this.sentAt.delete(seq); this.rtts.push(now - sent); }
  }

  onDown(buffer) {
    if (!this.downBins || !(buffer instanceof ArrayBuffer) || buffer.byteLength < 4) return;
    this.downAck = Math.max(this.downAck, new DataView(buffer).getUint32(0) + 1);
    this.downTotal += buffer.byteLength;
    const index = Math.floor((performance.now() - this.downStart) / (this.plan.bin_seconds * 1000));
    if (index >= 0 && index < this.downBins.length) this.downBins[index] += buffer.byteLength;
  }

  wake() { this.waiters.splice(0).forEach((w) => w()); }

  check() {
    if (this.aborted) throw new Refused(texts.interrupted, "aborted");
    if (["failed", "closed"].includes(this.pc.connectionState) || this.control.readyState !== "open") {
      throw new Refused(texts.interrupted, "interrupted");
    }
  }

  async expect(type, seconds) {
    const deadline = performance.now() + seconds * 1000;
    for (;;) {
      this.check();
      const at = this.inbox.findIndex((m) => m.type === type || m.type === "error");
      if (at >= 0) {
        const msg = this.inbox.splice(at, 1)[0];
        if (msg.type === "error") throw new Refused(texts.interrupted, msg.code);
        return msg;
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new Refused(texts.interrupted, "timeout");
      await new Promise((resolve) => { this.waiters.push(resolve); setTimeout(resolve, Math.min(left, 250)); });
    }
  }

  async connect() {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await new Promise((resolve) => { // no trickle: the offer carries every candidate
      if (this.pc.iceGatheringState === "complete") return resolve();
      const done = () => { if (this.pc.iceGatheringState === "complete") resolve(); };
      this.pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 5000);
    });
    this.check0();
    const answer = await api("POST", { type: "offer", sdp: this.pc.localDescription.sdp });
    this.check0();
    await this.pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    const channels = [this.control, this.probe, this.up, this.down];
    const deadline = performance.now() + 10000;
    while (channels.some((c) => c.readyState !== "open")) {
      this.check0();
      if (performance.now() > deadline || this.pc.connectionState === "failed") {
        throw new Refused(texts.no_connection, "no_connection");
      }
      await sleep(50);
    }
  }

  check0() { if (this.aborted) throw new Refused(texts.interrupted, "aborted"); }

  async probes() {
    const p = this.plan;
    const start = performance.now();
    let seq = 0;
    while (performance.now() - start < p.probe_seconds * 1000) {
      this.check();
      const buffer = new ArrayBuffer(40);
      const view = new DataView(buffer);
      const now = performance.now();
      view.setUint32(0, seq);
      view.setFloat64(4, now);
      this.sentAt.set(seq, now);
      this.probe.send(buffer);
      seq += 1;
      await sleep(start + seq * p.probe_interval * 1000 - performance.now());
    }
    this.probeDeadline = performance.now() + p.probe_grace * 1000;
    await sleep(p.probe_grace * 1000);
    return seq;
  }

  rtt() { return this.rtts.length ? median(this.rtts) : null; }

  async upload() {
    const p = this.plan;
    this.upAllowed = p.min_window;
    this.control.send(JSON.stringify({ type: "up", rtt_ms: this.rtt() }));
    const size = p.message_bytes;
    const rate = (p.max_kbps * 1000) / 8 / 1000; // bytes a millisecond: the test's ceiling
    const start = performance.now();
    let level = 0;
    let last = start;
    let sent = 0; // messages
    while (performance.now() - start < p.up_seconds * 1000) {
      this.check();
      const now = performance.now();
      level = Math.min(p.max_buffered, level + (now - last) * rate);
      last = now;
      while ((sent - this.upAck) * size < this.upAllowed && this.up.bufferedAmount < p.max_buffered && level >= size) {
        const buffer = new ArrayBuffer(size);
        new DataView(buffer).setUint32(0, sent);
        this.up.send(buffer);
        sent += 1;
        level -= size;
      }
      await sleep(5);
    }
    const drained = performance.now() + 1500; // what is still queued goes before the download
    while (this.up.bufferedAmount > 0 && performance.now() < drained) await sleep(20);
  }

  async download() {
    const p = this.plan;
    this.downBins = new Array(Math.max(1, Math.round(p.down_seconds / p.bin_seconds))).fill(0);
    this.downStart = performance.now();
    this.control.send(JSON.stringify({ type: "down", rtt_ms: this.rtt() }));
    const ended = this.expect("down_end", p.down_seconds + 3);
    let done = false;
    ended.then(() => { done = true; }, () => { done = true; });
    while (!done) { // what arrived, so that the peer sends no faster than the path takes
      if (this.control.readyState === "open") {
        this.control.send(JSON.stringify({ type: "got", bytes: this.downTotal, ack: this.downAck }));
      }
      await Promise.race([ended.catch(() => {}), sleep(p.feedback_seconds * 1000)]);
    }
    await ended;
  }

  async run(seconds, onPhase) {
    onPhase("connecting");
    await this.connect();
    this.control.send(JSON.stringify({ type: "start", seconds }));
    this.plan = await this.expect("plan", 10);
    onPhase("ready");
    onPhase("probing");
    const probesSent = await this.probes();
    onPhase("upload");
    await this.upload();
    onPhase("download");
    await this.download();
    this.control.send(JSON.stringify({
      type: "report",
      probes_sent: probesSent,
      rtt_ms: this.rtts.map((r) => Math.round(r * 100) / 100),
      down_bins: this.downBins,
    }));
    const result = await this.expect("result", 5);
    onPhase("reported");
    return result;
  }

  abort() {
    this.aborted = true;
    this.wake();
    this.close();
  }

  close() {
    try { this.pc.close(); } catch { /* closed already */ }
  }
}

// --- what the person sees ---------------------------------------------------------------------

function showPhase(phase) {
  precall.state = phase;
  document.body.dataset.precallState = phase;
  const text = texts.phases[phase];
  if (text) $("precall-status").textContent = text;
}

function showResult(result) {
  $("precall-word").textContent = result.word;
  $("precall-word").dataset.verdict = result.verdict;
  const list = $("precall-figures");
  list.replaceChildren();
  for (const [label, value] of result.lines) {
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  }
  $("precall-advice").textContent = result.advice;
  $("precall-reasons").textContent = result.reasons.join(" ");
  $("precall-reasons").hidden = !result.reasons.length;
  $("precall-result").hidden = false;
}

function showError(message) {
  $("precall-error").textContent = message;
  $("precall-error").hidden = false;
}

async function start() {
  if (precall.run) return;
  const button = $("precall-start");
  button.disabled = true;
  $("precall-result").hidden = true;
  $("precall-error").hidden = true;
  $("precall-running").hidden = false;
  precall.result = null;
  precall.error = null;
  const began = performance.now();
  const expected = data.expected_seconds * 1000;
  const ticker = setInterval(() => {
    $("precall-progress").value = Math.min(95, ((performance.now() - began) / expected) * 100);
  }, 100);
  let run = null;
  try {
    showPhase("connecting");
    const config = await api("GET");
    run = precall.run = new Run(config.ice_servers || []);
    const result = await run.run(data.seconds, showPhase);
    precall.result = result;
    showResult(result);
    precall.state = "done";
  } catch (e) {
    const aborted = e.code === "aborted";
    precall.error = aborted ? null : e.message;
    precall.state = aborted ? "idle" : "failed";
    if (!aborted) {
      console.warn("connection test:", e.code, e.message);
      showError(e instanceof Refused ? e.message : texts.interrupted);
    }
  } finally {
    clearInterval(ticker);
    run?.close();
    precall.run = null;
    document.body.dataset.precallState = precall.state;
    $("precall-running").hidden = true;
    button.disabled = false;
    button.textContent = precall.result ? texts.again : texts.button;
  }
}

if (data && root) {
  $("precall-start").addEventListener("click", start);
  // joining the visit needs the connection: a running test gives way at once
  $("join").addEventListener("click", () => precall.run?.abort());
  window.addEventListener("pagehide", () => precall.run?.abort());
}
