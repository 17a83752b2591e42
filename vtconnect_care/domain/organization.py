"""The Organization information: its name and time zone, checked, and who may edit it (issue 15).

Stored times stay UTC; the organisation's zone (an IANA name such as Australia/Sydney) is the
one the Office Portal, its emails and the visit page show them in, always named.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import Refusal
from .roles import StaffView, can_edit_organization

NAME_MAX = 200
ZONE_MAX = 64
DEFAULT_ZONE = "UTC"

NAME_REQUIRED = "Enter the organisation's name."
NAME_TOO_LONG = f"Use at most {NAME_MAX} characters for the name."
ZONE_UNKNOWN = "Unknown time zone. Choose one from the list, such as Europe/London."
ORG_ADMIN_ONLY = "Only the Organizational Administrator can change the Organization information."

EDITABLE_FIELDS = ("name", "time_zone", "manual_approval")


def zone_error(name: str | None) -> str | None:
    """Why ``name`` is not a time zone this server knows (IANA names only), or None."""
    name = (name or "").strip()
    if not name or len(name) > ZONE_MAX:
        return ZONE_UNKNOWN
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZONE_UNKNOWN
    return None


def name_error(name: str | None) -> str | None:
    name = (name or "").strip()
    if not name:
        return NAME_REQUIRED
    if len(name) > NAME_MAX:
        return NAME_TOO_LONG
    return None


def field_errors(changes: dict[str, object]) -> dict[str, str]:
    """Each field of an edit of the Organization information that cannot be saved, and why."""
    errors: dict[str, str] = {}
    if "name" in changes and (problem := name_error(str(changes["name"] or ""))):
        errors["name"] = problem
    if "time_zone" in changes and (problem := zone_error(str(changes["time_zone"] or ""))):
        errors["time_zone"] = problem
    return errors


def edit_refusal(staff: StaffView) -> Refusal | None:
    """Only an Org Admin edits the Organization information (R-REG-6, issue 15)."""
    if can_edit_organization(staff):
        return None
    return Refusal("org_admin_only", ORG_ADMIN_ONLY)


def zone(name: str | None) -> tzinfo:
    """The zone named ``name``; UTC for a name this machine does not know (stored data that
    outlived its zone, a Python without zone data): times are then shown as UTC and say so."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def zone_name(name: str | None) -> str:
    """The name to print beside times: ``name`` when it is a known zone, else UTC."""
    return name if name and zone_error(name) is None else DEFAULT_ZONE


def zone_choices() -> list[str]:
    """Every IANA zone this machine knows, sorted, for the form's list."""
    return sorted(available_timezones())


def computer_zone_note(computer: str, organisation: str | None) -> str:
    """What the app says under its times: it shows the computer's zone, and says so when the
    organisation's differs (the portal, the emails and the visit page use the organisation's)."""
    note = f"Times are in this computer's time zone, {computer}."
    if organisation and organisation != computer:
        note += (
            f" Your organisation uses {organisation}: the Office Portal and invite emails"
            " show times in that zone."
        )
    return note
