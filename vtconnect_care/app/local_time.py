"""The computer's time zone, "today" in it, and the app's short dates, alike on every platform.

Qt gives the zone's IANA name on Linux, Windows and macOS (Python alone only reads
/etc/localtime). Dates are spelled with the names and the HH:MM of domain/times.py: English
whatever the process locale, and no ``strftime`` codes that exist on one platform only (glibc's
unpadded day raises on Windows).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimeZone

from vtconnect_care.domain.clock import Clock, SystemClock
from vtconnect_care.domain.times import DAY_NAMES, MONTH_NAMES, hhmm

log = logging.getLogger("vtconnect.app")


def _qt_zone_id() -> bytes:
    return bytes(QTimeZone.systemTimeZoneId().data())


def system_zone(
    environ: Mapping[str, str] | None = None,
    qt_zone_id: Callable[[], bytes] = _qt_zone_id,
) -> str:
    """The IANA name of this computer's time zone (e.g. 'Pacific/Auckland'), else 'UTC'.

    ``TZ`` wins when it names a zone, as it does for every program; otherwise the system's
    own zone as Qt reads it (the registry on Windows, /etc/localtime on Linux)."""
    environ = os.environ if environ is None else environ
    wanted = environ.get("TZ", "").lstrip(":")
    if wanted and QTimeZone.isTimeZoneIdAvailable(wanted.encode()):
        return wanted
    name = qt_zone_id().decode("ascii", "replace")
    if name and QTimeZone.isTimeZoneIdAvailable(name.encode()):
        return name
    log.info("the computer's time zone is unknown (%r): using UTC", name)
    return "UTC"


def zone(name: str) -> tzinfo:
    """The zone named ``name``; the computer's current offset if this Python has no zone
    database (Windows without the tzdata package)."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        log.info("no zone data for %s (%s): using the current local offset", name, exc)
    return datetime.now().astimezone().tzinfo or UTC


def zone_label(where: tzinfo | None) -> str:
    """The IANA name of ``where`` (its key), or what it calls itself; the computer's when None."""
    if where is None:
        where = zone(system_zone())
    return getattr(where, "key", None) or str(where)


def today(where: tzinfo, clock: Clock | None = None) -> date:
    """The date it is now in ``where`` (the clock is injectable for tests)."""
    return (clock or SystemClock()).now().astimezone(where).date()


def short_when(iso: str, where: tzinfo | None = None) -> str:
    """'Tue 24 Nov, 09:30' in ``where`` (the computer's zone when None); other text as is."""
    try:
        moment = datetime.fromisoformat(iso).astimezone(where)
    except (TypeError, ValueError):
        return iso
    day = f"{DAY_NAMES[moment.weekday()][:3]} {moment.day} {MONTH_NAMES[moment.month - 1][:3]}"
    return f"{day}, {hhmm(moment)}"


def day_title(day: date) -> str:
    """'Tuesday 24 November'."""
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
