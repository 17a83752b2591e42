"""Account rules: usernames (R-LOGIN-1), passwords, and who may sign in where (R-LOGIN-4)."""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum

from . import messages
from .errors import Refusal


class Audience(StrEnum):
    APP = "app"
    PORTAL = "portal"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


class AccountKind(StrEnum):
    STAFF = "staff"
    CLIENT = "client"


USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def looks_like_email(raw: str) -> bool:
    return "@" in raw


def username_error(raw: str) -> str | None:
    """Why a chosen username is not allowed, or None (R-LOGIN-1)."""
    name = normalize_username(raw)
    if looks_like_email(name):
        return 'A username cannot be an email address. Choose a name without "@".'
    if not USERNAME_RE.match(name):
        return (
            "Use 3 to 64 characters: letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return None


def email_error(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return "Email is required."
    if not EMAIL_RE.match(raw.strip()):
        return "Enter a valid email address, like name@example.org."
    return None


def password_error(password: str, username: str | None = None) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(password) > 256:
        return messages.at_most(256)
    if username and password.strip().lower() == normalize_username(username):
        return "Your password cannot be your username."
    return None


def login_refusal(
    *,
    kind: AccountKind,
    audience: Audience,
    client_status: ClientStatus | None = None,
    email_confirmed: bool = True,
    staff_active: bool = True,
) -> Refusal | None:
    """R-LOGIN-4: who may sign in where, checked only after the password matched."""
    if kind is AccountKind.STAFF:
        if not staff_active:
            return Refusal("account_inactive", messages.ACCOUNT_INACTIVE)
        return None
    if client_status is ClientStatus.INACTIVE:
        return Refusal("account_inactive", messages.ACCOUNT_INACTIVE)
    if not email_confirmed:
        return Refusal("email_not_confirmed", messages.EMAIL_NOT_CONFIRMED)
    if client_status is ClientStatus.PENDING and audience is Audience.APP:
        return Refusal("account_pending", messages.ACCOUNT_PENDING_APP)
    return None


def login_lock_for(earlier_locks: int, base: timedelta) -> timedelta:
    """How long a wrong-guess lock lasts: `base`, doubled for each earlier lock (up to 16x)."""
    return base * 2 ** min(max(earlier_locks, 0), 4)
