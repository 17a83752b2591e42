"""Account rules: usernames (R-LOGIN-1) and who may sign in where (R-LOGIN-4)."""

import pytest

from vtconnect_care.domain import messages
from vtconnect_care.domain.accounts import (
    AccountKind,
    Audience,
    ClientStatus,
    login_refusal,
    password_error,
    username_error,
)


@pytest.mark.parametrize("name", ["alex@example.org", "a@b", "dr.patel@clinic"])
def test_r_login_1_username_can_never_be_an_email(name):
    assert "email" in (username_error(name) or "")


@pytest.mark.parametrize("name", ["dr.patel", "alex_morgan", "bea-2", "x12"])
def test_r_login_1_ordinary_usernames_are_fine(name):
    assert username_error(name) is None


@pytest.mark.parametrize("name", ["ab", "", "has space", "-lead", "x" * 65])
def test_malformed_usernames_are_refused(name):
    assert username_error(name)


def test_password_rules():
    assert password_error("short") is not None
    assert password_error("dr.patel.1", "dr.patel.1") is not None
    assert password_error("a long enough passphrase") is None


@pytest.mark.parametrize(
    ("status", "audience", "code"),
    [
        (ClientStatus.ACTIVE, Audience.APP, None),
        (ClientStatus.ACTIVE, Audience.PORTAL, None),
        (ClientStatus.INACTIVE, Audience.APP, "account_inactive"),
        (ClientStatus.INACTIVE, Audience.PORTAL, "account_inactive"),
        (ClientStatus.PENDING, Audience.APP, "account_pending"),
        (ClientStatus.PENDING, Audience.PORTAL, None),
    ],
)
def test_r_login_4_client_status_decides_where_they_may_sign_in(status, audience, code):
    refusal = login_refusal(kind=AccountKind.CLIENT, audience=audience, client_status=status)
    assert (refusal.code if refusal else None) == code


def test_r_login_4_refusals_are_clear_sentences():
    inactive = login_refusal(
        kind=AccountKind.CLIENT, audience=Audience.APP, client_status=ClientStatus.INACTIVE
    )
    pending = login_refusal(
        kind=AccountKind.CLIENT, audience=Audience.APP, client_status=ClientStatus.PENDING
    )
    assert inactive and inactive.message == messages.ACCOUNT_INACTIVE
    assert pending and "approv" in pending.message


def test_unconfirmed_email_blocks_sign_in_r_reg_5():
    refusal = login_refusal(
        kind=AccountKind.CLIENT,
        audience=Audience.PORTAL,
        client_status=ClientStatus.ACTIVE,
        email_confirmed=False,
    )
    assert refusal and refusal.code == "email_not_confirmed"


def test_inactive_staff_are_refused_and_active_staff_admitted():
    assert login_refusal(kind=AccountKind.STAFF, audience=Audience.APP) is None
    refusal = login_refusal(kind=AccountKind.STAFF, audience=Audience.APP, staff_active=False)
    assert refusal and refusal.code == "account_inactive"


def test_wait_minutes_rounds_up():
    assert messages.wait_minutes(1) == "1 minute"
    assert messages.wait_minutes(61) == "2 minutes"
