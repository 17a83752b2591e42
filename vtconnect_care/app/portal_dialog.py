"""The first-run dialog that asks for the organisation's portal address."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.client.app_config import normalize_portal_url, portal_url_error

from .widgets import MessageLabel, label


class PortalDialog(QDialog):
    def __init__(self, current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("VTConnect Care – Portal address")
        self.setAccessibleName("Portal address")
        self.setMinimumWidth(460)
        self.url: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(12)
        lay.addWidget(label("Welcome to VTConnect Care", "CardTitle"))
        lay.addWidget(
            label(
                "Enter your organisation's portal address. Your Org Admin or the invitation "
                "email gives it, for example https://care.example.org.",
                "Muted",
                wrap=True,
            )
        )
        self.edit = QLineEdit(current or "")
        self.edit.setPlaceholderText("https://care.example.org")
        self.edit.setAccessibleName("Portal address")
        lay.addWidget(self.edit)
        self.message = MessageLabel()
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Continue")
        self.ok_button.setObjectName("Primary")
        self.ok_button.setAccessibleName("Continue")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _accept(self) -> None:
        problem = portal_url_error(self.edit.text())
        if problem:
            self.message.show_error(problem)
            self.edit.setFocus()
            return
        self.url = normalize_portal_url(self.edit.text())
        self.accept()

    async def ask(self) -> str | None:
        """Show the dialog without a nested event loop and wait for the answer."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finished(code: int) -> None:
            if not done.done():
                done.set_result(code)

        self.finished.connect(finished)
        self.open()
        self.edit.setFocus()
        code = await done
        return self.url if code == QDialog.DialogCode.Accepted else None
