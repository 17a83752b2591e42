"""A real Janus (Debian's `janus` package) for tests: generated config, free ports, VideoRoom only.

Janus listens on loopback only, speaks its WebSocket API, demands an API secret on every
request and a VideoRoom admin key to create rooms: the same locked-down shape docs/deploy.md
describes for production, so a test that reaches Janus without them is refused as a stranger is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from vtconnect_care.server.sfu.janus_config import JanusConfig, libs_folder

JANUS = shutil.which("janus") or "/usr/bin/janus"
LIBS = libs_folder()


def skip_reason() -> str | None:
    """Why Janus cannot run here, or None."""
    if not Path(JANUS).exists():
        return "janus is not installed (apt-get install janus)"
    if not (LIBS / "plugins" / "libjanus_videoroom.so").exists():
        return f"the VideoRoom plugin is not in {LIBS}/plugins"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JanusServer:
    url: str
    api_secret: str
    admin_key: str
    process: subprocess.Popen
    folder: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def restart(self, timeout: float = 20.0) -> None:
        """Stop Janus and start it again on the same port: every session and room is lost,
        as when Janus restarts in production."""
        args = self.process.args
        self.stop()
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_listening(self, int(self.url.rsplit(":", 1)[1]), timeout)

    def log(self) -> str:
        path = self.folder / "janus.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start(folder: Path, *, timeout: float = 20.0) -> JanusServer:
    """Start Janus with a fresh config in `folder`; return once its WebSocket API answers."""
    port = _free_port()
    base = 20000 + (os.getpid() % 200) * 100
    config = JanusConfig(folder, ws_port=port, rtp_ports=(base, base + 99))
    path = config.write()
    process = subprocess.Popen(
        [JANUS, "--config", str(path), "--configs-folder", str(folder), "--disable-colors"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = JanusServer(config.url, config.api_secret, config.admin_key, process, folder)
    _wait_listening(server, port, timeout)
    return server


def _wait_listening(server: JanusServer, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:  # a port poll bounded by the deadline: Janus has no readiness signal
        if server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"janus exited with {code}:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"janus did not listen within {timeout} s:\n{server.log()[-3000:]}"
                ) from exc
            time.sleep(0.05)
