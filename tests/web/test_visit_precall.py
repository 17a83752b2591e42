"""The connection check before Join on the browser visit page (issue 18).

Debian's Chromium (Playwright) opens a real invite link on a real server process; the page's
precall.js connects to the server's test peer with the browser's own WebRTC, measures for a few
seconds and shows what the domain says. Nothing is faked but the camera (not used here).
"""

from __future__ import annotations

import pytest

from tests.helpers.rest import rest
from tests.helpers.server import ServerProcess
from tests.web.test_visit_page import shot, visit_now
from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def open_link(base: str, page) -> None:
    visit_id, kim = visit_now(base)
    link = rest(base, "POST", f"/visits/{visit_id}/copy-link", headers=kim)["link"]
    page.goto(link)


def test_the_check_measures_and_answers_in_the_domains_words(live_server, page):
    open_link(live_server.url, page)
    check = page.locator("#precall")
    assert check.get_by_role("heading").inner_text() == words.TITLE
    assert page.locator("#precall-intro").inner_text() == words.page_texts()["intro"]
    button = page.locator("#precall-start")
    assert button.inner_text() == words.page_texts()["button"] == "Test my connection"
    button.click()
    # while it runs: the button is off, the progress and the phase in words
    assert button.is_disabled()
    page.wait_for_function("window.visitPrecall.state === 'upload'", timeout=15_000)
    assert (
        page.locator("#precall-status").inner_text() == words.PHASE_TEXT[rules.PrecallPhase.UPLOAD]
    )
    assert page.locator("#precall-progress").is_visible()
    page.wait_for_function("window.visitPrecall.state === 'done'", timeout=30_000)

    result = page.evaluate("window.visitPrecall.result")
    figures = rules.Figures.from_dict(result["figures"])
    judgement = words.judge(figures)  # the page shows what the domain says of these figures
    assert result["word"] == judgement.word == "Good"
    # a loopback: round trip short, nothing lost, each way the test's ceiling arrived
    assert figures.rtt_ms is not None and figures.rtt_ms < 200
    assert figures.loss_up <= 0.05 and figures.loss_down <= 0.05
    assert figures.up_kbps > 0.8 * rules.MAX_KBPS and figures.down_kbps > 0.8 * rules.MAX_KBPS

    assert page.locator("#precall-word").inner_text() == "Good"
    assert page.locator("#precall-advice").inner_text() == words.ADVICE[words.Verdict.GOOD]
    shown = page.locator("#precall-figures dt").all_inner_texts()
    assert shown == [label for label, _ in words.figure_lines(figures)]
    values = page.locator("#precall-figures dd").all_inner_texts()
    assert values == [value for _, value in words.figure_lines(figures)]
    assert page.locator("#precall-progress").is_hidden()
    assert button.is_enabled() and button.inner_text() == words.AGAIN
    shot(page, "visit-page-precall.png")


def test_join_stops_a_running_check(live_server, page):
    open_link(live_server.url, page)
    page.get_by_role("button", name="Test my connection").click()
    page.wait_for_function("window.visitPrecall.state === 'probing'", timeout=15_000)
    page.get_by_role("button", name="Join the video visit").click()
    page.wait_for_function("window.visitPrecall.state === 'idle'", timeout=5_000)
    page.wait_for_function("window.visitCall.state === 'waiting'", timeout=15_000)
    assert page.evaluate("window.visitPrecall.error") is None  # no sentence for a choice


def test_a_portal_with_the_test_turned_off_shows_no_check(tmp_path, page):
    with ServerProcess(tmp_path / "server", env={"VTCONNECT_PRECALL": "0"}) as server:
        open_link(server.url, page)
        assert page.get_by_role("button", name="Join the video visit").is_visible()
        assert page.locator("#precall").count() == 0
