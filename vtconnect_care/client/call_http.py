"""The few REST calls the call engine and the CLI need (login, host), off the event loop.

The app's full portal client is ``portal_api.py``; this stays small and dependency-free (urllib)
so that the engine, the CLI and the benchmark can run without the app.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any


class PortalError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _call(method: str, url: str, body: dict | None, token: str | None, timeout: float) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            error = json.loads(exc.read())["error"]
            raise PortalError(exc.code, error["code"], error["message"]) from exc
        except (ValueError, KeyError, TypeError):
            raise PortalError(exc.code, "http_error", str(exc)) from exc


async def call(
    method: str,
    portal_url: str,
    path: str,
    body: dict | None = None,
    *,
    token: str | None = None,
    timeout: float = 15.0,
) -> Any:
    url = portal_url.rstrip("/") + path
    return await asyncio.to_thread(_call, method, url, body, token, timeout)


async def login(portal_url: str, username: str, password: str, audience: str = "app") -> dict:
    """{"token": ..., "account": {...}} for these credentials; PortalError when refused."""
    body = {"username": username, "password": password, "audience": audience}
    return await call("POST", portal_url, "/api/v1/auth/login", body)


async def host_session(
    portal_url: str,
    token: str,
    *,
    account_ids: list[int] | None = None,
    usernames: list[str] | None = None,
) -> dict:
    """R-ROOM-1: a new Care Session with these people; returns its detail."""
    body = {"invitee_ids": list(account_ids or []), "invitee_usernames": list(usernames or [])}
    return await call("POST", portal_url, "/api/v1/sessions", body, token=token)
