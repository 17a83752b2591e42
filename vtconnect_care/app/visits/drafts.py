"""Visit notes drafts on disk: what was typed, kept until the server confirms it (R-VISIT-16).

One small JSON file per portal and visit, written atomically (temporary file, then rename).
Every method blocks on the disk: callers run them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("vtconnect.app.visits")


@dataclass(frozen=True)
class Draft:
    text: str
    base_version: int  # the server version the text was typed on


def default_dir() -> Path:
    """The person's own app data folder (QStandardPaths), e.g. ~/.local/share/…/visit-notes."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".vtconnect-care") / "visit-notes"


class DraftStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, portal_url: str, visit_id: int) -> Path:
        portal = hashlib.sha256(portal_url.rstrip("/").encode()).hexdigest()[:12]
        return self.folder / f"{portal}-visit-{int(visit_id)}.json"

    def save(self, portal_url: str, visit_id: int, draft: Draft) -> None:
        path = self._path(portal_url, visit_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        data = {"text": draft.text, "base_version": draft.base_version}
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
        try:
            path.chmod(0o600)  # notes are health information: the owner only
        except OSError:
            pass

    def load(self, portal_url: str, visit_id: int) -> Draft | None:
        path = self._path(portal_url, visit_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return Draft(str(data["text"]), int(data["base_version"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("an unreadable notes draft was ignored: %s", path)
            return None

    def clear(self, portal_url: str, visit_id: int, *, if_text: str | None = None) -> None:
        """Forget the draft (the server has it); with ``if_text``, only if it still says that."""
        path = self._path(portal_url, visit_id)
        if if_text is not None:
            current = self.load(portal_url, visit_id)
            if current is not None and current.text != if_text:
                return  # newer typing arrived meanwhile: keep it
        path.unlink(missing_ok=True)
