"""The Care Room: host, join, run and end a session (R-ROOM-1..9), on the shared call UI
(``vtconnect_care.app.call``).

``open_care_room(request)`` is the app's launcher (the ``launch_care_room`` seam of
``AppServices``): a ``HostRequest`` without a session id hosts the chosen people; with one, it
joins (or re-joins) that session. ``CareRoomLauncher`` is the same with options (video size,
frame rate, engine factory) for kiosks, tests and screenshots.
"""

from __future__ import annotations

from typing import Any

from ..call.controller import EngineFactory, default_engine
from .controller import CareRoomController, RoomRequest
from .window import CareRoomWindow

__all__ = [
    "CareRoomController",
    "CareRoomLauncher",
    "CareRoomWindow",
    "RoomRequest",
    "open_care_room",
]


def room_request(request: Any, **options: Any) -> RoomRequest:
    """A RoomRequest from the app's HostRequest (host, people, api; session_id, devices...)."""
    api = request.api
    return RoomRequest(
        account=dict(request.host),
        portal_url=api.base_url,
        token=api.token or "",
        people=tuple(request.people),
        session_id=getattr(request, "session_id", None),
        devices=getattr(request, "devices", None),
        settings=getattr(request, "settings", None),
        notifier=getattr(request, "notifier", None),
        **options,
    )


class CareRoomLauncher:
    def __init__(
        self, *, engine_factory: EngineFactory = default_engine, devices: Any = None, **options: Any
    ) -> None:
        self.engine_factory = engine_factory
        self.devices = devices  # overrides the request's provider when given
        self.options = options  # RoomRequest fields: video_size, fps
        self.windows: list[CareRoomWindow] = []

    def __call__(self, request: Any) -> CareRoomWindow:
        req = room_request(request, **self.options)
        if self.devices is not None:
            req.devices = self.devices
        window = CareRoomWindow(CareRoomController(req, engine_factory=self.engine_factory))
        self.windows.append(window)
        window.show()
        window.controller.start()
        return window


def open_care_room(request: Any) -> CareRoomWindow:
    return CareRoomLauncher()(request)
