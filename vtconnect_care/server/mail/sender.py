"""Deliver the outbox over SMTP with retries; a crash mid-way loses nothing.

Rows are claimed with a lease (claimed_until), sent outside any transaction, then marked.
A process that dies after claiming leaves the lease to expire and another pass sends it:
delivery is at least once, never zero times.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from vtconnect_care.domain.clock import Clock

from ..models import OutboxMail

log = logging.getLogger("vtconnect.mail")

LEASE = timedelta(minutes=2)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


class SmtpTransport:
    """One SMTP conversation per batch, from a URL: smtp://, smtp+starttls://, smtps://."""

    def __init__(self, url: str, *, timeout: float = 20.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps", "smtp+starttls"}:
            raise ValueError(f"unsupported SMTP URL scheme: {parts.scheme!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def open(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.scheme == "smtp+starttls":
                conn.starttls(context=ssl.create_default_context())
        if self.user:
            conn.login(self.user, self.password or "")
        return conn


def build_message(row: OutboxMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Message-ID"] = make_msgid(idstring=f"outbox{row.id}")
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


class MailSender:
    def __init__(
        self,
        factory: sessionmaker[Session],
        transport: SmtpTransport,
        *,
        clock: Clock,
        mail_from: str,
        max_attempts: int = 8,
        batch: int = 20,
    ) -> None:
        self._factory = factory
        self._transport = transport
        self._clock = clock
        self._from = mail_from
        self._max_attempts = max_attempts
        self._batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def _claim(self, now: datetime) -> list[OutboxMail]:
        with self._factory() as db, db.begin():
            ids = db.scalars(
                select(OutboxMail.id)
                .where(
                    OutboxMail.status == "pending",
                    OutboxMail.next_attempt_at <= now,
                    or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
                )
                .order_by(OutboxMail.id)
                .limit(self._batch)
            ).all()
            claimed: list[OutboxMail] = []
            for mail_id in ids:
                result = db.execute(
                    update(OutboxMail)
                    .where(
                        OutboxMail.id == mail_id,
                        OutboxMail.status == "pending",
                        or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
                    )
                    .values(claimed_until=now + LEASE)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    row = db.get(OutboxMail, mail_id)
                    if row is not None:
                        claimed.append(row)
            return claimed

    def _mark(self, mail_id: int, *, error: str | None) -> None:
        now = self._clock.now()
        with self._factory() as db, db.begin():
            row = db.get(OutboxMail, mail_id)
            if row is None:
                return
            row.attempts += 1
            row.claimed_until = None
            if error is None:
                row.status = "sent"
                row.sent_at = now
                row.last_error = None
            else:
                row.last_error = error[:2000]
                if row.attempts >= self._max_attempts:
                    row.status = "failed"
                    log.error("giving up on mail %s to %s: %s", row.id, row.to_addr, error)
                else:
                    row.next_attempt_at = now + backoff(row.attempts)

    def deliver_due(self) -> int:
        """One pass: send every due mail. Returns how many were sent. Blocking."""
        rows = self._claim(self._clock.now())
        if not rows:
            return 0
        sent = 0
        try:
            conn = self._transport.open()
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                self._mark(row.id, error=f"connect: {exc}")
            log.warning("SMTP server unreachable: %s", exc)
            return 0
        try:
            for row in rows:
                try:
                    conn.send_message(build_message(row, self._from))
                except (OSError, smtplib.SMTPException) as exc:
                    self._mark(row.id, error=str(exc))
                    continue
                self._mark(row.id, error=None)
                sent += 1
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        return sent

    async def run(self, poll_seconds: float) -> None:
        """Deliver until cancelled, waking on new mail or every `poll_seconds`."""
        while True:
            try:
                await asyncio.to_thread(self.deliver_due)
            except Exception:  # the sender must outlive any one bad pass
                log.exception("mail delivery pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()
