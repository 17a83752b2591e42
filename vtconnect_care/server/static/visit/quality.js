// The caregiver's connection on the visit page: good, fair or poor, from the browser's own
// RTCPeerConnection.getStats(), once a second, judged over the last 5 s.
//
// The limits and every sentence come from vtconnect_care/domain/call_quality.py, which the page
// renders as JSON into #quality-config: nothing is written twice. judge() below is that
// module's judge() (same rules, same hysteresis); tests/web/test_visit_quality.py checks that
// both give the same answers. visit.js owns the call; this file only reads window.visitCall.

const config = JSON.parse(document.getElementById("quality-config").textContent);
const badge = document.getElementById("remote-quality");
const tip = document.getElementById("remote-quality-tip");
const RANK = { good: 0, fair: 1, poor: 2 };
const DARK_LEVEL = 24; // a picture whose every colour averages under this is a camera turned off

// --- the rules (domain/call_quality.py: figures, _classify, judge) --------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function figures(samples) {
  const out = {};
  for (const rule of config.rules) {
    const values = samples.map((s) => s[rule.figure]).filter((v) => v !== null && v !== undefined);
    out[rule.figure] = values.length ? (rule.combine === "median" ? median(values) : mean(values)) : null;
  }
  return out;
}

function classify(values, videoExpected, margin) {
  const poor = [];
  const fair = [];
  for (const rule of config.rules) {
    const value = values[rule.figure];
    if (value === null || value === undefined || (rule.video_only && !videoExpected)) continue;
    for (const [limit, bucket] of [[rule.poor, poor], [rule.fair, fair]]) {
      if (limit === null) continue;
      const crossed = rule.worse_when === "above" ? value > limit * margin : value < limit / margin;
      if (crossed) { bucket.push(rule.reason); break; }
    }
  }
  if (poor.length) return { level: "poor", reasons: [...poor, ...fair] };
  if (fair.length) return { level: "fair", reasons: fair };
  return { level: "good", reasons: [] };
}

export function judge(samples, previous) {
  if (!samples.length) throw new Error("judge needs at least one sample");
  const newest = samples[samples.length - 1];
  const recent = samples.filter((s) => s.at > newest.at - config.window_s);
  const values = figures(recent);
  const video = newest.video_expected;
  let verdict = classify(values, video, 1.0);
  if (previous && RANK[verdict.level] < RANK[previous]) {
    const strict = classify(values, video, config.recover);
    verdict = RANK[strict.level] >= RANK[previous] ? { level: previous, reasons: strict.reasons } : strict;
  }
  return { ...verdict, figures: values };
}

// --- readings and samples (client/engine/link_stats.py: read_counters, sample_between) ----------

// Loss and jitter are the worse of audio's and video's (video repairs loss by retransmission,
// speech cannot); their receiver reports count while recent (a stopped sender's last one stays).
const FRESH_MS = 4000;

async function read(pc) {
  const report = await pc.getStats();
  const r = { at: performance.now() / 1000, kinds: {}, bytesIn: 0, bytesOut: 0, frames: 0, remote: [] };
  let transportSeen = false;
  let inboundBytes = 0; // used if the browser reports no transport entry
  let newest = 0;
  report.forEach((s) => {
    newest = Math.max(newest, s.timestamp || 0);
    if (s.type === "inbound-rtp") {
      const k = (r.kinds[s.kind] ||= { received: 0, lost: 0, jitterMs: 0 });
      k.received += s.packetsReceived || 0;
      k.lost += Math.max(s.packetsLost || 0, 0);
      k.jitterMs = Math.max(k.jitterMs, 1000 * (s.jitter || 0)); // seconds in browsers
      inboundBytes += s.bytesReceived || 0;
      if (s.kind === "video") r.frames += s.framesDecoded || 0;
    } else if (s.type === "remote-inbound-rtp") {
      r.remote.push(s);
    } else if (s.type === "transport") {
      transportSeen = true;
      r.bytesIn += s.bytesReceived || 0;
      r.bytesOut += s.bytesSent || 0;
    }
  });
  if (!transportSeen) r.bytesIn = inboundBytes;
  const fresh = r.remote.filter((s) => newest - (s.timestamp || 0) < FRESH_MS);
  const rtts = fresh.filter((s) => typeof s.roundTripTime === "number").map((s) => 1000 * s.roundTripTime);
  const lossOut = fresh.filter((s) => typeof s.fractionLost === "number").map((s) => s.fractionLost);
  r.rttMs = rtts.length ? Math.max(...rtts) : null;
  r.lossOut = lossOut.length ? Math.max(...lossOut) : null;
  return r;
}

