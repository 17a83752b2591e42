"""Refusal: the one shape of a "no" from the rules: a code for programs, a sentence for people."""

from __future__ import annotations


class Refusal(Exception):  # noqa: N818 - an answer of the rules, not a program error
    """A refused move: ``code`` for programs, ``message`` (what to do next) for people.

    Rules that decide raise it (a wrong move in a state machine) or return it as their verdict
    (``invite_refusal(...) -> Refusal | None``); two refusals with the same code and message
    are equal, so tests and callers can compare verdicts.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Refusal):
            return NotImplemented
        return (self.code, self.message) == (other.code, other.message)

    def __hash__(self) -> int:
        return hash((self.code, self.message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"
