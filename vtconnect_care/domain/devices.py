"""Signed-in devices: how a session is named to its owner, and who may end whose sessions."""

from __future__ import annotations

import re

from .accounts import Audience

END_ALL_ORG_ADMIN_ONLY = "Only the Organizational Administrator can end another person's sessions."
NO_SUCH_DEVICE = "That device is already signed out."
PASSWORD_CHANGED_HERE = "Your password is changed. You stay signed in on this device."  # noqa: S105
OTHERS_ENDED = "Your other devices are signed out."
DEVICE_ENDED = "That device is signed out."
DEACTIVATED = "{name} is deactivated and signed out everywhere."
REACTIVATED = "{name} is active again and can sign in."
ALL_ENDED = "Every session of {name} is ended: they are signed out everywhere."

_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_APP = re.compile(r"^VTConnectCare-App", re.IGNORECASE)


def describe(audience: str | None, user_agent: str | None) -> str:
    """ "VTConnect Care app" or "Office Portal, Chrome on Linux": the words of the device list."""
    agent = user_agent or ""
    if audience == Audience.APP.value or _APP.match(agent):
        return "VTConnect Care app"
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if browser and system:
        return f"Office Portal, {browser} on {system}"
    if browser or system:
        return f"Office Portal, {browser or system}"
    return "Office Portal"


def can_end_sessions_of_others(*, is_org_admin: bool) -> bool:
    """An Org Admin ends all of a staff member's or client's sessions (of their organisation);
    nobody else ends anyone's sessions but their own."""
    return is_org_admin
