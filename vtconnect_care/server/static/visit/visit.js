// The client's visit page: join the caregiver's video call in the browser (R-VISIT-10, 11, 12).
//
// The invite token is the credential: POST /api/v1/visit-links/join says which room to join,
// the realtime hub (/api/v1/ws, docs/protocol.md) authenticates the socket with the same token
// and relays WebRTC signalling with the employee's engine. Whoever arrives last sends the offer;
// this page trickles its ICE candidates. No build step: plain modern JavaScript.

const root = document.getElementById("visit");
const token = root.dataset.token;
// the client's own sentence when the visit is over, the same as the page shows after a reload
// (R-VISIT-12): never the caregiver's sentence that an event might carry
const VISIT_OVER = root.dataset.msgOver;
const CAREGIVER_AWAY = root.dataset.msgAway;
const WAITING = root.dataset.msgWaiting;
const PAUSED = { weak: root.dataset.msgPausedWeak, chosen: root.dataset.msgPausedChosen };

const $ = (id) => document.getElementById(id);
const show = (id, on = true) => { $(id).hidden = !on; };

// What the test (and anyone debugging) can look at: counts, never media.
const call = (window.visitCall = {
  state: "lobby", // lobby | joining | waiting | connecting | in_call | left | over | refused
  remoteFrames: 0,
  remotePaused: null, // why the caregiver's video is paused ("weak", "chosen"), or null
  pc: null,
  ws: null,
  room: null,
  me: null,
  employee: null,
  local: null,
  pcId: null,
  pendingIce: [],
  facing: "user",
  sampleRemote,
});

function setState(state, message) {
  call.state = state;
  document.body.dataset.callState = state;
  if (message !== undefined) $("call-status").textContent = message;
}

function lobbyError(text) {
  const el = $("lobby-status");
  el.textContent = text;
  el.classList.add("error");
}

async function postJson(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error(data?.error?.message || "Something went wrong. Please try again.");
    err.code = data?.error?.code;
    throw err;
  }
  return data;
}

// --- media ------------------------------------------------------------------------------------

async function openMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("This browser cannot use a camera here. Open the link in an up-to-date browser.");
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: call.facing }, audio: true });
  } catch (e) {
    if (e.name === "NotAllowedError") {
      throw new Error("Your browser did not allow the camera and microphone. Allow them (the camera icon in the address bar) and click Join again.");
    }
    if (e.name === "NotFoundError") {
      throw new Error("No camera or microphone was found. Connect one and click Join again.");
    }
    throw new Error("Your camera or microphone could not be started: " + e.message);
  }
}

function stopMedia() {
  call.local?.getTracks().forEach((t) => t.stop());
  call.local = null;
  $("self-view").srcObject = null;
}

// --- the socket -------------------------------------------------------------------------------

function openSocket() {
  return new Promise((resolve, reject) => {
    const url = location.origin.replace(/^http/, "ws") + "/api/v1/ws";
    const ws = new WebSocket(url);
    let hello = false;
    const timer = setTimeout(() => reject(new Error("The connection to the visit timed out. Please try again.")), 15000);
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token }));
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (!hello) {
        clearTimeout(timer);
        if (msg.type === "hello") { hello = true; call.me = msg.account.id; resolve(ws); return; }
        const err = new Error(msg.message || "This link cannot be used.");
        err.code = msg.code;
        reject(err);
        return;
      }
      onMessage(msg);
    };
    ws.onclose = () => {
      clearTimeout(timer);
      if (!hello) reject(new Error("The connection to the visit was refused."));
      else onSocketClosed(ws);
    };
  });
}

function send(msg) {
  if (call.ws?.readyState === WebSocket.OPEN) call.ws.send(JSON.stringify(msg));
}

function signal(payload) {
  send({ type: "signal", session_id: call.room, to: call.employee, signal: { pc: call.pcId, ...payload } });
}

function onMessage(msg) {
  switch (msg.type) {
    case "joined": return onJoined(msg);
    case "presence": return onPresence(msg.member);
    case "signal": return onSignal(msg);
    case "visit.ended":
    case "session.ended": return sessionOver();
    case "error":
      if (["finished", "session_ended"].includes(msg.code)) return sessionOver();
      if (["expired", "superseded", "invalid"].includes(msg.code)) return refused(msg.message);
      console.warn("hub:", msg.code, msg.message);
      return;
    default: return;
  }
}

function onSocketClosed(ws) {
  if (ws !== call.ws) return;
  call.ws = null;
  if (["in_call", "connecting", "waiting"].includes(call.state)) {
    // the network dropped: try again while the link is valid (the server keeps our place)
    setState("waiting", "The connection was interrupted. Reconnecting…");
    closePeer();
    setTimeout(() => { if (call.state === "waiting" && !call.ws) connect().catch(showFailure); }, 1500);
  }
}

// --- the room ---------------------------------------------------------------------------------

