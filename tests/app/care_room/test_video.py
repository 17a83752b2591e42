"""Video tiles, grid, frame store and media stand-ins without a server (real av frames,
SYNTHETIC devices): latest frame only, conversion only when painting, camera off, no camera,
poor network and reconnecting states."""

from __future__ import annotations

import time

import numpy as np
import pytest
from av import VideoFrame

from vtconnect_care.app.call.frames import FrameStore, is_dark
from vtconnect_care.app.call.grid import VideoGrid, grid_shape
from vtconnect_care.app.call.media import open_media
from vtconnect_care.app.call.states import CallPhase
from vtconnect_care.app.call.tiles import RemoteTile, SelfView
from vtconnect_care.app.care_room.controller import (
    POOR,
    CareRoomController,
    RoomRequest,
)
from vtconnect_care.client.engine.media_set import NO_CAMERA
from vtconnect_care.client.media import SyntheticCamera

from .conftest import NoCamera, RecordingDevices


def frame(level: int = 128, w: int = 320, h: int = 240) -> VideoFrame:
    image = np.full((h, w, 3), level, np.uint8)
    image[::7, ::5] = 255 if level else 0
    return VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")


@pytest.mark.parametrize(
    ("count", "shape"),
    [(1, (1, 1)), (2, (2, 1)), (3, (2, 2)), (4, (2, 2)), (5, (3, 2)), (6, (3, 2))],
)
def test_grid_adapts_to_the_number_of_people(count, shape):
    assert grid_shape(count, 1120, 640) == shape


def test_grid_places_tiles_without_overlap(qapp):
    store = FrameStore()
    grid = VideoGrid(store)
    grid.resize(1000, 600)
    grid.sync([(i, f"Person {i}", "connected", False) for i in range(1, 4)])
    rects = [t.geometry() for t in grid.tiles.values()]
    assert len(rects) == 3
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    grid.sync([(2, "Person 2", "connected", False)])
    assert list(grid.tiles) == [2]


def test_store_keeps_only_the_latest_frame_and_tiles_convert_only_what_they_paint(qapp):
    store = FrameStore()
    tile = RemoteTile(7, "Alex Morgan", store)
    tile.resize(320, 240)
    assert tile.caption == "Connecting…"
    frames = [frame(100 + i) for i in range(30)]
    for f in frames:
        store.put(7, f)
    assert store.get(7).frame is frames[-1] and store.get(7).seq == 30
    tile.set_state("connected", False)
    assert tile.due() and tile.caption == ""
    image = tile.grab().toImage()
    assert tile.converted == 1 and not tile.due()  # 29 frames were never converted
    centre = image.pixelColor(160, 100)
    assert abs(centre.red() - 129) < 30  # the picture, not a caption
    tile.grab()
    assert tile.converted == 1  # nothing new: the cached picture


def test_black_pictures_mean_camera_off(qapp):
    assert is_dark(frame(0)) and not is_dark(frame(128))
    store = FrameStore()
    store.put(3, frame(0))
    assert store.get(3).dark
    tile = RemoteTile(3, "Alex Morgan", store)
    tile.set_state("connected", True)
    assert tile.caption == "Alex Morgan's camera is off"
    assert tile.accessibleDescription() == "Alex Morgan: camera off"


def test_self_view_states(qapp):
    view = SelfView("Priya Patel")
    assert view.caption == "Starting your camera…"
    camera = SyntheticCamera("Priya Patel", 160, 120, 15)
    view.set_source(camera, no_camera=False)
    assert view.caption == "" and view.due()
    view.resize(160, 120)
    view.grab()
    assert not view.due()  # at the camera's pace, not the display's
    view.set_devices(camera_on=False, mic_on=False)
    assert view.caption == "Your camera is off" and view.badges == ["Microphone off"]
    view.set_source(camera, no_camera=True)
    assert view.caption.startswith("No camera found")


def test_missing_camera_gets_a_named_stand_in_and_the_chosen_speaker_is_used(user_settings):
    user_settings.set_device("speaker", "Test speaker B")
    devices = NoCamera("Alex Morgan")
    opened = open_media("Alex Morgan", devices, user_settings, size=(160, 120))
    media, missing = opened.media, opened.missing
    try:
        assert missing == {"camera"} and media.notices == [NO_CAMERA]
        assert isinstance(media.camera, SyntheticCamera)
        assert media.speaker is devices.speakers["Test speaker B"]
    finally:
        media.close()
    opened = open_media("Nobody", None, None, size=(160, 120))
    media, missing = opened.media, opened.missing
    assert missing == {"camera", "microphone", "speaker"} and len(media.notices) == 3
    media.close()


def test_connection_states_from_the_frames(qapp):
    request = RoomRequest(account={"id": 1, "full_name": "Priya Patel"}, portal_url="", token="")
    c = CareRoomController(request, engine_factory=None)  # no engine: state only
    c.my_id = 1
    c.session = {"id": 5, "state": "begun", "members": []}
    c.members[2] = {"account_id": 2, "name": "Alex Morgan", "status": "present", "role": "x"}
    c.set_phase(CallPhase.CONNECTING)
    c.set_phase(CallPhase.IN_CALL)
    c.tile_states[2] = "connecting"
    c.check_health()
    assert c.tile_states[2] == "connecting"
    slot_frames = [frame(120) for _ in range(3)]
    for f in slot_frames:
        c.frames.put(2, f)
    slot = c.frames.get(2)
    now = time.monotonic()
    slot.arrivals.clear()
    slot.arrivals.extend([now - 3.0, now - 1.0, now - 0.1])  # ~1 picture a second
    c.check_health()
    assert c.tile_states[2] == POOR
    slot.arrivals.extend(now - 0.1 + i * 0.002 for i in range(40))
    c.check_health()
    assert c.tile_states[2] == "connected"
    slot.arrivals.clear()
    slot.arrivals.append(now - 5.0)
    c.check_health()
    assert c.tile_states[2] == "reconnecting"
    c.members[2]["status"] = "dropped"
    c.check_health()
    assert c.tile_states[2] == "reconnecting"
    c.deleteLater()


def test_recording_devices_are_labelled_synthetic():
    assert RecordingDevices().synthetic
