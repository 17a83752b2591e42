"""Sign-in, sessions and password recovery (R-LOGIN-1..4), with brute-force limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import (
    AccountKind,
    Audience,
    ClientStatus,
    login_refusal,
    looks_like_email,
    normalize_username,
    password_error,
)
from vtconnect_care.domain.organization import zone_name
from vtconnect_care.domain.roles import Role, StaffView, can_host

from .. import audit, ratelimit
from ..errors import ApiError, unauthenticated, validation
from ..mail import outbox
from ..models import Account, Client, Organization, Staff, Token
from ..ratelimit import too_many
from ..security import TokenPurpose, hash_password, needs_rehash, verify_password
from ..settings import Settings
from . import device_sessions, login_limits, tokens, two_factor

SESSION_TOUCH = timedelta(seconds=60)


@dataclass(frozen=True)
class LoginResult:
    token: str
    account: Account
    expires_at: datetime


def username_is_email() -> ApiError:
    return ApiError(
        400,
        "username_is_email",
        messages.USERNAME_IS_EMAIL,
        fields={"username": messages.USERNAME_IS_EMAIL},
    )


def staff_view(staff: Staff) -> StaffView:
    roles = {
        role
        for role, held in (
            (Role.ORG_ADMIN, staff.is_org_admin),
            (Role.DEPT_ADMIN, staff.is_dept_admin),
            (Role.CARE_COORDINATOR, staff.is_care_coordinator),
        )
        if held
    }
    return StaffView(
        id=staff.id,
        roles=frozenset(roles),
        department_ids=frozenset(d.id for d in staff.departments),
        is_practitioner=staff.is_practitioner,
        licence=staff.licence,
    )


def by_username(db: Session, username: str) -> Account | None:
    return db.scalar(select(Account).where(Account.username == normalize_username(username)))


def _refusal(account: Account, audience: Audience):
    if isinstance(account, Client):
        return login_refusal(
            kind=AccountKind.CLIENT,
            audience=audience,
            client_status=ClientStatus(account.status),
            email_confirmed=account.email_confirmed,
        )
    assert isinstance(account, Staff)
    return login_refusal(kind=AccountKind.STAFF, audience=audience, staff_active=account.active)


def login(
    db: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    audience: Audience,
    address: str,
    code: str | None = None,
    user_agent: str = "",
) -> LoginResult:
    """Check the credentials (and a staff member's two-factor code) and open a session, or
    raise. Commits limit counters itself."""
    now = settings.clock.now()
    if looks_like_email(username):
        raise username_is_email()  # R-LOGIN-1
    name = normalize_username(username)
    verdict = login_limits.refused(db, name, address, now=now)  # failures only (defect 11)
    if not verdict.allowed:
        audit.record(
            db,
            now=now,
            action="login_throttled",
            actor_label=f"username:{name}"[:120],
            address=address,
        )
        db.commit()
        raise too_many(verdict.retry_after)

    account = by_username(db, name)
    ok = verify_password(account.password_hash if account else None, password)
    if not ok or account is None:
        lock = login_limits.failed(db, settings, name, address, now=now)
        audit.record(
            db,
            now=now,
            action="login_failed",
            actor=account,
            actor_label=None if account else f"username:{name}"[:120],
            object_type="account" if account else None,
            object_id=account.id if account else None,
            address=address,
            audience=audience.value,
        )
        db.commit()
        if not lock.allowed:
            raise too_many(lock.retry_after)
        raise ApiError(401, "invalid_credentials", messages.INVALID_CREDENTIALS)

    refusal = _refusal(account, audience)
    if refusal is not None:  # R-LOGIN-4, only once the password is known to match
        audit.record(
            db,
            now=now,
            action="login_refused",
            actor=account,
            object_type="account",
            object_id=account.id,
            address=address,
            reason=refusal.code,
            audience=audience.value,
        )
        db.commit()
        raise ApiError(403, refusal.code, refusal.message)

    two_factor.check_at_login(db, settings, account, audience=audience, code=code, address=address)
    login_limits.succeeded(db, name, address, now=now)
    if account.password_hash and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    raw, row = device_sessions.open_session(
        db, settings, account, audience=audience, address=address, user_agent=user_agent
    )
    db.commit()
    return LoginResult(token=raw, account=account, expires_at=row.expires_at)


def authenticate(db: Session, settings: Settings, raw: str | None) -> tuple[Account, Token]:
    """The account behind a session token; 401 when missing, expired, idle or revoked."""
    if not raw:
        raise unauthenticated()
    now = settings.clock.now()
    row = tokens.find(db, purpose=TokenPurpose.SESSION, raw=raw, now=now)
    if row is None or row.account is None:
        raise unauthenticated("session_expired", messages.SESSION_EXPIRED)
    if row.last_used_at and row.last_used_at + settings.session_idle <= now:
        row.revoked_at = now
        db.commit()
        raise unauthenticated("session_expired", messages.SESSION_EXPIRED)
    account = row.account
    if _refusal(account, Audience(row.audience or "portal")) is not None:
        # status changed since sign-in (e.g. deactivated): the session ends now
        row.revoked_at = now
        db.commit()
        raise unauthenticated("session_expired", messages.SESSION_EXPIRED)
    if row.last_used_at is None or now - row.last_used_at >= SESSION_TOUCH:
        row.last_used_at = now
        db.commit()
    return account, row


def require_audience(account: Account, session: Token, audiences: frozenset[Audience]) -> None:
    """Issue 12 defect 3: a token works only where its sign-in's audience is served; 401 else.

    A Pending client's portal token on the app's endpoints or the hub gets the app's refusal."""
    if Audience(session.audience or Audience.PORTAL.value) in audiences:
        return
    refusal = next((r for r in (_refusal(account, a) for a in sorted(audiences)) if r), None)
    if refusal is not None:
        raise unauthenticated(refusal.code, refusal.message)
    raise unauthenticated("wrong_audience", messages.WRONG_AUDIENCE)


def logout(db: Session, settings: Settings, session: Token, account: Account) -> None:
    now = settings.clock.now()
    session.revoked_at = now
    tokens.announce_revoked(db, [session.id])  # the hub closes its sockets, in every process
    audit.record(
        db, now=now, action="logout", actor=account, object_type="account", object_id=account.id
    )
    db.commit()


def revoke_sessions(db: Session, *, account_id: int, now: datetime) -> None:
    tokens.revoke(db, purpose=TokenPurpose.SESSION, now=now, account_id=account_id)


def forgot_password(db: Session, settings: Settings, *, username: str, address: str) -> None:
    """R-LOGIN-2: email a single-use reset link; same answer whether or not the account exists."""
    now = settings.clock.now()
    if looks_like_email(username):
        raise username_is_email()
    name = normalize_username(username)
    for key, limit in (
        (f"recover-addr:{address}", settings.recovery_per_address),
        (f"recover-user:{name}", settings.recovery_per_account),
    ):
        verdict = ratelimit.check(db, key, limit=limit, window=settings.rate_window, now=now)
        if not verdict.allowed:
            db.commit()
            raise too_many(verdict.retry_after)
    account = by_username(db, name)
    if account is None or not account.email or _refusal(account, Audience.PORTAL) is not None:
        account = None
    # Defect 7: the same work whether or not the account exists, so that the time taken tells
    # nothing: a link, the mail composed and written to the outbox. Nobody's is kept as
    # "discarded" (never sent), its link opening nothing.
    account_id = account.id if account is not None else None
    db.execute(
        update(Token)
        .where(
            Token.purpose == TokenPurpose.PASSWORD_RESET.value,
            Token.account_id.is_not_distinct_from(account_id),
            Token.revoked_at.is_(None),
            Token.used_at.is_(None),
        )
        .values(revoked_at=now)
    )
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.PASSWORD_RESET,
        now=now,
        ttl=settings.reset_link_ttl,
        account_id=account_id,
    )
    org_id = account.organization_id if account is not None else 0
    org_name = db.scalar(select(Organization.name).where(Organization.id == org_id)) or ""
    url = f"{settings.base_url}/reset-password?token={raw}"
    mail = outbox.enqueue(
        db,
        now=now,
        to=account.email or "" if account is not None else "",
        template="password_reset",
        links=[url],
        url=url,
        first_name=account.first_name if account is not None else name,
        username=name,
        org_name=org_name,
        ttl_minutes=int(settings.reset_link_ttl.total_seconds() // 60),
    )
    if account is None:
        mail.status = outbox.DISCARDED
    audit.record(
        db,
        now=now,
        action="password_reset_requested",
        actor=account,
        actor_label=None if account is not None else f"username:{name}"[:120],
        object_type="account",
        object_id=account_id,
        address=address,
        known=account is not None,
    )
    db.commit()


def set_password(db: Session, account: Account, password: str, *, now: datetime) -> None:
    """Set a new password and end every open session of the account."""
    account.password_hash = hash_password(password)
    account.password_changed_at = now
    revoke_sessions(db, account_id=account.id, now=now)


def reset_password(
    db: Session, settings: Settings, *, token: str, password: str, address: str
) -> Account:
    now = settings.clock.now()
    row = tokens.find(db, purpose=TokenPurpose.PASSWORD_RESET, raw=token, now=now)
    if row is None or row.account is None:
        raise ApiError(400, "link_invalid", messages.RESET_LINK_INVALID)
    account = row.account
    problem = password_error(password, account.username)
    if problem:
        raise validation({"password": problem})
    row.used_at = now
    set_password(db, account, password, now=now)
    tokens.revoke(db, purpose=TokenPurpose.PASSWORD_RESET, now=now, account_id=account.id)
    login_limits.forget_account(db, account.username or "")
    audit.record(
        db,
        now=now,
        action="password_reset",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
    )
    db.commit()
    return account


def change_password(
    db: Session,
    settings: Settings,
    account: Account,
    *,
    current: str,
    new: str,
    keep_session_id: int | None = None,
    end_other_sessions: bool = True,
) -> None:
    """A new password; the session asking (``keep_session_id``) stays, the others end unless
    the person chose to keep them (ASVS 7.4.3)."""
    now = settings.clock.now()
    login_limits.check_current_password(db, settings, account, current, now=now)  # defect 8
    problem = password_error(new, account.username)
    if problem:
        raise validation({"new_password": problem})
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    if end_other_sessions:
        tokens.revoke(
            db,
            purpose=TokenPurpose.SESSION,
            now=now,
            account_id=account.id,
            keep_id=keep_session_id,
        )
    audit.record(
        db,
        now=now,
        action="password_changed",
        actor=account,
        object_type="account",
        object_id=account.id,
        other_sessions_ended=end_other_sessions,
    )
    db.commit()


def summary(account: Account) -> dict:
    """The signed-in person, as the app and the pages see them."""
    org = account.organization
    out: dict = {
        "id": account.id,
        "kind": account.kind,
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "full_name": account.full_name,
        "email": account.email,
        # time_zone: the organisation's (issue 15); the app says when the computer's differs
        "organization": {
            "id": org.id,
            "name": org.name,
            "slug": org.slug,
            "time_zone": zone_name(org.time_zone),
        },
    }
    if isinstance(account, Staff):
        view = staff_view(account)
        out.update(
            roles=sorted(r.value for r in view.roles),
            is_practitioner=account.is_practitioner,
            licence=account.licence,
            can_host=can_host(view),
            host_unavailable_reason=None if can_host(view) else messages.HOST_NEEDS_LICENCE,
            departments=[{"id": d.id, "name": d.name} for d in account.departments],
        )
    elif isinstance(account, Client):
        out.update(status=account.status, email_confirmed=account.email_confirmed)
    return out
