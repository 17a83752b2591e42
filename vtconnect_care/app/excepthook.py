"""An excepthook that logs the error and shows a calm dialog instead of a crash."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger("vtconnect.app")

FRIENDLY = (
    "Something went wrong in VTConnect Care. Your work is safe; you can keep using the app. "
    "If it happens again, restart the app and tell VTConnect Support what you were doing."
)


_SHOWN: set = set()  # the error dialogs on screen (kept alive until closed)


def show_error_dialog(summary: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.instance() is None:
        return
    box = QMessageBox(QMessageBox.Icon.Warning, "VTConnect Care", FRIENDLY)
    box.setDetailedText(summary)
    box.setAccessibleName("Unexpected error")
    _SHOWN.add(box)
    box.finished.connect(lambda _code, b=box: (_SHOWN.discard(b), b.deleteLater()))
    box.open()  # not exec(): never a nested event loop inside the asyncio loop


def install(show: Callable[[str], None] = show_error_dialog) -> Callable[..., None]:
    """Install the hook (and an asyncio handler is installed by main); returns the hook."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unhandled error", exc_info=(exc_type, exc, tb))
        summary = "".join(traceback.format_exception(exc_type, exc, tb))
        try:
            show(summary)
        except Exception:  # noqa: BLE001 - the hook itself must never raise
            log.exception("could not show the error dialog")

    sys.excepthook = hook
    return hook


def asyncio_handler(show: Callable[[str], None] = show_error_dialog):
    """A loop exception handler that routes task errors to the same friendly dialog."""

    def handler(loop, context: dict) -> None:  # type: ignore[no-untyped-def]
        exc = context.get("exception")
        if exc is None:
            log.error("event loop: %s", context.get("message"))
            return
        log.error("event loop: %s", context.get("message"), exc_info=exc)
        summary = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            show(summary)
        except Exception:  # noqa: BLE001
            log.exception("could not show the error dialog")

    return handler
