"""Who a practitioner may host (R-HOST-1, R-HOST-2): one query, shared by API and hub."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from vtconnect_care.domain.accounts import ClientStatus
from vtconnect_care.domain.roles import can_host

from ..models import Account, Association, Client, Staff, StaffDepartment
from .accounts import staff_view


def hostable_clients(db: Session, host: Staff) -> list[Client]:
    """R-HOST-2: the active clients associated with this practitioner."""
    if not can_host(staff_view(host)):
        return []
    return list(
        db.scalars(
            select(Client)
            .join(Association, Association.client_id == Client.id)
            .where(
                Association.practitioner_id == host.id,
                Client.status == ClientStatus.ACTIVE.value,
                Client.organization_id == host.organization_id,
            )
            .order_by(Client.last_name, Client.first_name)
            .distinct()
        )
    )


def hostable_colleagues(db: Session, host: Staff) -> list[Staff]:
    """R-HOST-2: active staff colleagues who share a department with the practitioner."""
    if not can_host(staff_view(host)):
        return []
    my_depts = select(StaffDepartment.department_id).where(StaffDepartment.staff_id == host.id)
    return list(
        db.scalars(
            select(Staff)
            .join(StaffDepartment, StaffDepartment.staff_id == Staff.id)
            .where(
                StaffDepartment.department_id.in_(my_depts),
                Staff.id != host.id,
                Staff.active.is_(True),
                Staff.organization_id == host.organization_id,
            )
            .order_by(Staff.last_name, Staff.first_name)
            .distinct()
        )
    )


def may_host_all(db: Session, host: Staff, account_ids: Iterable[int]) -> bool:
    """True if the practitioner may host every one of these accounts (and may host at all)."""
    wanted = set(account_ids)
    if not wanted or not can_host(staff_view(host)):
        return False
    allowed = {a.id for a in hostable_clients(db, host)} | {
        s.id for s in hostable_colleagues(db, host)
    }
    return wanted <= allowed


__all__ = ["hostable_clients", "hostable_colleagues", "may_host_all", "Account"]
