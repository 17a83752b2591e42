"""The visit dialog ("More Details"): the visit, and Send invite to client, Copy invite link,
Resend invite to client, Clock in, Clock out and Join video session, each enabled and explained
as the server's rules say (R-VISIT-4, 5, 6, 7, 13, 15)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from vtconnect_care.domain import visit_messages as vmsg

from ..forms.ui_visit_dialog import Ui_VisitDialogForm
from ..widgets import grow_to_fit, repolish
from . import icons
from .schedule_view import hhmm, visit_status

ORDER = (
    ("send_invite", vmsg.SEND_INVITE),
    ("copy_invite_link", vmsg.COPY_INVITE),
    ("resend_invite", vmsg.RESEND_INVITE),
    ("clock_in", vmsg.CLOCK_IN),
    ("clock_out", vmsg.CLOCK_OUT),
    ("join_video", vmsg.JOIN_VIDEO),
)


class VisitDialog(QDialog):
    action_requested = Signal(str)  # a key of ORDER

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_VisitDialogForm()  # the form: ui/visit_dialog.ui
        self.ui.setupUi(self)
        self.detail: dict = {}
        self.icon = self.ui.icon
        self.title = self.ui.title
        self.when = self.ui.when
        self.service = self.ui.service
        self.status = self.ui.status
        self.message = self.ui.message
        self.message.padding = (21, 19, 21, 19)  # roomier than on a screen
        self.buttons: dict[str, QPushButton] = {}
        self.reasons: dict[str, QLabel] = {}
        for key, text in ORDER:
            button: QPushButton = getattr(self.ui, key)
            button.setText(text)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _=False, k=key: self.action_requested.emit(k))
            reason: QLabel = getattr(self.ui, f"{key}_reason")
            reason.setAccessibleName(f"{text}: why")
            self.buttons[key], self.reasons[key] = button, reason
        self.close_button = self.ui.close_button
        self.close_button.clicked.connect(self.close)
        self.invite_link = self.ui.invite_link  # the link last copied, to see and copy again
        self.invite_link.hide()
        self._steady()

    def _steady(self) -> None:
        """Every message, reason and the link keep their place while hidden, so the dialog
        keeps one height from click to click (issue 15 defect 10)."""
        two_lines = 2 * self.fontMetrics().lineSpacing()
        for widget in (self.message, self.invite_link, *self.reasons.values()):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        for reason in self.reasons.values():  # the longest reason (SESSION_ENDED) takes 3
            reason.setMinimumHeight(3 * self.reasons["send_invite"].fontMetrics().lineSpacing())
        top, _, bottom = self.message.padding[1], 0, self.message.padding[3]
        self.message.setMinimumHeight(two_lines + top + bottom + 2)

    def show_link(self, link: str) -> None:
        """The invite link that Copy invite link put on the clipboard, shown in full."""
        self.invite_link.setText(link)
        self.invite_link.setCursorPosition(0)
        self.invite_link.show()

    def set_detail(self, detail: dict, zone=None) -> None:
        """Show the visit as the server sees it; every button as its rules say."""
        self.detail = detail
        client = (detail.get("client") or {}).get("full_name", "")
        virtual = bool(detail.get("is_virtual"))
        self.title.setText(f"Visit with {client}")
        self.setWindowTitle(f"Visit with {client}")
        self.icon.setVisible(virtual)
        self.icon.setPixmap(icons.virtual_icon(28).pixmap(28, 28))
        when = f"{hhmm(detail.get('starts_at'), zone)} to {hhmm(detail.get('ends_at'), zone)}"
        self.when.setText(f"{when}  ·  {'Virtual visit' if virtual else 'In-person visit'}")
        service = detail.get("service") or {}
        self.service.setText(f"{service.get('name', '')} ({service.get('code', '')})")
        status = visit_status(detail, zone)
        vs = detail.get("virtual_session") or {}
        if vs.get("last_invite_sent_at"):
            status += f" · last invite sent at {hhmm(vs['last_invite_sent_at'], zone)}"
        self.status.setText(status)
        self.status.setAccessibleDescription(status)
        said: set[str] = set()  # a reason shared by several buttons is written once
        for key, _ in ORDER:
            state = (detail.get("buttons") or {}).get(key) or {}
            button, reason = self.buttons[key], self.reasons[key]
            button.setText(state.get("label") or button.text())
            button.setAccessibleName(button.text())
            enabled = bool(state.get("enabled"))
            button.setEnabled(enabled)
            why = state.get("reason") or ""
            shown = "" if why in said else why
            said.add(why)
            reason.setText(shown)
            reason.setVisible(bool(shown))
            button.setToolTip(why)
            button.setAccessibleDescription(why)  # every button still says why it is off
            set_blocked(reason, not enabled)
        grow_to_fit(self)  # grows for a longer text, never shrinks back

    def show_error(self, text: str) -> None:
        self.message.show_error(text)
        grow_to_fit(self)

    def show_info(self, text: str) -> None:
        self.message.show_info(text)
        grow_to_fit(self)

    def clear_message(self) -> None:
        self.message.clear_message()

    def set_busy(self, busy: bool) -> None:
        for key, button in self.buttons.items():
            state = (self.detail.get("buttons") or {}).get(key) or {}
            button.setEnabled(not busy and bool(state.get("enabled")))


def set_blocked(reason: QLabel, blocked: bool) -> None:
    """A reason beside a button that is off reads in the warning colour (style.qss)."""
    if reason.property("blocked") == blocked:
        return
    reason.setProperty("blocked", blocked)
    repolish(reason)
