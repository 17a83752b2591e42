"""Guarded state machines: a table of allowed moves, one method that moves and logs "a -> b".

The call engine, the call window's controller and the visit call each keep their state in one
of these (CONVENTIONS habit 4): a move the table does not list is a programming error and
raises ``WrongMoveError``; moving to the state one is already in changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class WrongMoveError(RuntimeError):
    """A move the table does not allow (``state`` -> ``wanted``)."""

    def __init__(self, name: str, state: StrEnum, wanted: StrEnum) -> None:
        super().__init__(f"{name}: {state} -> {wanted} is not a valid move")
        self.state = state
        self.wanted = wanted


def moves(table: Mapping[S, Iterable[S]]) -> dict[S, frozenset[S]]:
    """A move table with frozen sets (for module-level constants)."""
    return {state: frozenset(targets) for state, targets in table.items()}


class StateMachine(Generic[S]):
    """``state`` and its guarded moves; ``on_change(old, new)`` after every real move."""

    def __init__(
        self,
        name: str,
        initial: S,
        table: Mapping[S, frozenset[S]],
        *,
        on_change: Callable[[S, S], object] | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.name = name
        self.state = initial
        self.table = table
        self.on_change = on_change
        self.log = logger or logging.getLogger("vtconnect.state")

    def allowed(self, wanted: S) -> bool:
        return wanted == self.state or wanted in self.table.get(self.state, frozenset())

    def move(self, wanted: S) -> bool:
        """Move to ``wanted``; False if already there; WrongMoveError if the table forbids it."""
        old = self.state
        if wanted == old:
            return False
        if wanted not in self.table.get(old, frozenset()):
            raise WrongMoveError(self.name, old, wanted)
        self.state = wanted
        self.log.info("%s: %s -> %s", self.name, old, wanted)
        if self.on_change is not None:
            self.on_change(old, wanted)
        return True
