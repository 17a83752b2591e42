"""The Organization information: name, time zone, Client Management, invitation (R-REG-6, 7)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vtconnect_care.domain import organization as org_rules
from vtconnect_care.domain.roles import can_edit_organization

from .. import audit
from ..errors import forbidden, validation
from ..mail import outbox
from ..models import Account, Organization, Staff
from ..settings import Settings
from . import accounts
from .client_access import manager_view


def portal_url(settings: Settings, org: Organization) -> str:
    return f"{settings.base_url}/o/{org.slug}/"


def summary(settings: Settings, org: Organization) -> dict:
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "portal_url": portal_url(settings, org),
        "individual_practitioner": org.individual_practitioner,
        "manual_approval": org.manual_approval,
        "time_zone": org_rules.zone_name(org.time_zone),  # issue 15: times show in it
        "require_two_factor": bool(org.require_two_factor),
        "group_rooms_via_janus": bool(org.group_rooms_via_janus),  # R-ROOM-MODE
        "group_media_server": bool(settings.janus_url),  # whether this portal has Janus
    }


def read(db: Session, settings: Settings, actor: Account) -> dict:
    manager_view(actor)
    return summary(settings, actor.organization)


def update(db: Session, settings: Settings, actor: Account, **changes: object) -> dict:
    """The Organization information (issue 15): name, time zone and Client Management's
    "manually approve client registrations" (R-REG-6). Only an Org Admin edits it; a field
    that cannot be saved is a 422 naming it and changes nothing; what changed is audited."""
    if not isinstance(actor, Staff):
        raise forbidden()
    refusal = org_rules.edit_refusal(accounts.staff_view(actor))
    if refusal is not None:
        raise forbidden(refusal.message)
    changes = {k: v for k, v in changes.items() if k in org_rules.EDITABLE_FIELDS and v is not None}
    for key in ("name", "time_zone"):
        if key in changes:
            changes[key] = str(changes[key]).strip()
    errors = org_rules.field_errors(changes)
    if errors:
        raise validation(errors)
    org = actor.organization
    changed = {
        key: value
        for key, value in changes.items()
        if (bool(getattr(org, key)) if key == "manual_approval" else getattr(org, key)) != value
    }
    if changed:
        detail = {
            key: (value if key == "manual_approval" else {"from": getattr(org, key), "to": value})
            for key, value in changed.items()
        }
        for key, value in changed.items():
            setattr(org, key, value)
        audit.record(
            db,
            now=settings.clock.now(),
            action="organization_updated",
            actor=actor,
            object_type="organization",
            object_id=org.id,
            **detail,
        )
    db.commit()
    return summary(settings, org)


def set_group_rooms(db: Session, settings: Settings, actor: Account, *, via_janus: bool) -> dict:
    """R-ROOM-MODE: the Org Admin may send every group session through the media server."""
    if not isinstance(actor, Staff) or not can_edit_organization(accounts.staff_view(actor)):
        raise forbidden()
    org = actor.organization
    if bool(org.group_rooms_via_janus) != via_janus:
        org.group_rooms_via_janus = via_janus
        audit.record(
            db,
            now=settings.clock.now(),
            action="organization_updated",
            actor=actor,
            object_type="organization",
            object_id=org.id,
            group_rooms_via_janus=via_janus,
        )
    db.commit()
    return summary(settings, org)


def invitation(settings: Settings, actor: Account) -> dict:
    """R-REG-7: the invitation email staff send to clients, with the portal URL."""
    if not isinstance(actor, Staff):
        raise forbidden()
    org = actor.organization
    url = portal_url(settings, org)
    mail = outbox.render(
        "client_invitation", url=url, org_name=org.name, sender_name=actor.full_name
    )
    subject, body = mail.subject, mail.text
    return {"portal_url": url, "subject": subject, "body": body}
