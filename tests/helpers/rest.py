"""Blocking REST calls for a test's own set-up against a test server (never the app's code
paths): ``rest(base, method, path, body, headers)`` and ``login(base, username)``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

DEMO_PASSWORD = "VTConnect-demo-1"


def rest(base: str, method: str, path: str, body: dict | None = None, headers=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(  # noqa: S310 - http to the test server started here
        f"{base}/api/v1{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=15) as r:  # noqa: S310 - same
            return json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path}: {exc.code} {exc.read()!r}") from exc


def login(base: str, username: str, audience: str = "app") -> dict:
    """Bearer headers for a demo account."""
    body = {"username": username, "password": DEMO_PASSWORD, "audience": audience}
    token = rest(base, "POST", "/auth/login", body)["token"]
    return {"Authorization": f"Bearer {token}"}
