"""Two-factor rules (issue 12): who needs a code at which login, each step's code once,
recovery code shapes, the organisation's requirement."""

from __future__ import annotations

import pytest

from vtconnect_care.domain import two_factor as tf
from vtconnect_care.domain.accounts import Audience
from vtconnect_care.domain.two_factor import LoginStep


@pytest.mark.parametrize(
    ("is_staff", "enrolled", "required", "audience", "step"),
    [
        (False, False, True, Audience.APP, LoginStep.NONE),  # clients: no second step
        (True, False, False, Audience.APP, LoginStep.NONE),
        (True, True, False, Audience.APP, LoginStep.CODE),
        (True, True, True, Audience.PORTAL, LoginStep.CODE),
        (True, False, True, Audience.APP, LoginStep.ENROL_IN_PORTAL),
        (True, False, True, Audience.PORTAL, LoginStep.ENROL_NOW),
    ],
)
def test_login_step_by_account_and_audience(is_staff, enrolled, required, audience, step):
    assert (
        tf.login_step(
            is_staff=is_staff, enrolled=enrolled, org_requires=required, audience=audience
        )
        is step
    )


def test_a_step_at_or_before_the_last_spent_is_refused():  # each code usable once
    assert tf.step_to_spend([100], None) == 100
    assert tf.step_to_spend([100], 100) is None
    assert tf.step_to_spend([99], 100) is None
    assert tf.step_to_spend([100, 101], 100) == 101
    assert tf.step_to_spend([], None) is None


def test_one_step_of_drift_either_side():
    assert tf.candidate_steps(50) == [49, 50, 51]
    assert tf.STEP_SECONDS == 30 and tf.DIGITS == 6


def test_codes_are_normalised_and_shaped():
    assert tf.normalize_code(" 123 456 ") == "123456"
    assert (
        tf.is_totp_code("123456") and not tf.is_totp_code("12345") and not tf.is_totp_code("12a456")
    )
    raw = "abcd" * 6
    assert tf.format_recovery_code(raw) == "abcd-abcd-abcd-abcd-abcd-abcd"
    assert tf.is_recovery_code(tf.normalize_code(tf.format_recovery_code(raw).upper()))
    assert not tf.is_recovery_code("abcd" * 5)
    assert tf.normalize_code("9" * 1000) == "9" * 64  # bounded


def test_recovery_codes_carry_at_least_112_bits():  # ASVS 6.5.2: a plain hash is enough then
    assert tf.RECOVERY_CODE_CHARS * 5 >= 112
    assert tf.SEED_BYTES * 8 >= 128


def test_only_staff_enrol_and_only_once():
    assert tf.enrol_refusal(is_staff=False, enrolled=False).code == "two_factor_staff_only"
    assert tf.enrol_refusal(is_staff=True, enrolled=True).code == "two_factor_already_on"
    assert tf.enrol_refusal(is_staff=True, enrolled=False) is None


def test_an_org_admin_requires_it_only_once_using_it_themselves():
    assert tf.requirement_refusal(required=True, admin_enrolled=False).code == (
        "two_factor_admin_first"
    )
    assert tf.requirement_refusal(required=True, admin_enrolled=True) is None
    assert tf.requirement_refusal(required=False, admin_enrolled=False) is None
