"""The realtime message schema: what the hub accepts before it looks at the database."""

from __future__ import annotations

import json

import pytest

from vtconnect_care.domain.signalling import MAX_MESSAGE_BYTES, ProtocolError, parse


def test_well_formed_messages_parse():
    assert parse('{"type":"ping","ref":"r1"}').ref == "r1"
    assert parse('{"type":"auth","token":"abc"}').token == "abc"
    msg = parse(json.dumps({"type": "chat", "session_id": 3, "body": "hi"}))
    assert (msg.type, msg.session_id, msg.body) == ("chat", 3, "hi")
    offer = {"kind": "offer", "pc": "p1", "sdp": "v=0"}
    msg = parse(json.dumps({"type": "signal", "session_id": 3, "to": 7, "signal": offer}))
    assert (msg.to, msg.signal) == (7, offer)
    ice = {
        "kind": "ice",
        "pc": "p1",
        "candidate": {"candidate": "candidate:1 1 udp 1 1.2.3.4 5 typ host"},
    }
    assert parse(json.dumps({"type": "signal", "session_id": 3, "to": 7, "signal": ice})).signal
    end_of_candidates = {"kind": "ice", "pc": "p1", "candidate": None}
    assert (
        parse(
            json.dumps({"type": "signal", "session_id": 3, "to": 7, "signal": end_of_candidates})
        ).signal
        == end_of_candidates
    )


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        '{"type":"teleport"}',
        '{"type":"join"}',
        '{"type":"join","session_id":0}',
        '{"type":"join","session_id":true}',
        '{"type":"join","session_id":"3"}',
        '{"type":"chat","session_id":3,"body":5}',
        '{"type":"auth","token":""}',
        '{"type":"ping","ref":5}',
        '{"type":"signal","session_id":3,"to":7,"signal":{"kind":"hack","pc":"p"}}',
        '{"type":"signal","session_id":3,"to":7,"signal":{"kind":"offer","pc":""}}',
        '{"type":"signal","session_id":3,"to":7,"signal":{"kind":"offer","pc":"p"}}',
        '{"type":"signal","session_id":3,"signal":{"kind":"offer","pc":"p","sdp":"v"}}',
        '{"type":"signal","session_id":3,"to":7,"signal":{"kind":"ice","pc":"p","candidate":"x"}}',
    ],
)
def test_malformed_messages_are_refused(raw):
    with pytest.raises(ProtocolError) as exc:
        parse(raw)
    assert exc.value.code == "bad_message"


def test_oversized_messages_are_refused_before_parsing():
    with pytest.raises(ProtocolError) as exc:
        parse("{" + " " * MAX_MESSAGE_BYTES + "}")
    assert exc.value.code == "too_large"


def test_a_media_signal_says_whether_video_is_sent_and_why():
    msg = parse(
        json.dumps(
            {
                "type": "signal",
                "session_id": 1,
                "to": 2,
                "signal": {"kind": "media", "pc": "p1", "video": False, "reason": "weak"},
            }
        )
    )
    assert msg.signal == {"kind": "media", "pc": "p1", "video": False, "reason": "weak"}
    for bad in ({"video": "no"}, {"video": False, "reason": "bored"}):
        raw = {"type": "signal", "session_id": 1, "to": 2, "signal": {"kind": "media", "pc": "p"}}
        raw["signal"].update(bad)
        with pytest.raises(ProtocolError):
            parse(json.dumps(raw))
