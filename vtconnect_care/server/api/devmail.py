"""The developer mail page: the outbox as a web page, only in demo mode without SMTP."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from ..errors import not_found
from ..models import OutboxMail
from .deps import DbDep, SettingsDep

router = APIRouter(tags=["dev"], include_in_schema=False)


@router.get("/dev/mail", response_class=HTMLResponse)
def dev_mail(request: Request, db: DbDep, settings: SettingsDep) -> HTMLResponse:
    if not settings.dev_mail_page:
        raise not_found()
    rows = db.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(200)).all()
    return request.app.state.templates.TemplateResponse(
        request, "dev_mail.html", {"mails": rows, "title": "Developer mail"}
    )


@router.get("/dev/mail.json")
def dev_mail_json(db: DbDep, settings: SettingsDep) -> dict:
    if not settings.dev_mail_page:
        raise not_found()
    rows = db.scalars(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(200)).all()
    return {
        "mails": [
            {
                "id": m.id,
                "to": m.to_addr,
                "subject": m.subject,
                "links": m.links or [],
                "status": m.status,
                "created_at": m.created_at.isoformat(),
            }
            for m in rows
        ]
    }
