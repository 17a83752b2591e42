"""Where the portal address comes from: flag, IT's system file, the user's choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from vtconnect_care.client.app_config import (
    DevicesPolicy,
    PortalSource,
    SystemConfig,
    load_system_config,
    normalize_portal_url,
    parse_system_config,
    portal_url_error,
    resolve_portal_url,
    system_config_path,
)


def test_system_file_path_per_os():
    assert system_config_path("linux", {}) == Path("/etc/vtconnect-care/config.ini")
    assert system_config_path("darwin", {}) == Path(
        "/Library/Application Support/VTConnect Care/config.ini"
    )
    win = system_config_path("win32", {"PROGRAMDATA": r"D:\PD"})
    assert win.name == "config.ini" and "VTConnect Care" in str(win)
    assert system_config_path("linux", {"VTCONNECT_CARE_CONFIG": "/tmp/x.ini"}) == Path(
        "/tmp/x.ini"
    )


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("care.example.org", "https://care.example.org"),
        ("https://care.example.org/", "https://care.example.org"),
        ("http://127.0.0.1:8470", "http://127.0.0.1:8470"),
    ],
)
def test_normalize(raw, url):
    assert normalize_portal_url(raw) == url


@pytest.mark.parametrize("raw", ["", "ftp://x.org", "https://x.org/?a=1", "https://"])
def test_bad_addresses_say_why(raw):
    assert portal_url_error(raw)
    with pytest.raises(ValueError):
        normalize_portal_url(raw)


def test_parse_a_good_file():
    cfg = parse_system_config(
        "[vtconnect-care]\nportal_url = care.example.org\nallow_portal_change = no\n"
        "devices = synthetic\n"
    )
    assert cfg == SystemConfig("https://care.example.org", False, DevicesPolicy.SYNTHETIC)


@pytest.mark.parametrize(
    "text", ["not ini at all", "[other]\nx=1", "[vtconnect-care]\ndevices = lasers"]
)
def test_a_broken_file_is_ignored_with_a_reason(text):
    cfg = parse_system_config(text)
    assert cfg.problem and cfg.portal_url is None and cfg.allow_portal_change


def test_missing_file_is_no_config(tmp_path):
    cfg = load_system_config(tmp_path / "absent.ini")
    assert cfg.portal_url is None and cfg.problem is None


def test_resolution_order():
    system = SystemConfig("https://it.example.org")
    locked = SystemConfig("https://it.example.org", allow_portal_change=False)
    flag = resolve_portal_url(flag="flag.example.org", system=system, user="u.example.org")
    assert (flag.url, flag.source) == ("https://flag.example.org", PortalSource.FLAG)
    user = resolve_portal_url(flag=None, system=system, user="https://u.example.org")
    assert (user.url, user.source, user.can_change) == (
        "https://u.example.org",
        PortalSource.USER,
        True,
    )
    lock = resolve_portal_url(flag=None, system=locked, user="https://u.example.org")
    assert (lock.url, lock.source, lock.can_change) == (
        "https://it.example.org",
        PortalSource.SYSTEM_LOCKED,
        False,
    )
    suggested = resolve_portal_url(flag=None, system=system, user="bad url ?x")
    assert suggested.source is PortalSource.SYSTEM
    nothing = resolve_portal_url(flag=None, system=SystemConfig(), user=None)
    assert nothing.url is None and nothing.source is PortalSource.NONE