function onJoined(msg) {
  call.iceServers = msg.ice_servers || [];
  const employee = msg.session.members.find((m) => m.account_id === call.employee);
  if (employee && employee.status === "present") {
    offer(); // we arrived last: we offer
  } else {
    setState("waiting", WAITING);
  }
}

function onPresence(member) {
  if (member.account_id !== call.employee) return;
  if (member.status === "present") {
    setState("connecting", "Your caregiver is joining…"); // they arrived last: they offer
  } else if (call.state !== "over") {
    closePeer();
    $("remote-video").srcObject = null;
    setState("waiting", CAREGIVER_AWAY);
  }
}

function newPeer(pcId) {
  closePeer();
  const pc = new RTCPeerConnection({ iceServers: call.iceServers || [] });
  call.pc = pc;
  call.pcId = pcId;
  call.pendingIce = [];
  call.local.getTracks().forEach((t) => pc.addTrack(t, call.local));
  pc.onicecandidate = (ev) => {
    signal({ kind: "ice", candidate: ev.candidate ? ev.candidate.toJSON() : null });
  };
  pc.ontrack = (ev) => {
    const video = $("remote-video");
    if (!video.srcObject) video.srcObject = new MediaStream();
    video.srcObject.addTrack(ev.track);
    if (ev.track.kind === "video") countFrames(video);
  };
  pc.onconnectionstatechange = () => {
    if (pc !== call.pc) return;
    if (pc.connectionState === "connected") setState("in_call", "");
    if (pc.connectionState === "failed") setState("waiting", "The video connection failed. Waiting for your caregiver to reconnect…");
  };
  return pc;
}

function closePeer() {
  if (call.pc) { call.pc.onconnectionstatechange = null; call.pc.close(); }
  call.pc = null;
}

async function offer() {
  setState("connecting", "Connecting to your caregiver…");
  const pc = newPeer("browser-" + Math.random().toString(36).slice(2, 10));
  await pc.setLocalDescription(await pc.createOffer());
  signal({ kind: "offer", sdp: pc.localDescription.sdp });
}

async function onSignal(msg) {
  if (msg.from !== call.employee) return;
  const s = msg.signal;
  try {
    if (s.kind === "offer") {
      // both offered at once: the lower account id's offer wins (docs/protocol.md)
      if (call.pc?.signalingState === "have-local-offer" && call.me < call.employee) return;
      const pc = newPeer(s.pc);
      setState("connecting", "Connecting to your caregiver…");
      await pc.setRemoteDescription({ type: "offer", sdp: s.sdp });
      await flushIce();
      await pc.setLocalDescription(await pc.createAnswer());
      signal({ kind: "answer", sdp: pc.localDescription.sdp });
    } else if (s.kind === "answer" && call.pc && s.pc === call.pcId) {
      await call.pc.setRemoteDescription({ type: "answer", sdp: s.sdp });
      await flushIce();
    } else if (s.kind === "media" && s.pc === call.pcId) {
      await onMedia(s);
    } else if (s.kind === "ice" && s.pc === call.pcId && s.candidate) {
      if (call.pc?.remoteDescription) await call.pc.addIceCandidate(s.candidate);
      else call.pendingIce.push(s.candidate);
    }
  } catch (e) {
    console.error("signalling failed", e);
  }
}

// The caregiver's app paused its video (a weak path, or "Audio only" chosen: then ours stops too,
// without touching the camera button, and comes back with theirs).
async function onMedia(s) {
  call.remotePaused = s.video ? null : s.reason || "weak";
  if (s.reason === "probe") return;
  $("call-status").textContent = s.video ? "" : PAUSED[call.remotePaused] || PAUSED.weak;
  const sender = call.pc?.getSenders().find((x) => x.track?.kind === "video" || x === call.videoSender);
  const camera = call.local?.getVideoTracks()[0];
  if (!sender || !camera) return;
  call.videoSender = sender;
  await sender.replaceTrack(call.remotePaused === "chosen" ? null : camera);
}

async function flushIce() {
  const pending = call.pendingIce.splice(0);
  for (const c of pending) await call.pc.addIceCandidate(c);
}

// --- joining and leaving ----------------------------------------------------------------------

async function connect() {
  const joined = await postJson("/api/v1/visit-links/join", { token });
  call.room = joined.care_session_id;
  call.employee = joined.employee_account_id;
  call.ws = await openSocket();
  send({ type: "join", session_id: call.room });
}

async function join() {
  const button = $("join");
  button.disabled = true;
  $("rejoin").disabled = true;
  $("lobby-status").classList.remove("error");
  $("lobby-status").textContent = "Asking your browser for the camera and microphone…";
  setState("joining");
  try {
    call.local = await openMedia();
    $("self-view").srcObject = call.local;
    show("lobby", false);
    show("ended", false);
    show("call");
    setState("waiting", WAITING);
    await connect();
  } catch (e) {
    showFailure(e);
  } finally {
    button.disabled = false;
    $("rejoin").disabled = false;
  }
}

