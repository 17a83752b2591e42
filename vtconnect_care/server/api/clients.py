"""JSON API for client management: the same service functions the portal pages call."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ..services import client_associations, clients
from .bounds import BoundedDate, Id, PathId
from .deps import CurrentAccount, DbDep, SettingsDep

router = APIRouter(prefix="/clients", tags=["clients"])


class AssociationIn(BaseModel):
    practitioner_id: Id
    department_id: Id | None = None


class ClientIn(BaseModel):
    first_name: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    date_of_birth: BoundedDate | None = None
    phone: str | None = Field(None, max_length=100)
    associations: list[AssociationIn] = Field(default_factory=list, max_length=200)


class ClientPatch(BaseModel):
    first_name: str | None = Field(None, max_length=200)
    last_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    date_of_birth: BoundedDate | None = None
    phone: str | None = Field(None, max_length=100)
    active: bool | None = None
    associations: list[AssociationIn] | None = Field(None, max_length=200)


class AssociationsIn(BaseModel):
    associations: list[AssociationIn] = Field(max_length=200)


def _wanted(items: list[AssociationIn]) -> list[client_associations.Wanted]:
    return [client_associations.Wanted(a.practitioner_id, a.department_id) for a in items]


@router.get("")
def list_clients(
    actor: CurrentAccount,
    db: DbDep,
    status: str = Query("active", max_length=16),
    q: str | None = Query(None, max_length=100),
) -> dict:
    """R-STATUS-1."""
    rows = clients.list_clients(db, actor, status=status, query=q)
    return {"status": status, "clients": [clients.summary(c) for c in rows]}


@router.post("", status_code=201)
def create_client(body: ClientIn, actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    """R-CLIENT-1, R-CLIENT-2, R-CLIENT-3."""
    data = body.model_dump(exclude={"associations"})
    client = clients.create_client(db, settings, actor, data, _wanted(body.associations))
    return clients.summary(client)


@router.get("/{client_id}")
def read_client(client_id: PathId, actor: CurrentAccount, db: DbDep) -> dict:
    _, client = clients.visible_client(db, actor, client_id)
    return clients.summary(client)


@router.patch("/{client_id}")
def update_client(
    client_id: PathId, body: ClientPatch, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    """Edit, the Active checkbox (R-STATUS-2), associations (R-ASSOC-4)."""
    data = body.model_dump(exclude={"associations"}, exclude_none=True)
    wanted = _wanted(body.associations) if body.associations is not None else None
    client = clients.update_client(db, settings, actor, client_id, data, wanted)
    return clients.summary(client)


@router.put("/{client_id}/associations")
def set_associations(
    client_id: PathId, body: AssociationsIn, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    client = client_associations.set_associations(
        db, settings, actor, client_id, _wanted(body.associations)
    )
    return clients.summary(client)


@router.post("/{client_id}/approve")
def approve(client_id: PathId, actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    """R-STATUS-3."""
    return clients.summary(clients.approve(db, settings, actor, client_id))


@router.post("/{client_id}/setup-link")
def resend_setup_link(
    client_id: PathId, actor: CurrentAccount, db: DbDep, settings: SettingsDep
) -> dict:
    """R-CLIENT-3: email the credential set-up link again."""
    return clients.summary(clients.resend_setup_link(db, settings, actor, client_id))


@router.delete("/{client_id}")
def delete(client_id: PathId, actor: CurrentAccount, db: DbDep, settings: SettingsDep) -> dict:
    """R-STATUS-4 (the page asks for confirmation; the API call is the confirmation)."""
    clients.delete(db, settings, actor, client_id)
    return {"deleted": client_id}
