"""The notices of the sign-in security, device and staff administration pages (shown after a
redirect's ?notice=)."""

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

STAFF_NOTICES = {  # issue 15: staff and departments
    "staff_created": "The staff account is created. We emailed them a link to choose a username "
    "and password.",
    "staff_link_sent": "We emailed the staff member a new link to choose a username and password.",
    "roles_saved": "The roles and departments are saved.",
    "department_created": "The department is created.",
    "department_renamed": "The department is renamed.",
}
