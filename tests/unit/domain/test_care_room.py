"""Care Room lifecycle and permissions (R-ROOM-2, R-ROOM-7, R-ROOM-8, R-ROOM-9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vtconnect_care.domain import care_room as room
from vtconnect_care.domain import signalling
from vtconnect_care.domain.care_room import MemberRole, MemberView, RoomRefusal, SessionState

HOST = MemberView(1, MemberRole.HOST, True)
ALEX = MemberView(2, MemberRole.PARTICIPANT, True)
ALEX_AWAY = MemberView(2, MemberRole.PARTICIPANT, False)


def test_begin_needs_a_participant_present_r_room_2() -> None:
    with pytest.raises(RoomRefusal) as exc:
        room.begin(SessionState.HOSTED, HOST, [HOST, ALEX_AWAY])
    assert exc.value.code == "nobody_here"
    assert room.begin(SessionState.HOSTED, HOST, [HOST, ALEX]) is SessionState.BEGUN


def test_only_host_begins_and_ends_r_room_7() -> None:
    with pytest.raises(RoomRefusal, match="Only the practitioner who hosts"):
        room.begin(SessionState.HOSTED, ALEX, [HOST, ALEX])
    with pytest.raises(RoomRefusal) as exc:
        room.end(SessionState.BEGUN, ALEX)
    assert exc.value.code == "forbidden"
    assert exc.value.message == room.ONLY_HOST_ENDS
    assert room.end(SessionState.BEGUN, HOST) is SessionState.ENDED


def test_ended_is_final() -> None:
    for move in (
        lambda: room.begin(SessionState.ENDED, HOST, [HOST, ALEX]),
        lambda: room.end(SessionState.ENDED, HOST),
        lambda: room.may_join(SessionState.ENDED, ALEX, [HOST], 6),
        lambda: room.may_talk(SessionState.ENDED, ALEX),
    ):
        with pytest.raises(RoomRefusal) as exc:
            move()
        assert exc.value.code == "session_ended"


def test_join_rejoin_and_cap_r_room_9() -> None:
    room.may_join(SessionState.BEGUN, ALEX_AWAY, [HOST, ALEX_AWAY], 6)  # coming back
    room.may_join(SessionState.BEGUN, ALEX, [HOST, ALEX], 2)  # own place counts once
    with pytest.raises(RoomRefusal, match="not invited"):
        room.may_join(SessionState.BEGUN, None, [HOST], 6)
    full = [MemberView(i, MemberRole.PARTICIPANT, True) for i in range(10, 16)]
    with pytest.raises(RoomRefusal) as exc:
        room.may_join(SessionState.BEGUN, ALEX_AWAY, full, 6)
    assert exc.value.code == "room_full"


def test_signalling_only_between_present_members_of_a_begun_session() -> None:
    room.may_signal(SessionState.BEGUN, HOST, ALEX)
    for state, actor, target, code in (
        (SessionState.HOSTED, HOST, ALEX, "not_begun"),
        (SessionState.BEGUN, None, ALEX, "forbidden"),
        (SessionState.BEGUN, HOST, None, "not_in_room"),
        (SessionState.BEGUN, HOST, ALEX_AWAY, "not_in_room"),
        (SessionState.BEGUN, ALEX_AWAY, HOST, "not_joined"),
        (SessionState.BEGUN, HOST, HOST, "bad_target"),
    ):
        with pytest.raises(RoomRefusal) as exc:
            room.may_signal(state, actor, target)
        assert exc.value.code == code


def test_leave_notice_and_drop_grace_r_room_8() -> None:
    assert room.leave_notice("Alex Morgan") == "Alex Morgan has left the session."
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert not room.drop_expired(t0, t0 + timedelta(seconds=59))
    assert room.drop_expired(t0, t0 + timedelta(seconds=60))
    assert not room.drop_expired(None, t0)


def test_chat_cleaning() -> None:
    assert room.clean_chat("  hi ") == "hi"
    for body, code in (("   ", "chat_empty"), ("x" * 2001, "chat_too_long")):
        with pytest.raises(RoomRefusal) as exc:
            room.clean_chat(body)
        assert exc.value.code == code


@pytest.mark.parametrize(
    "raw,code",
    [
        ("not json", "bad_message"),
        ("[1]", "bad_message"),
        ('{"type":"nope"}', "bad_message"),
        ('{"type":"join","session_id":"1"}', "bad_message"),
        ('{"type":"join","session_id":true}', "bad_message"),
        (
            '{"type":"signal","session_id":1,"to":2,"signal":{"kind":"offer","pc":"a"}}',
            "bad_message",
        ),
        ('{"type":"chat","session_id":1,"body":' + '"' + "x" * 70000 + '"}', "too_large"),
    ],
)
def test_protocol_refuses_bad_messages(raw: str, code: str) -> None:
    with pytest.raises(signalling.ProtocolError) as exc:
        signalling.parse(raw)
    assert exc.value.code == code


def test_protocol_accepts_good_messages() -> None:
    msg = signalling.parse(
        '{"type":"signal","session_id":3,"to":2,"ref":"r1",'
        '"signal":{"kind":"offer","pc":"p1","sdp":"v=0","extra":"dropped"}}'
    )
    assert (msg.session_id, msg.to, msg.ref) == (3, 2, "r1")
    assert msg.signal == {"kind": "offer", "pc": "p1", "sdp": "v=0"}
    assert signalling.parse('{"type":"auth","token":"t"}').token == "t"
