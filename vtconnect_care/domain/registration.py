"""Client records and self-registration rules (R-CLIENT-2, R-CLIENT-6, R-ASSOC-3, R-REG-2..6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from . import messages
from .accounts import ClientStatus, email_error
from .roles import ADMIN_ROLES, Role

NOT_SURE = "not_sure"

CLIENT_REQUIRED = {
    "first_name": "First Name is required.",
    "last_name": "Last Name is required.",
    "email": "Email is required.",
    "date_of_birth": "DOB is required.",
}


def client_field_errors(
    *,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    date_of_birth: str | date | None,
    today: date,
) -> dict[str, str]:
    """R-CLIENT-2: First Name, Last Name, Email and DOB are required; each error by its field."""
    errors: dict[str, str] = {}
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if not value or not value.strip():
            errors[name] = CLIENT_REQUIRED[name]
        elif len(value.strip()) > 100:
            errors[name] = messages.at_most(100)
    if not email or not email.strip():
        errors["email"] = CLIENT_REQUIRED["email"]
    else:
        problem = email_error(email)
        if problem:
            errors["email"] = problem
    if date_of_birth is None or date_of_birth == "":
        errors["date_of_birth"] = CLIENT_REQUIRED["date_of_birth"]
    else:
        dob = parse_date(date_of_birth)
        if dob is None:
            errors["date_of_birth"] = "Enter the date of birth as YYYY-MM-DD."
        elif dob > today:
            errors["date_of_birth"] = "The date of birth cannot be in the future."
        elif dob.year < 1900:
            errors["date_of_birth"] = "Enter a date of birth after 1900."
    return errors


def parse_date(value: str | date | None) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def association_department(
    practitioner_department_ids: frozenset[int] | set[int], chosen: int | None
) -> tuple[int | None, str | None]:
    """R-ASSOC-3: the one department of an association, or why it cannot be decided.

    A practitioner in one department needs no choice; in several, exactly one of theirs.
    """
    depts = frozenset(practitioner_department_ids)
    if not depts:
        return None, "This practitioner belongs to no department yet."
    if chosen is None:
        if len(depts) == 1:
            return next(iter(depts)), None
        return None, "This practitioner works in several departments: choose one."
    if chosen not in depts:
        return None, "Choose one of the practitioner's own departments."
    return chosen, None


class Choice(StrEnum):
    PRACTITIONER = "practitioner"
    NOT_SURE = "not_sure"
    AUTOMATIC = "automatic"  # individual practitioner (R-CLIENT-6)


@dataclass(frozen=True)
class RegistrationOutcome:
    status: ClientStatus
    associate: bool
    notify_practitioner: bool  # subject to practitioner_wants_notice (R-REG-3)
    notify_org_admins: bool  # R-REG-4 (and R-REG-6 for approval)


def practitioner_choice_allowed(individual_practitioner: bool, choice: Choice) -> bool:
    """R-REG-2: "not sure" is not offered to an individual practitioner's registrants."""
    if individual_practitioner:
        return choice is Choice.AUTOMATIC
    return choice in (Choice.PRACTITIONER, Choice.NOT_SURE)


def registration_outcome(*, manual_approval: bool, choice: Choice) -> RegistrationOutcome:
    """R-REG-3, R-REG-4, R-REG-6: status, association and who is told."""
    status = ClientStatus.PENDING if manual_approval else ClientStatus.ACTIVE
    if choice is Choice.NOT_SURE:
        return RegistrationOutcome(status, False, False, True)
    return RegistrationOutcome(status, True, True, manual_approval)


def practitioner_wants_notice(roles: frozenset[Role], notify_new_clients: bool) -> bool:
    """R-REG-3: notifications on, and a Care Coordinator, Dept Admin or Org Admin role."""
    return notify_new_clients and bool(roles & ADMIN_ROLES)
