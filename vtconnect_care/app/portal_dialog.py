"""The first-run dialog that asks for the organisation's portal address.

The form is ui/portal_dialog.ui (compiled into forms/ui_portal_dialog.py); this module checks
the address and answers without a nested event loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from vtconnect_care.client.app_config import normalize_portal_url, portal_url_error

from .forms.ui_portal_dialog import Ui_PortalDialog
from .widgets import grow_to_fit, repolish


class PortalDialog(QDialog):
    def __init__(self, current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_PortalDialog()
        self.ui.setupUi(self)
        self.url: str | None = None
        self.edit = self.ui.edit
        self.message = self.ui.message
        self.edit.setText(current or "")
        buttons = self.ui.buttons
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Continue")
        self.ok_button.setAccessibleName("Continue")
        self.ok_button.setObjectName("Primary")
        repolish(self.ok_button)  # the form's layout polished it already
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        grow_to_fit(self)

    def _accept(self) -> None:
        problem = portal_url_error(self.edit.text())
        if problem:
            self.message.show_error(problem)
            grow_to_fit(self)
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
