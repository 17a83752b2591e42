"""Two-step sign-in in the app (issue 12): a staff member with two-factor on is asked for the
code on the same form, a wrong code is refused and asked again, the right one signs in.

Against a real demo server process of this module's own (two-factor is turned on for
nurse.kim through the API, with the seed the server hands out, as a phone would scan it)."""

from __future__ import annotations

import time

import pyotp
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.app.conftest import run, wait_signal, wait_until
from tests.conftest import DEMO_PASSWORD
from tests.helpers.rest import login, rest
from vtconnect_care.domain import two_factor as rules


def turn_on_two_factor(base: str, username: str) -> pyotp.TOTP:
    headers = login(base, username, audience="portal")
    body = rest(base, "POST", "/auth/two-factor/enrol", {"password": DEMO_PASSWORD}, headers)
    totp = pyotp.TOTP(body["secret"])
    rest(base, "POST", "/auth/two-factor/confirm", {"code": totp.now()}, headers)
    return totp


def a_wrong_code(totp: pyotp.TOTP) -> str:
    now = time.time()
    valid = {totp.at(now + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


async def submit_with_password(window, username: str) -> None:
    login_form = window.login
    login_form.username.setText(username)
    login_form.password.setText(DEMO_PASSWORD)
    login_form.password.setFocus()
    QTest.keyClick(login_form.password, Qt.Key.Key_Return)


def test_the_app_asks_for_the_code_and_signs_in_with_it(portal, make_window, qloop):
    totp = turn_on_two_factor(portal.url, "nurse.kim")
    window = make_window(portal.url)
    form = window.login

    async def scenario():
        window.start()
        await wait_until(lambda: window.controller.state == "login", what="login")
        assert form.code.isHidden()  # no code field for a plain sign-in
        asked = wait_signal(window.controller.code_requested, 20)
        await submit_with_password(window, "nurse.kim")
        (text,) = await asked
        assert text == rules.CODE_NEEDED
        assert not form.code.isHidden() and form.code.hasFocus()
        assert form.sign_in.text() == "Verify and sign in"
        assert form.message.text() == rules.CODE_NEEDED
        assert form.password.text() == DEMO_PASSWORD  # kept for the second request
        assert window.stack.currentWidget() is form and window.controller.state == "login"

        form.submit()  # an empty code is caught before anything is sent
        assert form.message.text() == rules.CODE_NEEDED and form.message.kind == "ErrorBox"

        refused = wait_signal(window.controller.code_requested, 20)
        form.code.setText(a_wrong_code(totp))
        QTest.keyClick(form.code, Qt.Key.Key_Return)
        await refused
        assert form.message.text() == rules.CODE_WRONG and form.message.kind == "ErrorBox"
        assert form.code.text() == "" and form.sign_in.isEnabled()

        home = wait_signal(window.controller.home_loaded, 20)
        form.code.setText(totp.at(time.time() + 30))  # the next step's: the current one is spent
        form.submit()
        await home
        assert window.stack.currentWidget() is window.appointments
        assert form.code.isHidden() and not form.password.text()  # nothing lingers

    run(qloop, scenario())


def test_a_recovery_code_signs_in_once(portal, make_window, qloop):
    headers = login(portal.url, "cara.coord", audience="portal")
    body = rest(portal.url, "POST", "/auth/two-factor/enrol", {"password": DEMO_PASSWORD}, headers)
    totp = pyotp.TOTP(body["secret"])
    codes = rest(portal.url, "POST", "/auth/two-factor/confirm", {"code": totp.now()}, headers)[
        "recovery_codes"
    ]
    window = make_window(portal.url)
    form = window.login

    async def scenario():
        window.start()
        await wait_until(lambda: window.controller.state == "login", what="login")
        asked = wait_signal(window.controller.code_requested, 20)
        await submit_with_password(window, "cara.coord")
        await asked
        home = wait_signal(window.controller.home_loaded, 20)
        form.code.setText(codes[0])
        form.submit()
        await home

    run(qloop, scenario())
