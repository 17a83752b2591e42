"""The app's REST client for the portal: blocking `requests` calls run on worker threads.

Every public method is a coroutine: the HTTP call runs through ``asyncio.to_thread`` so the
Qt thread and the event loop never wait on the network. The server's JSON errors
``{"error": {"code", "message"}}`` become typed exceptions carrying the user-facing message;
a server that cannot be reached is its own error (``PortalUnreachable``), so the app can offer
Retry.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any

import requests

from vtconnect_care.domain import messages

log = logging.getLogger("vtconnect.app.api")

API = "/api/v1"
DEFAULT_TIMEOUT = 15.0

UNREACHABLE = (
    "We cannot reach the VTConnect portal. Check your internet connection and try again; "
    "if it keeps happening, contact your Org Admin or VTConnect Support."
)
UNEXPECTED = "The portal gave an unexpected answer (HTTP {status}). Please try again shortly."


class PortalError(Exception):
    """An error answer from the portal; ``message`` is meant for the person using the app."""

    def __init__(self, message: str, *, code: str = "error", status: int = 0, fields=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.fields: dict[str, str] = dict(fields or {})


class PortalUnreachable(PortalError):
    """No answer at all: network down, wrong address, server stopped, timeout."""


class InvalidCredentials(PortalError):
    pass


class InvalidInput(PortalError):
    pass


class AccountRefused(PortalError):
    """The password matched but this account may not use the app (R-LOGIN-4)."""


class RateLimited(PortalError):
    def __init__(self, message: str, *, retry_after: int = 0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class SessionExpired(PortalError):
    """The session token is missing, expired, idle too long or revoked."""


class PermissionDenied(PortalError):
    pass


class CodeNeeded(PortalError):
    """Two-step sign-in: the password was right and a code must follow (``code`` says whether
    none was sent, ``two_factor_required``, or it was wrong or used, ``two_factor_invalid``)."""


_BY_CODE: dict[str, type[PortalError]] = {
    "invalid_credentials": InvalidCredentials,
    "username_is_email": InvalidInput,
    "validation_error": InvalidInput,
    "account_inactive": AccountRefused,
    "account_pending": AccountRefused,
    "email_not_confirmed": AccountRefused,
    "credentials_not_set": AccountRefused,
    "session_expired": SessionExpired,
    "not_authenticated": SessionExpired,
    "forbidden": PermissionDenied,
    "two_factor_required": CodeNeeded,
    "two_factor_invalid": CodeNeeded,
    "two_factor_enrolment_required": AccountRefused,
}


def error_from_response(resp: requests.Response) -> PortalError:
    """Turn an error response into the matching typed exception."""
    try:
        err = resp.json()["error"]
        code, message = str(err["code"]), str(err["message"])
        fields = err.get("fields") or {}
    except (ValueError, KeyError, TypeError):
        return PortalError(
            UNEXPECTED.format(status=resp.status_code), code="bad_answer", status=resp.status_code
        )
    if code == "rate_limited" or resp.status_code == 429:
        try:
            retry = int(resp.headers.get("Retry-After", "0"))
        except ValueError:
            retry = 0
        return RateLimited(
            message, retry_after=retry, code=code, status=resp.status_code, fields=fields
        )
    cls = _BY_CODE.get(code)
    if cls is None and resp.status_code == 401:
        cls = SessionExpired
    return (cls or PortalError)(message, code=code, status=resp.status_code, fields=fields)


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: str
    account: dict


class PortalApi:
    """One portal, one (optional) session token. ``close()`` is safe to call twice."""

    def __init__(self, base_url: str, *, token: str | None = None, timeout=DEFAULT_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self._closed = False

    # --- plumbing ---------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        sess = getattr(self._local, "session", None)
        if sess is None:
            sess = requests.Session()
            sess.headers["User-Agent"] = "VTConnectCare-App"
            self._local.session = sess
            with self._lock:
                self._sessions.append(sess)
        return sess

    def request_sync(self, method: str, path: str, *, json: dict | None = None, params=None):
        """The blocking call; only ever run on a worker thread."""
        if self._closed:
            raise PortalError("The app is closing.", code="closed")
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.base_url}{API}{path}"
        try:
            resp = self._session().request(
                method,
                url,
                json=json,
                params=self._query(params),
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            log.info("portal unreachable: %s %s: %s", method, url, exc)
            raise PortalUnreachable(UNREACHABLE, code="unreachable") from exc
        if resp.status_code >= 400:
            error = self._error(resp)
            log.info("portal said %s %s on %s %s", resp.status_code, error.code, method, path)
            raise error
        try:
            return resp.json()
        except ValueError as exc:
            raise PortalError(
                UNEXPECTED.format(status=resp.status_code), code="bad_answer"
            ) from exc

    def _query(self, params: dict | None) -> dict | None:
        """The query string of every call (a subclass adds what all its calls share)."""
        return params

    def _error(self, resp: requests.Response) -> PortalError:
        """The typed error for a 4xx or 5xx answer (a subclass may map its own codes)."""
        return error_from_response(resp)

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        return await asyncio.to_thread(self.request_sync, method, path, **kw)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for sess in sessions:
            sess.close()

    # --- account ----------------------------------------------------------------------------

    async def login(self, username: str, password: str, code: str | None = None) -> LoginResult:
        """Sign in; staff with two-step sign-in get ``CodeNeeded`` and send again with the code."""
        payload: dict[str, Any] = {"username": username, "password": password, "audience": "app"}
        if code:
            payload["code"] = code
        body = await self._call("POST", "/auth/login", json=payload)
        self.token = body["token"]
        return LoginResult(body["token"], body["expires_at"], body["account"])

    async def logout(self) -> None:
        try:
            await self._call("POST", "/auth/logout")
        except SessionExpired:
            pass  # already signed out on the server
        finally:
            self.token = None

    async def me(self) -> dict:
        return await self._call("GET", "/auth/me")

    async def forgot_password(self, username: str) -> str:
        body = await self._call("POST", "/auth/password/forgot", json={"username": username})
        return str(body.get("message") or messages.PASSWORD_RESET_SENT)

    async def forgot_username(self) -> str:
        body = await self._call("GET", "/auth/forgot-username")
        return str(body.get("message") or messages.FORGOT_USERNAME)

    # --- practitioner -----------------------------------------------------------------------

    async def appointments_today(self, tz: str = "UTC") -> dict:
        return await self._call("GET", "/appointments/today", params={"tz": tz})

    async def hosting_candidates(self) -> dict:
        return await self._call("GET", "/hosting/candidates")

    # --- client -----------------------------------------------------------------------------

    async def my_practitioners(self) -> list[dict]:
        return (await self._call("GET", "/me/practitioners"))["practitioners"]

    async def my_appointments(self) -> list[dict]:
        return (await self._call("GET", "/me/appointments"))["appointments"]
