"""The notices of the sign-in security and device pages (shown after a redirect's ?notice=)."""

from __future__ import annotations

from vtconnect_care.domain import devices
from vtconnect_care.domain import two_factor as rules

SECURITY_NOTICES = {
    "password_changed_here": devices.PASSWORD_CHANGED_HERE,
    "device_ended": devices.DEVICE_ENDED,
    "others_ended": devices.OTHERS_ENDED,
    "sessions_ended": "Every session is ended: they are signed out everywhere.",
    "deactivated": "The staff member is deactivated and signed out everywhere.",
    "reactivated": "The staff member is active again and can sign in.",
    "two_factor_off": "Two-step sign-in is off.",
    "enrol_required": rules.ENROL_NOW,
    "step_expired": rules.SIGN_IN_AGAIN,
}
