"""The server machine's own time zone, the default of a new organisation's (issue 15)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from vtconnect_care.domain.organization import DEFAULT_ZONE, zone_error

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")


def server_zone(
    environ: Mapping[str, str] | None = None,
    localtime: Path = LOCALTIME,
    timezone_file: Path = TIMEZONE_FILE,
) -> str:
    """The IANA name of this machine's zone: ``VTCONNECT_TIME_ZONE``, ``TZ``, the target of
    /etc/localtime (…/zoneinfo/Europe/Paris), /etc/timezone; else UTC. Never a name that
    zoneinfo does not know, so an organisation created from it can always be shown."""
    environ = os.environ if environ is None else environ
    candidates = [environ.get("VTCONNECT_TIME_ZONE", ""), environ.get("TZ", "").lstrip(":")]
    try:
        target = str(localtime.resolve()) if localtime.is_symlink() else ""
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    try:
        candidates.append(timezone_file.read_text(encoding="ascii", errors="replace").strip())
    except OSError:
        pass
    for name in candidates:
        name = name.strip()
        if name and zone_error(name) is None:
            return "UTC" if name in {"Etc/UTC", "Etc/Universal", "UCT", "Universal"} else name
    return DEFAULT_ZONE
