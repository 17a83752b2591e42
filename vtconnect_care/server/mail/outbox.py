"""Write emails to the outbox in the caller's transaction; render them from templates."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from ..models import OutboxMail
from ..redact import mask

log = logging.getLogger("vtconnect.mail")

DISCARDED = "discarded"  # composed and written like any mail, never sent (e.g. nobody's reset)

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str | None


def render(template: str, **context: object) -> RenderedMail:
    """Render templates/mail/<template>.subject.txt, .txt and (if present) .html."""
    subject = _env.get_template(f"{template}.subject.txt").render(**context).strip()
    text = _env.get_template(f"{template}.txt").render(**context)
    html = None
    if (_TEMPLATES / f"{template}.html").exists():
        html = _env.get_template(f"{template}.html").render(**context)
    return RenderedMail(subject=subject, text=text, html=html)


def enqueue(
    db: Session,
    *,
    now: datetime,
    to: str,
    template: str,
    links: list[str] | None = None,
    **context: object,
) -> OutboxMail:
    """Add one email to the outbox; it is sent only if the caller's transaction commits."""
    mail = render(template, **context)
    row = OutboxMail(
        created_at=now,
        to_addr=to,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        template=template,
        links=links or [],
        status="pending",
        attempts=0,
        next_attempt_at=now,
    )
    db.add(row)
    for link in links or []:
        log.info("mail to %s (%s): %s", to, template, mask(link))  # no token in a log
    return row
