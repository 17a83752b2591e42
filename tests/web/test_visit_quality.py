"""The caregiver's connection quality on the browser visit page (R-QUALITY-1, -2, -3, -4).

Real server, Debian's Chromium with its fake camera, and the headless aiortc employee engine of
test_visit_page sending a moving synthetic picture. The page judges the browser's own
getStats() with the rules the server renders from domain/call_quality.py; a second test runs
the same windows through the page's judge() and the domain's and compares the answers.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.helpers.rest import rest
from tests.unit.domain.test_call_quality import CLEAN
from tests.web.test_visit_page import (  # noqa: F401 - engine_factory is a fixture
    EmployeeEngine,
    engine_factory,
    shot,
    visit_now,
)
from vtconnect_care.client.engine.tracks import LocalVideoTrack
from vtconnect_care.client.media.synthetic import SyntheticCamera
from vtconnect_care.domain import call_quality as q
from vtconnect_care.domain.call_quality import QualityLevel, judge

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]


class PatternEngine(EmployeeEngine):
    """The employee engine with a moving 640x480 picture (a solid colour compresses to a
    trickle, which is not what a camera sends)."""

    def _add_media(self, pc) -> None:
        super()._add_media(pc)
        video = next(s for s in pc.getSenders() if s.track and s.track.kind == "video")
        video.replaceTrack(LocalVideoTrack(SyntheticCamera("Jin Kim", 640, 480), lambda: True))


def open_call(live_server, page) -> tuple[str, int, dict]:
    base = live_server.url
    visit_id, kim = visit_now(base)
    link = rest(base, "POST", f"/visits/{visit_id}/copy-link", headers=kim)["link"]
    page.goto(link)
    return base, visit_id, kim


def test_r_quality_2_the_page_shows_the_caregivers_connection_in_words(
    live_server,
    page,
    engine_factory,  # noqa: F811
):
    base, visit_id, kim = open_call(live_server, page)
    page.get_by_role("button", name="Join the video visit").click()
    page.wait_for_function("window.visitCall.state === 'waiting'")
    assert page.locator("#remote-quality").is_hidden()  # nothing judged before a call
    rest(base, "POST", f"/visits/{visit_id}/clock-in", headers=kim)
    joined = rest(base, "POST", f"/visits/{visit_id}/join", headers=kim)
    engine = PatternEngine(base, kim).start()
    try:
        engine.run(engine.connect(joined["care_session_id"]))
        page.wait_for_function("window.visitCall.remoteFrames > 10", timeout=30_000)
        badge = page.locator("#remote-quality")
        badge.wait_for(state="visible", timeout=15_000)
        sample = page.evaluate("window.visitQuality.samples.at(-1)")
        assert 10 <= sample["fps_in"] <= 40 and sample["packets_in_per_s"] > 40
        assert sample["kbps_in"] > 100 and sample["loss_in"] < 0.03
        level = page.evaluate("window.visitQuality.verdict.level")
        word = q.WORDS[QualityLevel(level)]
        assert badge.locator(".word").inner_text() == word
        assert badge.get_attribute("data-level") == level  # the bars follow the level
        assert badge.get_attribute("aria-label") == q.accessible_name(
            "Jin Kim", QualityLevel(level)
        )
        # the tooltip: what is wrong and what to try, on hover and on keyboard focus
        tip = page.locator("#remote-quality-tip")
        assert tip.is_hidden()
        badge.focus()
        tip.wait_for(state="visible")
        lines = [line for line in tip.inner_text().splitlines() if line.strip()]
        assert lines[0] == q.TITLES[QualityLevel(level)]
        if level == "good":
            assert lines[1] == q.ALL_CLEAR
        page.get_by_role("tooltip").wait_for()
        page.mouse.move(0, 0)
        badge.hover()
        page.wait_for_timeout(300)
        shot(page, "visit-page-quality.png")
    finally:
        engine.stop()


def test_r_quality_3_the_page_judges_exactly_as_the_domain_does(
    live_server,
    page,
    engine_factory,  # noqa: F811
):
    open_call(live_server, page)
    page.wait_for_function("window.visitQuality !== undefined")
    clean = CLEAN
    variants = [
        {},
        {"loss_in": 0.05},
        {"loss_in": 0.028},
        {"loss_in": 0.13},
        {"loss_out": 0.2, "jitter_ms": 70.0},
        {"rtt_ms": 500.0},
        {"rtt_ms": None, "loss_out": None},
        {"rtt_ms": 1700.0, "kbps_in": 150.0},
        {"packets_in_per_s": 3.0},
        {"kbps_in": 240.0},
        {"kbps_in": 300.0},
        {"fps_in": 3.0, "kbps_in": 60.0},
        {"fps_in": 3.0, "kbps_in": 60.0, "video_expected": False},
    ]
    cases = []
    for changes in variants:
        window = [replace(clean, at=float(i), **changes) for i in range(7)]
        for previous in (None, *QualityLevel):
            verdict = judge(window, previous)
            cases.append(
                {
                    "window": [s.as_dict() for s in window],
                    "previous": previous.value if previous else None,
                    "want": [verdict.level.value, [r.value for r in verdict.reasons]],
                }
            )
    got = page.evaluate(
        """(cases) => cases.map((c) => {
            const v = window.visitQuality.judge(c.window, c.previous);
            return [v.level, v.reasons];
        })""",
        cases,
    )
    assert got == [c["want"] for c in cases]
    assert page.evaluate("window.visitQuality.config") == q.client_config()
