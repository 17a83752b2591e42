"""Who is on the other end of a socket: pluggable authenticators turn a token into a Principal.

The desktop app and the CLI present a login session token of the app's audience
(``SessionTokenAuthenticator``; a token from the Office Portal's sign-in is refused, so a Pending
client cannot reach the hub through it). A visit page presents a visit invite token instead
(``visit_rooms.VisitInviteAuthenticator``): write a class with the same ``authenticate`` method
and register it with ``hub.authenticators.insert(0, YourAuthenticator())``. The hub asks each
authenticator in turn once, when the socket opens, and keeps the principal: what ends it later
(logout, password change, deactivation, an ended session, a superseded link) reaches the socket
as an event, and expiry is checked against the clock on every message. The first authenticator
that recognises the token wins; it returns ``None`` for a token that is not its kind and raises
``ApiError`` for one that is its kind but no longer valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from vtconnect_care.domain.accounts import Audience

from ..errors import ApiError
from ..models import Account
from ..services import accounts
from ..settings import Settings

HUB_AUDIENCES = frozenset({Audience.APP})  # the Office Portal's sign-in does not open the hub


@dataclass(frozen=True)
class Principal:
    """An authenticated socket user: the account it acts as, and how it proved it.

    ``session_ids`` limits which Care Sessions it may touch (None: any it is a member of), so a
    visit-link principal can be confined to its one session. ``token_id`` is the row a
    revocation names; ``expires_at`` the moment it stops working whatever happens.
    """

    account: Account
    via: str = "session"
    session_ids: frozenset[int] | None = None
    token_id: int | None = None
    expires_at: datetime | None = None

    @property
    def account_id(self) -> int:
        return self.account.id

    def may_use(self, session_id: int) -> bool:
        return self.session_ids is None or session_id in self.session_ids


class Authenticator(Protocol):
    def authenticate(self, db: Session, settings: Settings, token: str) -> Principal | None: ...


class SessionTokenAuthenticator:
    """A login session token from /api/v1/auth/login with the app's audience."""

    def authenticate(self, db: Session, settings: Settings, token: str) -> Principal | None:
        account, row = accounts.authenticate(db, settings, token)
        accounts.require_audience(account, row, HUB_AUDIENCES)
        return Principal(account=account, via="session", token_id=row.id, expires_at=row.expires_at)


def authenticate(
    db: Session, settings: Settings, token: str, authenticators: list[Authenticator]
) -> Principal:
    """The first authenticator that recognises the token decides; 401 when none does."""
    for authenticator in authenticators:
        principal = authenticator.authenticate(db, settings, token)
        if principal is not None:
            return principal
    raise ApiError(401, "not_authenticated", "Log in again to continue.")
