"""The device test panel behind the hamburger (R-DEV-1): camera, microphone, speakers.

Each device kind has a drop-down, a Test button and an output (preview, level meter or test
tone status). Listing and opening devices run on worker threads; pictures and levels are pulled
by a Qt timer, never waited for. The choice of each device is saved in the user's settings.
The forms are ui/device_panel.ui and ui/device_row.ui; the camera preview stays in code.
Below the devices, the connection test (connection_test.py) tests the way to the portal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QWidget

from vtconnect_care.client.media import Device, SyntheticTone
from vtconnect_care.client.media.levels import meter_fraction

from .connection_test import ConnectionTestBox, SignedIn
from .devices import KINDS, DeviceProvider, WithStandIns, for_device_tests, is_stand_in
from .forms.ui_device_panel import Ui_DevicePanelForm
from .forms.ui_device_row import Ui_DeviceRowForm
from .tasks import TaskGroup
from .user_settings import UserSettings

log = logging.getLogger("vtconnect.app.devices")

TITLES = {"camera": "Camera", "microphone": "Microphone", "speaker": "Speakers"}
NONE_FOUND = {
    "camera": "No camera found. Connect a camera, then choose Refresh.",
    "microphone": "No microphone found. Connect a microphone or headset, then choose Refresh.",
    "speaker": "No speakers found. Connect speakers or headphones, then choose Refresh.",
}
HINTS = {
    "camera": "Choose Test to see yourself.",
    "microphone": "Choose Test and speak: the bar moves when you are heard.",
    "speaker": "Choose Test to play a short tone.",
}
SYNTHETIC_NOTE = (
    "Synthetic test devices are in use: a test picture and tone stand in for a real camera "
    "and microphone on this computer."
)
STAND_INS_NOTE = (
    "No {missing} found on this computer: a labelled synthetic stand-in is offered so that you "
    "can try the tests. Calls use stand-ins too, and say so. Connect a device, then choose "
    "Refresh."
)
SILENT_DONE = (
    "The test tone went to the silent stand-in: there is nothing to hear until speakers or "
    "headphones are connected."
)
PREVIEW_W, PREVIEW_H = 288, 216


def _words(items: list[str]) -> str:
    """'camera', 'camera or microphone', 'camera, microphone or speakers'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


TICK_MS = 50
TONE_SECONDS = 1.5


class DeviceRow(QFrame):
    """One device kind: title, drop-down, Test button, output area and a status line."""

    test_clicked = Signal(str)
    device_chosen = Signal(str, int)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName("DeviceRow")
        self.ui = Ui_DeviceRowForm()
        self.ui.setupUi(self)
        title = TITLES[kind]
        self.ui.title.setText(title)
        self.ui.title.setAccessibleName(title)
        self.combo = self.ui.combo
        self.combo.setAccessibleName(f"{title} device")
        self.combo.activated.connect(lambda i: self.device_chosen.emit(self.kind, i))
        self.test_button = self.ui.test_button
        self.test_button.setAccessibleName(f"Test {title.lower()}")
        self.test_button.setCheckable(kind != "speaker")
        self.test_button.clicked.connect(lambda: self.test_clicked.emit(self.kind))
        self.preview: QLabel | None = None
        self.meter: QProgressBar | None = None
        if kind == "camera":  # a video surface: made here, not in the form
            self.preview = QLabel("Camera preview")
            self.preview.setObjectName("Preview")
            self.preview.setAccessibleName("Camera preview")
            self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.preview.setFixedSize(PREVIEW_W, PREVIEW_H)
            self.ui.output.addWidget(self.preview)
        else:
            self.meter = QProgressBar()
            self.meter.setRange(0, 100)
            self.meter.setTextVisible(False)
            self.meter.setAccessibleName(
                "Microphone level" if kind == "microphone" else "Speaker test level"
            )
            self.meter.setFixedHeight(12)
            self.ui.output.addWidget(self.meter)
        self.status = self.ui.status
        self.status.setAccessibleName(f"{title} status")
        self.set_status(HINTS[kind])

    def set_devices(self, devices: list[Device], chosen: str | None) -> None:
        self.combo.clear()
        if not devices:
            self.combo.addItem(f"No {TITLES[self.kind].lower()} found")
            self.combo.setEnabled(False)
            self.test_button.setEnabled(False)
            self.set_status(NONE_FOUND[self.kind])
            if self.preview is not None:
                self.preview.setText(f"No {TITLES[self.kind].lower()}")
            return
        for dev in devices:
            self.combo.addItem(dev.name)
        names = [d.name for d in devices]
        if chosen in names:
            index = names.index(chosen)
        else:
            index = next((i for i, d in enumerate(devices) if d.is_default), 0)
        self.combo.setCurrentIndex(index)
        self.combo.setEnabled(True)
        self.test_button.setEnabled(True)
        self.set_status(HINTS[self.kind])

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleDescription(text)

    def set_testing(self, on: bool) -> None:
        if self.test_button.isCheckable():
            self.test_button.setChecked(on)
        self.test_button.setText("Stop" if on and self.kind != "speaker" else "Test")
        if self.kind == "speaker":
            self.test_button.setEnabled(not on)
        if not on:
            if self.meter is not None:
                self.meter.setValue(0)
            if self.preview is not None:
                self.preview.clear()
                self.preview.setText("Camera preview")


