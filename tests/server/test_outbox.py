"""The mail outbox: written with the change, delivered over real SMTP, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers.smtp import SmtpServer, html_body, text_body
from vtconnect_care.server.app import create_app
from vtconnect_care.server.db import transaction
from vtconnect_care.server.mail import outbox
from vtconnect_care.server.mail.sender import MailSender, SmtpTransport
from vtconnect_care.server.models import OutboxMail


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def _enqueue(app, clock, to="someone@example.org"):
    with transaction(app.state.session_factory) as db:
        outbox.enqueue(
            db,
            now=clock.now(),
            to=to,
            template="password_reset",
            links=["http://x/y"],
            url="http://x/y",
            first_name="Sam",
            username="sam.s",
            org_name="Riverside Care",
            ttl_minutes=30,
        )


def _sender(app, settings, url):
    return MailSender(
        app.state.session_factory,
        SmtpTransport(url),
        clock=settings.clock,
        mail_from=settings.mail_from,
        max_attempts=3,
    )


def test_a_mail_written_before_a_crash_is_sent_after_restart(settings, clock, smtp):
    settings.smtp_url = smtp.url
    first = create_app(settings)
    _enqueue(first, clock)  # the process "dies" here: no sender ever ran
    first.state.engine.dispose()

    restarted = create_app(settings)
    assert _sender(restarted, settings, smtp.url).deliver_due() == 1
    msg = smtp.inbox.wait_to("someone@example.org", "Reset your VTConnect Care password")
    assert "http://x/y" in text_body(msg)
    assert "http://x/y" in html_body(msg)
    with restarted.state.session_factory() as db:
        assert db.scalar(select(OutboxMail.status)) == "sent"


def test_a_rolled_back_change_sends_no_mail(app, clock):
    with pytest.raises(RuntimeError), transaction(app.state.session_factory) as db:
        outbox.enqueue(
            db,
            now=clock.now(),
            to="x@example.org",
            template="password_reset",
            url="u",
            first_name="a",
            username="b",
            org_name="c",
            ttl_minutes=1,
        )
        raise RuntimeError("the change failed")
    with app.state.session_factory() as db:
        assert db.scalars(select(OutboxMail)).all() == []


def test_an_unreachable_server_is_retried_with_backoff(app, settings, clock, smtp):
    _enqueue(app, clock)
    from tests.helpers.server import free_port

    dead = _sender(app, settings, f"smtp://127.0.0.1:{free_port()}")
    assert dead.deliver_due() == 0
    with app.state.session_factory() as db:
        row = db.scalar(select(OutboxMail))
        assert row.status == "pending" and row.attempts == 1 and row.last_error
    live = _sender(app, settings, smtp.url)
    assert live.deliver_due() == 0  # not due yet: backing off
    clock.advance(timedelta(minutes=1))
    assert live.deliver_due() == 1
    smtp.inbox.wait_to("someone@example.org")


def test_a_lease_left_by_a_dead_sender_expires(app, settings, clock, smtp):
    _enqueue(app, clock)
    sender = _sender(app, settings, smtp.url)
    claimed = sender._claim(clock.now())  # claimed, then the process died before sending
    assert len(claimed) == 1
    assert sender.deliver_due() == 0
    clock.advance(timedelta(minutes=3))
    assert sender.deliver_due() == 1


def test_gives_up_after_max_attempts(app, settings, clock):
    _enqueue(app, clock)
    from tests.helpers.server import free_port

    dead = _sender(app, settings, f"smtp://127.0.0.1:{free_port()}")
    for _ in range(3):
        dead.deliver_due()
        clock.advance(timedelta(hours=2))
    with app.state.session_factory() as db:
        assert db.scalar(select(OutboxMail.status)) == "failed"


def test_the_running_server_delivers_a_reset_email(tmp_path, smtp):
    """End to end: a real server process with SMTP configured sends the reset link."""
    import requests

    from tests.helpers.server import ServerProcess

    with ServerProcess(tmp_path, env={"VTCONNECT_SMTP_URL": smtp.url}) as server:
        r = requests.post(
            f"{server.url}/api/v1/auth/password/forgot", json={"username": "bea.active"}, timeout=10
        )
        assert r.status_code == 200
        msg = smtp.inbox.wait_to("bea_active@clients.example", "Reset")
        assert f"{server.url}/reset-password?token=" in text_body(msg)


def test_dev_mail_page_in_demo_mode(demo_api):
    demo_api.post("/api/v1/auth/password/forgot", json={"username": "bea.active"})
    page = demo_api.get("/dev/mail")
    assert page.status_code == 200
    assert "Reset your VTConnect Care password" in page.text


def test_no_dev_mail_page_outside_demo_mode(api):
    assert api.get("/dev/mail").status_code == 404
    assert api.get("/dev/mail.json").status_code == 404
