"""Request bodies bounded before any route reads them: their size, and JSON's nesting depth.

Python's JSON parser recurses once per level, so a body of a thousand nested brackets ended in
a RecursionError (a 500) instead of an answer. A plain ASGI middleware reads the body once,
answers 413 or 400 with the usual JSON error, and hands the same bytes on.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 2 * 1024 * 1024  # the largest legitimate body: a visit's notes (100,000 characters)
MAX_DEPTH = 32  # our deepest request shape is 3 levels

TOO_LARGE = "The request is too large."
TOO_DEEP = "The request's JSON is nested too deeply."


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit` (brackets in strings don't count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot be that deep: the common case costs two counts
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class BodyLimits:
    """413 past `max_bytes`, 400 for JSON nested past `max_depth`; otherwise the body replayed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY, max_depth: int = MAX_DEPTH):
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "too_large", TOO_LARGE)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _refuse(send, 413, "too_large", TOO_LARGE)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        ctype = headers.get(b"content-type", b"")  # FastAPI reads a body without one as JSON
        if (not ctype or b"json" in ctype) and json_depth_exceeds(body, self.max_depth):
            await _refuse(send, 400, "too_deep", TOO_DEEP)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # the disconnect, when the client goes

        await self.app(scope, replay, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
