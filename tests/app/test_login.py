"""Sign-in against a real demo server: success, every refusal, remember me, expiry, sign-out.

R-LOGIN-1..4; messages are the product's, quoted from vtconnect_care.domain.messages."""

from __future__ import annotations

import requests

from tests.app.conftest import run, wait_signal, wait_until
from tests.conftest import DEMO_PASSWORD
from tests.helpers.server import free_port
from vtconnect_care.client.portal_api import UNREACHABLE
from vtconnect_care.domain import messages


async def start(window, state="login"):
    window.start()
    await wait_until(lambda: window.controller.state == state, what=f"state {state}")


async def sign_in(window, username, password=DEMO_PASSWORD, *, remember=False, expect="home"):
    login = window.login
    login.username.setText(username)
    login.password.setText(password)
    login.remember.setChecked(remember)
    login.password.setFocus()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(login.password, Qt.Key.Key_Return)  # Enter submits
    assert login.sign_in.text() == "Signing in…"
    assert not login.sign_in.isEnabled()
    if expect == "home":
        await wait_signal(window.controller.home_loaded, 20)
    else:
        await wait_signal(window.controller.login_failed, 20)


def test_practitioner_signs_in_and_sees_the_appointment_screen(portal, make_window, qloop):
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        assert window.login.portal_label.text() == f"Portal: {portal.url}"
        await sign_in(window, "dr.patel")
        assert window.stack.currentWidget() is window.appointments
        assert "Priya Patel" in window.header.user.text()
        assert not window.login.password.text()  # the password does not linger

    run(qloop, scenario())


def test_wrong_password_is_refused_with_a_clear_message(portal, make_window, qloop):
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        await sign_in(window, "nurse.kim", "not-the-password", expect="refused")
        assert window.login.message.text() == messages.INVALID_CREDENTIALS
        assert window.login.message.kind == "ErrorBox"
        assert window.login.sign_in.isEnabled()
        assert window.login.sign_in.text() == "Sign in"

    run(qloop, scenario())


def test_inactive_client_is_refused(portal, make_window, qloop):  # R-LOGIN-4
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        await sign_in(window, "carl.inactive", expect="refused")
        assert window.login.message.text() == messages.ACCOUNT_INACTIVE

    run(qloop, scenario())


def test_pending_client_is_refused_by_the_app(portal, make_window, qloop):  # R-LOGIN-4
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        await sign_in(window, "dana.pending", expect="refused")
        assert window.login.message.text() == messages.ACCOUNT_PENDING_APP

    run(qloop, scenario())


def test_email_address_as_username_is_refused_before_sending(portal, make_window, qloop):
    window = make_window(portal.url)  # R-LOGIN-1

    async def scenario():
        await start(window)
        window.login.username.setText("priya@example.org")
        window.login.password.setText("whatever")
        window.login.submit()
        assert window.login.message.text() == messages.USERNAME_IS_EMAIL
        assert window.controller.state == "login"
        assert "NOT your email address" in window.login.username.accessibleDescription()

    run(qloop, scenario())


def test_locked_out_after_repeated_failures(portal, make_window, qloop):
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        for _ in range(5):
            await sign_in(window, "olivia.admin", "wrong-password", expect="refused")
        await sign_in(window, "olivia.admin", expect="refused")  # even the right password
        text = window.login.message.text()
        assert text.startswith("Too many attempts. Please wait"), text
        assert "minute" in text

    run(qloop, scenario())


def test_unreachable_server_offers_retry(make_window, qloop):
    window = make_window(f"http://127.0.0.1:{free_port()}")

    async def scenario():
        await start(window)
        await sign_in(window, "dr.patel", expect="refused")
        assert window.login.message.text() == UNREACHABLE
        assert window.login.retry_button.isVisible()
        window.login.retry_button.click()  # tries again, fails the same way, does not crash
        await wait_signal(window.controller.login_failed, 20)
        assert window.login.retry_button.isVisible()

    run(qloop, scenario())


def test_forgot_password_gives_a_neutral_confirmation(portal, make_window, qloop):
    window = make_window(portal.url)  # R-LOGIN-2

    async def scenario():
        await start(window)
        for name in ("bea.active", "nobody.here"):
            window.login.username.setText(name)
            window.login.forgot_button.click()
            await wait_until(lambda: window.login.message.text() == messages.PASSWORD_RESET_SENT)
            window.login.message.clear_message()

    run(qloop, scenario())


