"""The services the main window is built from, passed in (never reached through globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vtconnect_care.client.app_config import SystemConfig, load_system_config
from vtconnect_care.client.portal_api import PortalApi
from vtconnect_care.client.session_store import SessionStore

from .devices import DeviceProvider, SystemDevices
from .user_settings import UserSettings


@dataclass(frozen=True)
class HostRequest:
    """What the Appointment screen hands to the Care Room: who hosts, whom, on which portal."""

    host: dict
    people: tuple[dict, ...]
    api: PortalApi
    session_id: int | None = None  # joining (or re-joining) a session instead of hosting
    devices: DeviceProvider | None = None  # the devices offered in the device test panel
    settings: UserSettings | None = None  # the person's saved device choices
    notifier: Any = None  # a notifier.Notifier: desktop notifications (the first arrival)


# The seam to the Care Room: given a HostRequest, open the room and return its window.
CareRoomLauncher = Callable[[HostRequest], Any]


def care_room_launcher(request: HostRequest) -> Any:
    """The app's Care Room (vtconnect_care.app.care_room), imported when first opened."""
    from .care_room import open_care_room

    return open_care_room(request)


@dataclass
class AppServices:
    settings: UserSettings
    session_store: SessionStore = field(default_factory=SessionStore)
    api_factory: Callable[[str], PortalApi] = PortalApi
    devices: DeviceProvider = field(default_factory=SystemDevices)
    load_system_config: Callable[[], SystemConfig] = load_system_config
    launch_care_room: CareRoomLauncher = care_room_launcher
    portal_flag: str | None = None
    timezone: str = "UTC"
    refresh_seconds: float = 60.0  # how often the home screens refresh (and notice expiry)
    # after "cannot reach the portal", how soon the home tries again (doubling up to the refresh)
    retry_seconds: float = 3.0
    devices_from_config: bool = True  # let the system file's `devices` policy pick the provider
    # desktop notifications and the ding outside a call (a client being hosted); None: the
    # desktop's own (notifier.DesktopNotifier, made when first needed, once a QApplication runs)
    notifier: Any = None
    alert_sound: Callable[[Any, Any], Any] | None = None  # (provider, settings) -> awaitable

    def desktop_notifier(self) -> Any:
        if self.notifier is None:
            from .notifier import DesktopNotifier

            self.notifier = DesktopNotifier()
        return self.notifier
