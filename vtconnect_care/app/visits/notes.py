"""The visit's notes beside the video, saved as typed (R-VISIT-16).

``NotesAutosaver`` keeps a draft on disk (off the Qt thread) at every change, saves to the
server's versioned notes API after a short pause in typing, retries a save that failed with a
growing delay, and forgets the draft only once the server confirmed that very text. Opening the
visit again after a crash or a drop restores an unconfirmed draft and saves it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from vtconnect_care.client.portal_api import PortalError, PortalUnreachable
from vtconnect_care.client.visits_api import NotesConflict, VisitsApi
from vtconnect_care.domain.times import hhmm

from ..tasks import TaskGroup
from ..widgets import label
from .drafts import Draft, DraftStore

log = logging.getLogger("vtconnect.app.visits")

DEBOUNCE_MS = 700
RETRY_MS = (500, 1000, 2000, 4000, 8000)

SAVED = "Saved at {time}."
SAVING = "Saving…"
UNSAVED = "Not saved yet."
RETRYING = (
    "Not saved yet: the portal cannot be reached. Your notes are kept on this computer and "
    "saved as soon as it answers."
)
RESTORED = "Notes typed earlier on this computer were restored and are being saved."


class NotesAutosaver(QObject):
    """``state``: 'saved', 'pending', 'saving', 'retrying', 'conflict' or 'error'."""

    status_changed = Signal(str, str)  # state, sentence
    saved = Signal(int)  # the server's version

    def __init__(
        self,
        api: VisitsApi,
        visit_id: int,
        drafts: DraftStore,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        retry_ms: tuple[int, ...] = RETRY_MS,
        portal: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.visit_id = visit_id
        self.drafts = drafts
        self.retry_ms = retry_ms
        self._portal = portal
        self.text = ""
        self.base_version = 0
        self.confirmed_text = ""
        self.state = "saved"
        self.sentence = ""
        self.attempts = 0
        self.tasks = TaskGroup()
        self._saving = False
        self._closed = False
        self._draft_lock = asyncio.Lock()
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self.save_now)

    @property
    def portal(self) -> str:
        return self._portal or self.api.base_url

    def _set(self, state: str, sentence: str) -> None:
        self.state, self.sentence = state, sentence
        self.status_changed.emit(state, sentence)

    async def load(self, notes: str, version: int) -> str:
        """Start from the server's notes, or from an unconfirmed draft; returns the text to show."""
        self.text = self.confirmed_text = notes or ""
        self.base_version = int(version)
        draft = await asyncio.to_thread(self.drafts.load, self.portal, self.visit_id)
        if draft is not None and draft.text != self.text:
            self.text = draft.text
            self.base_version = draft.base_version
            self._set("pending", RESTORED)
            self.save_now()
        elif draft is not None:
            await asyncio.to_thread(self.drafts.clear, self.portal, self.visit_id)
        return self.text

    def edited(self, text: str) -> None:
        """Every keystroke: keep the draft on disk at once, save after a pause."""
        if text == self.text:
            return
        self.text = text
        self.tasks.spawn(self._write_draft(), "notes draft")
        if self.state not in ("retrying", "conflict"):
            self._set("pending", UNSAVED)
        self._timer.start()

    async def _write_draft(self) -> None:
        async with self._draft_lock:  # the newest text wins, writes never overlap
            draft = Draft(self.text, self.base_version)
            await asyncio.to_thread(self.drafts.save, self.portal, self.visit_id, draft)

    def save_now(self) -> asyncio.Task | None:
        self._timer.stop()
        if self._saving:
            return None  # the running save checks for newer text when it ends
        return self.tasks.spawn(self._save(), "notes save")

    async def _save(self) -> None:
        self._saving = True
        try:
            while self.text != self.confirmed_text:
                text = self.text
                self._set("saving", SAVING)
                try:
                    body = await self.api.save_notes(self.visit_id, text, self.base_version)
                except NotesConflict as exc:
                    # our text is kept; the next save goes on top of the current version
                    self.base_version = int(exc.current.get("version", self.base_version))
                    self.confirmed_text = str(exc.current.get("notes", ""))
                    await self._write_draft()
                    self._set("conflict", exc.message)
                    return
                except PortalUnreachable:
                    self._retry_later()
                    return
                except PortalError as exc:
                    if exc.status and exc.status < 500:
                        self._set("error", exc.message)
                        return
                    self._retry_later()
                    return
                self.attempts = 0
                self.base_version = int(body["version"])
                self.confirmed_text = str(body["notes"])
                self.saved.emit(self.base_version)
                if self.text == self.confirmed_text:
                    await asyncio.to_thread(
                        self.drafts.clear, self.portal, self.visit_id, if_text=self.confirmed_text
                    )
                else:
                    await self._write_draft()  # the newer text, on the new version
            self._set("saved", SAVED.format(time=hhmm(datetime.now().astimezone())))
        finally:
            self._saving = False

    def _retry_later(self) -> None:
        if self._closed:
            return  # closed while a save was on its way: the draft on disk keeps the text
        delay = self.retry_ms[min(self.attempts, len(self.retry_ms) - 1)]
        self.attempts += 1
        self._set("retrying", RETRYING)
        log.info("notes of visit %s not saved; retrying in %d ms", self.visit_id, delay)
        self._timer.start(delay)

    def close(self) -> None:
        """Stop the timers (the draft stays on disk until the server confirmed it)."""
        self._closed = True
        self._timer.stop()
        self.tasks.cancel_all()


class NotesPanel(QWidget):
    """The notes editor and its save status; forwards every edit to the autosaver."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NotesPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        lay.addWidget(label("Visit notes", "SectionTitle"))
        hint = "Document the visit as usual: your notes are saved as you type."
        lay.addWidget(label(hint, "Hint", wrap=True))
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Visit notes")
        self.editor.setAccessibleDescription("Saved automatically as you type.")
        self.editor.setPlaceholderText("Type your notes for this visit…")
        self.editor.setTabChangesFocus(True)
        lay.addWidget(self.editor, 1)
        self.status = label("", "Hint", wrap=True)
        self.status.setAccessibleName("Notes save status")
        lay.addWidget(self.status)
        self.saver: NotesAutosaver | None = None

    def attach(self, saver: NotesAutosaver, text: str) -> None:
        self.saver = saver
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.editor.textChanged.connect(lambda: saver.edited(self.editor.toPlainText()))
        saver.status_changed.connect(self._show)
        if saver.state != "saved":
            self._show(saver.state, saver.sentence)

    def _show(self, state: str, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.setAccessibleDescription(sentence)
        colour = {"retrying": "#8a5a00", "conflict": "#8a1c1c", "error": "#8a1c1c"}.get(state)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")
