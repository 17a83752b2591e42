"""The Appointment screen against a real demo server: who may host whom (R-HOST-1, R-HOST-2),
multi-select, filter, and Host through the Care Room seam (R-ROOM-1)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from tests.app.conftest import Launches, run, wait_signal, wait_until
from tests.app.test_login import sign_in, start
from vtconnect_care.app.appointment_screen import SELECT_SOMEONE
from vtconnect_care.domain import messages


def people(screen) -> list[str]:
    return [item.text() for item in screen._items() if not item.isHidden()]


def test_practitioner_hosts_selected_clients(portal, make_window, qloop):
    launches = Launches()
    window = make_window(portal.url, launches=launches)
    screen = window.appointments

    async def scenario():
        await start(window)
        await sign_in(window, "dr.patel")
        assert screen.can_host
        titles = [screen.appointments.item(i).text() for i in range(screen.appointments.count())]
        assert any("Weekly check-in" in t for t in titles)
        assert any("Family session" in t for t in titles)
        assert {"Alex Morgan", "Bea Lindqvist"} <= set(people(screen))  # R-HOST-2
        assert "Carl" not in " ".join(people(screen))  # inactive: not hostable
        # nothing selected: Host is off and says why
        assert not screen.host_button.isEnabled()
        assert screen.selection_label.text() == SELECT_SOMEONE
        # the filter narrows the list
        screen.filter.setText("lind")
        assert people(screen) == ["Bea Lindqvist"]
        screen.filter.clear()
        # an appointment selects its clients (multi-select)
        family = next(
            screen.appointments.item(i)
            for i in range(screen.appointments.count())
            if "Family session" in screen.appointments.item(i).text()
        )
        screen._appointment_chosen(family)
        assert {p["full_name"] for p in screen.selected_people()} == {
            "Alex Morgan",
            "Bea Lindqvist",
        }
        assert screen.host_button.isEnabled()
        screen.host_button.click()
        (request,) = launches.requests
        assert {p["full_name"] for p in request.people} == {"Alex Morgan", "Bea Lindqvist"}
        assert request.host["username"] == "dr.patel"
        assert request.devices is window.device_panel.provider and request.session_id is None
        # clearing the selection turns Host off again
        screen.clear_selection()
        assert not screen.host_button.isEnabled()

    run(qloop, scenario())


def test_keyboard_selects_a_person(portal, make_window, qloop):
    window = make_window(portal.url)
    screen = window.appointments

    async def scenario():
        await start(window)
        await sign_in(window, "nurse.kim")
        assert "Bea Lindqvist" in people(screen)
        from PySide6.QtTest import QTest

        screen.people.setFocus()
        screen.people.setCurrentItem(screen._items()[0])
        QTest.keyClick(screen.people, Qt.Key.Key_Space)
        await wait_until(lambda: screen.host_button.isEnabled(), what="Host enabled")
        QTest.keyClick(screen.people, Qt.Key.Key_Space)
        await wait_until(lambda: not screen.host_button.isEnabled(), what="Host disabled")

    run(qloop, scenario())


def test_staff_without_licence_cannot_host_and_sees_why(portal, make_window, qloop):
    window = make_window(portal.url)  # R-HOST-1
    screen = window.appointments

    async def scenario():
        await start(window)
        await sign_in(window, "frank.frontdesk")
        assert not screen.can_host
        assert not screen.host_button.isEnabled()
        assert screen.selection_label.text() == messages.HOST_NEEDS_LICENCE
        assert screen.host_button.toolTip() == messages.HOST_NEEDS_LICENCE
        screen.select(set(screen._people))  # nothing can be ticked
        assert screen.selected_people() == []
        assert not screen.host_button.isEnabled()

    run(qloop, scenario())


class FakeRoom(QObject):
    """What a Care Room launcher returns: a window whose ``finished`` the app watches."""

    finished = Signal(object, bool)  # session id, ended

    def __init__(self, request) -> None:
        super().__init__()
        self.request = request


class FakeLauncher(Launches):
    """A Care Room launcher that opens nothing and remembers what it was asked (R-ROOM-1)."""

    def __call__(self, request):
        super().__call__(request)
        return FakeRoom(request)


def test_host_goes_through_the_launcher_seam(portal, make_window, qloop, user_settings):
    launcher = FakeLauncher()
    window = make_window(portal.url, launches=launcher)
    screen = window.appointments

    async def scenario():
        await start(window)
        await sign_in(window, "nurse.kim")
        window.set_devices_open(True)  # a running device test gives the camera back first
        await wait_until(lambda: window.device_panel.loaded, what="device lists")
        window.device_panel.rows["camera"].test_button.click()
        await wait_until(lambda: window.device_panel.testing("camera"), what="camera test")
        screen.select_names("Bea Lindqvist")
        screen.host_button.click()
        (request,) = launcher.requests
        assert [p["full_name"] for p in request.people] == ["Bea Lindqvist"]
        assert request.host["username"] == "nurse.kim" and request.session_id is None
        assert request.api is window.controller.api and request.api.token
        assert request.devices is window.device_panel.provider
        assert request.settings is user_settings
        assert not window.device_panel.testing("camera") and not window.drawer.isVisible()
        (room,) = window.controller.rooms
        assert isinstance(room, FakeRoom) and room.request is request
        assert room in window.controller.presence.rooms  # its closing offers a re-join
        window.controller.sign_out()
        await wait_signal(window.controller.state_changed)
        assert window.controller.state == "login"

    run(qloop, scenario())


def test_the_app_opens_the_real_care_room_without_a_fallback(user_settings):
    """One Care Room: the services' default launcher imports it, no stand-in window exists."""
    import importlib.util

    from vtconnect_care.app import services

    default = services.AppServices(settings=user_settings).launch_care_room
    assert default is services.care_room_launcher
    assert not hasattr(services, "placeholder_launcher")
    assert importlib.util.find_spec("vtconnect_care.app.care_room_placeholder") is None


def test_selection_does_not_survive_sign_out(portal, make_window, qloop):
    """Issue 15 defect 2: nothing of one account survives into the next one's session."""
    window = make_window(portal.url)
    screen = window.appointments

    async def scenario():
        await start(window)
        await sign_in(window, "dr.patel")
        screen.select_names("Bea Lindqvist")
        screen.filter.setText("bea")
        assert screen.host_button.isEnabled()
        window.controller.sign_out()
        await wait_until(lambda: window.controller.state == "login", what="signed out")
        # right after sign-out, before anyone else signs in: nothing of dr.patel is on screen
        assert screen.selected_people() == [] and not people(screen)
        assert screen.appointments.count() == 0 and not screen.filter.text()
        await sign_in(window, "nurse.kim")
        assert "Bea Lindqvist" in people(screen)
        assert screen.selected_people() == []
        assert not screen.host_button.isEnabled()

    run(qloop, scenario())
