"""Signed-in devices: open a session with its device noted, list a person's, end one, the
others, or (Org Admin) all of someone's; deactivate a staff member (which ends theirs).

Every end goes through tokens.revoke, the function the realtime hub follows to close the
sockets of revoked sessions.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain import devices
from vtconnect_care.domain.accounts import Audience

from .. import audit
from ..errors import ApiError, forbidden, not_found
from ..models import Account, Staff, Token
from ..security import TokenPurpose
from ..settings import Settings
from . import tokens


def open_session(
    db: Session,
    settings: Settings,
    account: Account,
    *,
    audience: Audience,
    address: str,
    user_agent: str,
    two_factor: bool = False,
) -> tuple[str, Token]:
    """A new session token for this device, and the "login" audit event (not committed)."""
    now = settings.clock.now()
    raw, row = tokens.issue(
        db,
        purpose=TokenPurpose.SESSION,
        now=now,
        ttl=settings.session_absolute,
        account_id=account.id,
        audience=audience.value,
    )
    row.last_used_at = now
    row.address = (address or "")[:64] or None
    row.user_agent = (user_agent or "")[:200] or None
    audit.record(
        db,
        now=now,
        action="login",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
        audience=audience.value,
        two_factor=two_factor,
    )
    return raw, row


def _live(db: Session, settings: Settings, account_id: int) -> list[Token]:
    now = settings.clock.now()
    rows = db.scalars(
        select(Token)
        .where(
            Token.purpose == TokenPurpose.SESSION.value,
            Token.account_id == account_id,
            Token.revoked_at.is_(None),
            Token.used_at.is_(None),
            Token.expires_at > now,
        )
        .order_by(Token.last_used_at.desc(), Token.id.desc())
    ).all()
    idle = settings.session_idle
    return [r for r in rows if r.last_used_at is None or r.last_used_at + idle > now]


def listing(db: Session, settings: Settings, account: Account, *, current_id: int) -> list[dict]:
    """This person's live sessions, newest use first, the one asking marked ``current``."""
    return [
        {
            "id": row.id,
            "device": devices.describe(row.audience, row.user_agent),
            "audience": row.audience,
            "signed_in_at": row.created_at,
            "last_used_at": row.last_used_at or row.created_at,
            "address": row.address,
            "user_agent": row.user_agent,
            "current": row.id == current_id,
        }
        for row in _live(db, settings, account.id)
    ]


def end_one(db: Session, settings: Settings, account: Account, *, session_id: int) -> None:
    """End one of my own sessions (this one too, if I choose it)."""
    row = db.get(Token, session_id) if 0 < session_id < 2**62 else None
    if (
        row is None
        or row.account_id != account.id
        or row.purpose != TokenPurpose.SESSION.value
        or row.revoked_at is not None
    ):
        raise ApiError(404, "not_found", devices.NO_SUCH_DEVICE)
    now = settings.clock.now()
    tokens.revoke(db, purpose=TokenPurpose.SESSION, now=now, account_id=account.id, token_id=row.id)
    audit.record(
        db,
        now=now,
        action="session_ended",
        actor=account,
        object_type="account",
        object_id=account.id,
        session_id=row.id,
    )
    db.commit()


def end_others(
    db: Session, settings: Settings, account: Account, *, keep_id: int, commit: bool = True
) -> None:
    """End every session of mine but this one (offered after a password or 2FA change)."""
    now = settings.clock.now()
    tokens.revoke(db, purpose=TokenPurpose.SESSION, now=now, account_id=account.id, keep_id=keep_id)
    audit.record(
        db,
        now=now,
        action="other_sessions_ended",
        actor=account,
        object_type="account",
        object_id=account.id,
    )
    if commit:
        db.commit()


def end_replaced(db: Session, settings: Settings, raw: str | None) -> None:
    """A browser that signs in again while signed in: its earlier session ends (ASVS 7.2.4)."""
    if not raw:
        return
    row = tokens.find(db, purpose=TokenPurpose.SESSION, raw=raw, now=settings.clock.now())
    if row is not None:
        tokens.revoke(
            db,
            purpose=TokenPurpose.SESSION,
            now=settings.clock.now(),
            account_id=row.account_id,
            token_id=row.id,
        )
        db.commit()


def _managed(db: Session, actor: Account, account_id: int) -> Account:
    """The account an Org Admin acts on: same organisation, not themselves (404 / 403)."""
    if not isinstance(actor, Staff) or not devices.can_end_sessions_of_others(
        is_org_admin=actor.is_org_admin
    ):
        raise forbidden(devices.END_ALL_ORG_ADMIN_ONLY)
    target = db.get(Account, account_id) if 0 < account_id < 2**62 else None
    if target is None or target.organization_id != actor.organization_id:
        raise not_found()
    return target


def end_all_of(
    db: Session, settings: Settings, actor: Account, *, account_id: int, address: str
) -> Account:
    """An Org Admin ends all of a staff member's or client's sessions."""
    target = _managed(db, actor, account_id)
    now = settings.clock.now()
    tokens.revoke(db, purpose=TokenPurpose.SESSION, now=now, account_id=target.id)
    audit.record(
        db,
        now=now,
        action="sessions_ended_by_admin",
        actor=actor,
        object_type=target.kind,
        object_id=target.id,
        address=address,
    )
    db.commit()
    return target


def set_staff_active(
    db: Session, settings: Settings, actor: Account, *, staff_id: int, active: bool, address: str
) -> Staff:
    """An Org Admin deactivates (or reactivates) a staff member; deactivation ends sessions."""
    target = _managed(db, actor, staff_id)
    if not isinstance(target, Staff):
        raise not_found()
    if target.id == actor.id:
        raise forbidden("You cannot deactivate your own account.")
    now = settings.clock.now()
    target.active = active
    if not active:
        tokens.revoke(db, purpose=TokenPurpose.SESSION, now=now, account_id=target.id)
    audit.record(
        db,
        now=now,
        action="staff_reactivated" if active else "staff_deactivated",
        actor=actor,
        object_type="staff",
        object_id=target.id,
        address=address,
    )
    db.commit()
    return target