function showFailure(e) {
  if (["expired", "superseded", "invalid"].includes(e.code)) return refused(e.message);
  if (["finished", "session_ended"].includes(e.code)) return sessionOver();
  stopMedia();
  closePeer();
  show("call", false);
  show("ended", false);
  show("lobby");
  showLocalTime();
setState("lobby");
  lobbyError(e.message);
}

function leaveRoom() {
  send({ type: "leave", session_id: call.room });
  const ws = call.ws;
  call.ws = null;
  ws?.close();
  closePeer();
  stopMedia();
  $("remote-video").srcObject = null;
}

async function hangUp() {
  leaveRoom();
  let message = "You have left the video visit.";
  try {
    message = (await postJson("/api/v1/visit-links/hang-up", { token })).message;
  } catch (e) {
    if (["finished", "session_ended"].includes(e.code)) return sessionOver();
  }
  setState("left");
  endCard("You have left the video visit", message, true);
}

function sessionOver() {
  if (call.state === "over") return;
  leaveRoom();
  setState("over");
  endCard("This video visit is over", VISIT_OVER, false);
}

function refused(message) {
  leaveRoom();
  setState("refused");
  endCard("This link cannot be used", message, false);
}

function endCard(title, message, canRejoin) {
  show("call", false);
  show("lobby", false);
  $("ended-title").textContent = title;
  $("ended-message").textContent = message;
  show("rejoin", canRejoin);
  show("ended");
}

// --- the four controls (R-VISIT-10) -----------------------------------------------------------

function toggle(kind, button, onLabel, offLabel) {
  const track = call.local?.getTracks().find((t) => t.kind === kind);
  if (!track) return;
  track.enabled = !track.enabled;
  button.setAttribute("aria-pressed", String(!track.enabled));
  button.querySelector(".label").textContent = track.enabled ? onLabel : offLabel;
}

async function switchCamera() {
  const current = call.local?.getVideoTracks()[0];
  if (!current) return;
  const cameras = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === "videoinput");
  let constraints;
  if (cameras.length > 1) {
    const at = cameras.findIndex((d) => d.deviceId === current.getSettings().deviceId);
    constraints = { deviceId: { exact: cameras[(at + 1) % cameras.length].deviceId } };
  } else {
    call.facing = call.facing === "user" ? "environment" : "user";
    constraints = { facingMode: call.facing };
  }
  let fresh;
  try {
    fresh = (await navigator.mediaDevices.getUserMedia({ video: constraints })).getVideoTracks()[0];
  } catch {
    $("call-status").textContent = "No other camera could be started.";
    return;
  }
  fresh.enabled = current.enabled;
  const sender = call.pc?.getSenders().find((s) => s.track?.kind === "video");
  if (sender) await sender.replaceTrack(fresh);
  call.local.removeTrack(current);
  current.stop();
  call.local.addTrack(fresh);
  $("self-view").srcObject = call.local;
}

// --- what the page sees (for tests and diagnostics) --------------------------------------------

function countFrames(video) {
  if (!("requestVideoFrameCallback" in video)) return;
  const tick = () => { call.remoteFrames += 1; video.requestVideoFrameCallback(tick); };
  video.requestVideoFrameCallback(tick);
}

function sampleRemote() {
  // the average colour of the caregiver's picture as shown, [r, g, b]
  const video = $("remote-video");
  if (!video.videoWidth) return null;
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 48;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, 64, 48);
  const data = ctx.getImageData(0, 0, 64, 48).data;
  const sum = [0, 0, 0];
  for (let i = 0; i < data.length; i += 4) { sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2]; }
  const n = data.length / 4;
  return sum.map((v) => Math.round(v / n));
}

function showLocalTime() {
  // the greeting says the visit's time in the organisation's zone, named (as the invite did);
  // when this browser is in another zone, a line below says the same time where the client is
  const start = new Date(root.dataset.startsAt);
  const end = new Date(root.dataset.endsAt);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === root.dataset.zone) return;
  const opts = { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const time = new Intl.DateTimeFormat("en-GB", opts);
  const day = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const note = $("visit-local");
  note.textContent = `Where you are (${zone}), that is ${day.format(start).replace(",", "")}, ${time.format(start)} to ${time.format(end)}.`;
  note.hidden = false;
}

// --- wiring -----------------------------------------------------------------------------------

$("join").addEventListener("click", join);
$("rejoin").addEventListener("click", join);
$("hang-up").addEventListener("click", hangUp);
$("switch-camera").addEventListener("click", switchCamera);
$("camera").addEventListener("click", (ev) => toggle("video", ev.currentTarget, "Camera off", "Camera on"));
$("mute").addEventListener("click", (ev) => toggle("audio", ev.currentTarget, "Mute", "Unmute"));
window.addEventListener("pagehide", () => {
  // closing the page is a client hang-up: not an ending, the client may come back (R-VISIT-11)
  if (["waiting", "connecting", "in_call"].includes(call.state)) {
    navigator.sendBeacon("/api/v1/visit-links/hang-up", new Blob([JSON.stringify({ token })], { type: "application/json" }));
  }
});
showLocalTime();
setState("lobby");
