"""Which clients a manager may see and manage (R-CLIENT-1, R-ASSOC-1's department scopes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from vtconnect_care.domain.roles import StaffView, can_manage_clients, can_see_client

from ..errors import forbidden, not_found
from ..models import Account, Client, Staff
from . import accounts


def manager_view(actor: Account) -> StaffView:
    """R-CLIENT-1: only Org Admins, Dept Admins and Care Coordinators manage clients."""
    if not isinstance(actor, Staff):
        raise forbidden()
    view = accounts.staff_view(actor)
    if not can_manage_clients(view):
        raise forbidden()
    return view


def client_department_ids(client: Client) -> set[int]:
    return {a.department_id for a in client.associations}


def visible_client(db: Session, actor: Account, client_id: int) -> tuple[StaffView, Client]:
    view = manager_view(actor)
    client = db.get(Client, client_id)
    if client is None or client.organization_id != actor.organization_id:
        raise not_found()
    if not can_see_client(view, client_department_ids(client)):  # R-ASSOC-1 scoping
        raise forbidden()
    return view, client
