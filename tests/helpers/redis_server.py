"""A real redis-server for tests: its own port and generated config, no persistence.

``RedisServer(tmp_path)`` starts ``redis-server`` on a free loopback port and waits for its
"Ready to accept connections" line (not a sleep); ``redis_missing()`` gives the reason to skip
when the package is not installed (``make system-deps`` and .ci/run install it).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

from tests.helpers.server import free_port


def redis_missing() -> str | None:
    if shutil.which("redis-server") is None:
        return "redis-server is not installed (apt-get install redis-server; make system-deps)"
    return None


class RedisServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "redis.conf"
        conf.write_text(
            f"port {self.port}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\n"
            f'dir {self.folder}\nsave ""\nappendonly no\nlogfile ""\nloglevel notice\n'
        )
        self.proc = subprocess.Popen(
            ["redis-server", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        ready = threading.Event()
        lines: list[bytes] = []

        def pump() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.append(line)
                if b"Ready to accept connections" in line:
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(timeout):
            self.stop()
            raise RuntimeError("redis-server did not start:\n" + b"".join(lines[-20:]).decode())
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
