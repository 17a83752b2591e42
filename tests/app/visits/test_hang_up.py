"""Hanging up a virtual visit (R-VISIT-12): confirmed first, since it ends the virtual session
for good, and then a Close button (issue 15 defect 8). Fake engine and API, milliseconds."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.app.call.test_quality import picture
from tests.app.call.visit_window import client_in_call, visit_call_and_window
from tests.app.conftest import run, wait_until
from vtconnect_care.app.visits.controller import VisitsController
from vtconnect_care.app.visits.schedule_view import ScheduleView
from vtconnect_care.domain import visit_messages as vmsg


@pytest.fixture(autouse=True)
def no_quit_on_last_window(qapp):
    """The message box or the video window is the only window here: closing it is no exit."""
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(quits)


def test_r_visit_12_hang_up_asks_first_then_offers_close(qloop, tmp_path):
    from vtconnect_care.app.visits.drafts import DraftStore

    view = ScheduleView()
    visits = VisitsController(view, lambda: None, drafts=DraftStore(tmp_path))
    made: list = []
    call, window = visit_call_and_window(made)
    call.state_changed.connect(window.set_state)
    window.show()

    async def scenario():
        await client_in_call(call, window, made, picture())
        assert call.state == "in_call" and not window.close_button.isVisible()
        # Cancel: nothing happens
        asked = visits.tasks.spawn(visits._hang_up(call, window), "hang up")
        await wait_until(lambda: visits.confirm_box is not None, 5, "the question")
        box = visits.confirm_box
        assert box.text() == vmsg.HANG_UP_CONFIRM and box.windowTitle() == "Hang up"
        assert box.button(QMessageBox.StandardButton.Yes).text() == "Hang up"
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)  # Cancel
        box.button(QMessageBox.StandardButton.No).click()
        await asked
        assert call.state == "in_call" and not call.api.hung_up
        # Hang up: over, and the window can be closed from a button
        asked = visits.tasks.spawn(visits._hang_up(call, window), "hang up")
        await wait_until(lambda: visits.confirm_box is not None, 5, "the question again")
        visits.confirm_box.button(QMessageBox.StandardButton.Yes).click()
        await asked
        assert call.api.hung_up and call.state == "over"
        assert window.close_button.isVisible() and window.close_button.text() == "Close"
        assert not any(b.isEnabled() for b in window.controls)
        window.close_button.click()
        assert not window.isVisible()

    run(qloop, scenario(), 10)


def test_r_visit_13_the_clock_out_warning_confirms_with_ok(qloop, tmp_path):
    """004: "Tap OK to continue." (issue 15: the confirm button reads OK)."""
    from vtconnect_care.app.visits.drafts import DraftStore

    visits = VisitsController(ScheduleView(), lambda: None, drafts=DraftStore(tmp_path))

    async def scenario():
        asked = visits.tasks.spawn(visits._confirm(vmsg.CLOCK_OUT_WARNING), "confirm")
        await wait_until(lambda: visits.confirm_box is not None, 5, "the warning")
        box = visits.confirm_box
        assert box.text() == vmsg.CLOCK_OUT_WARNING and box.windowTitle() == "Clock out"
        assert box.button(QMessageBox.StandardButton.Yes).text() == "OK"
        assert box.button(QMessageBox.StandardButton.No).text() == "Cancel"
        box.button(QMessageBox.StandardButton.Yes).click()
        assert await asked is True

    run(qloop, scenario(), 10)
