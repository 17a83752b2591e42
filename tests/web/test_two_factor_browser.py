"""Two-step sign-in in a real browser (issue 12): set-up with the QR code (drawn under the
portal's Content-Security-Policy), recovery codes, the code step of sign-in, the devices
page; screenshots for docs/screenshots (portal-two-factor-*.png, portal-devices.png) with
VTCONNECT_SCREENSHOTS=1."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pyotp
import pytest

from tests.conftest import DEMO_PASSWORD
from tests.helpers.rest import rest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_sets_up_two_step_sign_in_and_signs_in_with_a_code(live_server, page, tmp_path):
    base = live_server.url
    csp_errors: list[str] = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    sign_in(page, base, "nurse.kim")
    page.wait_for_url("**/portal/me")
    page.get_by_role("link", name="Sign-in and security").first.click()
    page.get_by_label("Current password").first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Set up two-step sign-in").click()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    qr.wait_for()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # CSP let it draw
    page.get_by_text("Cannot scan? Type this key instead").click()
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.screenshot(path=tmp_path / "portal-two-factor-enrol.png", full_page=True)

    page.get_by_label(re.compile("Enter the 6-digit code")).fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Two-step sign-in is on").wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=tmp_path / "portal-two-factor-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved my codes").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "nurse.kim")
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    assert "/portal" not in page.url  # not signed in yet
    page.screenshot(path=tmp_path / "portal-two-factor-login.png")
    page.get_by_label("Code").fill(totp.at(time.time() + 30))  # the current step is spent
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url("**/portal/me")

    app = {"username": "nurse.kim", "password": DEMO_PASSWORD, "code": codes[0]}
    rest(base, "POST", "/auth/login", app, {"User-Agent": "VTConnectCare-App"})  # the app, too
    page.goto(f"{base}/portal/devices")
    page.get_by_role("heading", name="Signed-in devices").wait_for()
    assert "This device" in page.content() and "VTConnect Care app" in page.content()
    page.screenshot(path=tmp_path / "portal-devices.png", full_page=True)
    assert csp_errors == []
    names = ("two-factor-enrol", "two-factor-codes", "two-factor-login", "devices")
    for name in names:
        assert 0 < (tmp_path / f"portal-{name}.png").stat().st_size < 300_000, name
    if os.environ.get("VTCONNECT_SCREENSHOTS"):  # as tests/web/test_portal_browser.py
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(tmp_path / f"portal-{name}.png", SCREENSHOTS / f"portal-{name}.png")