def test_forgot_username_shows_the_guidance(make_window, qloop):
    window = make_window("http://127.0.0.1:9")  # R-LOGIN-3: no server involved

    async def scenario():
        await start(window)
        window.login.forgot_user_button.click()
        assert window.login.message.text() == messages.FORGOT_USERNAME

    run(qloop, scenario())


def test_remember_me_keeps_only_the_session_token_in_the_keyring(
    portal, make_window, qloop, test_keyring, user_settings
):
    first = make_window(portal.url)

    async def scenario():
        await start(first)
        await sign_in(first, "alex.active", remember=True)
        ((key, stored),) = test_keyring.items.items()
        assert key == ("VTConnect Care", portal.url)
        assert stored.startswith("alex.active\n")
        assert DEMO_PASSWORD not in stored
        ini = user_settings.q.fileName()
        user_settings.sync()
        assert DEMO_PASSWORD not in open(ini, encoding="utf-8").read()
        first.close()

        second = make_window(portal.url)  # the next run: signed in without the password
        second.start()
        await wait_signal(second.controller.home_loaded, 20)
        assert second.stack.currentWidget() is second.client_home
        assert second.login.remember.isChecked()

        second.controller.sign_out()
        await wait_until(lambda: second.controller.state == "login")
        assert second.login.message.text() == "You are signed out."
        assert test_keyring.items == {}
        token = stored.split("\n", 1)[1]
        r = requests.get(
            f"{portal.url}/api/v1/auth/me",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 401  # sign-out ended the session on the server too

    run(qloop, scenario())


def test_expired_remembered_session_asks_to_sign_in_again(portal, make_window, qloop, test_keyring):
    test_keyring.set_password("VTConnect Care", portal.url, "bea.active\nnot-a-live-token")
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        assert window.login.message.text() == messages.SESSION_EXPIRED
        assert window.login.username.text() == "bea.active"
        assert test_keyring.items == {}

    run(qloop, scenario())


def test_revoked_session_returns_to_login_with_a_message(portal, make_window, qloop):
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        await sign_in(window, "nurse.kim")
        token = window.controller.api.token
        r = requests.post(
            f"{portal.url}/api/v1/auth/logout",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 200
        window.appointments.refresh_button.click()
        await wait_until(lambda: window.controller.state == "login")
        assert window.stack.currentWidget() is window.login
        assert window.login.message.text() == messages.SESSION_EXPIRED
        assert not window.header.sign_out.isVisible()

    run(qloop, scenario())


def test_client_home_lists_practitioners_and_appointments(portal, make_window, qloop):
    window = make_window(portal.url)

    async def scenario():
        await start(window)
        await sign_in(window, "bea.active")
        home = window.client_home
        names = [home.practitioners.item(i).text() for i in range(home.practitioners.count())]
        assert any("Priya Patel" in n for n in names) and any("Jin Kim" in n for n in names)
        assert not home.offers.isVisible()  # the hosted / re-join area waits for its issue

    run(qloop, scenario())


def test_without_a_keyring_remember_me_is_off_and_says_why(make_window, qloop):
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # the test_keyring fixture restores the previous one
    window = make_window("http://127.0.0.1:9")

    async def scenario():
        await start(window)
        assert not window.login.remember.isEnabled()
        assert "no secure keyring" in window.login.remember.accessibleDescription()

    run(qloop, scenario())


def test_without_a_keyring_remember_me_says_so_plainly_and_warns_once(
    portal, make_window, qloop, caplog
):
    """Issue 15 defect 7: the check box's own words say it is off, it looks off, and signing
    in and out twice logs no keyring warning (one line at start says why)."""
    import logging

    import keyring
    from keyring.backends import fail

    from vtconnect_care.app.login_screen import REMEMBER_OFF

    keyring.set_keyring(fail.Keyring())  # the test_keyring fixture restores the previous one
    window = make_window(portal.url)
    caplog.set_level(logging.INFO, logger="vtconnect")

    async def scenario():
        await start(window)
        remember = window.login.remember
        assert remember.text() == REMEMBER_OFF and not remember.isEnabled()
        assert not remember.isChecked()
        for _ in range(2):
            await sign_in(window, "nurse.kim")
            window.controller.sign_out()
            await wait_until(lambda: window.controller.state == "login", what="signed out")
            assert not remember.isEnabled() and remember.text() == REMEMBER_OFF
        keyring_lines = [r for r in caplog.records if "keyring" in r.getMessage().lower()]
        assert [r.levelname for r in keyring_lines] == ["INFO"]
        assert not [r for r in caplog.records if r.name == "vtconnect.app.session"]

    run(qloop, scenario())
