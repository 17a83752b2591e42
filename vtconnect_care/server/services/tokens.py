"""Issue, check and spend secret tokens (links and sessions), stored only as hashes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, with_polymorphic

from .. import bus
from ..models import Account, Client, Staff, Token
from ..security import TokenPurpose, new_token, token_hash

# tokens that open hub sockets: their revocation is told to every server process
SOCKET_PURPOSES = frozenset({TokenPurpose.SESSION, TokenPurpose.VISIT_INVITE})
_ANY_ACCOUNT = with_polymorphic(
    Account, [Staff, Client], flat=True
)  # staff or client columns joined in


def issue(
    db: Session,
    *,
    purpose: TokenPurpose,
    now: datetime,
    ttl: timedelta,
    account_id: int | None = None,
    subject_id: int | None = None,
    audience: str | None = None,
    data: dict | None = None,
    replace_earlier: bool = False,
) -> tuple[str, Token]:
    """Create a token; with replace_earlier, earlier unused ones of the same kind stop working."""
    if replace_earlier:
        revoke(db, purpose=purpose, now=now, account_id=account_id, subject_id=subject_id)
    raw = new_token()
    row = Token(
        purpose=purpose.value,
        token_hash=token_hash(raw),
        account_id=account_id,
        subject_id=subject_id,
        audience=audience,
        created_at=now,
        expires_at=now + ttl,
        data=data,
    )
    db.add(row)
    db.flush()
    return raw, row


def find(db: Session, *, purpose: TokenPurpose, raw: str, now: datetime) -> Token | None:
    """The live token for this secret: right purpose, not used, revoked or expired."""
    if not raw or len(raw) > 200:
        return None
    query = select(Token).where(Token.token_hash == token_hash(raw), Token.purpose == purpose.value)
    if purpose is TokenPurpose.SESSION:  # every signed-in request: the account in one query
        query = query.options(joinedload(Token.account.of_type(_ANY_ACCOUNT)))
    row = db.scalar(query)
    if row is None or row.used_at or row.revoked_at or row.expires_at <= now:
        return None
    return row


def spend(db: Session, *, purpose: TokenPurpose, raw: str, now: datetime) -> Token | None:
    """Find a single-use token and mark it used in the same transaction."""
    row = find(db, purpose=purpose, raw=raw, now=now)
    if row is not None:
        row.used_at = now
    return row


def revoke(
    db: Session,
    *,
    purpose: TokenPurpose,
    now: datetime,
    account_id: int | None = None,
    subject_id: int | None = None,
    token_id: int | None = None,
    keep_id: int | None = None,
) -> None:
    """Revoke the live tokens of a purpose, narrowed by account, subject, one token's id, or
    all but one (``keep_id``: "end my other sessions")."""
    where = [Token.purpose == purpose.value, Token.revoked_at.is_(None), Token.used_at.is_(None)]
    if account_id is not None:
        where.append(Token.account_id == account_id)
    if subject_id is not None:
        where.append(Token.subject_id == subject_id)
    if token_id is not None:
        where.append(Token.id == token_id)
    if keep_id is not None:
        where.append(Token.id != keep_id)
    if purpose in SOCKET_PURPOSES:
        announce_revoked(db, list(db.scalars(select(Token.id).where(*where))))
    db.execute(update(Token).where(*where).values(revoked_at=now))


def announce_revoked(db: Session, token_ids: list[int]) -> None:
    """Once this transaction commits, every hub socket opened with these tokens is closed
    (4401), in this server process and the others (server/bus.py)."""
    if token_ids:
        bus.tell(db, {"t": "revoke", "tokens": sorted(token_ids)})
