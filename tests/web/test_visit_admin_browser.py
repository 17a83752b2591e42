"""Office Portal visit pages in Debian's Chromium against a real server process (R-VISIT-1, 7)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.test_portal_browser import check_page, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_admin_creates_a_visit_and_changes_its_time(live_server, page, tmp_path):
    """olivia.admin: Visits, New visit (client, then employee and service), Change time."""
    base = live_server.url
    sign_in(page, base, "olivia.admin")
    page.wait_for_url("**/portal/clients")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Visits").click()
    page.wait_for_url("**/portal/visits")
    page.get_by_role("link", name="New visit").click()
    page.get_by_label("Client").select_option(label="Lindqvist, Bea")  # submits step 1
    page.wait_for_url("**client_id=**")
    page.get_by_label("Employee").select_option(label="Jin Kim (Physiotherapy)")
    page.get_by_label("Service").select_option(label="Virtual check-in (VC-CHECK) · virtual")
    day = page.get_by_label("Date").input_value()  # today, on the server's clock
    assert len(day) == 10
    page.get_by_label("Start time (UTC)").fill("10:00")
    page.get_by_label("End time (UTC)").fill("09:30")
    page.get_by_role("button", name="Create visit").click()
    assert page.locator("#e-end_time").inner_text() == "The end must be after the start."
    page.get_by_label("End time (UTC)").fill("10:30")
    page.get_by_role("button", name="Create visit").click()
    page.get_by_text("The visit is scheduled.").wait_for()
    page.get_by_text("10:00 to 10:30").wait_for()
    check_page(page, 1280)

    page.get_by_label("Start time (UTC)").fill("11:00")
    page.get_by_label("End time (UTC)").fill("11:45")
    page.get_by_role("button", name="Change time").click()
    page.get_by_text("Invite links sent before this change no longer work").wait_for()  # R-VISIT-7
    page.get_by_text("11:00 to 11:45").wait_for()

    page.locator(".crumbs").get_by_role("link", name="Visits").click()
    page.wait_for_url(f"**/portal/visits?date={day}")
    row = page.get_by_role("row").filter(has_text="11:00–11:45")
    assert "Bea Lindqvist" in row.inner_text() and "Jin Kim" in row.inner_text()
    assert row.locator("td.hide-sm .virtual-mark").is_visible()  # R-VISIT-1
    check_page(page, 1280)
    shot = tmp_path / "portal-visits.png"
    page.screenshot(path=shot)
    assert 0 < shot.stat().st_size < 300_000
    if os.environ.get("VTCONNECT_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / "portal-visits.png")


def test_visit_pages_at_phone_width(live_server, browser):
    """Labelled controls, nothing wider than a phone's screen (the day's table scrolls)."""
    base = live_server.url
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, base, "olivia.admin")
        page.wait_for_url("**/portal/clients")
        page.goto(f"{base}/portal/visits")
        check_page(page, 390)
        page.get_by_role("link", name="15:00–15:45").click()
        page.get_by_role("button", name="Change time").wait_for()
        check_page(page, 390)
        page.goto(f"{base}/portal/visits/new")
        page.get_by_label("Client").select_option(label="Lindqvist, Bea")
        page.wait_for_url("**client_id=**")
        check_page(page, 390)
        page.goto(f"{base}/portal/services")
        check_page(page, 390)
    finally:
        context.close()
