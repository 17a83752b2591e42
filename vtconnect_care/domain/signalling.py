"""The realtime message schema: parse and check client messages (pure; see docs/protocol.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import Refusal

MAX_MESSAGE_BYTES = 64 * 1024  # an SDP with many candidates is ~10 KB
MAX_SDP_CHARS = 48 * 1024
MAX_CANDIDATE_CHARS = 1024
MAX_ID = 2**63 - 1  # ids are 64-bit in every database we use
MAX_DEPTH = 32  # no message of ours nests deeper; JSON nested 1,000 deep is refused, not fatal

CLIENT_TYPES = frozenset({"auth", "ping", "join", "leave", "begin", "end", "chat", "signal", "sfu"})
# a group room's steps to Janus through the hub (docs/group-rooms.md)
SFU_OPS = frozenset({"publish", "subscribe", "start", "leave"})
SIGNAL_KINDS = frozenset({"offer", "answer", "ice", "media"})
# why a person's video is not being sent (the other side says so on their tile)
VIDEO_PAUSE_REASONS = frozenset({"weak", "chosen", "probe"})


class ProtocolError(Refusal):
    """A message that breaks the protocol (malformed, too large, out of order): the hub counts
    these against the sender, unlike a room's refusal of a well-formed move."""


@dataclass(frozen=True)
class ClientMessage:
    type: str
    session_id: int | None = None
    token: str | None = None
    body: str | None = None
    to: int | None = None
    signal: dict[str, Any] | None = None
    ref: str | None = None  # echoed in the reply, so a client can match answers


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise ProtocolError("bad_message", f"'{name}' must be a positive integer.")
    return value


def _brackets(raw: str | bytes) -> int:
    if isinstance(raw, bytes):
        return raw.count(b"[") + raw.count(b"{")
    return raw.count("[") + raw.count("{")


def _too_deep(raw: str | bytes) -> bool:
    """Nesting deeper than MAX_DEPTH, counted over the brackets outside strings."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except (ValueError, TypeError, RecursionError):
        return "x" * (MAX_CANDIDATE_CHARS + 1)


def _signal(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProtocolError("bad_message", "'signal' must be an object.")
    kind = data.get("kind")
    if kind not in SIGNAL_KINDS:
        raise ProtocolError("bad_message", "'signal.kind' must be offer, answer, ice or media.")
    pc = data.get("pc")
    if not isinstance(pc, str) or not 0 < len(pc) <= 64:
        raise ProtocolError("bad_message", "'signal.pc' must be a short string.")
    out: dict[str, Any] = {"kind": kind, "pc": pc}
    if kind in ("offer", "answer"):
        sdp = data.get("sdp")
        if not isinstance(sdp, str) or not 0 < len(sdp) <= MAX_SDP_CHARS:
            raise ProtocolError("bad_message", "'signal.sdp' is missing or too long.")
        out["sdp"] = sdp
    elif kind == "media":
        # what I send: {"video": false, "reason": "weak"} while my video is paused
        video, reason = data.get("video"), data.get("reason")
        if not isinstance(video, bool) or (
            reason is not None and reason not in VIDEO_PAUSE_REASONS
        ):
            raise ProtocolError("bad_message", "'signal.video' must be true or false.")
        out["video"] = video
        out["reason"] = reason
    else:
        cand = data.get("candidate")
        if cand is not None and (
            not isinstance(cand, dict) or len(_dumps(cand)) > MAX_CANDIDATE_CHARS
        ):
            raise ProtocolError("bad_message", "'signal.candidate' is not a candidate.")
        out["candidate"] = cand
    return out


def parse(raw: str | bytes) -> ClientMessage:
    """A checked client message, or ProtocolError(code in bad_message|too_large)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError("too_large", "The message is too large.")
    if _brackets(raw) > MAX_DEPTH and _too_deep(raw):  # counting first: fast for our messages
        raise ProtocolError("too_deep", "The message nests too deeply.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError("bad_message", "The message is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ProtocolError("bad_message", "A message must be a JSON object.")
    kind = data.get("type")
    if kind not in CLIENT_TYPES:
        raise ProtocolError("bad_message", "Unknown message type.")
    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
        raise ProtocolError("bad_message", "'ref' must be a short string.")
    if kind == "auth":
        token = data.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= 256:
            raise ProtocolError("bad_message", "'token' must be a string.")
        return ClientMessage("auth", token=token, ref=ref)
    if kind == "ping":
        return ClientMessage("ping", ref=ref)
    session_id = _int(data.get("session_id"), "session_id")
    if kind == "chat":
        body = data.get("body")
        if not isinstance(body, str):
            raise ProtocolError("bad_message", "'body' must be a string.")
        return ClientMessage("chat", session_id=session_id, body=body, ref=ref)
    if kind == "signal":
        return ClientMessage(
            "signal",
            session_id=session_id,
            to=_int(data.get("to"), "to"),
            signal=_signal(data.get("signal")),
            ref=ref,
        )
    if kind == "sfu":
        return ClientMessage("sfu", session_id=session_id, signal=_sfu_step(data), ref=ref)
    return ClientMessage(kind, session_id=session_id, ref=ref)


def _sfu_step(data: dict) -> dict[str, Any]:
    """A group room's step: its op, and the feed (an account id) and SDP it carries."""
    op = data.get("op")
    if op not in SFU_OPS:
        raise ProtocolError("bad_message", "'op' must be publish, subscribe, start or leave.")
    step: dict[str, Any] = {"op": op}
    if op in ("subscribe", "start"):
        step["feed"] = _int(data.get("feed"), "feed")
    if op in ("publish", "start"):
        sdp = data.get("sdp")
        if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
            raise ProtocolError("bad_message", "'sdp' must be a session description.")
        step["sdp"] = sdp
    return step
