"""The frame around every Office Portal page (issue 15 defect 9): a favicon that is served,
and the same header on every signed-in page, the Organization page included."""

from __future__ import annotations

import re

from tests.server.test_portal import sign_in, web  # noqa: F401 - the fixture

BRAND = re.compile(r'<span class="brand-sub">([^<]*)</span>')
ICONS = re.compile(r'<link rel="icon" href="([^"]+)"')


def test_every_page_names_a_favicon_that_is_served(web):  # noqa: F811
    for path in ("/login", "/o/riverside/"):
        page = web.get(path)
        icons = ICONS.findall(page.text)
        assert icons, path
        for href in icons:
            icon = web.get(href)
            assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/")


def test_the_portal_header_is_the_same_on_every_signed_in_page(web):  # noqa: F811
    assert sign_in(web, "olivia.admin").status_code == 303
    headers = {}
    for path in ("/portal/clients", "/portal/staff", "/portal/visits", "/portal/organization"):
        page = web.get(path)
        assert page.status_code == 200, path
        headers[path] = BRAND.findall(page.text)
    assert set(map(tuple, headers.values())) == {("Office Portal",)}, headers


def test_the_organisations_public_page_keeps_its_name(web):  # noqa: F811
    assert BRAND.findall(web.get("/o/riverside/").text) == ["Riverside Care"]
