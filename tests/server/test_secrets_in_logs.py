"""No secret reaches a log, a logged URL or an error page (issue 12, defect 2).

Password-reset and account set-up tokens were written in clear to the access log
(`GET /reset-password?token=...`), and the outbox logged every mail's links, tokens and all.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request

from tests.helpers.server import ServerProcess
from vtconnect_care.server.redact import mask

SECRETS = {
    "reset": "SecretResetTok3n-abc",
    "setup": "SecretSetupTok3n-abc",
    "confirm": "SecretConfirmTok3n-abc",
    "visit": "SecretVisitTok3n-abc",
    "link": "SecretLinkTok3n-abc",
}
TOKEN_RE = re.compile(r"token=(?!\[token\])[^\s&\"']+")


def _get(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=15).read()  # noqa: S310 - our own test server
    except urllib.error.HTTPError:
        pass  # a refused link still writes its access line


def test_tokens_never_reach_the_log_of_a_running_server(tmp_path):
    with ServerProcess(tmp_path / "server") as server:
        base = server.url
        _get(f"{base}/reset-password?token={SECRETS['reset']}")
        _get(f"{base}/setup-account?token={SECRETS['setup']}")
        _get(f"{base}/confirm-email?token={SECRETS['confirm']}&x=1")
        _get(f"{base}/visit/{SECRETS['visit']}?tz=UTC")
        _get(f"{base}/api/v1/visit-links/{SECRETS['link']}")
        _get(f"{base}/portal/clients?token={SECRETS['reset']}")  # 401: to the sign-in page
        req = urllib.request.Request(  # noqa: S310 - same
            f"{base}/api/v1/auth/password/forgot",
            data=json.dumps({"username": "alex.active"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(req, timeout=15).read()  # noqa: S310 - same
        mails = json.loads(urllib.request.urlopen(f"{base}/dev/mail.json", timeout=15).read())  # noqa: S310
        server.wait_for_line("/dev/mail.json", timeout=15)  # every line before it is written
        log = "".join(server.lines)
    reset_link = mails["mails"][0]["links"][0]
    real_token = reset_link.split("token=")[1]
    assert "reset-password?token=[token]" in log  # the access line is there, masked
    assert "/visit/[token]" in log
    for secret in [*SECRETS.values(), real_token]:
        assert secret not in log, secret
    assert not TOKEN_RE.search(log), TOKEN_RE.search(log)


def test_the_outbox_logs_mail_links_masked(demo_api, demo_app, caplog):
    from sqlalchemy import select

    from vtconnect_care.server.models import OutboxMail

    with caplog.at_level(logging.INFO, logger="vtconnect.mail"):
        assert (
            demo_api.post(
                "/api/v1/auth/password/forgot", json={"username": "alex.active"}
            ).status_code
            == 200
        )
    with demo_app.state.session_factory() as db:
        link = db.scalars(select(OutboxMail.links).where(OutboxMail.status == "pending")).first()
    token = link[0].split("token=")[1]
    assert "reset-password?token=[token]" in caplog.text
    assert token not in caplog.text


def test_an_error_page_does_not_carry_a_token_on(demo_api):
    r = demo_api.get(f"/portal/clients?token={SECRETS['reset']}", follow_redirects=False)
    assert r.status_code == 303
    assert SECRETS["reset"] not in r.headers["location"]


def test_mask_covers_query_tokens_and_visit_paths_only():
    assert mask("/reset-password?token=abc&x=1") == "/reset-password?token=[token]&x=1"
    assert mask("/setup-account?x=1&token=abc") == "/setup-account?x=1&token=[token]"
    assert mask("http://h/visit/abc?tz=UTC") == "http://h/visit/[token]?tz=UTC"
    assert mask("/api/v1/visit-links/abc") == "/api/v1/visit-links/[token]"
    assert mask("/api/v1/visit-links/join") == "/api/v1/visit-links/join"
    assert mask("/api/v1/visits/4/join") == "/api/v1/visits/4/join"
