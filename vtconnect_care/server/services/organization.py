"""Organisation settings: Client Management (R-REG-6) and the invitation template (R-REG-7)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vtconnect_care.domain.roles import can_edit_organization

from .. import audit
from ..errors import forbidden
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
        "require_two_factor": bool(org.require_two_factor),
        "group_rooms_via_janus": bool(org.group_rooms_via_janus),  # R-ROOM-MODE
        "group_media_server": bool(settings.janus_url),  # whether this portal has Janus
    }


def read(db: Session, settings: Settings, actor: Account) -> dict:
    manager_view(actor)
    return summary(settings, actor.organization)


def update(db: Session, settings: Settings, actor: Account, *, manual_approval: bool) -> dict:
    """R-REG-6: only the Org Admin turns "manually approve client registrations" on or off."""
    if not isinstance(actor, Staff) or not can_edit_organization(accounts.staff_view(actor)):
        raise forbidden()
    org = actor.organization
    now = settings.clock.now()
    if org.manual_approval != manual_approval:
        org.manual_approval = manual_approval
        audit.record(
            db,
            now=now,
            action="organization_updated",
            actor=actor,
            object_type="organization",
            object_id=org.id,
            manual_approval=manual_approval,
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
