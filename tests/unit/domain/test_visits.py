"""Virtual-visit rules R-VISIT-1..15: the session state machine and every check, clock injected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vtconnect_care.domain import visit_messages as msg
from vtconnect_care.domain.clock import FakeClock
from vtconnect_care.domain.visits import (
    InvalidTransition,
    InviteKind,
    LinkStatus,
    SessionEvent,
    SessionFacts,
    VirtualSessionState,
    VisitFacts,
    client_not_joined_message,
    clock_in_refusal,
    clock_out_refusal,
    clock_out_warning,
    employee_notice,
    invite_refusal,
    is_invite_outdated,
    is_live,
    is_virtual,
    join_refusal,
    link_expires_at,
    link_status,
    transition,
    visit_buttons,
)

S, E = VirtualSessionState, SessionEvent
EMPLOYEE, OTHER = 7, 8
START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
END = datetime(2026, 11, 23, 14, 45, tzinfo=UTC)  # link expires at 15:00


def visit(**changes) -> VisitFacts:
    base = VisitFacts(
        employee_id=EMPLOYEE,
        allows_virtual=True,
        client_email="bea@clients.example",
        starts_at=START,
        ends_at=END,
        schedule_version=1,
    )
    return replace(base, **changes)


def session(state=S.CREATED, version=1, sent=START - timedelta(minutes=30)) -> SessionFacts:
    return SessionFacts(state=state, schedule_version=version, last_invite_sent_at=sent)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START - timedelta(hours=1))


# --- R-VISIT-1 --------------------------------------------------------------------------------


def test_r_visit_1_virtual_only_if_the_service_allows_it(clock):
    assert is_virtual(True) and not is_virtual(False)
    refusal = invite_refusal(
        actor_id=EMPLOYEE,
        visit=visit(allows_virtual=False),
        session=None,
        kind=InviteKind.SEND,
        now=clock.now(),
    )
    assert refusal is not None and refusal.code == "not_virtual"
    buttons = visit_buttons(
        actor_id=EMPLOYEE, visit=visit(allows_virtual=False), session=None, now=clock.now()
    )
    assert not buttons["send_invite"].enabled and not buttons["join_video"].enabled
    assert buttons["clock_in"].enabled  # an in-person visit is still clocked


# --- R-VISIT-2 / R-VISIT-3 / R-VISIT-4 / R-VISIT-5 ------------------------------------------


@pytest.mark.parametrize("kind", [InviteKind.SEND, InviteKind.COPY])
def test_r_visit_2_3_the_assigned_employee_may_send_or_copy(clock, kind):
    assert (
        invite_refusal(actor_id=EMPLOYEE, visit=visit(), session=None, kind=kind, now=clock.now())
        is None
    )


@pytest.mark.parametrize("kind", list(InviteKind))
def test_r_visit_4_not_assigned_gets_the_exact_message(clock, kind):
    for v in (visit(), visit(employee_id=None)):
        refusal = invite_refusal(
            actor_id=OTHER, visit=v, session=session(), kind=kind, now=clock.now()
        )
        assert refusal is not None
        assert refusal.message == (
            "You need to be assigned to the visit to be able to send an invitation to the client."
        )


@pytest.mark.parametrize("email", [None, "", "   "])
def test_r_visit_5_no_client_email_for_send_and_resend(clock, email):
    for kind, sess in ((InviteKind.SEND, None), (InviteKind.RESEND, session())):
        refusal = invite_refusal(
            actor_id=EMPLOYEE,
            visit=visit(client_email=email),
            session=sess,
            kind=kind,
            now=clock.now(),
        )
        assert refusal is not None
        assert refusal.message == "The client does not have an email address."
    # R-VISIT-3: copying the link needs no email address
    assert (
        invite_refusal(
            actor_id=EMPLOYEE,
            visit=visit(client_email=email),
            session=None,
            kind=InviteKind.COPY,
            now=clock.now(),
        )
        is None
    )


def test_r_visit_4_checked_before_r_visit_5(clock):
    refusal = invite_refusal(
        actor_id=OTHER,
        visit=visit(client_email=None),
        session=None,
        kind=InviteKind.SEND,
        now=clock.now(),
    )
    assert refusal is not None and refusal.code == "not_assigned"


# --- R-VISIT-6 --------------------------------------------------------------------------------


def test_r_visit_6_invites_before_and_after_clock_in(clock):
    before = visit()
    after = visit(clock_in_at=clock.now())
    for v in (before, after):
        assert (
            invite_refusal(
                actor_id=EMPLOYEE, visit=v, session=None, kind=InviteKind.SEND, now=clock.now()
            )
            is None
        )


def test_r_visit_6_joining_needs_clock_in(clock):
    refusal = join_refusal(actor_id=EMPLOYEE, visit=visit(), session=session(), now=clock.now())
    assert refusal is not None and refusal.code == "not_clocked_in"
    assert refusal.message == msg.JOIN_NEEDS_CLOCK_IN
    clocked = visit(clock_in_at=clock.now())
    assert (
        join_refusal(actor_id=EMPLOYEE, visit=clocked, session=session(), now=clock.now()) is None
    )


def test_joining_needs_a_session_and_the_assigned_employee(clock):
    clocked = visit(clock_in_at=clock.now())
    assert (
        join_refusal(actor_id=EMPLOYEE, visit=clocked, session=None, now=clock.now()).code
        == "no_session"
    )
    assert (
        join_refusal(actor_id=OTHER, visit=clocked, session=session(), now=clock.now()).code
        == "not_assigned"
    )


# --- R-VISIT-7 --------------------------------------------------------------------------------


def test_r_visit_7_a_link_sent_before_a_time_change_stops_working(clock):
    sent_v1 = session(version=1)
    moved = visit(
        schedule_version=2, starts_at=START + timedelta(hours=1), ends_at=END + timedelta(hours=1)
    )
    assert is_invite_outdated(moved, sent_v1)
    assert link_status(visit=moved, session=sent_v1, link_version=1, now=clock.now()) is (
        LinkStatus.SUPERSEDED
    )
    # resending issues a link of the new version, which works
    resent = session(version=2)
    assert not is_invite_outdated(moved, resent)
    assert link_status(visit=moved, session=resent, link_version=2, now=clock.now()) is (
        LinkStatus.VALID
    )
    # and the old link stays dead even after the resend
    assert link_status(visit=moved, session=resent, link_version=1, now=clock.now()) is (
        LinkStatus.SUPERSEDED
    )


def test_r_visit_7_resend_is_offered_with_the_reason_after_a_time_change(clock):
    buttons = visit_buttons(
        actor_id=EMPLOYEE,
        visit=visit(schedule_version=2),
        session=session(version=1),
        now=clock.now(),
    )
    assert buttons["resend_invite"].enabled
    assert buttons["resend_invite"].label == "Resend invite to client"
    assert buttons["resend_invite"].reason == msg.INVITE_OUTDATED
    assert not buttons["send_invite"].enabled  # the session exists: resend, not send


def test_r_visit_7_resend_needs_a_session(clock):
    refusal = invite_refusal(
        actor_id=EMPLOYEE, visit=visit(), session=None, kind=InviteKind.RESEND, now=clock.now()
    )
    assert refusal is not None and refusal.code == "no_session"


# --- R-VISIT-8 --------------------------------------------------------------------------------


def test_r_visit_8_link_expires_15_minutes_after_the_scheduled_end(clock):
    assert link_expires_at(END) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    clocked = visit(clock_in_at=START)
    clock.set(datetime(2026, 11, 23, 14, 59, tzinfo=UTC))  # 14 minutes past the end: still open
    assert (
        join_refusal(actor_id=EMPLOYEE, visit=clocked, session=session(), now=clock.now()) is None
    )
    assert link_status(visit=clocked, session=session(), link_version=1, now=clock.now()) is (
        LinkStatus.VALID
    )
    assert (
        invite_refusal(
            actor_id=EMPLOYEE,
            visit=clocked,
            session=session(),
            kind=InviteKind.RESEND,
            now=clock.now(),
        )
        is None
    )
    clock.set(datetime(2026, 11, 23, 15, 1, tzinfo=UTC))  # 16 minutes past the end: expired
    refusal = join_refusal(actor_id=EMPLOYEE, visit=clocked, session=session(), now=clock.now())
    assert refusal is not None and refusal.code == "link_expired"
    assert link_status(visit=clocked, session=session(), link_version=1, now=clock.now()) is (
        LinkStatus.EXPIRED
    )
    for kind in InviteKind:
        refusal = invite_refusal(
            actor_id=EMPLOYEE, visit=clocked, session=session(), kind=kind, now=clock.now()
        )
        assert refusal is not None and refusal.code == "link_expired"


def test_r_visit_8_expiry_follows_a_changed_end_time(clock):
    clock.set(datetime(2026, 11, 23, 15, 1, tzinfo=UTC))
    later = visit(ends_at=END + timedelta(hours=1), schedule_version=2)
    assert link_status(
        visit=later, session=session(version=2), link_version=2, now=clock.now()
    ) is (LinkStatus.VALID)


# --- R-VISIT-9 --------------------------------------------------------------------------------


def test_r_visit_9_client_not_joined_message_with_hh_mm():
    sent = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    assert client_not_joined_message(sent) == (
        "The client has not joined the session yet. The last invite was sent at 13:05."
    )
    toronto = ZoneInfo("America/Toronto")  # UTC-5 in November
    assert client_not_joined_message(sent, toronto).endswith("sent at 08:05.")
    assert client_not_joined_message(sent, with_hint=True).endswith(
        " Click Resend invite to resend the link for the session to the client."
    )
    assert employee_notice(session(S.OPEN, sent=sent)) == client_not_joined_message(sent)
    assert employee_notice(session(S.IN_CALL, sent=sent)) is None


# --- R-VISIT-11 / R-VISIT-12 ------------------------------------------------------------------


def test_r_visit_11_client_hang_up_does_not_end_and_the_client_may_come_back():
    state = transition(transition(S.CREATED, E.EMPLOYEE_JOIN), E.CLIENT_JOIN)
    assert state is S.IN_CALL
    state = transition(state, E.CLIENT_LEAVE)
    assert state is S.CLIENT_LEFT
    assert employee_notice(session(state)) == (
        "The client has hung up. If the session is not supposed to be over, please reach out to "
        "the client."
    )
    assert transition(state, E.CLIENT_JOIN) is S.IN_CALL


def test_r_visit_12_caregiver_hang_up_ends_for_good(clock):
    for start in (S.CREATED, S.CLIENT_WAITING, S.OPEN, S.IN_CALL, S.CLIENT_LEFT):
        assert transition(start, E.EMPLOYEE_HANGUP) is S.ENDED
    ended = session(S.ENDED)
    assert employee_notice(ended) == (
        "Your session with the client is over. You can now close the page."
    )
    for event in (E.EMPLOYEE_JOIN, E.CLIENT_JOIN, E.EMPLOYEE_HANGUP):
        with pytest.raises(InvalidTransition):
            transition(S.ENDED, event)
    clocked = visit(clock_in_at=clock.now())
    assert (
        join_refusal(actor_id=EMPLOYEE, visit=clocked, session=ended, now=clock.now()).code
        == "session_ended"
    )
    for kind in InviteKind:
        assert (
            invite_refusal(
                actor_id=EMPLOYEE, visit=clocked, session=ended, kind=kind, now=clock.now()
            ).code
            == "session_ended"
        )
    assert link_status(visit=clocked, session=ended, link_version=1, now=clock.now()) is (
        LinkStatus.FINISHED
    )


# --- R-VISIT-13 / R-VISIT-15 ------------------------------------------------------------------


def test_r_visit_13_clock_out_warning_only_while_live():
    assert clock_out_warning(None) is None
    assert clock_out_warning(session(S.CREATED)) is None
    for state in (S.OPEN, S.IN_CALL, S.CLIENT_LEFT):
        assert is_live(state)
        assert clock_out_warning(session(state)) == (
            "The video session with your client is still active. Clocking out will not close the "
            "video session so make sure you hang up on the video session as well. Would you like "
            "to clock out anyway?"
        )
        assert transition(state, E.CLOCK_OUT) is state  # clocking out never closes a live call
    assert clock_out_warning(session(S.ENDED)) is None


def test_r_visit_15_once_clocked_out_no_new_virtual_session(clock):
    out = visit(clock_in_at=START, clock_out_at=clock.now())
    for kind in InviteKind:
        assert (
            invite_refusal(
                actor_id=EMPLOYEE, visit=out, session=None, kind=kind, now=clock.now()
            ).code
            == "clocked_out"
        )
    refusal = join_refusal(actor_id=EMPLOYEE, visit=out, session=session(S.OPEN), now=clock.now())
    assert refusal is not None and refusal.message == msg.CLOCKED_OUT_NO_SESSION
    # a session nobody opened yet ends at clock-out: no call can start any more
    assert transition(S.CREATED, E.CLOCK_OUT) is S.ENDED
    assert transition(S.CLIENT_WAITING, E.CLOCK_OUT) is S.ENDED


def test_clock_in_and_out_rules():
    assert clock_in_refusal(actor_id=OTHER, visit=visit()).code == "not_assigned"
    assert clock_in_refusal(actor_id=EMPLOYEE, visit=visit()) is None
    assert clock_in_refusal(actor_id=EMPLOYEE, visit=visit(clock_in_at=START)).code == (
        "already_clocked_in"
    )
    assert clock_out_refusal(actor_id=EMPLOYEE, visit=visit()).code == "not_clocked_in"
    assert clock_out_refusal(actor_id=EMPLOYEE, visit=visit(clock_in_at=START)) is None
    assert (
        clock_out_refusal(actor_id=EMPLOYEE, visit=visit(clock_in_at=START, clock_out_at=END)).code
        == "already_clocked_out"
    )


# --- R-VISIT-14 -------------------------------------------------------------------------------


def test_r_visit_14_closing_the_window_is_not_ending(clock):
    for state in (S.OPEN, S.IN_CALL, S.CLIENT_LEFT, S.CLIENT_WAITING):
        assert transition(state, E.EMPLOYEE_LEAVE) is state
        assert transition(state, E.EMPLOYEE_JOIN) is not S.ENDED
    clocked = visit(clock_in_at=clock.now())
    assert (
        join_refusal(actor_id=EMPLOYEE, visit=clocked, session=session(S.IN_CALL), now=clock.now())
        is None
    )


def test_the_client_leaving_before_the_call_started_returns_to_created():
    assert transition(S.CREATED, E.CLIENT_JOIN) is S.CLIENT_WAITING
    assert transition(S.CLIENT_WAITING, E.CLIENT_LEAVE) is S.CREATED
    assert transition(S.CLIENT_WAITING, E.EMPLOYEE_JOIN) is S.IN_CALL


def test_every_state_and_event_is_either_a_transition_or_raises():
    for state in S:
        for event in E:
            try:
                result = transition(state, event)
            except InvalidTransition as exc:
                assert exc.state is state and exc.event is event
            else:
                assert isinstance(result, VirtualSessionState)


def test_buttons_are_labelled_word_for_word(clock):
    buttons = visit_buttons(actor_id=EMPLOYEE, visit=visit(), session=None, now=clock.now())
    assert {k: b.label for k, b in buttons.items()} == {
        "send_invite": "Send invite to client",
        "copy_invite_link": "Copy invite link",
        "resend_invite": "Resend invite to client",
        "clock_in": "Clock in",
        "clock_out": "Clock out",
        "join_video": "Join video session",
    }
    assert buttons["send_invite"].enabled and buttons["copy_invite_link"].enabled
    assert not buttons["resend_invite"].enabled
    assert not buttons["join_video"].enabled
    live = visit_buttons(
        actor_id=EMPLOYEE,
        visit=visit(clock_in_at=START),
        session=session(S.IN_CALL),
        now=clock.now(),
    )
    assert live["join_video"].enabled and live["clock_out"].enabled
    assert live["clock_out"].reason == msg.CLOCK_OUT_WARNING


@pytest.mark.parametrize(
    "facts",
    [
        visit(allows_virtual=False),
        visit(clock_out_at=END),
        visit(clock_in_at=START, clock_out_at=END),
        visit(ends_at=START - timedelta(days=1), starts_at=START - timedelta(days=1, hours=1)),
    ],
)
@pytest.mark.parametrize("state", [None, S.CREATED, S.ENDED])
def test_a_stranger_is_refused_as_not_assigned_before_any_state_is_told(facts, state):
    """Issue 12, defect 10: authorise first, then check state ("not virtual" leaked)."""
    sess = session(state) if state else None
    now = START + timedelta(minutes=5)
    for kind in InviteKind:
        refusal = invite_refusal(actor_id=OTHER, visit=facts, session=sess, kind=kind, now=now)
        assert refusal is not None and refusal.code == "not_assigned", kind
    refusal = join_refusal(actor_id=OTHER, visit=facts, session=sess, now=now)
    assert refusal is not None and refusal.code == "not_assigned"
    assert clock_in_refusal(actor_id=OTHER, visit=facts).code == "not_assigned"
    assert clock_out_refusal(actor_id=OTHER, visit=facts).code == "not_assigned"
