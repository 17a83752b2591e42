"""Two-factor sign-in for staff: who needs a code at which login, which code is spent, words.

RFC 6238 time-based codes in 30 s steps, six digits, one step of clock drift either side;
each step's code works once (a step at or before the last one spent is refused). Recovery
codes are 120 random bits each (24 base-32 characters), so a plain hash stores them safely.
The TOTP arithmetic itself is pyotp's, in the server; the rules are here.
"""

from __future__ import annotations

import re
from enum import StrEnum

from .accounts import Audience
from .errors import Refusal

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # codes of the step before and after now are accepted too
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_CHARS = 24  # base 32: 120 bits
SEED_BYTES = 20  # 160 bits, RFC 4226's recommendation
ISSUER = "VTConnect Care"

CODE_NEEDED = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
CODE_WRONG = (
    "That code is not right, or it was already used. Enter the newest code from your "
    "authenticator app, or one of your recovery codes."
)
ENROL_IN_PORTAL = (
    "Your organisation requires two-step sign-in for staff. Sign in to the Office Portal in "
    "your browser and set it up under “Two-step sign-in”, then sign in here."
)
ENROL_NOW = (
    "Your organisation requires two-step sign-in for staff. Set it up now to use the portal."
)
NOT_FOR_CLIENTS = "Two-step sign-in is for staff accounts."
ALREADY_ON = "Two-step sign-in is already on. Turn it off first to set it up with a new phone."
NOT_STARTED = "Start the set-up again: the code was checked against no pending set-up."
WRONG_PASSWORD = "That is not your current password."  # noqa: S105 - a sentence
CODE_FORMAT = "Enter the 6 digits your authenticator app shows, or a recovery code."
ADMIN_FIRST = (
    "Set up two-step sign-in for yourself first (Sign-in and security), then require it for "
    "all staff."
)
SIGN_IN_AGAIN = "Your sign-in step expired. Please sign in again."


class LoginStep(StrEnum):
    """What a login needs once the password matched."""

    NONE = "none"  # no second step
    CODE = "code"  # two-factor on: a code must come with the password
    ENROL_IN_PORTAL = "enrol_in_portal"  # required but not set up, at the app: refused
    ENROL_NOW = "enrol_now"  # required but not set up, at the portal: signed in, sent to enrol


def login_step(*, is_staff: bool, enrolled: bool, org_requires: bool, audience: Audience):
    """The second step of a login (clients have none)."""
    if not is_staff:
        return LoginStep.NONE
    if enrolled:
        return LoginStep.CODE
    if not org_requires:
        return LoginStep.NONE
    return LoginStep.ENROL_IN_PORTAL if audience is Audience.APP else LoginStep.ENROL_NOW


def enrol_refusal(*, is_staff: bool, enrolled: bool) -> Refusal | None:
    if not is_staff:
        return Refusal("two_factor_staff_only", NOT_FOR_CLIENTS)
    if enrolled:
        return Refusal("two_factor_already_on", ALREADY_ON)
    return None


_SEPARATORS = re.compile(r"[\s\-]+")
_TOTP = re.compile(rf"^\d{{{DIGITS}}}$")
_RECOVERY = re.compile(rf"^[a-z2-7]{{{RECOVERY_CODE_CHARS}}}$")


def normalize_code(raw: str) -> str:
    """What was typed, without spaces or dashes, lower case; bounded."""
    return _SEPARATORS.sub("", (raw or "")[:64]).lower()


def is_totp_code(code: str) -> bool:
    return bool(_TOTP.match(code))


def is_recovery_code(code: str) -> bool:
    return bool(_RECOVERY.match(code))


def candidate_steps(now_step: int) -> list[int]:
    """The steps whose codes are accepted now: now, one before and one after."""
    return [now_step + d for d in range(-DRIFT_STEPS, DRIFT_STEPS + 1)]


def step_to_spend(matching: list[int], last_spent: int | None) -> int | None:
    """The step a matching code spends, or None: a code at or before the last spent is used."""
    fresh = [s for s in matching if last_spent is None or s > last_spent]
    return max(fresh) if fresh else None


def format_recovery_code(raw: str) -> str:
    """Groups of four for reading aloud or typing: ``abcd-efgh-...``."""
    code = normalize_code(raw)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def requirement_refusal(*, required: bool, admin_enrolled: bool) -> Refusal | None:
    """An Org Admin requires two-step sign-in of all staff only once they use it themselves."""
    if required and not admin_enrolled:
        return Refusal("two_factor_admin_first", ADMIN_FIRST)
    return None
