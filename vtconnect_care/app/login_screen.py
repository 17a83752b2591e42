"""The login screen: username (not the email), password, remember me, recovery (R-LOGIN-1..3)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.domain import messages

from .widgets import MessageLabel, card, label

USERNAME_HINT = "Your username is NOT your email address."
SIGNING_IN = "Signing in…"
SIGN_IN = "Sign in"


class LoginScreen(QWidget):
    """Displays the form and forwards intent; the controller decides what happens."""

    submitted = Signal(str, str, bool)  # username, password, remember me
    forgot_password = Signal(str)  # username
    retry = Signal()
    change_portal = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenBackground")
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box, lay = card(self)
        box.setFixedWidth(440)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignCenter)

        lay.addWidget(label("Sign in to VTConnect Care", "CardTitle"))
        self.portal_label = label("", "Muted")
        lay.addWidget(self.portal_label)

        self.message = MessageLabel()
        lay.addWidget(self.message)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry connecting to the portal")
        self.retry_button.clicked.connect(self.retry)
        self.retry_button.hide()
        lay.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)

        lay.addSpacing(4)
        lay.addWidget(label("Username", "SectionTitle"))
        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.username.setAccessibleDescription(USERNAME_HINT)
        self.username.setPlaceholderText("e.g. jane.smith")
        self.username.setMaxLength(254)
        lay.addWidget(self.username)
        hint = label(USERNAME_HINT, "Hint")
        lay.addWidget(hint)

        lay.addWidget(label("Password", "SectionTitle"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setMaxLength(256)
        lay.addWidget(self.password)

        self.remember = QCheckBox("Remember me on this computer")
        self.remember.setAccessibleName("Remember me")
        self.remember.setAccessibleDescription(
            "Keeps you signed in using your computer's secure keyring. Your password is not saved."
        )
        lay.addWidget(self.remember)

        self.sign_in = QPushButton(SIGN_IN)
        self.sign_in.setObjectName("Primary")
        self.sign_in.setAccessibleName("Sign in")
        self.sign_in.setDefault(True)
        self.sign_in.clicked.connect(self._submit)
        lay.addWidget(self.sign_in)

        links = QHBoxLayout()
        self.forgot_button = QPushButton("Forgot your password?")
        self.forgot_button.setObjectName("Link")
        self.forgot_button.setAccessibleName("Forgot your password?")
        self.forgot_button.clicked.connect(self._forgot)
        self.forgot_user_button = QPushButton("Forgot your username?")
        self.forgot_user_button.setObjectName("Link")
        self.forgot_user_button.setAccessibleName("Forgot your username?")
        self.forgot_user_button.clicked.connect(self.show_forgot_username)
        links.addWidget(self.forgot_button)
        links.addStretch(1)
        links.addWidget(self.forgot_user_button)
        lay.addLayout(links)

        self.portal_button = QPushButton("Change portal address…")
        self.portal_button.setObjectName("Link")
        self.portal_button.setAccessibleName("Change portal address")
        self.portal_button.clicked.connect(self.change_portal)
        lay.addWidget(self.portal_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.username.returnPressed.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.remember)
        self.setTabOrder(self.remember, self.sign_in)
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
        self.submitted.emit(username, password, self.remember.isChecked())

    def _forgot(self) -> None:
        username = self.username.text().strip()
        if not username:
            self.show_error(
                "Enter your username above, then choose “Forgot your password?” again."
            )
            self.username.setFocus()
            return
        if "@" in username:
            self.show_error(messages.USERNAME_IS_EMAIL)
            return
        self.forgot_password.emit(username)

    def show_forgot_username(self) -> None:
        """R-LOGIN-3: no lookup; the guidance."""
        self.show_info(messages.FORGOT_USERNAME)

    # --- display ----------------------------------------------------------------------------

    def set_portal(self, url: str, can_change: bool) -> None:
        self.portal_label.setText(f"Portal: {url}")
        self.portal_label.setAccessibleName(f"Portal address {url}")
        self.portal_button.setVisible(can_change)

    def set_remember_available(self, available: bool) -> None:
        """No keyring on this computer: Remember me cannot work, and the form says so."""
        self._remember_available = available
        self.remember.setEnabled(available)
        if not available:
            self.remember.setChecked(False)
            why = "This computer has no secure keyring, so the app cannot remember you."
            self.remember.setToolTip(why)
            self.remember.setAccessibleDescription(why)

    def set_busy(self, busy: bool, text: str = SIGNING_IN) -> None:
        self._busy = busy
        self.sign_in.setText(text if busy else SIGN_IN)
        for widget in (self.username, self.password, self.forgot_button):
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

    def focus_first(self) -> None:
        (self.password if self.username.text() else self.username).setFocus()

    def reset(self, username: str | None = None, remember: bool = False) -> None:
        """Back to an empty form (after sign-out); keeps the username for convenience."""
        self.set_busy(False)
        self.password.clear()
        if username is not None:
            self.username.setText(username)
        self.remember.setChecked(remember and self._remember_available)
        self.message.clear_message()
        self.retry_button.hide()
        (self.password if self.username.text() else self.username).setFocus()
