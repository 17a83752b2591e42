"""Waiting times in the Care Room before it begins (issue 16; the rule: domain/waiting_times.py).

The server says how many seconds each member has waited when it describes them
(``waited_seconds``); ``WaitingClock`` counts on from the moment the app received that, on the
app's monotonic clock, so neither computer's wall clock matters. A description without the field
(an older message merged back in) keeps the count; a new status starts it again from the fresh
figure; ``None`` stops it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from vtconnect_care.domain import waiting_times as rule

TICK_MS = 5_000  # the rows say minutes: a refresh every five seconds is plenty


class WaitingClock:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._since: dict[int, tuple[str, float]] = {}  # account -> (status, monotonic start)

    def take(self, member: dict) -> None:
        if "waited_seconds" not in member:
            return
        account_id, status = member["account_id"], str(member.get("status", ""))
        seconds = member["waited_seconds"]
        if seconds is None:
            self._since.pop(account_id, None)
            return
        known = self._since.get(account_id)
        if known is None or known[0] != status:
            self._since[account_id] = (status, self._clock() - max(0, int(seconds)))

    def take_all(self, members: Iterable[dict]) -> None:
        for member in members:
            self.take(member)

    def stop(self) -> None:
        """The session began or ended: nobody waits any more."""
        self._since.clear()

    def seconds(self, account_id: int | None) -> int | None:
        known = self._since.get(account_id) if account_id is not None else None
        return None if known is None else max(0, int(self._clock() - known[1]))

    @property
    def counting(self) -> bool:
        return bool(self._since)


def _here(member: dict) -> bool:
    return member.get("status") in ("present", "dropped")  # a dropped place is still theirs


def row_words(member: dict, seconds: int | None, *, hosting: bool) -> str | None:
    """The participant row's waiting words, or None. Someone present: 'waiting 4 min' (everyone
    sees it); someone absent: 'you have waited 4 min', to the host only (it is the host's wait)."""
    if seconds is None:
        return None
    present = _here(member)
    if not present and not hosting:
        return None
    return rule.waiting_words(seconds, present=present)


def card_lines(
    members: list[dict], clock: WaitingClock, *, hosting: bool, my_id: int | None
) -> list[str]:
    """The waiting card's lines: for the host everyone's wait, longest first; for a participant
    their own ('You have been waiting 4 min.')."""
    if not hosting:
        mine = clock.seconds(my_id)
        if mine is None:
            return []
        return [f"You have been waiting {rule.duration_words(mine)}."]
    waits: list[tuple[int, dict]] = []
    for m in members:
        seconds = clock.seconds(m["account_id"])
        if seconds is not None:
            waits.append((seconds, m))
    waits.sort(key=lambda pair: -pair[0])
    return [rule.waiting_line(m["name"], s, present=_here(m)) for s, m in waits]


def with_waits(controller, me: dict, others: list[dict]) -> tuple[dict, list[dict], list[str]]:
    """The Care Room's rows with their waiting words, and the waiting card's lines."""
    c = controller
    hosting, waits = c.hosting, c.waits
    me = {**me, "wait": row_words(me, waits.seconds(c.my_id), hosting=hosting)}
    others = [
        {**m, "wait": row_words(m, waits.seconds(m["account_id"]), hosting=hosting)} for m in others
    ]
    return me, others, card_lines(others, waits, hosting=hosting, my_id=c.my_id)
