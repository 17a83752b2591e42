"""A real portal server process on loopback, for app, browser and end-to-end tests."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

READY_MARK = "Uvicorn running on"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`vtconnect-server` in a child process; waits for uvicorn's ready line, not a sleep."""

    def __init__(
        self,
        data_dir: Path,
        *,
        demo: bool = True,
        port: int | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.demo = demo
        self.env = env or {}
        self.args = args or []
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._lines_q: queue.Queue[str] = queue.Queue()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        env.setdefault("VTCONNECT_PUBLIC_URL", self.url)
        cmd = [
            sys.executable,
            "-m",
            "vtconnect_care.server.cli",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            *(["--demo"] if self.demo else []),
            *self.args,
        ]
        self._ready.clear()
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=self._pump, daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("server did not start:\n" + "".join(self.lines[-40:]))
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self._lines_q.put(line)
            if READY_MARK in line:
                self._ready.set()

    def wait_for_line(self, needle: str, timeout: float = 10.0) -> str:
        """Wait for a new output line containing `needle`."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no line with {needle!r}")
            try:
                line = self._lines_q.get(timeout=remaining)
            except queue.Empty as exc:
                raise TimeoutError(f"no line with {needle!r}") from exc
            if needle in line:
                return line

    def stop(self, kill: bool = False) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
