"""The device panel's "Test connection" (issue 18): the pre-call test, shown as it runs.

``ConnectionTestBox`` is the form ui/connection_test.ui with its behaviour: Test connection
starts ``client.precall.run_precall`` as a task on the app's qasync loop (the Qt thread never
waits), a progress bar and the phase's sentence follow it, and then the verdict ("Good", "Good
enough for audio only" or "Too slow for video"), the figures, the advice and the reasons show,
or a sentence that says why the test could not run. Every sentence is from domain/precall_words.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QWidget

from vtconnect_care.client.precall import PrecallError, PrecallResult, run_precall
from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words
from vtconnect_care.domain.precall import PrecallPhase

from .forms.ui_connection_test import Ui_ConnectionTestForm
from .tasks import TaskGroup

log = logging.getLogger("vtconnect.app.precall")

TICK_MS = 100


class SignedIn(Protocol):
    """What the test needs of the app's portal client: where, and the session token."""

    base_url: str
    token: str | None


Runner = Callable[..., Awaitable[PrecallResult]]


class ConnectionTestBox(QFrame):
    """Button, progress, verdict; ``cancel()`` is idempotent (at exit, at sign-out)."""

    finished = Signal(object)  # the PrecallResult, or the PrecallError

    def __init__(
        self,
        session_source: Callable[[], SignedIn | None],
        *,
        runner: Runner = run_precall,
        seconds: float = rules.DEFAULT_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectionTest")
        self._session_source = session_source
        self._runner = runner
        self._seconds = seconds
        self._expected = rules.expected_seconds(seconds)
        self._tasks = TaskGroup()
        self._task: asyncio.Task | None = None
        self._started = 0.0
        self.result: PrecallResult | None = None
        self.ui = Ui_ConnectionTestForm()
        self.ui.setupUi(self)
        self.test_button = self.ui.test_button
        self.test_button.setText(words.BUTTON)
        self.test_button.clicked.connect(self.start)
        self.ui.intro.setText(words.INTRO.format(seconds=self._expected))
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._show_result(None)
        self.ui.progress.hide()
        self.ui.status.hide()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- intent ----------------------------------------------------------------------------

    def start(self) -> asyncio.Task | None:
        if self.running:
            return self._task
        self._show_result(None)
        self.ui.message.clear_message()
        session = self._session_source()
        if session is None or not session.token:
            self.ui.message.show_error(words.SIGN_IN_FIRST)
            return None
        self._set_running(True)
        self._task = self._tasks.spawn(
            self._run(session.base_url, session.token), "connection test"
        )
        return self._task

    def cancel(self) -> None:
        self._tasks.cancel_all()
        self._set_running(False)

    # --- the run ---------------------------------------------------------------------------

    async def _run(self, portal_url: str, token: str) -> None:
        try:
            result = await self._runner(
                portal_url, token, seconds=self._seconds, on_phase=self._on_phase
            )
        except PrecallError as exc:
            log.info("connection test: %s", exc.code)
            self._set_running(False)
            self.ui.message.show_error(exc.message)
            self.finished.emit(exc)
            return
        self.result = result
        self._set_running(False)
        self._show_result(result)
        self.finished.emit(result)

    def _on_phase(self, phase: PrecallPhase) -> None:
        text = words.PHASE_TEXT.get(phase)
        if text:
            self.ui.status.setText(text)
            self.ui.status.setAccessibleDescription(text)

    def _tick(self) -> None:
        done = (time.monotonic() - self._started) / self._expected
        self.ui.progress.setValue(min(95, int(done * 100)))

    # --- what the person sees --------------------------------------------------------------

    def _set_running(self, on: bool) -> None:
        self.test_button.setEnabled(not on)
        self.ui.progress.setVisible(on)
        self.ui.status.setVisible(on)
        if on:
            self._started = time.monotonic()
            self.ui.progress.setValue(0)
            self._on_phase(PrecallPhase.CONNECTING)
            self.test_button.setText("Testing…")
            self._timer.start()
        else:
            self._timer.stop()
            self.test_button.setText(words.AGAIN if self.result is not None else words.BUTTON)

    def _show_result(self, result: PrecallResult | None) -> None:
        ui = self.ui
        for label in (ui.word, ui.figures, ui.advice, ui.reasons):
            label.setVisible(result is not None)
        if result is None:
            return
        lines = words.figure_lines(result.figures)
        ui.word.setText(result.word)
        ui.word.setAccessibleDescription(result.word)
        ui.figures.setText("\n".join(f"{label}: {value}" for label, value in lines))
        ui.advice.setText(result.advice)
        ui.reasons.setText(" ".join(result.judgement.reasons))
        ui.reasons.setVisible(bool(result.judgement.reasons))
