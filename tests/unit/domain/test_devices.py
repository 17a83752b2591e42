"""Signed-in devices (issue 12): how a session is named, who ends others' sessions."""

from __future__ import annotations

import pytest

from vtconnect_care.domain import devices


@pytest.mark.parametrize(
    ("audience", "agent", "words"),
    [
        ("app", "VTConnectCare-App", "VTConnect Care app"),
        ("app", None, "VTConnect Care app"),
        (
            "portal",
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
            "Office Portal, Chrome on Linux",
        ),
        (
            "portal",
            "Mozilla/5.0 (Windows NT 10.0) Chrome/131 Safari/537 Edg/131",
            "Office Portal, Edge on Windows",
        ),
        (
            "portal",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1",
            "Office Portal, Safari on iPhone",
        ),
        (
            "portal",
            "Mozilla/5.0 (X11; Linux; rv:133.0) Firefox/133.0",
            "Office Portal, Firefox on Linux",
        ),
        ("portal", "curl/8.0", "Office Portal"),
        (None, "", "Office Portal"),
    ],
)
def test_a_session_is_named_by_its_device(audience, agent, words):
    assert devices.describe(audience, agent) == words


def test_only_an_org_admin_ends_other_peoples_sessions():
    assert devices.can_end_sessions_of_others(is_org_admin=True)
    assert not devices.can_end_sessions_of_others(is_org_admin=False)
