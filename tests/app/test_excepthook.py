"""Unexpected errors are logged and shown as a calm dialog, never a crash (CONVENTIONS.md #8)."""

from __future__ import annotations

import sys

from vtconnect_care.app import excepthook


def test_hook_logs_and_shows(caplog, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    hook = excepthook.install(shown.append)
    try:
        raise ValueError("boom")
    except ValueError:
        hook(*sys.exc_info())
    assert "ValueError: boom" in shown[0]
    assert "unhandled error" in caplog.text


def test_a_failing_dialog_does_not_raise(monkeypatch):
    def broken(summary: str) -> None:
        raise RuntimeError("no display")

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    hook = excepthook.install(broken)
    hook(KeyError, KeyError("x"), None)  # logged, not raised


def test_loop_handler_routes_task_errors(qloop):
    shown: list[str] = []
    handler = excepthook.asyncio_handler(shown.append)
    handler(qloop, {"message": "task failed", "exception": OSError("disk")})
    handler(qloop, {"message": "just a message"})
    assert len(shown) == 1 and "OSError: disk" in shown[0]


def test_dialog_opens_without_a_nested_loop(qapp):
    from PySide6.QtWidgets import QMessageBox

    excepthook.show_error_dialog("Traceback: details")
    boxes = [w for w in qapp.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert boxes and boxes[-1].text() == excepthook.FRIENDLY
    for box in boxes:
        box.done(0)
    assert not excepthook._SHOWN


def test_task_group_after_the_loop_closed_drops_the_work():
    import asyncio

    from vtconnect_care.app.tasks import TaskGroup

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.close()
    try:

        async def work():
            return 1

        assert TaskGroup().spawn(work(), "late") is None  # no "never awaited" warning either
    finally:
        asyncio.set_event_loop(None)
