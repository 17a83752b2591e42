"""The audit trail: who did what to which object, written in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from sqlalchemy.orm import Session

from vtconnect_care.domain.errors import Refusal

from .errors import ApiError
from .models import Account, AuditEvent


def record(
    db: Session,
    *,
    now: datetime,
    action: str,
    actor: Account | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    organization_id: int | None = None,
    address: str | None = None,
    **detail: object,
) -> AuditEvent:
    label = actor_label or (
        f"{actor.kind}:{actor.username or actor.id}" if actor is not None else "system"
    )
    event = AuditEvent(
        at=now,
        actor_id=actor.id if actor is not None else None,
        actor_label=label[:120],
        action=action,
        object_type=object_type,
        object_id=object_id,
        organization_id=organization_id
        if organization_id is not None
        else (actor.organization_id if actor is not None else None),
        address=address,
        detail=detail or None,
    )
    db.add(event)
    return event


def refuse(
    db: Session,
    refusal: Refusal,
    *,
    now: datetime,
    action: str,
    actor: Account,
    object_type: str,
    object_id: int | None = None,
) -> NoReturn:
    """A refused administration: recorded (and committed, whatever the caller does next), then
    answered 403 with the rule's code and sentence."""
    record(
        db,
        now=now,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        reason=refusal.code,
    )
    db.commit()
    raise ApiError(403, refusal.code, refusal.message)
