"""The device test panel behind the hamburger (R-DEV-1), with SYNTHETIC devices and with none."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.app.conftest import run, wait_until
from vtconnect_care.app.device_panel import NONE_FOUND
from vtconnect_care.app.devices import NoDevices, SyntheticDevices
from vtconnect_care.client.media import Device


class TwoCameras(SyntheticDevices):
    """SYNTHETIC: two labelled stand-in cameras, to check the drop-down and its memory."""

    def list(self, kind):
        if kind == "camera":
            return [
                Device(0, "Synthetic camera A", "camera", True),
                Device(1, "Synthetic camera B", "camera"),
            ]
        return super().list(kind)


def test_hamburger_opens_the_panel_and_each_test_works(make_window, qloop, user_settings):
    window = make_window("http://127.0.0.1:9", devices=TwoCameras("Test Person"))
    panel = window.device_panel

    async def scenario():
        assert not panel.isVisible()
        QTest.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # keyboard
        assert panel.isVisible() and window.header.hamburger.isChecked()
        await wait_until(lambda: panel.loaded, what="device lists")
        assert panel.synthetic_note.isVisible()  # the app says stand-ins are in use
        cam = panel.rows["camera"]
        assert [cam.combo.itemText(i) for i in range(cam.combo.count())] == [
            "Synthetic camera A",
            "Synthetic camera B",
        ]
        # camera: Test shows the preview
        cam.test_button.click()
        await wait_until(lambda: panel.frames_shown >= 3, what="preview frames")
        assert cam.preview.pixmap() is not None and not cam.preview.pixmap().isNull()
        assert cam.test_button.text() == "Stop"
        # switching devices persists the choice and keeps the test going
        cam.combo.setCurrentIndex(1)
        cam.combo.activated.emit(1)
        assert user_settings.device("camera") == "Synthetic camera B"
        shown = panel.frames_shown
        await wait_until(lambda: panel.frames_shown > shown + 2, what="frames after switch")
        cam.test_button.click()
        assert not panel.testing("camera") and cam.test_button.text() == "Test"
        # microphone: the level meter moves with the (synthetic) tone
        mic = panel.rows["microphone"]
        mic.test_button.click()
        await wait_until(lambda: mic.meter.value() > 20, what="microphone level")
        mic.test_button.click()
        assert mic.meter.value() == 0
        # speakers: a short test tone, then a question
        spk = panel.rows["speaker"]
        spk.test_button.click()
        await wait_until(lambda: panel.testing("speaker"), what="tone starts")
        sink = panel._speaker
        await wait_until(lambda: not panel.testing("speaker"), timeout=5, what="tone ends")
        assert sink.samples_written >= 48_000  # at least a second of tone went out
        assert spk.status.text().startswith("Did you hear the tone?")
        # Escape closes the panel and stops anything running
        cam.test_button.click()
        await wait_until(lambda: panel.testing("camera"))
        QTest.keyClick(window, Qt.Key.Key_Escape)
        assert not panel.isVisible() and not panel.testing("camera")

    run(qloop, scenario())


def test_choices_persist_between_runs(make_window, qloop, user_settings):
    user_settings.set_device("camera", "Synthetic camera B")
    window = make_window("http://127.0.0.1:9", devices=TwoCameras("Test Person"))

    async def scenario():
        window.set_devices_open(True)
        await wait_until(lambda: window.device_panel.loaded)
        assert window.device_panel.rows["camera"].combo.currentText() == "Synthetic camera B"

    run(qloop, scenario())


def test_no_devices_is_a_clear_state_not_a_crash(make_window, qloop):
    window = make_window("http://127.0.0.1:9", devices=NoDevices())
    panel = window.device_panel

    async def scenario():
        window.header.hamburger.click()
        await wait_until(lambda: panel.loaded)
        for kind, row in panel.rows.items():
            assert not row.combo.isEnabled()
            assert not row.test_button.isEnabled()
            assert row.status.text() == NONE_FOUND[kind]
            assert row.combo.currentText().startswith("No ")
        assert not panel.synthetic_note.isVisible()
        panel._toggle_test("camera")  # even a forced Test only explains
        assert panel.rows["camera"].status.text() == NONE_FOUND["camera"]
        panel.refresh_button.click()
        await wait_until(lambda: panel.rows["camera"].status.text() == NONE_FOUND["camera"])

    run(qloop, scenario())


def test_every_control_has_an_accessible_name(make_window, qloop):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget

    window = make_window("http://127.0.0.1:9")
    window.set_devices_open(True)
    missing = [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for kind in (QAbstractButton, QComboBox, QLineEdit, QListWidget)
        for w in window.findChildren(kind)
        if not w.accessibleName()
        and not isinstance(w.parent(), QLineEdit)  # Qt's own clear button in a field
    ]
    assert missing == []
    run(qloop, wait_until(lambda: window.device_panel.loaded))


class NothingPluggedIn:
    """The machine's own devices on a computer that has none (what ./run.sh meets in a VM)."""

    def list(self, kind):
        return []

    def open_camera(self, device):
        raise RuntimeError("no camera")

    open_microphone = open_speaker = open_camera


def test_without_devices_the_panel_offers_labelled_stand_ins_that_test(make_window, qloop):
    """Issue 15 defect 6: drop-downs and Test buttons work with labelled synthetic stand-ins;
    the calls' own provider is left as it is (they put in stand-ins and say so)."""
    from vtconnect_care.app.devices import STAND_INS

    provider = NothingPluggedIn()
    window = make_window("http://127.0.0.1:9", devices=provider)
    panel = window.device_panel

    async def scenario():
        window.header.hamburger.click()
        await wait_until(lambda: panel.loaded)
        assert panel.synthetic_note.isVisible()
        assert panel.synthetic_note.text().startswith(
            "No camera, microphone or speakers found on this computer: a labelled synthetic"
        )
        for kind, row in panel.rows.items():
            assert row.combo.isEnabled() and row.test_button.isEnabled()
            assert row.combo.currentText() == STAND_INS[kind]
        cam, mic, spk = (panel.rows[k] for k in ("camera", "microphone", "speaker"))
        cam.test_button.click()
        await wait_until(lambda: panel.frames_shown >= 3, what="stand-in preview frames")
        cam.test_button.click()
        mic.test_button.click()
        await wait_until(lambda: mic.meter.value() > 20, what="stand-in tone level")
        mic.test_button.click()
        spk.test_button.click()
        await wait_until(lambda: panel.testing("speaker"), what="tone starts")
        await wait_until(lambda: not panel.testing("speaker"), timeout=5, what="tone ends")
        assert spk.status.text().startswith("The test tone went to the silent stand-in")
        assert panel.provider is provider  # calls still get the plain provider

    run(qloop, scenario())
