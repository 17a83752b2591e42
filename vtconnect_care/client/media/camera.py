"""A real camera through OpenCV, captured on its own thread; the newest picture is kept."""

from __future__ import annotations

import logging
import threading
import time

from .interfaces import VideoSample

log = logging.getLogger("vtconnect.media")


class CameraSource:
    """VideoSource for an OpenCV device index (640x480 at 30 fps unless told otherwise).

    ``opened`` is set once the device delivered its first picture; ``failed`` holds a reason
    when it could not be opened (the caller then falls back to a SyntheticCamera).
    """

    synthetic = False

    def __init__(self, index: int = 0, width: int = 640, height: int = 480, fps: float = 30.0):
        self.index = index
        self.width = width
        self.height = height
        self.fps = fps
        self.opened = threading.Event()
        self.failed: str | None = None
        self._lock = threading.Lock()
        self._latest: VideoSample | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.index}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import cv2

        cap = cv2.VideoCapture(self.index)
        try:
            if not cap.isOpened():
                self.failed = f"Camera {self.index + 1} could not be opened."
                log.warning(self.failed)
                return
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_FPS, self.fps)
            seq = 0
            while not self._stop.is_set():
                ok, image = cap.read()
                if not ok:
                    self.failed = f"Camera {self.index + 1} stopped delivering pictures."
                    log.warning(self.failed)
                    return
                if image.shape[1] != self.width or image.shape[0] != self.height:
                    image = cv2.resize(image, (self.width, self.height))
                seq += 1
                with self._lock:
                    self._latest = VideoSample(image, seq, time.monotonic())
                self.opened.set()
        except Exception as exc:  # noqa: BLE001 - a driver error ends capture, not the app
            self.failed = f"Camera {self.index + 1} failed: {exc}"
            log.exception("camera capture failed")
        finally:
            cap.release()

    def latest(self) -> VideoSample | None:
        with self._lock:
            return self._latest

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
