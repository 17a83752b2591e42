"""A real Janus (Debian's `janus` package) for tests: generated config, free ports, VideoRoom only.

Janus listens on loopback only, speaks its WebSocket API, demands an API secret on every
request and a VideoRoom admin key to create rooms: the same locked-down shape docs/deploy.md
describes for production, so a test that reaches Janus without them is refused as a stranger is.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

JANUS = shutil.which("janus") or "/usr/bin/janus"
LIBS = Path("/usr/lib/x86_64-linux-gnu/janus")


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


def _disable_all_but(folder: str, keep: str) -> str:
    names = sorted(p.name for p in (LIBS / folder).glob("*.so") if p.name != keep)
    return ",".join(names)


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

    def log(self) -> str:
        path = self.folder / "janus.log"
        return path.read_text(errors="replace") if path.exists() else ""


def write_config(
    folder: Path, *, ws_port: int, api_secret: str, admin_key: str, rtp_ports: tuple[int, int]
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "janus.jcfg").write_text(f"""general: {{
    configs_folder = "{folder}"
    plugins_folder = "{LIBS}/plugins"
    transports_folder = "{LIBS}/transports"
    events_folder = "{LIBS}/events"
    loggers_folder = "{LIBS}/loggers"
    log_to_file = "{folder}/janus.log"
    debug_level = 4
    api_secret = "{api_secret}"
    server_name = "vtconnect-test-janus"
}}
certificates: {{
}}
media: {{
    rtp_port_range = "{rtp_ports[0]}-{rtp_ports[1]}"
}}
nat: {{
    nice_debug = false
    ice_ignore_list = "vmnet,veth,br-,docker"
}}
plugins: {{
    disable = "{_disable_all_but("plugins", "libjanus_videoroom.so")}"
}}
transports: {{
    disable = "{_disable_all_but("transports", "libjanus_websockets.so")}"
}}
events: {{
    broadcast = false
}}
loggers: {{
    disable = "libjanus_jsonlog.so"
}}
""")
    (folder / "janus.transport.websockets.jcfg").write_text(f"""general: {{
    json = "plain"
    ws = true
    ws_port = {ws_port}
    ws_ip = "127.0.0.1"
    wss = false
}}
admin: {{
    admin_ws = false
    admin_wss = false
}}
""")
    (folder / "janus.plugin.videoroom.jcfg").write_text(f"""general: {{
    admin_key = "{admin_key}"
    lock_rtp_forward = true
}}
""")
    return folder / "janus.jcfg"


def start(folder: Path, *, timeout: float = 20.0) -> JanusServer:
    """Start Janus with a fresh config in `folder`; return once its WebSocket API answers."""
    port = _free_port()
    base = 20000 + (os.getpid() % 200) * 100
    api_secret = secrets.token_urlsafe(24)
    admin_key = secrets.token_urlsafe(24)
    config = write_config(
        folder,
        ws_port=port,
        api_secret=api_secret,
        admin_key=admin_key,
        rtp_ports=(base, base + 99),
    )
    process = subprocess.Popen(
        [JANUS, "--config", str(config), "--configs-folder", str(folder), "--disable-colors"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = JanusServer(f"ws://127.0.0.1:{port}", api_secret, admin_key, process, folder)
    deadline = time.monotonic() + timeout
    while True:  # a port poll bounded by the deadline: Janus has no readiness signal
        if process.poll() is not None:
            raise RuntimeError(f"janus exited with {process.returncode}:\n{server.log()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError as exc:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"janus did not listen within {timeout} s:\n{server.log()[-3000:]}"
                ) from exc
            time.sleep(0.05)
