"""The user's own settings (QSettings): portal, last username, remember me, devices, window."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORG = "VTConnect"
APP = "VTConnect Care"


class UserSettings:
    """Typed access to QSettings; pass a QSettings (e.g. an INI file in tests) or use the user's."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or QSettings(ORG, APP)

    def _str(self, key: str) -> str | None:
        value = self.q.value(key)
        return str(value) if value not in (None, "") else None

    @property
    def portal_url(self) -> str | None:
        return self._str("portal/url")

    @portal_url.setter
    def portal_url(self, value: str | None) -> None:
        self.q.setValue("portal/url", value or "")

    @property
    def last_username(self) -> str | None:
        return self._str("login/last_username")

    @last_username.setter
    def last_username(self, value: str | None) -> None:
        self.q.setValue("login/last_username", value or "")

    @property
    def remember_me(self) -> bool:
        return str(self.q.value("login/remember", "false")).lower() == "true"

    @remember_me.setter
    def remember_me(self, value: bool) -> None:
        self.q.setValue("login/remember", "true" if value else "false")

    def device(self, kind: str) -> str | None:
        """The saved device name for 'camera', 'microphone' or 'speaker'."""
        return self._str(f"devices/{kind}")

    def set_device(self, kind: str, name: str | None) -> None:
        self.q.setValue(f"devices/{kind}", name or "")

    def geometry(self) -> QByteArray | None:
        value = self.q.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, value: QByteArray) -> None:
        self.q.setValue("window/geometry", value)

    def sync(self) -> None:
        self.q.sync()
