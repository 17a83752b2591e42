"""One refusal type for every rule: a code for programs, a sentence for people."""

from __future__ import annotations

import pytest

from vtconnect_care.domain import accounts, signalling, visits
from vtconnect_care.domain.errors import Refusal


def test_a_refusal_is_raised_or_returned_and_compared_by_code_and_message():
    refusal = Refusal("not_assigned", "You need to be assigned.")
    assert str(refusal) == "You need to be assigned."
    assert refusal == Refusal("not_assigned", "You need to be assigned.")
    assert refusal != Refusal("not_assigned", "Something else.")
    assert len({refusal, Refusal("not_assigned", "You need to be assigned.")}) == 1
    assert repr(refusal) == "Refusal('not_assigned', 'You need to be assigned.')"
    with pytest.raises(Refusal, match="assigned") as raised:
        raise refusal
    assert raised.value.code == "not_assigned"


def test_every_rule_module_refuses_with_the_same_type():
    assert visits.Refusal is Refusal
    login = accounts.login_refusal(
        kind=accounts.AccountKind.STAFF, audience=accounts.Audience.APP, staff_active=False
    )
    assert isinstance(login, Refusal) and login.code == "account_inactive"
    with pytest.raises(Refusal) as bad:
        signalling.parse("not json")
    assert isinstance(bad.value, signalling.ProtocolError) and bad.value.code == "bad_message"
