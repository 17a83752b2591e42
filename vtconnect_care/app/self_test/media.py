"""Self-test checks of the media side: the camera, the VP8 and Opus codecs, the ding."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

from .common import CAMERA_NAME, CheckError, version

VIDEO_FRAMES = 5


def check_camera(context: dict) -> str:
    from vtconnect_care.client.media import SyntheticCamera
    from vtconnect_care.client.media.synthetic import shows_name

    camera = SyntheticCamera(CAMERA_NAME)
    camera.start()
    try:
        samples = [camera.latest() for _ in range(VIDEO_FRAMES)]
    finally:
        camera.close()
    if any(s is None for s in samples):
        raise CheckError("the synthetic camera gave no picture")
    if not shows_name(samples[0].image, CAMERA_NAME):
        raise CheckError("the synthetic camera's picture lacks its colour band")
    context["video_samples"] = samples
    first = samples[0]
    return f"synthetic camera (no device used), {first.width}x{first.height}, {len(samples)} frames"


def check_vp8(context: dict) -> str:
    import av
    from aiortc.codecs import depayload, get_decoder, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    from vtconnect_care.client.media.synthetic import read_stamp, shows_name

    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    encoder, decoder = get_encoder(codec), get_decoder(codec)
    decoded = []
    sent = 0
    for index, sample in enumerate(context["video_samples"]):
        frame = av.VideoFrame.from_ndarray(sample.image, format="bgr24")
        frame.pts = index * 3000
        frame.time_base = Fraction(1, 90000)
        payloads, timestamp = encoder.encode(frame, force_keyframe=index == 0)
        sent += sum(len(p) for p in payloads)
        data = b"".join(depayload(codec, p) for p in payloads)
        for out in decoder.decode(JitterFrame(data=data, timestamp=timestamp)):
            decoded.append((sample, out.to_ndarray(format="bgr24")))
    if not decoded:
        raise CheckError("the VP8 decoder returned no picture")
    sample, image = decoded[-1]
    if image.shape != sample.image.shape:
        raise CheckError(f"VP8 changed the picture's size: {sample.image.shape} -> {image.shape}")
    if not shows_name(image, CAMERA_NAME):
        raise CheckError("the decoded VP8 picture does not show the camera's colour band")
    seq, _ = read_stamp(image)
    if seq != sample.seq & 0xFFFF:
        raise CheckError(f"the decoded VP8 picture carries frame {seq}, expected {sample.seq}")
    return (
        f"aiortc {version('aiortc')}, av {av.__version__}: {len(decoded)} frames "
        f"encoded ({sent} bytes) and decoded, content matches"
    )


def check_opus(context: dict) -> str:
    import av
    from aiortc.codecs import get_decoder, get_encoder
    from aiortc.jitterbuffer import JitterFrame
    from aiortc.rtcrtpparameters import RTCRtpCodecParameters

    from vtconnect_care.client.media import SyntheticTone
    from vtconnect_care.client.media.levels import dbfs

    codec = RTCRtpCodecParameters(
        mimeType="audio/opus", clockRate=48000, channels=2, payloadType=111
    )
    encoder, decoder = get_encoder(codec), get_decoder(codec)
    tone = SyntheticTone(level=0.3)
    levels = []
    for index in range(10):  # 200 ms: Opus needs a few frames to settle
        samples = tone.read(960)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = index * 960
        frame.time_base = Fraction(1, 48000)
        payloads, timestamp = encoder.encode(frame)
        for payload in payloads:
            for out in decoder.decode(JitterFrame(data=payload, timestamp=timestamp)):
                levels.append(dbfs(out.to_ndarray().reshape(-1)))
    if not levels:
        raise CheckError("the Opus decoder returned no audio")
    if max(levels[-3:]) < -30.0:
        raise CheckError(f"the decoded Opus audio is silent ({max(levels):.1f} dBFS)")
    return f"{len(levels)} audio frames encoded and decoded, level {levels[-1]:.1f} dBFS"


def check_ding(context: dict) -> str:
    from vtconnect_care.client.media import AUDIO_SAMPLE_RATE, NullSink

    from .. import resources

    samples, rate = read_wav_mono(resources.ding_path())
    samples = resample(samples, rate, AUDIO_SAMPLE_RATE)
    sink = NullSink()  # SYNTHETIC: plays nothing, meters what it is given
    sink.start()
    try:
        for start in range(0, len(samples), 960):
            sink.write(samples[start : start + 960])
    finally:
        sink.close()
    if sink.samples_written != len(samples) or sink.peak_dbfs < -20.0:
        raise CheckError(
            f"the ding reached the null sink as {sink.samples_written} samples "
            f"at {sink.peak_dbfs:.1f} dBFS (expected {len(samples)} samples, louder than -20)"
        )
    seconds = len(samples) / AUDIO_SAMPLE_RATE
    return f"ding.wav played to a null sink: {seconds:.2f} s, peak {sink.peak_dbfs:.1f} dBFS"


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV -> (mono int16 samples, sample rate)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise CheckError(f"{path.name} is not 16-bit PCM")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return data, rate


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Linear resampling, good enough for a notification sound."""
    if rate == target:
        return samples
    count = int(round(len(samples) * target / rate))
    positions = np.arange(count) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)
