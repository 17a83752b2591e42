"""A practitioner whose Care Room window went away mid-session is offered to re-join it
(R-ROOM-9), comes back as the host (End, not Leave) and ends it for everyone (R-ROOM-7).
Real server, CLI participant with SYNTHETIC media."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.app.conftest import run, wait_until
from tests.app.test_login import sign_in, start
from vtconnect_care.app.presence import REJOIN_HOST


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


async def event(participant, kind: str, pred=lambda e: True, timeout: float = 20.0) -> dict:
    return await asyncio.to_thread(participant.wait, kind, pred, timeout)


def test_host_rejoins_a_session_in_progress_and_ends_it(
    portal, make_window, qloop, launcher, participants
):
    window = make_window(portal.url, launches=launcher)

    async def scenario():
        await start(window)
        await sign_in(window, "dr.patel")
        window.appointments.select_names("Alex Morgan")
        window.appointments.host_button.click()
        (room,) = launcher.windows
        await wait_until(lambda: room.controller.phase == "waiting", 20, "waiting")
        alex = participants("alex.active", "join")
        await wait_until(lambda: room.begin_button.isEnabled(), 30, "arrival")
        click(room.begin_button)
        await event(alex, "begun")

        room.force_close()  # the window goes away without End (a crash would do the same)
        offers = window.controller.presence.staff_offers
        await wait_until(lambda: offers is not None and offers.isVisible(), 15, "re-join offer")
        assert offers.text.text() == REJOIN_HOST.format(people="Alex Morgan")
        assert offers.join_button.text() == "Re-join"
        click(offers.join_button)
        assert not offers.isVisible()
        room2 = launcher.windows[-1]
        assert room2 is not room
        await wait_until(lambda: room2.controller.hosting, 20, "host again")
        assert room2.end_button.isVisible() and room2.leave_button.isHidden()
        await wait_until(lambda: room2.grid.tiles, 20, "back in the call")
        (tile,) = room2.grid.tiles.values()
        await wait_until(lambda: tile.converted > 2, 30, "video again")

        click(room2.end_button)
        click(room2.confirm_end_button)
        await event(alex, "ended")
        await wait_until(lambda: room2.controller.phase == "ended", 10, "ended")
        click(room2.close_button)
        assert not offers.isVisible()  # an ended session is not offered

    run(qloop, scenario(), timeout=90)
