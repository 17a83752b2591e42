"""Staff administration in Debian's Chromium against a real server process and a real SMTP
server (issue 15): an Org Admin creates a practitioner with a licence; the practitioner sets
credentials from the email, signs in to the app (its own client code) and hosts (R-HOST-1)."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers.smtp import text_body
from tests.web.test_portal_browser import check_page, link_in, sign_in, sign_out
from vtconnect_care.client import call_http
from vtconnect_care.client.portal_api import PortalApi
from vtconnect_care.domain import staff_admin as rules

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("VTCONNECT_SHOTS", "/tmp/shots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"staff_{name}.png"), full_page=True)


async def _app_signs_in_and_hosts(base: str, username: str, password: str) -> tuple[dict, dict]:
    """What the app does: sign in (the app audience), ask whom it may host, Host."""
    api = PortalApi(base)
    try:
        login = await api.login(username, password)
        candidates = await api.hosting_candidates()
        frank = next(c for c in candidates["colleagues"] if c["full_name"] == "Frank Fischer")
        session = await call_http.host_session(base, login.token, account_ids=[frank["id"]])
        return candidates, session
    finally:
        api.close()


def test_org_admin_creates_a_practitioner_who_sets_credentials_and_hosts(live_server, page):
    base, inbox = live_server.url, live_server.inbox
    sign_in(page, base, "olivia.admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Create New").click()
    page.wait_for_url("**/portal/staff/new")
    page.get_by_role("button", name="Create").click()  # nothing filled in
    assert page.locator("#e-first_name").inner_text() == rules.STAFF_REQUIRED["first_name"]
    assert page.locator("#e-email").inner_text() == rules.STAFF_REQUIRED["email"]
    assert page.locator("#e-departments").inner_text() == rules.CHOOSE_A_DEPARTMENT
    check_page(page, 1280)
    shot(page, "new_errors")
    page.get_by_label("First Name").fill("Hana")
    page.get_by_label("Last Name").fill("Host")
    page.locator("#f-email").fill("hana@staff.example")
    page.get_by_label("Care Coordinator").check()
    page.get_by_label("Counselling").check()
    page.get_by_label("Practitioner", exact=True).check()
    page.get_by_label("Practitioner licence").fill("RN-424242")
    page.get_by_role("button", name="Create").click()
    page.get_by_text("The staff account is created").wait_for()
    assert page.get_by_text("Not set up yet").is_visible()
    assert page.get_by_text("licence RN-424242").is_visible()
    shot(page, "record")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("row", name="Host, Hana").wait_for()
    shot(page, "list")
    page.get_by_role("link", name="Departments").click()
    page.wait_for_url("**/portal/departments")
    check_page(page, 1280)
    shot(page, "departments")
    page.goto(f"{base}/portal/staff")
    page.get_by_role("link", name="Fischer, Frank").click()
    page.get_by_role("link", name="Roles and departments").click()
    page.get_by_role("heading", name="Roles and departments of Frank Fischer").wait_for()
    check_page(page, 1280)
    shot(page, "roles")
    sign_out(page)

    msg = inbox.wait_to("hana@staff.example", "choose your username and password")
    assert "Care Coordinator, Practitioner" in text_body(msg)
    page.goto(link_in(msg, "/setup-account?token="))
    page.get_by_label("Username").fill("hana.host")
    page.locator("#f-password").fill("hana-secret-pass")
    page.get_by_label("Password again").fill("hana-secret-pass")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your username and password are set").wait_for()

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's loop
        candidates, session = pool.submit(
            asyncio.run, _app_signs_in_and_hosts(base, "hana.host", "hana-secret-pass")
        ).result(timeout=60)
    assert candidates["can_host"] is True and candidates["reason"] is None
    frank = next(c for c in candidates["colleagues"] if c["full_name"] == "Frank Fischer")
    assert (session["state"], session["host_name"]) == ("hosted", "Hana Host")
    assert [m["account_id"] for m in session["members"] if m["role"] == "participant"] == [
        frank["id"]
    ]


def test_the_staff_pages_fit_a_phone(live_server, page):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server.url, "dan.deptadmin")  # a Dept Admin: Counselling's own choices
    page.goto(f"{live_server.url}/portal/staff/new")
    assert page.get_by_label("Counselling").is_visible()
    assert page.get_by_label("Physiotherapy").count() == 0
    assert page.get_by_label("Practitioner licence").count() == 0  # licences: Org Admins'
    check_page(page, 375)
    shot(page, "new_phone")
    page.goto(f"{live_server.url}/portal/departments")
    check_page(page, 375)
    assert page.get_by_text("An Org Admin creates and renames departments.").is_visible()
