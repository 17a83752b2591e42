"""The Organization information's time zone and the Reports page in Chromium (issue 15, 16).

A bad zone typed on the Organization page is the field's error and saves nothing; a zone picked
from the list is saved, and the Reports page then says its times are in it. Screenshots go to
/tmp/shots (tz_*.png) for a person to look at.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.web.test_portal_browser import check_page, sign_in
from vtconnect_care.domain import organization as org_rules

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def _post(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        f"{base}{path}", data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def _a_hosted_session(base: str) -> None:
    """Dr Patel hosts Alex: a Care Room session in the log (nobody joins it)."""
    login = {"username": "dr.patel", "password": DEMO_PASSWORD, "audience": "app"}
    token = _post(base, "/api/v1/auth/login", login)["token"]
    assert _post(base, "/api/v1/sessions", {"invitee_usernames": ["alex.active"]}, token)["id"]


def test_the_org_admin_sets_the_zone_and_reports_follow_it(live_server, page):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    _a_hosted_session(base)
    sign_in(page, base, "olivia.admin")
    page.wait_for_url("**/portal/**")
    page.goto(f"{base}/portal/organization")
    zone = page.get_by_label("Time zone")
    assert zone.input_value() == "UTC"
    assert page.locator("#zone-names option[value='Australia/Sydney']").count() == 1
    check_page(page, 1280)

    zone.fill("Nowhere/Atlantis")
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator("#e-time_zone")
    error.wait_for()
    assert error.inner_text() == org_rules.ZONE_UNKNOWN
    assert page.get_by_label("Time zone").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SHOTS / "tz_organization_error.png"), full_page=True)

    page.get_by_label("Time zone").fill("Australia/Sydney")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/portal/organization?notice=saved")
    assert page.get_by_label("Time zone").input_value() == "Australia/Sydney"
    page.screenshot(path=str(SHOTS / "tz_organization.png"), full_page=True)

    page.goto(f"{base}/portal/reports")
    assert "Times in Australia/Sydney" in page.inner_text("main")
    assert page.get_by_label("Client").locator("option", has_text="Alex Morgan").count() == 1
    page.get_by_label("Client").select_option(label="Alex Morgan")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**client_id=*")
    assert page.get_by_text("Care Room hosted by Priya Patel").count() == 1
    check_page(page, 1280)
    page.screenshot(path=str(SHOTS / "tz_reports.png"), full_page=True)
