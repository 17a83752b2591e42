"""The main window's header: the menu (device test panel), the product, the signed-in person."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from . import resources
from .widgets import label

TITLE = "VTConnect Care"
ICON_COLOUR = "#1f5f7a"  # the header title's colour (style.qss)


class HeaderBar(QFrame):
    """``nav`` (the staff's screen switch) sits after the title when given."""

    def __init__(self, nav: QWidget | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HeaderBar")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 8, 16, 8)
        lay.setSpacing(12)
        self.hamburger = QToolButton()
        self.hamburger.setObjectName("Hamburger")
        self.hamburger.setIcon(resources.icon("hamburger", ICON_COLOUR, 26))
        self.hamburger.setIconSize(QSize(26, 26))
        self.hamburger.setCheckable(True)
        self.hamburger.setAccessibleName("Menu: test camera, microphone and speakers")
        self.hamburger.setToolTip("Test your camera, microphone and speakers (Ctrl+D)")
        lay.addWidget(self.hamburger)
        logo = QLabel()
        logo.setPixmap(
            QPixmap(str(resources.path("icons", "vtconnect-care-64.png"))).scaled(
                30,
                30,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        logo.setAccessibleName("VTConnect Care logo")
        lay.addWidget(logo)
        lay.addWidget(label(TITLE, "HeaderTitle"))
        if nav is not None:
            lay.addWidget(nav)
        lay.addStretch(1)
        self.user = label("", "HeaderUser")
        self.user.setAccessibleName("Signed in as")
        lay.addWidget(self.user)
        self.sign_out = QPushButton("Sign out")
        self.sign_out.setAccessibleName("Sign out")
        lay.addWidget(self.sign_out)
        self.set_user(None)

    def set_user(self, account: dict | None) -> None:
        if account is None:
            self.user.setText("")
            self.user.hide()
            self.sign_out.hide()
            return
        org = (account.get("organization") or {}).get("name", "")
        text = f"{account.get('full_name', account.get('username', ''))}"
        self.user.setText(f"{text}  ·  {org}" if org else text)
        self.user.setAccessibleName(f"Signed in as {text}")
        self.user.show()
        self.sign_out.show()
