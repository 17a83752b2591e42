"""Janus's configuration, generated locked down: VideoRoom and WebSocket only, secrets demanded.

The same writer serves IT (`vtconnect-admin janus-config`, docs/group-rooms.md) and the tests
(tests/helpers/janus.py): Janus's API on loopback or a private address, an API secret on every
request, a VideoRoom admin key to create rooms, every other plugin and transport disabled.
"""

from __future__ import annotations

import secrets
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path


def libs_folder() -> Path:
    """Where Debian's janus package keeps its plugins (/usr/lib/<multiarch>/janus)."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    for candidate in (Path("/usr/lib") / multiarch / "janus", Path("/usr/lib/janus")):
        if (candidate / "plugins").is_dir():
            return candidate
    return Path("/usr/lib") / multiarch / "janus"


@dataclass
class JanusConfig:
    folder: Path
    ws_port: int = 8188
    ws_ip: str = "127.0.0.1"
    rtp_ports: tuple[int, int] = (20000, 40000)
    api_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    libs: Path = field(default_factory=libs_folder)
    debug_level: int = 4

    @property
    def url(self) -> str:
        return f"ws://{self.ws_ip}:{self.ws_port}"

    def env(self) -> dict[str, str]:
        """What the portal server needs to reach this Janus."""
        return {
            "VTCONNECT_JANUS_URL": self.url,
            "VTCONNECT_JANUS_API_SECRET": self.api_secret,
            "VTCONNECT_JANUS_ADMIN_KEY": self.admin_key,
        }

    def _all_but(self, kind: str, keep: str) -> str:
        return ",".join(sorted(p.name for p in (self.libs / kind).glob("*.so") if p.name != keep))

    def write(self) -> Path:
        """Write janus.jcfg and the two files it reads; return janus.jcfg's path."""
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        low, high = self.rtp_ports
        (folder / "janus.jcfg").write_text(f"""general: {{
    configs_folder = "{folder}"
    plugins_folder = "{self.libs}/plugins"
    transports_folder = "{self.libs}/transports"
    events_folder = "{self.libs}/events"
    loggers_folder = "{self.libs}/loggers"
    log_to_file = "{folder}/janus.log"
    debug_level = {self.debug_level}
    api_secret = "{self.api_secret}"
    server_name = "vtconnect-janus"
}}
certificates: {{
}}
media: {{
    rtp_port_range = "{low}-{high}"
}}
nat: {{
    nice_debug = false
    ice_ignore_list = "vmnet,veth,br-,docker"
}}
plugins: {{
    disable = "{self._all_but("plugins", "libjanus_videoroom.so")}"
}}
transports: {{
    disable = "{self._all_but("transports", "libjanus_websockets.so")}"
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
    ws_port = {self.ws_port}
    ws_ip = "{self.ws_ip}"
    wss = false
}}
admin: {{
    admin_ws = false
    admin_wss = false
}}
""")
        (folder / "janus.plugin.videoroom.jcfg").write_text(f"""general: {{
    admin_key = "{self.admin_key}"
    lock_rtp_forward = true
}}
""")
        for name in ("janus.jcfg", "janus.plugin.videoroom.jcfg"):
            (folder / name).chmod(0o600)  # the secrets are in them
        return folder / "janus.jcfg"