function sampleBetween(a, b, videoExpected) {
  const span = b.at - a.at;
  let received = 0;
  let lossIn = 0;
  let jitterMs = 0;
  for (const [kind, k] of Object.entries(b.kinds)) {
    const was = a.kinds[kind] || { received: 0, lost: 0 };
    const got = Math.max(k.received - was.received, 0);
    const lost = Math.max(k.lost - was.lost, 0);
    received += got;
    if (got + lost) { // a paused stream's figures are its last ones: not now's
      lossIn = Math.max(lossIn, lost / (got + lost));
      jitterMs = Math.max(jitterMs, k.jitterMs);
    }
  }
  return {
    at: b.at,
    rtt_ms: b.rttMs,
    loss_in: lossIn,
    loss_out: b.lossOut,
    jitter_ms: jitterMs,
    kbps_in: (Math.max(b.bytesIn - a.bytesIn, 0) * 8) / 1000 / span,
    kbps_out: (Math.max(b.bytesOut - a.bytesOut, 0) * 8) / 1000 / span,
    fps_in: Math.max(b.frames - a.frames, 0) / span,
    packets_in_per_s: received / span,
    estimate_kbps: null,
    video_expected: videoExpected,
  };
}

// --- what the person sees ---------------------------------------------------------------------

function render(verdict) {
  if (!verdict) { badge.hidden = true; return; }
  const word = config.words[verdict.level];
  badge.dataset.level = verdict.level;
  badge.querySelector(".word").textContent = word;
  badge.setAttribute("aria-label", config.accessible_name.replace("{name}", badge.dataset.name).replace("{word}", word));
  const problems = verdict.reasons.map((r) => config.problems[r]);
  const advice = [...new Set(verdict.reasons.map((r) => config.advice[r]))];
  const lines = [config.titles[verdict.level], ...(problems.length ? problems : [config.all_clear]), ...advice];
  tip.replaceChildren(...lines.map((text, i) => {
    const p = document.createElement(i === 0 ? "strong" : "p");
    p.textContent = text;
    return p;
  }));
  badge.hidden = false;
}

const state = (window.visitQuality = { samples: [], verdict: null, last: null, pc: null, judge, config });

function videoExpected() {
  const call = window.visitCall;
  if (call?.remotePaused) return false; // the caregiver's video is paused on purpose or by the path
  const colour = call?.sampleRemote?.();
  return !(colour && Math.max(...colour) < DARK_LEVEL); // black pictures: their camera is off
}

async function tick() {
  const pc = window.visitCall?.pc;
  if (pc !== state.pc) { // a new connection starts afresh
    Object.assign(state, { pc, samples: [], verdict: null, last: null });
    render(null);
  }
  if (!pc || pc.connectionState !== "connected") { render(null); return; }
  let reading;
  try { reading = await read(pc); } catch { return; }
  const before = state.last;
  state.last = reading;
  if (!before || reading.at <= before.at) return;
  state.samples.push(sampleBetween(before, reading, videoExpected()));
  state.samples = state.samples.filter((s) => s.at > reading.at - config.window_s);
  if (state.samples.length < config.settle_samples) return;
  state.verdict = judge(state.samples, state.verdict?.level ?? null);
  render(state.verdict);
}

setInterval(() => { tick().catch((e) => console.warn("quality:", e)); }, 1000);