class DevicePanel(QFrame):
    """The three device rows and the running tests; ``close_devices()`` is idempotent."""

    closed = Signal()

    def __init__(
        self,
        devices: DeviceProvider,
        settings: UserSettings,
        parent: QWidget | None = None,
        *,
        session_source: Callable[[], SignedIn | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Drawer")
        self._provider = devices
        self._tested = for_device_tests(devices)  # with labelled stand-ins for missing kinds
        self._settings = settings
        self._tasks = TaskGroup()
        self.devices: dict[str, list[Device]] = {k: [] for k in KINDS}
        self._camera = None
        self._microphone = None
        self._speaker = None
        self._tone: SyntheticTone | None = None
        self._tone_left = 0
        self.frames_shown = 0
        self.last_level = 0.0
        self.loaded = False

        self.ui = Ui_DevicePanelForm()
        self.ui.setupUi(self)
        self.close_button = self.ui.close_button
        self.close_button.clicked.connect(self.closed)
        self.synthetic_note = self.ui.synthetic_note
        self.synthetic_note.hide()
        self.rows = {kind: DeviceRow(kind) for kind in KINDS}
        for row in self.rows.values():
            row.test_clicked.connect(self._toggle_test)
            row.device_chosen.connect(self._choose)
            self.ui.rows.addWidget(row)
        self.refresh_button = self.ui.refresh_button
        self.refresh_button.clicked.connect(self.refresh)
        # the pre-call connection test, with the signed-in person's portal session
        self.connection_test = ConnectionTestBox(session_source or (lambda: None))
        self.ui.connection.addWidget(self.connection_test)
        # Tab in reading order (issue 15): the rows are added after the form's own buttons
        order = [self.close_button]
        for row in self.rows.values():
            order += [row.combo, row.test_button]
        order += [self.refresh_button, self.connection_test.test_button]
        for first, then in zip(order, order[1:], strict=False):
            self.setTabOrder(first, then)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    # --- listing -----------------------------------------------------------------------------

    def refresh(self) -> asyncio.Task | None:
        self.stop_tests()
        for row in self.rows.values():
            row.set_status("Looking for devices…")
            row.test_button.setEnabled(False)
        return self._tasks.spawn(self._load(), "list devices")

    async def _load(self) -> None:
        found = {}
        for kind in KINDS:
            found[kind] = await asyncio.to_thread(self._tested.list, kind)
        self.devices = found
        for kind, row in self.rows.items():
            row.set_devices(found[kind], self._settings.device(kind))
        standing_in = self._tested.standing_in if isinstance(self._tested, WithStandIns) else ()
        synthetic = bool(getattr(self._provider, "synthetic", False))
        if standing_in:
            missing = [TITLES[k].lower() for k in KINDS if k in standing_in]
            self.synthetic_note.setText(STAND_INS_NOTE.format(missing=_words(missing)))
        elif synthetic:
            self.synthetic_note.setText(SYNTHETIC_NOTE)
        self.synthetic_note.setVisible(synthetic or bool(standing_in))
        self.loaded = True

    @property
    def provider(self) -> DeviceProvider:
        return self._provider

    def set_provider(self, provider: DeviceProvider) -> None:
        self.stop_tests()
        self._provider = provider
        self._tested = for_device_tests(provider)
        self.loaded = False

    def _chosen(self, kind: str) -> Device | None:
        devices = self.devices[kind]
        index = self.rows[kind].combo.currentIndex()
        return devices[index] if 0 <= index < len(devices) else None

    def _choose(self, kind: str, index: int) -> None:
        devices = self.devices[kind]
        if not 0 <= index < len(devices):
            return
        self._settings.set_device(kind, devices[index].name)
        running = {
            "camera": self._camera,
            "microphone": self._microphone,
            "speaker": self._speaker,
        }[kind]
        if running is not None:  # switch the running test to the new device
            self._stop(kind)
            self._toggle_test(kind)

    # --- tests -------------------------------------------------------------------------------

    def _toggle_test(self, kind: str) -> None:
        running = {"camera": self._camera, "microphone": self._microphone}.get(kind)
        if running is not None:
            self._stop(kind)
            return
        device = self._chosen(kind)
        if device is None:
            self.rows[kind].set_testing(False)
            self.rows[kind].set_status(NONE_FOUND[kind])
            return
        self.rows[kind].set_testing(True)
        self.rows[kind].set_status("Starting…")
        self._tasks.spawn(self._start(kind, device), f"test {kind}")

    async def _start(self, kind: str, device: Device) -> None:
        opener = {
            "camera": self._tested.open_camera,
            "microphone": self._tested.open_microphone,
            "speaker": self._tested.open_speaker,
        }[kind]

        def open_and_start():
            obj = opener(device)
            obj.start()
            return obj

        row = self.rows[kind]
        try:
            obj = await asyncio.to_thread(open_and_start)
        except Exception as exc:  # noqa: BLE001 - a device that will not open is a state
            log.info("%s test failed: %s", kind, exc)
            row.set_testing(False)
            row.set_status(
                f"The {TITLES[kind].lower()} could not be started. Choose another device or "
                "check that no other program is using it."
            )
            return
        if kind == "camera":
            self._camera = obj
            row.set_status(f"Showing {device.name}. Choose Stop when you are done.")
        elif kind == "microphone":
            self._microphone = obj
            row.set_status("Speak now: the bar shows what your microphone hears.")
        else:
            self._speaker = obj
            self._tone = SyntheticTone(frequency=660.0, level=0.2)
            self._tone_left = int(TONE_SECONDS * 1000 / TICK_MS)
            row.set_status("Playing a test tone… If you cannot hear it, choose another device.")
        self._timer.start()

    def _tick(self) -> None:
        if self._camera is not None:
            sample = self._camera.latest()
            if sample is not None:
                self._show_frame(sample.image)
        if self._microphone is not None:
            chunk = self._microphone.read(48_000 * TICK_MS // 1000)
            self.last_level = meter_fraction(chunk)
            self.rows["microphone"].meter.setValue(int(self.last_level * 100))
        if self._speaker is not None and self._tone is not None:
            chunk = self._tone.read(48_000 * TICK_MS // 1000)
            self._speaker.write(chunk)
            self.rows["speaker"].meter.setValue(int(meter_fraction(chunk) * 100))
            self._tone_left -= 1
            if self._tone_left <= 0:
                self._stop("speaker")
                self.rows["speaker"].set_status(
                    SILENT_DONE
                    if is_stand_in(self._chosen("speaker"))
                    else "Did you hear the tone? If not, choose another device and test again."
                )
        if self._camera is None and self._microphone is None and self._speaker is None:
            self._timer.stop()

    def _show_frame(self, image: np.ndarray) -> None:
        import cv2

        small = cv2.resize(image, (PREVIEW_W, PREVIEW_H), interpolation=cv2.INTER_AREA)
        small = np.ascontiguousarray(small)
        qimage = QImage(
            small.data, PREVIEW_W, PREVIEW_H, 3 * PREVIEW_W, QImage.Format.Format_BGR888
        ).copy()
        self.rows["camera"].preview.setPixmap(QPixmap.fromImage(qimage))
        self.frames_shown += 1

    def _stop(self, kind: str) -> None:
        attr = f"_{kind}"
        obj = getattr(self, attr)
        setattr(self, attr, None)
        if obj is not None:
            # releasing a device can take a moment (thread join): off the Qt thread
            self._tasks.spawn(asyncio.to_thread(obj.close), f"close {kind}")
        if kind == "speaker":
            self._tone = None
        self.rows[kind].set_testing(False)
        if obj is not None and kind != "speaker":
            self.rows[kind].set_status(HINTS[kind])

    def stop_tests(self) -> None:
        for kind in KINDS:
            if getattr(self, f"_{kind}") is not None:
                self._stop(kind)
        self._timer.stop()

    def testing(self, kind: str) -> bool:
        return getattr(self, f"_{kind}") is not None

    def close_devices(self) -> None:
        """Stop every test and release the devices (idempotent); blocking closes are fine
        at exit, when no loop may be left to run them."""
        self._timer.stop()
        for kind in KINDS:
            obj = getattr(self, f"_{kind}")
            setattr(self, f"_{kind}", None)
            if obj is not None:
                try:
                    obj.close()
                except Exception:  # noqa: BLE001
                    log.exception("closing the %s failed", kind)
        self._tasks.cancel_all()
        self.connection_test.cancel()
