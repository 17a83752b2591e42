"""Who is on the other end of a socket: pluggable authenticators turn a token into a Principal.

The desktop app and the CLI present a login session token (``SessionTokenAuthenticator``). A
later visit page can present a visit invite token instead: write a class with the same
``authenticate`` method and register it with ``hub.authenticators.insert(0, YourAuthenticator())``
(or ``app.state.hub``). The hub asks each authenticator in turn, on every message (so a revoked
token stops working at once); the first that recognises the token wins. An authenticator
returns ``None`` for a token that is not its kind and raises ``ApiError`` for one that is its kind
but no longer valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from ..errors import ApiError
from ..models import Account
from ..services import accounts
from ..settings import Settings


@dataclass(frozen=True)
class Principal:
    """An authenticated socket user: the account it acts as, and how it proved it.

    ``session_ids`` limits which Care Sessions it may touch (None: any it is a member of), so a
    visit-link principal can be confined to its one session.
    """

    account: Account
    via: str = "session"
    session_ids: frozenset[int] | None = None

    @property
    def account_id(self) -> int:
        return self.account.id

    def may_use(self, session_id: int) -> bool:
        return self.session_ids is None or session_id in self.session_ids


class Authenticator(Protocol):
    def authenticate(self, db: Session, settings: Settings, token: str) -> Principal | None: ...


class SessionTokenAuthenticator:
    """A login session token from /api/v1/auth/login (the app's audience or the portal's)."""

    def authenticate(self, db: Session, settings: Settings, token: str) -> Principal | None:
        account, _ = accounts.authenticate(db, settings, token)
        return Principal(account=account, via="session")


def authenticate(
    db: Session, settings: Settings, token: str, authenticators: list[Authenticator]
) -> Principal:
    """The first authenticator that recognises the token decides; 401 when none does."""
    for authenticator in authenticators:
        principal = authenticator.authenticate(db, settings, token)
        if principal is not None:
            return principal
    raise ApiError(401, "not_authenticated", "Log in again to continue.")
