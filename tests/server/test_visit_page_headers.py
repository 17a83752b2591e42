"""The visit page sends a Content-Security-Policy and X-Frame-Options like portal pages
(issue 12, defect 9), and carries nothing that policy would block."""

from __future__ import annotations

import re

import pytest

from tests.server.test_visits_api import copy_link, kims_visit


@pytest.fixture
def visit_link(demo_api, as_user) -> str:
    kim = as_user("nurse.kim", "app")
    return copy_link(demo_api, kim, kims_visit(demo_api, kim)["id"])


def _path(link: str) -> str:
    return link.split("portal.test", 1)[1]


def test_the_visit_page_forbids_framing_and_inline_script_like_the_portal(demo_api, visit_link):
    for path in (_path(visit_link), "/visit/no-such-link"):  # the call and the closed page
        r = demo_api.get(path)
        csp = r.headers["content-security-policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ):
            assert directive in csp, (path, directive)
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "connect-src 'self' ws://testserver" in csp  # the hub's socket
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"


def test_the_visit_page_has_no_inline_script_or_style(demo_api, visit_link):
    html = demo_api.get(_path(visit_link)).text
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag  # data, never run
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
