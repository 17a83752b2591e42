"""The call's sentences and the frame-health judgement: plain functions, no Qt."""

from __future__ import annotations

import pytest

from vtconnect_care.app.call import status as say
from vtconnect_care.app.call.states import PHASE_MOVES, CallPhase, TileState
from vtconnect_care.domain.transitions import StateMachine, WrongMoveError

NOW = 1000.0


def test_names_are_joined_as_people_write_them():
    assert say.names([]) == ""
    assert say.names(["Alex"]) == "Alex"
    assert say.names(["Alex", "Bea"]) == "Alex and Bea"
    assert say.names(["Alex", "Bea", "Carl"]) == "Alex, Bea and Carl"


def test_r_room_2_waiting_room_sentences():
    assert say.waiting_status(hosting=True, host_name="Priya", here=[]) == say.WAITING
    assert say.waiting_status(hosting=True, host_name="Priya", here=["Alex"]) == (
        "Alex has arrived. Click Begin to start the session."
    )
    assert say.waiting_status(hosting=True, host_name="Priya", here=["Alex", "Bea"]) == (
        "Alex and Bea have arrived. Click Begin to start the session."
    )
    assert say.waiting_status(hosting=False, host_name="Dr Patel", here=["Alex"]) == (
        "Waiting for Dr Patel to begin the session…"
    )


def test_call_status_names_a_camera_that_is_off_first():
    assert say.call_status(here=["Alex"], camera_off=[]) == "In session with Alex."
    assert say.call_status(here=["Alex"], camera_off=["Alex"]) == "Alex's camera is off."
    assert say.call_status(here=[], camera_off=[]).startswith("Everyone else has left")
    assert say.ended_text("Dr Patel", by_me=False) == "Dr Patel has ended the session."
    assert say.ended_text("Dr Patel", by_me=True) == say.YOU_ENDED


@pytest.mark.parametrize(
    ("current", "facts", "expected"),
    [
        (TileState.CONNECTING, {"last": None, "first": None, "rate": 0.0}, TileState.CONNECTING),
        (
            TileState.RECONNECTING,
            {"last": None, "first": None, "rate": 0.0},
            TileState.RECONNECTING,
        ),
        (TileState.CONNECTED, {"last": None, "first": None, "rate": 0.0}, TileState.CONNECTING),
        (
            TileState.CONNECTED,
            {"last": NOW - 0.1, "first": NOW - 5, "rate": 30.0},
            TileState.CONNECTED,
        ),
        (TileState.CONNECTED, {"last": NOW - 0.1, "first": NOW - 5, "rate": 1.0}, TileState.POOR),
        # too early to judge the rate: still connected
        (
            TileState.CONNECTING,
            {"last": NOW - 0.1, "first": NOW - 1, "rate": 1.0},
            TileState.CONNECTED,
        ),
        (
            TileState.CONNECTED,
            {"last": NOW - 5, "first": NOW - 9, "rate": 0.0},
            TileState.RECONNECTING,
        ),
    ],
)
def test_judge_tile_from_the_pictures(current, facts, expected):
    assert say.judge_tile(current, dropped=False, now=NOW, **facts) is expected


def test_a_dropped_person_is_reconnecting_whatever_the_pictures():
    got = say.judge_tile(
        TileState.CONNECTED, dropped=True, last=NOW, first=NOW - 9, rate=30, now=NOW
    )
    assert got is TileState.RECONNECTING


def test_the_phase_table_refuses_wrong_moves_and_logs_right_ones(caplog):
    seen = []
    machine = StateMachine(
        "call", CallPhase.IDLE, PHASE_MOVES, on_change=lambda a, b: seen.append((a, b))
    )
    with caplog.at_level("INFO", logger="vtconnect.state"):
        assert machine.move(CallPhase.CONNECTING)
    assert "call: idle -> connecting" in caplog.text
    assert not machine.move(CallPhase.CONNECTING)  # already there: nothing happens
    machine.move(CallPhase.ENDED)
    with pytest.raises(WrongMoveError):
        machine.move(CallPhase.IN_CALL)  # an ended call never comes back
    machine.move(CallPhase.CLOSED)
    with pytest.raises(WrongMoveError):
        machine.move(CallPhase.CONNECTING)
    assert seen == [
        (CallPhase.IDLE, CallPhase.CONNECTING),
        (CallPhase.CONNECTING, CallPhase.ENDED),
        (CallPhase.ENDED, CallPhase.CLOSED),
    ]
