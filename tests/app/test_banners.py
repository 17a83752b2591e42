"""Issue 15 defect 9: the message banners on the login and Appointment screens have padding,
also after the style sheet is applied again (a restyle once reset it)."""

from __future__ import annotations

from tests.app.conftest import run


def inset(label) -> tuple[int, int, int, int]:
    outer, inner = label.rect(), label.contentsRect()
    return (
        inner.left() - outer.left(),
        inner.top() - outer.top(),
        outer.right() - inner.right(),
        outer.bottom() - inner.bottom(),
    )


def test_banners_keep_their_padding(make_window, qloop, qapp):
    from vtconnect_care.app import resources
    from vtconnect_care.client.portal_api import UNREACHABLE

    window = make_window("http://127.0.0.1:9")

    async def scenario():
        for banner, show in (
            (window.login.message, lambda: window.login.show_error("Enter your password.")),
            (window.appointments.message, lambda: window.appointments.show_error(UNREACHABLE)),
        ):
            show()
            assert min(inset(banner)) >= 10, inset(banner)
            qapp.setStyleSheet(resources.style_sheet())  # a restyle (theme change)
            show()
            assert min(inset(banner)) >= 10, inset(banner)
            text_height = banner.fontMetrics().height()
            assert banner.heightForWidth(banner.width()) >= text_height + 20

    run(qloop, scenario())
