"""The visit dialog on its own (issue 15 defect 10): a reason shared by several buttons is
written once, the dialog keeps its height from click to click, the copied link is shown."""

from __future__ import annotations

from vtconnect_care.app.visits.visit_dialog import ORDER, VisitDialog
from vtconnect_care.domain import visit_messages as vmsg

KEYS = [key for key, _ in ORDER]


def detail(reasons: dict[str, str], *, virtual: bool = True) -> dict:
    return {
        "id": 5,
        "client": {"full_name": "Bea Lindqvist"},
        "is_virtual": virtual,
        "starts_at": "2026-12-03T10:00:00+00:00",
        "ends_at": "2026-12-03T10:45:00+00:00",
        "service": {"name": "Virtual check-in", "code": "VC-CHECK"},
        "virtual_session": {},
        "buttons": {
            key: {"enabled": key not in reasons, "reason": reasons.get(key, "")} for key in KEYS
        },
    }


FRESH = {
    "resend_invite": vmsg.RESEND_NEEDS_SESSION,
    "clock_out": vmsg.CLOCK_OUT_NEEDS_CLOCK_IN,
    "join_video": vmsg.NO_SESSION_YET,
}
SENT = {"send_invite": vmsg.ALREADY_INVITED, "join_video": vmsg.JOIN_NEEDS_CLOCK_IN}
CLOCKED_IN = {"send_invite": vmsg.ALREADY_INVITED, "clock_in": vmsg.ALREADY_CLOCKED_IN}
OVER = {
    "send_invite": vmsg.SESSION_ENDED,
    "copy_invite_link": vmsg.SESSION_ENDED,
    "resend_invite": vmsg.SESSION_ENDED,
    "clock_in": vmsg.ALREADY_CLOCKED_IN,
    "clock_out": vmsg.ALREADY_CLOCKED_OUT,
    "join_video": vmsg.SESSION_ENDED,
}
IN_PERSON = {k: vmsg.NOT_VIRTUAL for k in ("send_invite", "copy_invite_link", "resend_invite")}
IN_PERSON["join_video"] = vmsg.NOT_VIRTUAL


def shown_reasons(dialog) -> list[str]:
    return [r.text() for r in dialog.reasons.values() if r.isVisible() and r.text()]


def test_a_reason_shared_by_several_buttons_is_written_once(qapp):
    dialog = VisitDialog()
    dialog.show()
    dialog.set_detail(detail(IN_PERSON, virtual=False))
    assert shown_reasons(dialog) == [vmsg.NOT_VIRTUAL]  # once, not four times
    for key in IN_PERSON:  # each button still says why it is off
        button = dialog.buttons[key]
        assert not button.isEnabled() and button.accessibleDescription() == vmsg.NOT_VIRTUAL
        assert button.toolTip() == vmsg.NOT_VIRTUAL
    dialog.set_detail(detail(OVER))
    assert shown_reasons(dialog) == [
        vmsg.SESSION_ENDED,
        vmsg.ALREADY_CLOCKED_IN,
        vmsg.ALREADY_CLOCKED_OUT,
    ]
    dialog.close()


def test_the_dialog_keeps_its_height_from_click_to_click_and_shows_the_link(qapp):
    dialog = VisitDialog()
    dialog.show()
    heights = []
    for reasons, info in (
        (FRESH, ""),
        (SENT, "The invite was sent to the client's email address."),
        (SENT, "The invite link was copied. Paste it into a message to the client."),
        (CLOCKED_IN, "You clocked in at 10:02."),
        (OVER, "You clocked out at 10:40."),
    ):
        dialog.set_detail(detail(reasons))
        if info:
            dialog.show_info(info)
        if "copied" in info:
            dialog.show_link("http://127.0.0.1:8470/visit/abc123")
        qapp.processEvents()
        heights.append(dialog.height())
    assert len(set(heights)) == 1, heights
    assert dialog.invite_link.isVisible()
    assert dialog.invite_link.text() == "http://127.0.0.1:8470/visit/abc123"
    assert dialog.invite_link.isReadOnly()
    dialog.close()
