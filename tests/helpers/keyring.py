"""Keyring fakes (TEST ONLY): an in-memory back end, and a session store that never saves."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from vtconnect_care.client.session_store import SessionStore


class MemoryKeyring(KeyringBackend):
    """A test keyring back end: secrets in a dict, nothing on disk (TEST ONLY)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class NoKeyring(SessionStore):
    """Never touches the real keyring (docs scripts): nothing saved, nothing found."""

    def save(self, *args):
        return False

    def load(self, *args):
        return None

    def clear(self, *args):
        return None
