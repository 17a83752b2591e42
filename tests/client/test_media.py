"""Media units: synthetic sources read back after VP8, level meter, device lists never crash."""

from __future__ import annotations

import numpy as np

from vtconnect_care.client import media
from vtconnect_care.client.media import synthetic


def test_synthetic_camera_carries_name_and_counter() -> None:
    cam = media.SyntheticCamera("Alex Active")
    cam.start()
    first, second = cam.latest(), cam.latest()
    assert first is not None and second is not None
    assert (first.width, first.height) == (640, 480)
    assert second.seq == first.seq + 1
    counter, _ = media.read_stamp(second.image)
    assert counter == second.seq
    assert synthetic.shows_name(second.image, "Alex Active")
    assert not synthetic.shows_name(second.image, "Dr Patel")
    cam.close()
    cam.close()  # idempotent


def test_synthetic_pattern_survives_vp8_round_trip() -> None:
    """The pattern is read back after a real VP8 encode/decode (what crosses a call)."""
    import av

    cam = media.SyntheticCamera("Bea Active", 320, 240)
    enc = av.CodecContext.create("libvpx", "w")
    enc.width, enc.height, enc.pix_fmt = 320, 240, "yuv420p"
    enc.bit_rate = 300_000
    dec = av.CodecContext.create("libvpx", "r")
    decoded = []
    samples = []
    for _ in range(5):
        sample = cam.latest()
        samples.append(sample)
        frame = av.VideoFrame.from_ndarray(sample.image, format="bgr24").reformat(format="yuv420p")
        for packet in enc.encode(frame):
            decoded.extend(dec.decode(packet))
    assert decoded
    image = decoded[-1].to_ndarray(format="bgr24")
    counter, stamp = media.read_stamp(image)
    assert counter in {s.seq for s in samples}
    assert synthetic.shows_name(image, "Bea Active")
    assert 0 <= synthetic.latency_ms(stamp) < 10_000


def test_tone_and_level_meter() -> None:
    tone = media.SyntheticTone(level=0.1)
    chunk = tone.read(960)
    assert chunk.dtype == np.int16 and chunk.shape == (960,)
    assert -24 < media.dbfs(chunk) < -19  # sine at 0.1 -> -23 dBFS
    assert media.dbfs(np.zeros(960, np.int16)) == -120.0
    assert media.rms(np.zeros(0, np.int16)) == 0.0


def test_null_sink_meters() -> None:
    sink = media.NullSink()
    sink.write(media.SyntheticTone().read(960))
    assert sink.samples_written == 960 and sink.level_dbfs > -30


def test_device_lists_never_raise_without_devices() -> None:
    for lister in (media.list_cameras, media.list_microphones, media.list_speakers):
        devices = lister()
        assert isinstance(devices, list)
        assert all(isinstance(d, media.Device) for d in devices)


def test_missing_portaudio_gives_empty_lists(monkeypatch) -> None:
    from vtconnect_care.client.media import devices

    monkeypatch.setattr(devices, "load_sounddevice", lambda: None)
    assert devices.list_microphones() == [] and devices.list_speakers() == []


def test_camera_source_reports_missing_device() -> None:
    cam = media.CameraSource(index=97)
    cam.start()
    thread = cam._thread
    assert thread is not None
    thread.join(timeout=10)
    assert cam.failed and cam.latest() is None
    cam.close()
    cam.close()


def test_sample_buffer_is_bounded() -> None:
    from vtconnect_care.client.media.audio import _SampleBuffer

    buf = _SampleBuffer(1000)
    for _ in range(10):
        buf.push(np.ones(300, np.int16))
    out = buf.pop(2000)
    assert int(out.sum()) <= 1200  # oldest dropped; the rest padded with silence
