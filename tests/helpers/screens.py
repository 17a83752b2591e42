"""The screenshot harness's common parts: waiting for a condition on the running loop and
saving a window's picture (with a size check) under docs/screenshots."""

from __future__ import annotations

import asyncio
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 300_000


async def wait_for(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(str(predicate))
        await asyncio.sleep(0.05)


def save(widget, name: str) -> Path:
    """``docs/screenshots/<name>.png`` from ``widget.grab()``; refuses a file over 300 kB."""
    path = OUT / f"{name}.png"
    widget.grab().save(str(path), "PNG")
    size = path.stat().st_size
    print(f"{path} {size} bytes")
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is bigger than {MAX_BYTES} bytes")
    return path
