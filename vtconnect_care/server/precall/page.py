"""What the browser visit page needs for its connection check: the domain's sentences, or
nothing at all when the portal has the test turned off (the page then shows no check)."""

from __future__ import annotations

from vtconnect_care.domain import precall as rules
from vtconnect_care.domain import precall_words as words

from ..settings import Settings


def page_data(settings: Settings) -> dict | None:
    """The JSON data block of the visit page (static/visit/precall.js reads it)."""
    if not settings.precall_enabled:
        return None
    return {
        "seconds": rules.DEFAULT_SECONDS,
        "expected_seconds": rules.expected_seconds(rules.DEFAULT_SECONDS),
        "texts": words.page_texts(rules.DEFAULT_SECONDS),
    }
