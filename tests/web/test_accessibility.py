"""WCAG 2.1 AA (issue 15): axe-core finds no serious or critical violation on any Office
Portal page, the public sign-in and registration pages, or the client's visit page.

One real `vtconnect-server --demo` and one aiosmtpd for the module; an Org Admin's and an
anonymous tab, each opened once. Set VTCONNECT_A11Y_SHOTS=1 for /tmp/shots/a11y_*.png.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from tests.conftest import DEMO_PASSWORD
from tests.helpers.axe import assert_accessible
from tests.helpers.rest import login, rest
from tests.helpers.smtp import text_body

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SHOTS = Path("/tmp/shots")
LINK_RE = re.compile(r"https?://\S+")
# what has the keyboard focus: its name, whether a focus ring is drawn, whether it is in <main>
FOCUS_JS = """
() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
  return [el.textContent.trim() || el.name || el.id, ring, !!el.closest('main')];
}
"""


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    from tests.conftest import PG_URL, _fresh_pg_schema
    from tests.helpers.server import ServerProcess
    from tests.helpers.smtp import SmtpServer

    with SmtpServer() as smtp:
        env = {"VTCONNECT_DATABASE_URL": _fresh_pg_schema(PG_URL)} if PG_URL else {}
        server = ServerProcess(
            tmp_path_factory.mktemp("a11y-server"), args=["--smtp-url", smtp.url], env=env
        )
        server.inbox = smtp.inbox  # type: ignore[attr-defined]
        with server:
            yield server


def _tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/**")


@pytest.fixture(scope="module")
def admin_page(browser, live_server):
    """A tab signed in as the demo Org Admin."""
    context, page = _tab(browser)
    sign_in(page, live_server.url, "olivia.admin")
    yield page
    context.close()


@pytest.fixture(scope="module")
def anonymous_page(browser):
    context, page = _tab(browser)
    yield page
    context.close()


@pytest.fixture(scope="module")
def ids(live_server) -> dict[str, object]:
    """Demo records to open: Bea (client), Jin Kim (staff), a visit running now, its link,
    and a staff-created client's set-up link from the real mail."""
    base = live_server.url
    admin, kim = login(base, "olivia.admin", "portal"), login(base, "nurse.kim")
    bea = next(c for c in rest(base, "GET", "/clients?q=Lindqvist", headers=admin)["clients"])
    staff = rest(base, "GET", "/staff", headers=admin)["staff"]
    jin = next(s for s in staff if s["username"] == "nurse.kim")
    services = rest(base, "GET", "/services", headers=kim)["services"]
    now = datetime.now(UTC).replace(microsecond=0)
    visit = rest(
        base,
        "POST",
        "/visits",
        {
            "client_id": bea["id"],
            "employee_id": jin["id"],
            "service_id": next(s["id"] for s in services if s["allows_virtual"]),
            "starts_at": (now - timedelta(minutes=5)).isoformat(),
            "ends_at": (now + timedelta(minutes=40)).isoformat(),
        },
        headers=admin,
    )["visit"]
    link = rest(base, "POST", f"/visits/{visit['id']}/copy-link", headers=kim)["link"]
    practitioner = {"practitioner_id": jin["id"]}
    body = {
        "first_name": "Ada",
        "last_name": "Audit",
        "email": "ada@clients.example",
        "date_of_birth": "1990-01-01",
        "associations": [practitioner],
    }
    rest(base, "POST", "/clients", body, headers=admin)
    mail = live_server.inbox.wait_to("ada@clients.example", "choose your username and password")
    setup = next(u for u in LINK_RE.findall(text_body(mail)) if "/setup-account?token=" in u)
    return {
        "client": bea["id"],
        "staff": jin["id"],
        "visit": visit["id"],
        "link": link,
        "setup": setup,
    }


def shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "_", path.split("?")[0].strip("/").replace("{", "")) or "root"


