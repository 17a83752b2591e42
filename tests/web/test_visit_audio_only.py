"""The visit page when the caregiver's app pauses its video (issue 18's ``media`` signal): the
page says why, and when the caregiver chose "Audio only" it stops sending its own video too,
until video comes back. Real server, Debian's Chromium, the headless employee engine of
test_visit_page (real aiortc, real frames)."""

from __future__ import annotations

import pytest

from tests.helpers.rest import rest
from tests.web.test_visit_page import engine_factory, visit_now  # noqa: F401 - the fixture
from vtconnect_care.domain import visit_messages as vmsg

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


def test_the_page_follows_the_caregivers_audio_only(live_server, page, engine_factory):  # noqa: F811
    base = live_server.url
    visit_id, kim = visit_now(base)
    link = rest(base, "POST", f"/visits/{visit_id}/copy-link", headers=kim)["link"]
    page.goto(link)
    page.get_by_role("button", name="Join the video visit").click()
    page.wait_for_function("window.visitCall.state === 'waiting'")
    rest(base, "POST", f"/visits/{visit_id}/clock-in", headers=kim)
    joined = rest(base, "POST", f"/visits/{visit_id}/join", headers=kim)
    engine = engine_factory(base, kim)
    engine.run(engine.connect(joined["care_session_id"]))
    page.wait_for_function("window.visitCall.remoteFrames > 10", timeout=30_000)
    engine.wait_for("frames from the browser", lambda: engine.frames_in >= 10)

    # the caregiver chooses Audio only: the page says so and its own video stops
    engine.run(engine._signal({"kind": "media", "video": False, "reason": "chosen"}))
    page.wait_for_function("window.visitCall.remotePaused === 'chosen'")
    assert page.locator("#call-status").inner_text() == vmsg.VIDEO_PAUSED_CHOSEN
    page.wait_for_function(
        "window.visitCall.pc.getSenders().every((s) => !s.track || s.track.kind !== 'video')"
    )

    # a weak path on their side: the page says that instead (its own video is not asked off)
    engine.run(engine._signal({"kind": "media", "video": False, "reason": "weak"}))
    page.wait_for_function("window.visitCall.remotePaused === 'weak'")
    assert page.locator("#call-status").inner_text() == vmsg.VIDEO_PAUSED_WEAK

    # video is back: the notice goes, and the browser's video reaches the engine again
    engine.run(engine._signal({"kind": "media", "video": True, "reason": None}))
    page.wait_for_function("window.visitCall.remotePaused === null")
    assert page.locator("#call-status").inner_text() == ""
    count = engine.frames_in
    engine.wait_for("frames after video came back", lambda: engine.frames_in >= count + 15)
