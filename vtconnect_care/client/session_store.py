"""Remember me: the session token in the OS keyring (never a password, never a plain file)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("vtconnect.app.session")

SERVICE = "VTConnect Care"


@dataclass(frozen=True)
class SavedSession:
    username: str
    token: str


class SessionStore:
    """One remembered session per portal, kept by `keyring` (errors are logged, not raised).

    The keyring entry is named by the portal URL; its value is ``username\\ntoken``.
    A machine without a keyring back end simply does not remember anyone.
    """

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def available(self) -> bool:
        """Whether this computer has a usable keyring back end (not keyring's 'fail' one)."""
        import keyring
        from keyring.backends import fail

        try:
            return not isinstance(keyring.get_keyring(), fail.Keyring)
        except Exception:  # noqa: BLE001 - a broken back end is simply no keyring
            return False

    def save(self, portal_url: str, username: str, token: str) -> bool:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self.service, portal_url, f"{username}\n{token}")
        except (KeyringError, RuntimeError, OSError) as exc:
            log.warning("cannot remember the session: %s", exc)
            return False
        return True

    def load(self, portal_url: str) -> SavedSession | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            raw = keyring.get_password(self.service, portal_url)
        except (KeyringError, RuntimeError, OSError) as exc:
            log.warning("cannot read the remembered session: %s", exc)
            return None
        if not raw or "\n" not in raw:
            return None
        username, token = raw.split("\n", 1)
        return SavedSession(username, token) if token else None

    def clear(self, portal_url: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self.service, portal_url)
        except PasswordDeleteError:
            pass  # nothing remembered: already clear
        except (KeyringError, RuntimeError, OSError) as exc:
            log.warning("cannot forget the remembered session: %s", exc)
