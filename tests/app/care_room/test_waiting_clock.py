"""The app's waiting clock (issue 16): it counts on from the server's figure on the app's own
monotonic clock, keeps counting through older descriptions, starts again on a new status."""

from __future__ import annotations

from vtconnect_care.app.care_room.waiting_clock import WaitingClock, card_lines, row_words


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def member(status: str, waited, account_id: int = 7, name: str = "Alex Morgan") -> dict:
    return {"account_id": account_id, "name": name, "status": status, "waited_seconds": waited}


def test_counts_on_from_the_servers_figure():
    ticks = Ticks()
    clock = WaitingClock(ticks)
    clock.take(member("present", 120))
    ticks.now += 65
    assert clock.seconds(7) == 185
    clock.take(member("present", 120))  # the same wait described again, older: no jump back
    assert clock.seconds(7) == 185
    clock.take({"account_id": 7, "status": "present"})  # no figure at all: keeps counting
    assert clock.seconds(7) == 185


def test_a_new_status_starts_again_and_none_or_stop_ends_it():
    ticks = Ticks()
    clock = WaitingClock(ticks)
    clock.take(member("absent", 30))
    clock.take(member("present", 0))  # arrived: their own wait begins
    assert clock.seconds(7) == 0
    clock.take(member("present", None))
    assert clock.seconds(7) is None and not clock.counting
    clock.take(member("present", 10))
    clock.stop()
    assert clock.seconds(7) is None


def test_rows_and_the_card_say_who_waits_and_absent_waits_only_to_the_host():
    ticks = Ticks()
    clock = WaitingClock(ticks)
    alex, bea = member("present", 240), member("absent", 600, 8, "Bea Active")
    clock.take_all([alex, bea])
    assert row_words(alex, clock.seconds(7), hosting=False) == "waiting 4 min"
    assert row_words(bea, clock.seconds(8), hosting=True) == "you have waited 10 min"
    assert row_words(bea, clock.seconds(8), hosting=False) is None  # not the client's wait
    assert card_lines([alex, bea], clock, hosting=True, my_id=1) == [
        "You have been waiting 10 min for Bea Active.",
        "Alex Morgan has been waiting 4 min.",
    ]
    assert card_lines([bea], clock, hosting=False, my_id=7) == ["You have been waiting 4 min."]
