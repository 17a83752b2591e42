"""Where the app's settings come from: flag, IT's system-wide file, the user's own choices.

Pure logic, no Qt: the app hands in the values it read from QSettings.

System-wide configuration file (installed by IT), INI format, section ``[vtconnect-care]``:

- Linux:   ``/etc/vtconnect-care/config.ini``
- Windows: ``%PROGRAMDATA%\\VTConnect Care\\config.ini``
- macOS:   ``/Library/Application Support/VTConnect Care/config.ini``

Keys:

- ``portal_url``: the organisation's portal, e.g. ``https://care.example.org``.
- ``allow_portal_change`` (yes/no, default yes): with "no", users cannot pick another portal
  and the file's ``portal_url`` wins over the user's settings.
- ``devices``: ``real`` (default: use the machine's camera, microphone and speakers, with a
  synthetic stand-in only when none exists), ``synthetic`` (always the labelled stand-ins, for
  kiosks and test rigs) or ``none`` (no media devices offered).

Resolution of the portal URL, first found wins: the ``--portal-url`` flag; the system file when
it forbids changes; the user's saved choice; the system file's suggestion; else nothing (the
app then asks with its first-run dialog).
"""

from __future__ import annotations

import configparser
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

SECTION = "vtconnect-care"
CONFIG_ENV = "VTCONNECT_CARE_CONFIG"  # overrides the system file's path (tests, packagers)


class DevicesPolicy(StrEnum):
    REAL = "real"
    SYNTHETIC = "synthetic"
    NONE = "none"


class PortalSource(StrEnum):
    FLAG = "flag"
    SYSTEM_LOCKED = "system (locked)"
    USER = "user"
    SYSTEM = "system"
    NONE = "none"


@dataclass(frozen=True)
class SystemConfig:
    portal_url: str | None = None
    allow_portal_change: bool = True
    devices: DevicesPolicy = DevicesPolicy.REAL
    path: Path | None = None
    problem: str | None = None  # why the file was ignored, for the log and the About box


@dataclass(frozen=True)
class PortalChoice:
    url: str | None
    source: PortalSource
    can_change: bool


def system_config_path(platform: str | None = None, environ: dict | None = None) -> Path:
    """The system-wide config file's path for this OS."""
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    plat = platform or sys.platform
    if plat.startswith("win"):
        base = env.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(base) / "VTConnect Care" / "config.ini"
    if plat == "darwin":
        return Path("/Library/Application Support/VTConnect Care/config.ini")
    return Path("/etc/vtconnect-care/config.ini")


def portal_url_error(raw: str) -> str | None:
    """Why a portal address is not usable, or None."""
    text = raw.strip()
    if not text:
        return "Enter your organisation's portal address."
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https"):
        return "The portal address must start with https:// (or http:// on a local network)."
    if not parts.hostname:
        return "Enter a full address, like https://care.example.org."
    if parts.query or parts.fragment:
        return "Enter the portal address without anything after ? or #."
    return None


def normalize_portal_url(raw: str) -> str:
    """``care.example.org/`` -> ``https://care.example.org``; raises ValueError if unusable."""
    problem = portal_url_error(raw)
    if problem:
        raise ValueError(problem)
    text = raw.strip()
    if "://" not in text:
        text = f"https://{text}"
    return text.rstrip("/")


def _as_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    raise ValueError(f"expected yes or no, got {raw!r}")


def parse_system_config(text: str, path: Path | None = None) -> SystemConfig:
    """Read the INI text; a broken file is ignored with a reason rather than stopping the app."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        if not parser.has_section(SECTION):
            return SystemConfig(path=path, problem=f"no [{SECTION}] section")
        sec = parser[SECTION]
        url = sec.get("portal_url", "").strip() or None
        if url is not None:
            url = normalize_portal_url(url)
        allow = _as_bool(sec.get("allow_portal_change", "yes"))
        devices = DevicesPolicy(sec.get("devices", "real").strip().lower())
    except (configparser.Error, ValueError) as exc:
        return SystemConfig(path=path, problem=str(exc))
    return SystemConfig(url, allow, devices, path)


def load_system_config(path: Path | None = None) -> SystemConfig:
    """The system file if present (off the UI thread: it is a disk read)."""
    path = path or system_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SystemConfig(path=path)
    except OSError as exc:
        return SystemConfig(path=path, problem=str(exc))
    return parse_system_config(text, path)


def resolve_portal_url(*, flag: str | None, system: SystemConfig, user: str | None) -> PortalChoice:
    """Pick the portal URL (see the module docstring for the order)."""
    locked = bool(system.portal_url) and not system.allow_portal_change
    can_change = not locked
    if flag:
        return PortalChoice(normalize_portal_url(flag), PortalSource.FLAG, can_change)
    if locked:
        return PortalChoice(system.portal_url, PortalSource.SYSTEM_LOCKED, False)
    if user:
        try:
            return PortalChoice(normalize_portal_url(user), PortalSource.USER, True)
        except ValueError:
            pass  # a damaged user setting: fall through to the next source
    if system.portal_url:
        return PortalChoice(system.portal_url, PortalSource.SYSTEM, True)
    return PortalChoice(None, PortalSource.NONE, True)
