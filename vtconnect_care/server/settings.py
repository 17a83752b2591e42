"""Server settings from flags and the environment (VTCONNECT_*), with safe defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from vtconnect_care.domain.clock import Clock, SystemClock

from .zones import server_zone

DEFAULT_SECRET = "change-me-insecure-development-secret"  # noqa: S105 - flagged in production


def _env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8470
    data_dir: Path = field(default_factory=lambda: Path("data"))
    database_url: str | None = None
    public_url: str | None = None
    smtp_url: str | None = None
    mail_from: str = "VTConnect Care <no-reply@vtconnect.local>"
    secret_key: str = DEFAULT_SECRET
    demo: bool = False
    production: bool = False
    redis_url: str | None = None
    # realtime / media
    ice_servers: list[str] = field(default_factory=list)  # stun:/turn: URLs
    turn_secret: str | None = None
    turn_ttl: timedelta = timedelta(hours=1)
    room_cap: int = 6  # a mesh room's people (domain/room_mode.py MESH_CAP)
    # group rooms through Janus's VideoRoom (docs/deploy.md, "Group rooms"): its WebSocket API
    # on loopback or a private address, the API secret it demands and its VideoRoom admin key
    janus_url: str | None = None
    janus_api_secret: str | None = None
    janus_admin_key: str | None = None
    # the pre-call connection test's peer (server/precall/); VTCONNECT_PRECALL=0 turns it off
    precall_enabled: bool = True
    precall_concurrent: int = 4  # tests at once, per server process
    precall_per_window: int = 10  # tests per account or visit link per rate_window
    precall_max_seconds: float = 15.0  # a test peer is closed after this, whatever happens
    # sessions (docs/deploy.md, "Sessions"): a session ends after session_idle without use
    # (HIPAA 164.312(a)(2)(iii) automatic logoff) and session_absolute after sign-in, whatever
    session_absolute: timedelta = timedelta(hours=12)
    session_idle: timedelta = timedelta(minutes=30)
    # two-factor sign-in for staff: wrong codes per account per rate_window before code entry
    # is locked for login_lock; the portal's code step must follow the password within this
    two_factor_fail_limit: int = 5
    two_factor_step_ttl: timedelta = timedelta(minutes=5)
    # recovery and confirmation links
    reset_link_ttl: timedelta = timedelta(minutes=30)
    setup_link_ttl: timedelta = timedelta(days=7)
    confirm_link_ttl: timedelta = timedelta(days=3)
    # brute force
    login_fail_limit: int = 5  # failures per username before a lock
    login_lock: timedelta = timedelta(minutes=15)
    login_per_address: int = 30  # failures per address per window (successes are not counted)
    login_account_ceiling: int = 50  # failures per username from everywhere, except at an
    # address where the owner signed in within 30 days (services/login_limits.py)
    recovery_per_address: int = 10
    register_per_address: int = 10  # registration attempts per address per window
    register_taken_per_address: int = 5  # "username taken" answers per address per window
    recovery_per_account: int = 3
    rate_window: timedelta = timedelta(minutes=15)
    # mail delivery
    mail_poll_seconds: float = 2.0
    mail_max_attempts: int = 8
    start_mail_sender: bool = True
    allowed_origins: list[str] = field(default_factory=list)
    # a new organisation's time zone (issue 15): from_env takes the machine's (server_zone)
    time_zone: str = "UTC"
    clock: Clock = field(default_factory=SystemClock)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'vtconnect.sqlite3').resolve()}"

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def dev_mail_page(self) -> bool:
        """The developer mail page shows the outbox: only in demo mode without SMTP."""
        return self.demo and not self.smtp_url and not self.production

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if "VTCONNECT_HOST" in env:
            values["host"] = env["VTCONNECT_HOST"]
        if "VTCONNECT_PORT" in env:
            values["port"] = int(env["VTCONNECT_PORT"])
        if "VTCONNECT_DATA_DIR" in env:
            values["data_dir"] = Path(env["VTCONNECT_DATA_DIR"])
        for key, name in (
            ("database_url", "VTCONNECT_DATABASE_URL"),
            ("public_url", "VTCONNECT_PUBLIC_URL"),
            ("smtp_url", "VTCONNECT_SMTP_URL"),
            ("mail_from", "VTCONNECT_MAIL_FROM"),
            ("secret_key", "VTCONNECT_SECRET_KEY"),
            ("redis_url", "VTCONNECT_REDIS_URL"),
            ("turn_secret", "VTCONNECT_TURN_SECRET"),
            ("janus_url", "VTCONNECT_JANUS_URL"),
            ("janus_api_secret", "VTCONNECT_JANUS_API_SECRET"),
            ("janus_admin_key", "VTCONNECT_JANUS_ADMIN_KEY"),
        ):
            if env.get(name):
                values[key] = env[name]
        if env.get("VTCONNECT_ICE_SERVERS"):
            values["ice_servers"] = _env_list("VTCONNECT_ICE_SERVERS")
        if env.get("VTCONNECT_ALLOWED_ORIGINS"):
            values["allowed_origins"] = _env_list("VTCONNECT_ALLOWED_ORIGINS")
        values["time_zone"] = server_zone(env)
        values["demo"] = _env_bool("VTCONNECT_DEMO")
        values["production"] = _env_bool("VTCONNECT_PRODUCTION")
        values["precall_enabled"] = _env_bool("VTCONNECT_PRECALL", True)
        for key, name, unit in (
            ("session_idle", "VTCONNECT_SESSION_IDLE_MINUTES", "minutes"),
            ("session_absolute", "VTCONNECT_SESSION_ABSOLUTE_HOURS", "hours"),
        ):
            if env.get(name):
                values[key] = timedelta(**{unit: float(env[name])})
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def production_problems(self) -> list[str]:
        """What makes this configuration unsafe for production, each with the fix."""
        problems: list[str] = []
        if not self.public_url or not self.public_url.startswith("https://"):
            problems.append(
                "Set VTCONNECT_PUBLIC_URL to the https:// address users reach "
                "(TLS is terminated by your reverse proxy)."
            )
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
            problems.append(
                "Set VTCONNECT_SECRET_KEY to a random value of at least 32 characters, e.g. "
                "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.demo:
            problems.append("Remove --demo / VTCONNECT_DEMO: demo accounts have known passwords.")
        if not self.smtp_url:
            problems.append("Set VTCONNECT_SMTP_URL so that emails reach people.")
        if not timedelta(minutes=1) <= self.session_idle <= timedelta(hours=2):
            problems.append(
                "Set VTCONNECT_SESSION_IDLE_MINUTES between 1 and 120 (automatic logoff)."
            )
        if not self.session_idle <= self.session_absolute <= timedelta(hours=24):
            problems.append(
                "Set VTCONNECT_SESSION_ABSOLUTE_HOURS to at most 24, and no less than the idle "
                "lifetime."
            )
        return problems


def random_secret() -> str:
    return secrets.token_urlsafe(48)
