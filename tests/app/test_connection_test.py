"""The device panel's "Test connection" (issue 18) against a real demo server process: the
person sees progress, then the verdict, the figures and the advice, or why the test could not
run. The only thing not real is nothing: aiortc in the app, the server's test peer, loopback."""

from __future__ import annotations

import pytest

from tests.app.conftest import run, wait_until
from tests.app.test_login import sign_in, start
from tests.helpers.server import ServerProcess
from vtconnect_care.client.portal_api import PortalApi
from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words

pytestmark = pytest.mark.timeout(120)


def box_of(window):
    return window.device_panel.connection_test


def test_the_test_runs_without_blocking_and_shows_good_with_figures(portal, make_window, qloop):
    window = make_window(portal.url)
    box = box_of(window)

    async def scenario():
        await start(window)
        await sign_in(window, "alex.active")
        window.header.hamburger.click()
        assert box.isVisible() and box.test_button.text() == "Test connection"
        assert box.ui.intro.text().startswith("Checks that your internet connection")
        assert not box.ui.word.isVisible()
        box.test_button.click()
        # while it runs: the button is off, the bar moves, the phase is said in words
        assert not box.test_button.isEnabled() and box.ui.progress.isVisible()
        await wait_until(lambda: box.ui.progress.value() > 10, timeout=10, what="progress")
        await wait_until(
            lambda: box.ui.status.text() == words.PHASE_TEXT[rules.PrecallPhase.UPLOAD],
            timeout=10,
            what="the upload phase",
        )
        assert window.device_panel.rows["camera"].combo.isEnabled()  # the loop is not held
        await wait_until(lambda: box.result is not None, timeout=25, what="the result")
        assert box.ui.word.isVisible() and box.ui.word.text() == "Good"
        assert box.ui.advice.text() == words.ADVICE[words.Verdict.GOOD]
        lines = box.ui.figures.text().splitlines()
        assert [line.split(":")[0] for line in lines] == [
            "Round trip",
            "Sending",
            "Receiving",
            "Lost",
        ]
        assert "Mbit/s" in lines[1] and "Mbit/s" in lines[2]  # a loopback: at the ceiling
        assert not box.ui.progress.isVisible() and not box.ui.message.isVisible()
        assert box.test_button.isEnabled() and box.test_button.text() == "Test again"

    run(qloop, scenario(), timeout=60)


def test_before_sign_in_it_says_to_sign_in(make_window, qloop):
    window = make_window("http://127.0.0.1:9")
    box = box_of(window)
    window.set_devices_open(True)
    box.test_button.click()
    assert box.ui.message.isVisible() and box.ui.message.text() == words.SIGN_IN_FIRST
    assert box.test_button.isEnabled() and not box.running
    run(qloop, wait_until(lambda: window.device_panel.loaded))


def test_an_unreachable_portal_is_a_sentence(make_window, qloop):
    window = make_window("http://127.0.0.1:9")
    window.controller.api = PortalApi("http://127.0.0.1:9", token="a-token")
    box = box_of(window)

    async def scenario():
        window.set_devices_open(True)
        box.test_button.click()
        await wait_until(lambda: not box.running, timeout=20, what="the refusal")
        assert box.ui.message.text() == words.UNREACHABLE
        assert not box.ui.word.isVisible() and box.test_button.text() == "Test connection"

    run(qloop, scenario())


def test_a_portal_that_turned_the_test_off_says_so(make_window, qloop, tmp_path):
    with ServerProcess(tmp_path / "server", env={"VTCONNECT_PRECALL": "0"}) as server:
        window = make_window(server.url)
        box = box_of(window)

        async def scenario():
            await start(window)
            await sign_in(window, "bea.active")
            window.set_devices_open(True)
            box.test_button.click()
            await wait_until(lambda: not box.running, timeout=20, what="the refusal")
            assert box.ui.message.isVisible() and box.ui.message.text() == words.DISABLED

        run(qloop, scenario())
