"""The Office Portal in Debian's Chromium against a real server process and a real SMTP server.

R-CLIENT-3, R-CLIENT-4, R-REG-1..6, R-STATUS-2, R-STATUS-3, R-ASSOC-1, R-LOGIN-4.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.helpers.smtp import html_body, text_body

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"https?://\S+")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """One real `vtconnect-server --demo` process and one aiosmtpd for this module's tests.

    Shared to keep the module fast; each test uses its own people and addresses, and no
    assertion depends on the order the tests run in.
    """
    from tests.conftest import PG_URL, _fresh_pg_schema
    from tests.helpers.server import ServerProcess
    from tests.helpers.smtp import SmtpServer

    with SmtpServer() as smtp:
        env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
        server = ServerProcess(
            tmp_path_factory.mktemp("portal-server"), args=["--smtp-url", smtp.url], env=env
        )
        server.inbox = smtp.inbox  # type: ignore[attr-defined]
        with server:
            yield server


def link_in(msg, path: str) -> str:
    links = [u for u in LINK_RE.findall(text_body(msg)) if path in u]
    assert links, text_body(msg)
    assert links[0] in html_body(msg)  # both parts carry the same link
    return links[0]


UNLABELLED_JS = """
() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""
OVERFLOW_JS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check_page(page, width: int) -> None:
    """Every form control has a label, and nothing is wider than the screen."""
    assert page.evaluate(UNLABELLED_JS) == [], page.url
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the screen at {width}px"


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?notice=signed_out")


def register(page, base: str, *, first: str, email: str, username: str, practitioner: str):
    page.goto(f"{base}/o/riverside/")
    page.get_by_role("link", name="Register").first.click()  # upper right (R-REG-1)
    page.wait_for_url("**/o/riverside/register")
    page.get_by_label("First Name").fill(first)
    page.get_by_label("Last Name").fill("Tester")
    page.get_by_label("Email").fill(email)
    page.get_by_label("DOB").fill("1988-08-08")
    page.get_by_label("Practitioner").select_option(label=practitioner)
    page.get_by_label("Username").fill(username)
    page.locator("#f-password").fill("a-good-password")
    page.get_by_label("Password again").fill("a-good-password")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/o/riverside/registered")


def confirm_from_email(page, inbox, email: str) -> None:
    msg = inbox.wait_to(email, "confirm your email")
    page.goto(link_in(msg, "/confirm-email?token="))
    page.get_by_role("button", name="Confirm my email").click()
    page.wait_for_url("**/login?notice=email_confirmed")
    inbox.wait_to(email, "three steps to get started")  # R-CLIENT-4


def test_staff_creates_client_who_sets_credentials_and_signs_in(live_server, page):
    """R-CLIENT-2, R-CLIENT-3, R-CLIENT-4."""
    base = live_server.url
    sign_in(page, base, "olivia.admin")
    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Create New").click()
    page.get_by_role("button", name="Create").click()  # nothing filled in
    assert page.locator("#e-first_name").inner_text() == "First Name is required."
    assert page.locator("#e-date_of_birth").inner_text() == "DOB is required."
    page.get_by_label("First Name").fill("Gina")
    page.get_by_label("Last Name").fill("Gray")
    page.get_by_label("Email").fill("gina@clients.example")
    page.get_by_label("DOB").fill("1992-02-12")
    page.get_by_label("Jin Kim").check()
    page.get_by_role("button", name="Create").click()
    page.get_by_text("The client account is created").wait_for()
    assert page.get_by_text("Jin Kim").is_visible()
    sign_out(page)

    msg = live_server.inbox.wait_to("gina@clients.example", "choose your username and password")
    page.goto(link_in(msg, "/setup-account?token="))
    page.get_by_label("Username").fill("gina.gray")
    page.locator("#f-password").fill("gina-secret-pass")
    page.get_by_label("Password again").fill("gina-secret-pass")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your username and password are set").wait_for()
    welcome = live_server.inbox.wait_to("gina@clients.example", "three steps to get started")
    assert f"{base}/o/riverside/get-started" in text_body(welcome)
    sign_in(page, base, "gina.gray", "gina-secret-pass")
    page.get_by_role("heading", name="Hello Gina").wait_for()


def test_self_registration_with_a_practitioner_and_with_not_sure(live_server, page):
    """R-REG-1..5: approved at once; practitioner told (R-REG-3) or Org Admins (R-REG-4)."""
    base, inbox = live_server.url, live_server.inbox
    register(
        page,
        base,
        first="Hana",
        email="hana@clients.example",
        username="hana.t",
        practitioner="Priya Patel (Counselling)",
    )
    sign_in(page, base, "hana.t", "a-good-password")
    page.get_by_text("Please confirm your email address first").wait_for()  # R-REG-5
    # the practitioner is told once the registrant has confirmed their email (issue 15)
    confirm_from_email(page, inbox, "hana@clients.example")
    notice = inbox.wait_to("dr_patel@riverside.example", "New client account")
    assert "Hana Tester" in text_body(notice)
    sign_in(page, base, "hana.t", "a-good-password")
    page.get_by_role("heading", name="Hello Hana").wait_for()
    sign_out(page)

    register(
        page,
        base,
        first="Ivo",
        email="ivo@clients.example",
        username="ivo.t",
        practitioner="not sure",
    )
    confirm_from_email(page, inbox, "ivo@clients.example")
    review = inbox.wait_to("olivia_admin@riverside.example", "to review")
    assert "assign the client to a practitioner" in text_body(review)
    sign_in(page, base, "olivia.admin")
    page.goto(f"{base}/portal/clients?q=Ivo")
    page.get_by_role("link", name="Tester, Ivo").click()
    page.get_by_text("No practitioner yet").wait_for()


