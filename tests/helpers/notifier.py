"""A notifier that records what would have been shown on the desktop (TEST ONLY)."""

from __future__ import annotations


class RecordingNotifier:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str, object]] = []  # title, text, window

    def notify(self, title: str, text: str, window=None) -> None:
        self.shown.append((title, text, window))

    def titles(self) -> list[str]:
        return [title for title, _text, _window in self.shown]
