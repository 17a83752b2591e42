"""The app factory, health, OpenAPI, demo data and production-mode safety."""

from __future__ import annotations

from sqlalchemy import func, select

from vtconnect_care.server import cli
from vtconnect_care.server.app import create_app
from vtconnect_care.server.models import Account, Appointment, Association, Department
from vtconnect_care.server.settings import Settings


def test_health_and_openapi(api):
    assert api.get("/health").json()["status"] == "ok"
    doc = api.get("/openapi.json").json()
    assert any(path.endswith("/login") for path in doc["paths"])


def test_unknown_paths_are_json_404(api):
    r = api.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_demo_data_has_every_kind_of_person_and_twice_does_not_duplicate(demo_settings):
    first = create_app(demo_settings)
    first.state.engine.dispose()
    app = create_app(demo_settings)  # second run over the same database
    with app.state.session_factory() as db:
        assert db.scalar(select(func.count()).select_from(Account)) == 11
        assert db.scalar(select(func.count()).select_from(Department)) == 2
        assert db.scalar(select(func.count()).select_from(Appointment)) == 3
        assert db.scalar(select(func.count()).select_from(Association)) == 4


def test_sqlite_uses_wal_and_foreign_keys(app, settings):
    if not settings.is_sqlite:
        return
    with app.state.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_production_mode_names_every_unsafe_setting():
    problems = Settings(production=True, demo=True).production_problems()
    text = " ".join(problems)
    assert "VTCONNECT_PUBLIC_URL" in text
    assert "VTCONNECT_SECRET_KEY" in text
    assert "--demo" in text
    assert "VTCONNECT_SMTP_URL" in text


def test_production_mode_accepts_a_safe_configuration():
    safe = Settings(
        production=True,
        public_url="https://care.example.org",
        secret_key="s" * 48,
        smtp_url="smtp+starttls://mail.example.org:587",
    )
    assert safe.production_problems() == []


def test_cli_refuses_to_start_unsafe_production(capsys, tmp_path):
    code = cli.main(["--production", "--demo", "--data-dir", str(tmp_path)])
    assert code == 2
    assert "refusing to start" in capsys.readouterr().err


def test_admin_command_creates_an_organisation_and_its_org_admin(settings, monkeypatch):
    import io

    from vtconnect_care.server import admin_cli

    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin passphrase\n"))
    args = [
        "--database-url",
        settings.resolved_database_url,
        "create-org",
        "--name",
        "Lakeside",
        "--slug",
        "lakeside",
        "--admin-username",
        "lake.admin",
        "--admin-email",
        "Admin@Lakeside.example",
        "--password-stdin",
    ]
    assert admin_cli.main(args) == 0
    app = create_app(settings)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        r = client.post(
            "/api/v1/auth/login",
            json={
                "username": "lake.admin",
                "password": "a long admin passphrase",
                "audience": "portal",
            },
        )
        assert r.status_code == 200
        assert r.json()["account"]["roles"] == ["org_admin"]
    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin passphrase\n"))
    import pytest

    with pytest.raises(SystemExit, match="exists already"):
        admin_cli.main(args)


def test_admin_command_refuses_an_email_as_username(settings):
    import pytest

    from vtconnect_care.server import admin_cli

    with pytest.raises(SystemExit, match="email"):
        admin_cli.main(
            [
                "--database-url",
                settings.resolved_database_url,
                "create-org",
                "--name",
                "X",
                "--slug",
                "x",
                "--admin-username",
                "a@b.c",
                "--admin-email",
                "a@b.c",
                "--password-stdin",
            ]
        )