def test_manual_approval_then_approval(live_server, page):
    """R-REG-6, R-STATUS-3: Pending until "Approve this Account"."""
    base, inbox = live_server.url, live_server.inbox
    sign_in(page, base, "olivia.admin")
    page.get_by_role("link", name="Organization").click()
    page.get_by_label("Manually approve client registrations").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your changes are saved").wait_for()
    sign_out(page)

    register(
        page,
        base,
        first="Juno",
        email="juno@clients.example",
        username="juno.t",
        practitioner="Jin Kim",
    )
    confirm_from_email(page, inbox, "juno@clients.example")
    sign_in(page, base, "olivia.admin")
    page.get_by_label("Show").select_option("pending")  # the drop-down upper right
    page.wait_for_url("**status=pending**")
    page.get_by_role("link", name="Tester, Juno").click()
    page.get_by_role("button", name="Approve this Account").click()
    page.get_by_text("The account is approved and is now Active").wait_for()
    page.get_by_label("Show", exact=False)  # noop: the record page has no drop-down
    page.goto(f"{base}/portal/clients")
    assert page.get_by_role("link", name="Tester, Juno").is_visible()


def test_deactivated_client_cannot_sign_in(live_server, page):
    """R-STATUS-2 then R-LOGIN-4."""
    base = live_server.url
    sign_in(page, base, "olivia.admin")
    page.get_by_role("link", name="Morgan, Alex").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Active").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your changes are saved").wait_for()
    assert page.get_by_text("Inactive", exact=True).is_visible()
    sign_out(page)
    sign_in(page, base, "alex.active")
    page.get_by_text("Your account is inactive").wait_for()


def test_dept_admin_cannot_open_another_departments_client(live_server, page):
    """R-ASSOC-1: the 403 page, not the record."""
    base = live_server.url
    sign_in(page, base, "olivia.admin")
    page.goto(f"{base}/portal/clients?q=Lindqvist")
    page.get_by_role("link", name="Lindqvist, Bea").click()
    bea_url = page.url
    sign_out(page)
    sign_in(page, base, "dan.deptadmin")
    page.wait_for_url("**/portal/clients")
    assert page.get_by_role("link", name="Lindqvist, Bea").count() == 0
    response = page.goto(bea_url)
    assert response is not None and response.status == 403
    page.get_by_role("heading", name="Not allowed").wait_for()
    assert page.get_by_text("Bea").count() == 0


def test_invitation_template_with_portal_url_and_copy_button(live_server, page):
    """R-REG-7: any staff member copies the invitation; a practitioner lands on their page."""
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, base, "nurse.kim")
    page.wait_for_url("**/portal/me")
    page.get_by_role("link", name="Invite clients").click()
    body = page.get_by_label("Invitation email").input_value()
    assert f"{base}/o/riverside/" in body and "Register link" in body
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied. Paste it into your email.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert f"{base}/o/riverside/" in copied


def test_pages_work_at_phone_width_and_screenshots(live_server, browser, tmp_path):
    """Screenshots of the clients list, the client record and the registration page."""
    base = live_server.url
    shots: dict[str, Path] = {}
    for width, height, suffix in ((1280, 800, ""), (390, 844, "-phone")):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{base}/o/riverside/register")
            page.get_by_label("First Name").fill("Rosa")
            page.get_by_label("Last Name").fill("Reed")
            page.get_by_label("Email").fill("rosa.reed@example.org")
            page.get_by_label("Practitioner").select_option(label="Priya Patel (Counselling)")
            page.get_by_role("heading", name="Register with Riverside Care").click()  # blur
            check_page(page, width)
            shots[f"portal-register{suffix}"] = tmp_path / f"portal-register{suffix}.png"
            page.screenshot(path=shots[f"portal-register{suffix}"])
            sign_in(page, base, "olivia.admin")
            page.wait_for_url("**/portal/clients")
            shots[f"portal-clients{suffix}"] = tmp_path / f"portal-clients{suffix}.png"
            page.screenshot(path=shots[f"portal-clients{suffix}"])
            check_page(page, width)
            page.get_by_role("link", name="Lindqvist, Bea").click()
            page.get_by_role("button", name="Sign out").wait_for()
            shots[f"portal-client{suffix}"] = tmp_path / f"portal-client{suffix}.png"
            page.screenshot(path=shots[f"portal-client{suffix}"])
            check_page(page, width)
            page.get_by_role("link", name="Edit").click()
            check_page(page, width)
            page.goto(f"{base}/portal/staff")
            page.get_by_role("link", name="Patel, Priya").click()
            page.get_by_role("link", name="Edit").click()
            check_page(page, width)
            page.goto(f"{base}/portal/organization")
            check_page(page, width)
        finally:
            context.close()
    for path in shots.values():
        assert 0 < path.stat().st_size < 300_000, path
    if os.environ.get("VTCONNECT_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name, path in shots.items():
            shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
