"""The login screen: username (not the email), password, remember me, recovery (R-LOGIN-1..3).

The form is ui/login.ui (compiled into forms/ui_login.py); this module wires its behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from vtconnect_care.domain import messages
from vtconnect_care.domain.two_factor import CODE_NEEDED

from .forms.ui_login import Ui_LoginForm

SIGNING_IN = "Signing in…"
SIGN_IN = "Sign in"
VERIFY = "Verify and sign in"
REMEMBER_OFF = "Remember me is not available on this computer"
NO_KEYRING = "This computer has no secure keyring, so the app cannot remember you."


class LoginScreen(QWidget):
    """Displays the form and forwards intent; the controller decides what happens."""

    submitted = Signal(str, str, bool, str)  # username, password, remember me, 2FA code or ""
    forgot_password = Signal(str)  # username
    retry = Signal()
    change_portal = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_LoginForm()
        self.ui.setupUi(self)
        ui = self.ui
        self.portal_label = ui.portal_label
        self.message = ui.message
        self.retry_button = ui.retry_button
        self.username = ui.username
        self.password = ui.password
        self.remember = ui.remember
        self.sign_in = ui.sign_in
        self.forgot_button = ui.forgot_button
        self.forgot_user_button = ui.forgot_user_button
        self.portal_button = ui.portal_button
        self.code = ui.code
        self._code_row = (ui.code_label, ui.code, ui.code_hint)
        self._busy = False
        self._show_code_row(False)

        self.retry_button.hide()
        self.retry_button.clicked.connect(self.retry)
        self.sign_in.clicked.connect(self._submit)
        self.forgot_button.clicked.connect(self._forgot)
        self.forgot_user_button.clicked.connect(self.show_forgot_username)
        self.portal_button.clicked.connect(self.change_portal)
        self.username.returnPressed.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.code.returnPressed.connect(self._submit)
        self.username.textEdited.connect(lambda _text: self._show_code_row(False))
        self._busy = False
        self._remember_available = True

    # --- intent -----------------------------------------------------------------------------

    def submit(self) -> None:
        """Sign in with what is in the form (also Enter and Retry)."""
        self._submit()

    def _submit(self) -> None:
        if self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username:
            self.show_error("Enter your username.")
            self.username.setFocus()
            return
        if "@" in username:  # R-LOGIN-1: said before anything is sent
            self.show_error(messages.USERNAME_IS_EMAIL)
            self.username.setFocus()
            return
        if not password:
            self.show_error("Enter your password.")
            self.password.setFocus()
            return
        asking = not self.code.isHidden()
        code = self.code.text().strip() if asking else ""
        if asking and not code:
            self.show_error(CODE_NEEDED)
            self.code.setFocus()
            return
        self.submitted.emit(username, password, self.remember.isChecked(), code)

    def _forgot(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.show_error("Enter your username above, then choose “Forgot your password?” again.")
            self.username.setFocus()
            return
        if "@" in username:
            self.show_error(messages.USERNAME_IS_EMAIL)
            return
        self.forgot_password.emit(username)

    def ask_code(self, text: str, *, error: bool = False) -> None:
        """Two-step sign-in: the password was right, the code comes next (same form)."""
        self.set_busy(False)
        self._show_code_row(True)
        self.code.clear()
        if error:
            self.show_error(text)
        else:
            self.show_info(text)
        self.code.setFocus()

    def _show_code_row(self, shown: bool) -> None:
        for widget in self._code_row:
            widget.setVisible(shown)
        if not shown:
            self.code.clear()
        if not self._busy:
            self.sign_in.setText(self._idle_label())

    def _idle_label(self) -> str:
        return VERIFY if not self.code.isHidden() else SIGN_IN

    def show_forgot_username(self) -> None:
        """R-LOGIN-3: no lookup; the guidance."""
        self.show_info(messages.FORGOT_USERNAME)

    # --- display ----------------------------------------------------------------------------

    def set_portal(self, url: str, can_change: bool) -> None:
        self.portal_label.setText(f"Portal: {url}")
        self.portal_label.setAccessibleName(f"Portal address {url}")
        self.portal_button.setVisible(can_change)

    def set_remember_available(self, available: bool) -> None:
        """No keyring on this computer: Remember me cannot work, and the form says so in its
        own words, not only in a tooltip (issue 15 defect 7)."""
        self._remember_available = available
        self.remember.setEnabled(available)
        if not available:
            self.remember.setChecked(False)
            self.remember.setText(REMEMBER_OFF)
            self.remember.setToolTip(NO_KEYRING)
            self.remember.setAccessibleDescription(NO_KEYRING)

    def set_busy(self, busy: bool, text: str = SIGNING_IN) -> None:
        self._busy = busy
        self.sign_in.setText(text if busy else self._idle_label())
        for widget in (self.username, self.password, self.code, self.forgot_button):
            widget.setEnabled(not busy)
        self.remember.setEnabled(not busy and self._remember_available)
        self.sign_in.setEnabled(not busy)
        if busy:
            self.retry_button.hide()

    def show_error(self, text: str, *, retry: bool = False) -> None:
        self.message.show_error(text)
        self.retry_button.setVisible(retry)

    def show_info(self, text: str) -> None:
        self.message.show_info(text)
        self.retry_button.hide()

    def forget_password(self) -> None:
        """Signed in: the typed password (and code) do not linger in the form."""
        self.password.clear()
        self._show_code_row(False)

    def focus_first(self) -> None:
        if not self.code.isHidden():
            self.code.setFocus()
            return
        (self.password if self.username.text() else self.username).setFocus()

    def reset(self, username: str | None = None, remember: bool = False) -> None:
        """Back to an empty form (after sign-out); keeps the username for convenience."""
        self.set_busy(False)
        self.password.clear()
        self._show_code_row(False)
        if username is not None:
            self.username.setText(username)
        self.remember.setChecked(remember and self._remember_available)
        self.message.clear_message()
        self.retry_button.hide()
        (self.password if self.username.text() else self.username).setFocus()
