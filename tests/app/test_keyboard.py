"""Keyboard use of the app's main screens (issue 15; WCAG 2.1.1, 2.4.3, 2.4.7, 4.1.2).

Real key presses on a shown, active window against a real demo server: Tab walks the login
form, the Appointment screen and the device panel in reading order; every stop has an
accessible name and looks different when focused; Enter signs in, Space ticks people and
presses Host.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests.app.conftest import Launches, run, wait_signal, wait_until
from tests.app.test_device_panel import TwoCameras
from tests.app.test_login import start
from tests.conftest import DEMO_PASSWORD


def focused() -> QWidget | None:
    return QApplication.focusWidget()


async def activate(window) -> None:
    window.activateWindow()
    await wait_until(window.isActiveWindow, what="the window active")


async def press(key, modifier=Qt.KeyboardModifier.NoModifier) -> QWidget:
    """A key on whatever has the focus, as the user's keyboard would send it."""
    widget = focused()
    assert widget is not None, "nothing has the keyboard focus"
    QTest.keyClick(widget, key, modifier)
    await wait_until(lambda: True)  # let Qt deliver the focus change
    return focused()


async def tab_through(count: int) -> list[QWidget]:
    return [await press(Qt.Key.Key_Tab) for _ in range(count)]


async def looks_focused(widget: QWidget) -> bool:
    """WCAG 2.4.7: the widget is drawn differently with the focus than without it."""
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    await wait_until(widget.hasFocus, what="focus")
    with_focus = widget.grab().toImage()
    widget.clearFocus()
    await wait_until(lambda: not widget.hasFocus(), what="focus gone")
    without = widget.grab().toImage()
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    return with_focus != without


def names(widgets: list[QWidget]) -> list[str]:
    return [w.accessibleName() or f"<unnamed {type(w).__name__}>" for w in widgets]


async def sign_in_by_keyboard(window, username: str) -> None:
    await start(window)
    await activate(window)
    await wait_until(lambda: focused() is window.login.username, what="focus in Username")
    QTest.keyClicks(focused(), username)
    await press(Qt.Key.Key_Tab)
    QTest.keyClicks(focused(), DEMO_PASSWORD)
    await press(Qt.Key.Key_Return)
    await wait_signal(window.controller.home_loaded, 20)


def test_the_login_form_by_keyboard_alone(portal, make_window, qloop):
    window = make_window(portal.url)
    login = window.login

    async def scenario():
        await start(window)
        await activate(window)
        await wait_until(lambda: focused() is login.username, what="focus in Username")
        QTest.keyClicks(login.username, "dr.patel")
        stops = await tab_through(6)
        assert names(stops) == [
            "Password",
            "Remember me",
            "Sign in",
            "Forgot your password?",
            "Forgot your username?",
            "Change portal address",
        ]
        assert await press(Qt.Key.Key_Backtab) is stops[-2]  # Shift+Tab goes back
        for widget in [login.username, *stops[:5]]:
            assert await looks_focused(widget), widget.accessibleName()
        login.password.setFocus(Qt.FocusReason.TabFocusReason)
        QTest.keyClicks(focused(), DEMO_PASSWORD)
        await press(Qt.Key.Key_Return)  # Enter signs in
        await wait_signal(window.controller.home_loaded, 20)
        assert window.stack.currentWidget() is window.appointments

    run(qloop, scenario())


def test_the_appointment_screen_by_keyboard_alone(portal, make_window, qloop):
    launches = Launches()
    window = make_window(portal.url, launches=launches)
    screen, header = window.appointments, window.header

    async def scenario():
        await sign_in_by_keyboard(window, "dr.patel")
        assert focused() is screen.appointments  # the screen's content, not a container
        # one cycle in reading order: the screen, the header (Host is off: nothing chosen)
        stops = await tab_through(7)
        assert names(stops) == [
            "Filter people by name",
            "People you can host",
            "Menu: test camera, microphone and speakers",
            "Appointments",
            "Sign out",
            "Refresh appointments",
            "Today's appointments",
        ]
        # Enter on an appointment selects its clients
        while "Family session" not in screen.appointments.currentItem().text():
            await press(Qt.Key.Key_Down)
        await press(Qt.Key.Key_Return)
        chosen = {p["full_name"] for p in screen.selected_people()}
        assert chosen == {"Alex Morgan", "Bea Lindqvist"}
        await press(Qt.Key.Key_Tab)
        assert focused() is screen.filter
        QTest.keyClicks(focused(), "morgan")
        assert await press(Qt.Key.Key_Tab) is screen.people
        await press(Qt.Key.Key_Down)
        assert screen.people.currentItem().text() == "Alex Morgan"
        await press(Qt.Key.Key_Space)  # Alex off again
        assert {p["full_name"] for p in screen.selected_people()} == {"Bea Lindqvist"}
        assert await press(Qt.Key.Key_Tab) is screen.clear_button
        assert await press(Qt.Key.Key_Tab) is screen.host_button
        await press(Qt.Key.Key_Space)  # Host
        (request,) = launches.requests
        assert [p["full_name"] for p in request.people] == ["Bea Lindqvist"]
        controls = [screen.refresh_button, screen.appointments, screen.filter, screen.people]
        controls += [screen.clear_button, screen.host_button, header.hamburger, header.sign_out]
        for widget in controls:
            assert widget.accessibleName() and await looks_focused(widget), names([widget])

    run(qloop, scenario())


def test_the_device_panel_by_keyboard_alone(make_window, qloop, user_settings):
    window = make_window("http://127.0.0.1:9", devices=TwoCameras("Test Person"))
    panel = window.device_panel

    async def scenario():
        await start(window)
        await activate(window)
        await press(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # Ctrl+D opens it
        await wait_until(lambda: panel.loaded, what="device lists")
        assert focused() is panel.rows["camera"].combo
        stops = await tab_through(7)
        assert names(stops) == [
            "Test camera",
            "Microphone device",
            "Test microphone",
            "Speakers device",
            "Test speakers",
            "Refresh the device lists",
            "Test your internet connection",
        ]
        stops = [panel.close_button, panel.rows["camera"].combo, *stops]
        for widget in stops:
            assert await looks_focused(widget), names([widget])
        panel.rows["camera"].combo.setFocus(Qt.FocusReason.TabFocusReason)
        await press(Qt.Key.Key_Down)  # the other camera, chosen and remembered
        assert user_settings.device("camera") == "Synthetic camera B"
        await press(Qt.Key.Key_Tab)
        await press(Qt.Key.Key_Space)  # Test
        await wait_until(lambda: panel.testing("camera"), what="camera test")
        await press(Qt.Key.Key_Escape)  # closes the panel, stops the test, focus goes back
        assert not panel.isVisible() and not panel.testing("camera")
        assert focused() is window.header.hamburger

    run(qloop, scenario())