def audit(page, name: str) -> None:
    if os.environ.get("VTCONNECT_A11Y_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"a11y_{name}.png", full_page=True)
    assert_accessible(page)


def open_ok(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


PORTAL_PAGES = [
    "/portal/me",
    "/portal/clients",
    "/portal/clients?status=pending",
    "/portal/clients/new",
    "/portal/clients/{client}",
    "/portal/clients/{client}/edit",
    "/portal/clients/{client}/delete",
    "/portal/staff",
    "/portal/staff/{staff}",
    "/portal/staff/{staff}/edit",
    "/portal/staff/new",
    "/portal/staff/{staff}/roles",
    "/portal/departments",
    "/portal/visits",
    "/portal/visits/new",
    "/portal/visits/{visit}",
    "/portal/services",
    "/portal/reports",
    "/portal/organization",
    "/portal/invitation",
    "/portal/security",
    "/portal/devices",
]


@pytest.mark.parametrize("path", PORTAL_PAGES)
def test_office_portal_page_has_no_serious_violation(live_server, admin_page, ids, path):
    open_ok(admin_page, live_server.url + path.format(**ids))
    audit(admin_page, shot_name(path))


PUBLIC_PAGES = [
    "/login",
    "/forgot-password",
    "/reset-password?token=not-checked-until-sent",
    "/confirm-email?token=not-checked-until-sent",
    "/o/riverside/",
    "/o/riverside/register",
    "/o/riverside/registered",
    "/o/riverside/get-started",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_violation(live_server, anonymous_page, path):
    open_ok(anonymous_page, live_server.url + path)
    audit(anonymous_page, shot_name(path))


def test_set_up_account_page(live_server, anonymous_page, ids):
    open_ok(anonymous_page, str(ids["setup"]))
    anonymous_page.get_by_label("Username").wait_for()
    audit(anonymous_page, "setup-account")


def test_forms_with_their_errors_shown(live_server, admin_page, anonymous_page):
    """Errors are announced and tied to their fields; the pages stay accessible."""
    base = live_server.url
    admin_page.goto(f"{base}/portal/clients/new")
    admin_page.get_by_role("button", name="Create").click()
    admin_page.locator("#e-first_name").wait_for()
    audit(admin_page, "client-form-errors")
    anonymous_page.goto(f"{base}/login")
    anonymous_page.get_by_label("Username").fill("nobody")
    anonymous_page.get_by_label("Password").fill("wrong-password")
    anonymous_page.get_by_role("button", name="Sign in").click()
    anonymous_page.get_by_role("alert").wait_for()
    audit(anonymous_page, "login-problem")
    anonymous_page.goto(f"{base}/o/riverside/register")
    anonymous_page.get_by_role("button", name="Register").click()
    anonymous_page.locator(".field-error").first.wait_for()
    audit(anonymous_page, "register-errors")


def test_two_step_sign_in_pages(live_server, browser):
    """Set-up with its QR code, the recovery codes, and the code step of sign-in."""
    base = live_server.url
    context, page = _tab(browser)
    try:
        sign_in(page, base, "frank.frontdesk")
        page.goto(f"{base}/portal/security")
        page.get_by_label("Current password").first.fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Set up two-step sign-in").click()
        page.get_by_role("img", name=re.compile("QR code")).wait_for()
        page.get_by_text("Cannot scan? Type this key instead").click()
        audit(page, "two-factor-enrol")
        key = page.locator(".secret-key").inner_text().replace(" ", "")
        page.get_by_label(re.compile("Enter the 6-digit code")).fill(pyotp.TOTP(key).now())
        page.get_by_role("button", name="Turn on two-step sign-in").click()
        page.get_by_role("heading", name="Two-step sign-in is on").wait_for()
        audit(page, "two-factor-codes")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/login?notice=signed_out")
        page.get_by_label("Username").fill("frank.frontdesk")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Two-step sign-in").wait_for()
        audit(page, "login-code")
    finally:
        context.close()


def test_a_clients_own_account_page(live_server, browser):
    context, page = _tab(browser)
    try:
        sign_in(page, live_server.url, "alex.active")
        audit(page, "client-me")
    finally:
        context.close()


def test_visit_page_lobby_and_call(live_server, anonymous_page, ids):
    page = anonymous_page
    open_ok(page, str(ids["link"]))
    page.get_by_role("heading", name="Hello Bea,").wait_for()
    audit(page, "visit-lobby")
    for _ in range(5):  # by keyboard: Tab to Join (it shows a focus ring), Enter
        page.keyboard.press("Tab")
        name, ring, in_main = page.evaluate(FOCUS_JS)
        assert ring and in_main, name
        if name == "Join the video visit":
            break
    page.keyboard.press("Enter")
    page.wait_for_function("window.visitCall.state === 'waiting'")
    audit(page, "visit-waiting")


def test_visit_link_that_cannot_be_used(live_server, anonymous_page):
    response = anonymous_page.goto(f"{live_server.url}/visit/not-a-real-link")
    assert response is not None and response.status == 404
    audit(anonymous_page, "visit-closed")


# WCAG 1.4.11 (axe does not check it): a text field's border is its only outline, so it needs
# 3:1 against what is behind it.
FAINT_FIELDS_JS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const fields = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, '
    + 'textarea';
  return [...document.querySelectorAll(fields)].filter(el => el.offsetParent).map(el => {
    const [a, b] = [lum(rgb(getComputedStyle(el).borderTopColor)), lum(behind(el))];
    return [el.name || el.id, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }).filter(([, ratio]) => ratio < 3).map(([name, ratio]) => `${name}: ${ratio.toFixed(2)}:1`);
}
"""


@pytest.mark.parametrize("path", ["/portal/clients/new", "/portal/visits/new", "/portal/reports"])
def test_form_fields_have_a_border_that_can_be_seen(live_server, admin_page, path):
    open_ok(admin_page, live_server.url + path)
    assert admin_page.evaluate(FAINT_FIELDS_JS) == []


def test_registration_fields_have_a_border_that_can_be_seen(live_server, anonymous_page):
    open_ok(anonymous_page, f"{live_server.url}/o/riverside/register")
    assert anonymous_page.evaluate(FAINT_FIELDS_JS) == []


def test_portal_pages_by_keyboard(live_server, admin_page):
    """WCAG 2.4.1 and 2.4.7: the first Tab stop skips to the content, and every stop shows
    a focus ring."""
    page = admin_page
    open_ok(page, f"{live_server.url}/portal/clients")
    page.keyboard.press("Tab")
    name, ring, _ = page.evaluate(FOCUS_JS)
    assert name == "Skip to content" and ring
    assert page.locator(".skip").bounding_box()["x"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    name, ring, in_main = page.evaluate(FOCUS_JS)
    assert in_main and ring, name
    open_ok(page, f"{live_server.url}/portal/clients")
    for _ in range(12):
        page.keyboard.press("Tab")
        name, ring, _ = page.evaluate(FOCUS_JS)
        assert ring, f"{name}: no focus ring"
