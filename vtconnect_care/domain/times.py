"""Times and days as people read them, spelled the same on every platform and in every locale.

No ``strftime``: its codes for an unpadded day differ between platforms (``%-d`` is glibc's)
and its day and month names follow the process locale. Everything here is plain arithmetic.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _moment(when: datetime | str) -> datetime | None:
    if isinstance(when, datetime):
        return when
    try:
        return datetime.fromisoformat(when)
    except ValueError:
        return None


def hhmm(when: datetime | str | None, zone: tzinfo | None = None) -> str:
    """'09:05' (24-hour, zero-padded) in ``zone``; with no zone, in the time's own offset.

    Takes a datetime or an ISO 8601 string (as the portal's JSON carries it). Nothing gives "";
    a string that is not a time comes back unchanged, so a screen never shows less than it got.
    """
    if when is None or when == "":
        return ""
    moment = _moment(when)
    if moment is None:
        return str(when)
    if zone is not None:
        moment = moment.astimezone(zone)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def time_range(
    starts: datetime | str | None,
    ends: datetime | str | None,
    zone: tzinfo | None = None,
    *,
    sep: str = " to ",
) -> str:
    """'15:00 to 15:45' in ``zone`` (``sep`` between the two)."""
    return f"{hhmm(starts, zone)}{sep}{hhmm(ends, zone)}"


def long_date(day: date | datetime, zone: tzinfo | None = None) -> str:
    """'Monday 3 November 2026'; a datetime is first moved to ``zone`` (when given)."""
    if isinstance(day, datetime) and zone is not None:
        day = day.astimezone(zone)
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
