"""Staff two-factor sign-in: enrol with a QR code, confirm, recovery codes, disable, and the
code checked at both logins (rules in domain/two_factor.py; TOTP arithmetic by pyotp)."""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vtconnect_care.domain import two_factor as rules
from vtconnect_care.domain.accounts import Audience
from vtconnect_care.domain.two_factor import LoginStep

from .. import audit, ratelimit
from ..errors import ApiError, validation
from ..models import Account, RecoveryCode, Staff, TwoFactor
from ..security import token_hash
from ..settings import Settings
from . import login_limits


class CodeNeeded(ApiError):
    """The password matched and a code must follow (the portal keeps the account for step 2)."""

    def __init__(self, account_id: int, message: str = rules.CODE_NEEDED) -> None:
        super().__init__(401, "two_factor_required", message, fields={"code": message})
        self.account_id = account_id


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base 32, for typing into an app that cannot scan
    uri: str  # otpauth://totp/...
    qr_data_uri: str  # data:image/svg+xml,... (img-src 'self' data: in the portal's CSP)


# --- the seed at rest -------------------------------------------------------------------------


def _fernet(settings: Settings) -> Fernet:
    """A key for the seeds derived from the server's secret (HKDF-SHA256, its own label)."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"vtconnect two-factor seeds"
    ).derive(settings.secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(settings: Settings, secret: str) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def _open(settings: Settings, sealed: str) -> str | None:
    try:
        return _fernet(settings).decrypt(sealed.encode()).decode()
    except InvalidToken:  # the server's secret changed: the seed cannot be read
        return None


def _recovery_hash(code: str) -> str:
    return token_hash("recovery:" + rules.normalize_code(code))


# --- reading ---------------------------------------------------------------------------------


def _row(db: Session, account_id: int) -> TwoFactor | None:
    return db.get(TwoFactor, account_id)


def enrolled(db: Session, account: Account) -> bool:
    row = _row(db, account.id)
    return row is not None and row.confirmed_at is not None


def login_step(db: Session, account: Account, audience: Audience) -> LoginStep:
    is_staff = isinstance(account, Staff)
    return rules.login_step(
        is_staff=is_staff,
        enrolled=is_staff and enrolled(db, account),
        org_requires=bool(account.organization.require_two_factor),
        audience=audience,
    )


def must_enrol(db: Session, account: Account) -> bool:
    """Staff of an organisation that requires two-factor, without it yet."""
    return login_step(db, account, Audience.PORTAL) is LoginStep.ENROL_NOW


def status(db: Session, account: Account) -> dict:
    row = _row(db, account.id)
    left = db.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    return {
        "available": isinstance(account, Staff),
        "enabled": row is not None and row.confirmed_at is not None,
        "enabled_at": row.confirmed_at if row is not None else None,
        "recovery_codes_left": len(left),
        "required_by_organization": bool(account.organization.require_two_factor),
    }


# --- the current password, asked again before any change ------------------------------------


def check_password(db: Session, settings: Settings, account: Account, password: str) -> None:
    """Re-authentication for a change of two-factor settings; wrong guesses are throttled
    (the same check as a password change's, on a counter of its own)."""
    login_limits.check_current_password(
        db,
        settings,
        account,
        password,
        now=settings.clock.now(),
        key_prefix="reauth",
        action="reauth_failed",
        field="password",
        wrong=rules.WRONG_PASSWORD,
    )


# --- enrolment ---------------------------------------------------------------------------------


def start(db: Session, settings: Settings, account: Account, *, password: str) -> Enrolment:
    """A new seed (160 random bits), kept encrypted and unconfirmed until a code matches."""
    refusal = rules.enrol_refusal(
        is_staff=isinstance(account, Staff), enrolled=enrolled(db, account)
    )
    if refusal is not None:
        status = 409 if refusal.code == "two_factor_already_on" else 403
        raise ApiError(status, refusal.code, refusal.message)
    check_password(db, settings, account, password)
    secret = base64.b32encode(secrets.token_bytes(rules.SEED_BYTES)).decode().rstrip("=")
    row = _row(db, account.id)
    if row is None:
        row = TwoFactor(account_id=account.id, secret_encrypted="", created_at=settings.clock.now())
        db.add(row)
    row.secret_encrypted = _seal(settings, secret)
    row.created_at = settings.clock.now()
    row.confirmed_at = None
    row.last_step = None
    db.commit()
    return enrolment_for(settings, account, secret)


def enrolment_for(settings: Settings, account: Account, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret, digits=rules.DIGITS, interval=rules.STEP_SECONDS).provisioning_uri(
        name=account.username or str(account.id),
        issuer_name=f"{rules.ISSUER} ({account.organization.name})",
    )
    qr = segno.make(uri, error="m")
    return Enrolment(secret=secret, uri=uri, qr_data_uri=qr.svg_data_uri(scale=5, border=2))


def pending(db: Session, settings: Settings, account: Account) -> Enrolment | None:
    """The set-up in progress (the page shows its QR code again after a wrong code)."""
    row = _row(db, account.id)
    if row is None or row.confirmed_at is not None:
        return None
    secret = _open(settings, row.secret_encrypted)
    return enrolment_for(settings, account, secret) if secret else None


def confirm(
    db: Session, settings: Settings, account: Account, *, code: str, address: str
) -> list[str]:
    """The first code proves the phone has the seed: two-factor is on; ten recovery codes."""
    now = settings.clock.now()
    row = _row(db, account.id)
    if row is None or row.confirmed_at is not None:
        raise ApiError(409, "two_factor_not_started", rules.NOT_STARTED)
    _throttled(db, settings, account)
    secret = _open(settings, row.secret_encrypted)
    step = _totp_step(secret, rules.normalize_code(code), now, None) if secret else None
    if step is None:
        _failed(db, settings, account, address=address, during="enrolment")
        raise validation({"code": rules.CODE_WRONG})
    row.confirmed_at = now
    row.last_step = step
    codes = _new_recovery_codes(db, account, now)
    audit.record(
        db,
        now=now,
        action="two_factor_enrolled",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
    )
    db.commit()
    return codes


def regenerate_recovery_codes(
    db: Session, settings: Settings, account: Account, *, password: str, address: str
) -> list[str]:
    if not enrolled(db, account):
        raise ApiError(409, "two_factor_not_started", rules.NOT_STARTED)
    check_password(db, settings, account, password)
    now = settings.clock.now()
    codes = _new_recovery_codes(db, account, now)
    audit.record(
        db,
        now=now,
        action="recovery_codes_renewed",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
    )
    db.commit()
    return codes


def disable(
    db: Session, settings: Settings, account: Account, *, password: str, address: str
) -> None:
    check_password(db, settings, account, password)
    now = settings.clock.now()
    db.execute(delete(TwoFactor).where(TwoFactor.account_id == account.id))
    db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    audit.record(
        db,
        now=now,
        action="two_factor_disabled",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
    )
    db.commit()


def _new_recovery_codes(db: Session, account: Account, now: datetime) -> list[str]:
    """Ten fresh codes (earlier ones stop working), shown once and stored hashed."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = []
    for _ in range(rules.RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(15)).decode().lower()  # 120 bits, 24 chars
        db.add(RecoveryCode(account_id=account.id, code_hash=_recovery_hash(raw), created_at=now))
        codes.append(rules.format_recovery_code(raw))
    db.flush()
    return codes


# --- at login ----------------------------------------------------------------------------------


def _totp_step(secret: str, code: str, now: datetime, last_spent: int | None) -> int | None:
    if not rules.is_totp_code(code):
        return None
    totp = pyotp.TOTP(secret, digits=rules.DIGITS, interval=rules.STEP_SECONDS)
    now_step = totp.timecode(now)
    matching = [
        step
        for step in rules.candidate_steps(now_step)
        if hmac.compare_digest(totp.generate_otp(step), code)
    ]
    return rules.step_to_spend(matching, last_spent)


def _throttled(db: Session, settings: Settings, account: Account) -> None:
    verdict = ratelimit.locked(db, f"two-factor:{account.id}", now=settings.clock.now())
    if not verdict.allowed:
        raise ratelimit.too_many(verdict.retry_after)


def _failed(db: Session, settings: Settings, account: Account, *, address: str, during: str):
    now = settings.clock.now()
    lock = ratelimit.record_failure(
        db,
        f"two-factor:{account.id}",
        limit=settings.two_factor_fail_limit,
        window=settings.rate_window,
        lock=settings.login_lock,
        now=now,
    )
    audit.record(
        db,
        now=now,
        action="two_factor_failed",
        actor=account,
        object_type="account",
        object_id=account.id,
        address=address,
        during=during,
    )
    db.commit()
    if not lock.allowed:
        raise ratelimit.too_many(lock.retry_after)


def verify(db: Session, settings: Settings, account: Account, *, code: str, address: str) -> str:
    """Spend a login code (TOTP step or recovery code) or raise; returns which kind it was.

    Failures are counted per account (``two_factor_fail_limit`` in ``rate_window`` locks code
    entry for ``login_lock``) and audited; so is every recovery code used."""
    now = settings.clock.now()
    _throttled(db, settings, account)
    typed = rules.normalize_code(code)
    row = _row(db, account.id)
    secret = _open(settings, row.secret_encrypted) if row is not None else None
    if row is not None and secret and rules.is_totp_code(typed):
        step = _totp_step(secret, typed, now, row.last_step)
        if step is not None:
            row.last_step = step
            ratelimit.clear(db, f"two-factor:{account.id}")
            return "totp"
    elif rules.is_recovery_code(typed):
        used = db.scalar(
            select(RecoveryCode).where(
                RecoveryCode.account_id == account.id,
                RecoveryCode.code_hash == _recovery_hash(typed),
                RecoveryCode.used_at.is_(None),
            )
        )
        if used is not None:
            used.used_at = now
            ratelimit.clear(db, f"two-factor:{account.id}")
            audit.record(
                db,
                now=now,
                action="recovery_code_used",
                actor=account,
                object_type="account",
                object_id=account.id,
                address=address,
            )
            return "recovery"
    _failed(db, settings, account, address=address, during="login")
    raise ApiError(401, "two_factor_invalid", rules.CODE_WRONG, fields={"code": rules.CODE_WRONG})


def check_at_login(
    db: Session,
    settings: Settings,
    account: Account,
    *,
    audience: Audience,
    code: str | None,
    address: str,
) -> LoginStep:
    """The second step of a login whose password matched: raise, or say what follows."""
    step = login_step(db, account, audience)
    if step is LoginStep.CODE:
        if not code:
            db.commit()
            raise CodeNeeded(account.id)
        verify(db, settings, account, code=code, address=address)
    elif step is LoginStep.ENROL_IN_PORTAL:
        audit.record(
            db,
            now=settings.clock.now(),
            action="login_refused",
            actor=account,
            object_type="account",
            object_id=account.id,
            address=address,
            reason="two_factor_enrolment_required",
            audience=audience.value,
        )
        db.commit()
        raise ApiError(403, "two_factor_enrolment_required", rules.ENROL_IN_PORTAL)
    return step


def set_requirement(
    db: Session, settings: Settings, actor: Account, *, required: bool, address: str
) -> None:
    """The Org Admin's setting: every staff member of the organisation uses two-step sign-in."""
    org = actor.organization
    if bool(org.require_two_factor) == required:
        return
    refusal = rules.requirement_refusal(required=required, admin_enrolled=enrolled(db, actor))
    if refusal is not None:
        raise ApiError(409, refusal.code, refusal.message)
    org.require_two_factor = required
    audit.record(
        db,
        now=settings.clock.now(),
        action="two_factor_requirement_on" if required else "two_factor_requirement_off",
        actor=actor,
        object_type="organization",
        object_id=org.id,
        address=address,
    )
    db.commit()
