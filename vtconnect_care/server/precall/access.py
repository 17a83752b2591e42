"""Who may test: a signed-in account (session token) or the holder of a valid visit link.

Both present their token as ``Authorization: Bearer``; tokens never go in a URL or a log. The
test belongs to the app (its device panel) and the visit page: a session token must be the app's
sign-in (a portal sign-in, e.g. a Pending client's, gets the app's refusal, issue 12). A
visit link is checked as the visit page checks it (``services.visits.resolve_invite``: not
superseded, expired or finished) and stands for the visit's client; opening a test opens no
room. Each test is counted against its tester in the shared rate-limit table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain import precall_words as words
from vtconnect_care.domain.accounts import Audience

from .. import ratelimit
from ..errors import ApiError
from ..models import Token
from ..security import TokenPurpose, token_hash
from ..services import accounts
from ..services import visits as visit_service
from ..settings import Settings

MAX_TOKEN = 200


@dataclass(frozen=True)
class Tester:
    account_id: int
    key: str  # the rate-limit key: one account, or one visit link's session
    label: str  # for logs: who, never a token


def _visit_link(db: Session, token: str) -> bool:
    found = db.scalar(
        select(Token.id).where(
            Token.token_hash == token_hash(token),
            Token.purpose == TokenPurpose.VISIT_INVITE.value,
        )
    )
    return found is not None


def tester(db: Session, settings: Settings, token: str | None) -> Tester:
    """The tester behind a token: 401 without a usable one, 403 for a link that is over."""
    if token and len(token) <= MAX_TOKEN and _visit_link(db, token):
        resolution = visit_service.resolve_invite(db, settings, token)
        if not resolution.ok:
            raise ApiError(403, resolution.status.value, resolution.message or messages.FORBIDDEN)
        assert resolution.visit is not None and resolution.session is not None
        return Tester(
            account_id=resolution.visit.client_id,
            key=f"precall:visit:{resolution.session.id}",
            label=f"visit link of visit {resolution.visit.id}",
        )
    account, session = accounts.authenticate(db, settings, token)
    accounts.require_audience(account, session, frozenset({Audience.APP}))
    return Tester(
        account_id=account.id,
        key=f"precall:account:{account.id}",
        label=f"{account.kind}:{account.username or account.id}",
    )


def count_test(db: Session, settings: Settings, who: Tester) -> None:
    """One more test for this tester; 429 rate_limited over ``precall_per_window``. Commits."""
    verdict = ratelimit.check(
        db,
        who.key,
        limit=settings.precall_per_window,
        window=settings.rate_window,
        now=settings.clock.now(),
    )
    db.commit()
    if not verdict.allowed:
        raise ApiError(
            429,
            "rate_limited",
            words.TOO_OFTEN.format(minutes=messages.wait_minutes(verdict.retry_after)),
            headers={"Retry-After": str(max(1, verdict.retry_after))},
        )
