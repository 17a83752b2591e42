"""CLI call participants in child processes, driven over stdin, read as JSON lines."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable

PASSWORD = "VTConnect-demo-1"


class Participant:
    """`python -m vtconnect_care.client.cli ... --json` with synthetic media (SYNTHETIC media)."""

    def __init__(self, portal: str, username: str, *args: str) -> None:
        cmd = [
            sys.executable,
            "-m",
            "vtconnect_care.client.cli",
            "--portal",
            portal,
            "--username",
            username,
            "--password",
            PASSWORD,
            "--json",
            *args,
        ]
        self.username = username
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.events: list[dict] = []
        self.other: list[str] = []
        self._q: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                self.other.append(line)
                continue
            self.events.append(event)
            self._q.put(event)

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait(
        self, kind: str, pred: Callable[[dict], bool] = lambda e: True, timeout: float = 15.0
    ) -> dict:
        """The next event of this kind that satisfies pred (earlier ones are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tail = "".join(self.other[-20:])
                raise TimeoutError(f"{self.username}: no {kind} event\n{tail}")
            try:
                event = self._q.get(timeout=remaining)
            except queue.Empty:
                continue
            if event["event"] == kind and pred(event):
                return event

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
