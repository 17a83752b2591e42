"""The app's HTTP client for the visit endpoints: schedule, visit dialog, invites, clocking,
video join and hang-up, notes autosave. Blocking ``requests`` calls run on worker threads.

Errors are the portal client's typed errors (``PortalError`` and kin, with the sentence for
the person in ``message``); a stale notes save is ``NotesConflict`` carrying the saved text.
"""

from __future__ import annotations

from typing import Any

import requests

from .portal_api import DEFAULT_TIMEOUT, PortalApi, PortalError, error_from_response


class NotesConflict(PortalError):
    """409 notes_conflict: the notes changed elsewhere; ``current`` is {notes, version}."""

    def __init__(self, message: str, *, current: dict, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.current = current


class VisitsApi(PortalApi):
    """The portal client with the visit endpoints; every call carries the person's time zone
    (``tz``) so the server answers in local times. ``close()`` is idempotent."""

    def __init__(
        self, base_url: str, token: str | None, *, tz: str = "UTC", timeout=DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(base_url, token=token, timeout=timeout)
        self.tz = tz

    def _query(self, params: dict | None) -> dict:
        return {"tz": self.tz, **(params or {})}

    def _error(self, resp: requests.Response) -> PortalError:
        error = error_from_response(resp)
        if error.code != "notes_conflict":
            return error
        try:
            current = dict(resp.json()["error"]["current"])
        except (ValueError, KeyError, TypeError):
            current = {}
        return NotesConflict(error.message, current=current, code=error.code, status=error.status)

    # --- the employee's visits -------------------------------------------------------------------

    async def schedule(self, day: str | None = None) -> dict:
        """{date, tz, visits: [summary]}: one day's visits (``day`` as YYYY-MM-DD, else today)."""
        return await self._call("GET", "/visits", params={"date": day} if day else None)

    async def detail(self, visit_id: int) -> dict:
        return await self._call("GET", f"/visits/{int(visit_id)}")

    async def send_invite(self, visit_id: int) -> dict:
        return (await self._call("POST", f"/visits/{int(visit_id)}/send-invite"))["visit"]

    async def resend_invite(self, visit_id: int) -> dict:
        return (await self._call("POST", f"/visits/{int(visit_id)}/resend-invite"))["visit"]

    async def copy_link(self, visit_id: int) -> tuple[str, dict]:
        body = await self._call("POST", f"/visits/{int(visit_id)}/copy-link")
        return body["link"], body["visit"]

    async def clock_in(self, visit_id: int) -> dict:
        return (await self._call("POST", f"/visits/{int(visit_id)}/clock-in"))["visit"]

    async def clock_out(self, visit_id: int, *, confirm: bool = False) -> dict:
        """R-VISIT-13: refused with code ``virtual_session_active`` unless ``confirm``."""
        body = await self._call(
            "POST", f"/visits/{int(visit_id)}/clock-out", json={"confirm": confirm}
        )
        return body["visit"]

    async def join(self, visit_id: int) -> dict:
        """{care_session_id, client_account_id, state, notice, visit}: the room on the hub."""
        return await self._call("POST", f"/visits/{int(visit_id)}/join")

    async def hang_up(self, visit_id: int) -> dict:
        """R-VISIT-12: ends the virtual session for good; {message, visit}."""
        return await self._call("POST", f"/visits/{int(visit_id)}/hang-up")

    async def save_notes(self, visit_id: int, notes: str, base_version: int) -> dict:
        """{notes, version, saved_at}; NotesConflict when ``base_version`` is stale."""
        return await self._call(
            "PUT",
            f"/visits/{int(visit_id)}/notes",
            json={"notes": notes, "base_version": int(base_version)},
        )
