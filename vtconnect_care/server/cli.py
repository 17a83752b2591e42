"""`vtconnect-server`: start the portal server from flags and the environment."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from vtconnect_care import __version__

from .settings import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="vtconnect-server", description=__doc__)
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default 8470)")
    p.add_argument("--data-dir", type=Path, help="folder for the SQLite file and other data")
    p.add_argument("--database-url", help="SQLAlchemy URL (or VTCONNECT_DATABASE_URL)")
    p.add_argument("--public-url", help="address users reach, used in emailed links")
    p.add_argument("--smtp-url", help="smtp://user:pass@host:port, smtps:// or smtp+starttls://")
    p.add_argument("--demo", action="store_true", default=None, help="create demo data")
    p.add_argument(
        "--production",
        action="store_true",
        default=None,
        help="refuse unsafe settings (no TLS public URL, default secret, demo data)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (more than 1 needs VTCONNECT_REDIS_URL)",
    )
    p.add_argument("--redis-url", help="redis://host:port/0 for several processes")
    p.add_argument("--log-level", default="info")
    p.add_argument("--version", action="version", version=f"vtconnect-server {__version__}")
    return p.parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        database_url=args.database_url,
        public_url=args.public_url,
        smtp_url=args.smtp_url,
        demo=args.demo,
        production=args.production,
        redis_url=args.redis_url,
    )


# what each worker process reads back with Settings.from_env()
_EXPORTED = {
    "host": "VTCONNECT_HOST",
    "port": "VTCONNECT_PORT",
    "data_dir": "VTCONNECT_DATA_DIR",
    "database_url": "VTCONNECT_DATABASE_URL",
    "public_url": "VTCONNECT_PUBLIC_URL",
    "smtp_url": "VTCONNECT_SMTP_URL",
    "redis_url": "VTCONNECT_REDIS_URL",
}


def export_for_workers(settings: Settings) -> None:
    """Put the flags' settings in the environment that the worker processes inherit. The
    parent migrated and seeded once before any worker starts, so the workers find the schema
    current and the (idempotent) demo data there."""
    for key, name in _EXPORTED.items():
        value = getattr(settings, key)
        if value is not None:
            os.environ[name] = str(value)
    os.environ["VTCONNECT_DEMO"] = "1" if settings.demo else "0"
    os.environ["VTCONNECT_PRODUCTION"] = "1" if settings.production else "0"


def worker_app():  # type: ignore[no-untyped-def]
    """The ASGI app of one worker process (uvicorn's factory for --workers)."""
    from .app import create_app
    from .realtime.limits import tune_gc

    app = create_app(Settings.from_env())
    tune_gc()
    return app


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = settings_from_args(args)
    if settings.production:
        problems = settings.production_problems()
        if problems:
            print("vtconnect-server: refusing to start in production mode:", file=sys.stderr)
            for problem in problems:
                print(f"  - {problem}", file=sys.stderr)
            return 2
    if args.workers > 1 and not settings.redis_url:
        print(
            "vtconnect-server: --workers above 1 needs Redis (VTCONNECT_REDIS_URL or "
            "--redis-url) so that the processes share rooms; see docs/deploy.md, Scaling out.",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from .app import create_app

    app = create_app(settings)  # migrates (and seeds demo data) once, before any worker
    print(
        f"VTConnect Care portal on {settings.base_url}  (data: {settings.data_dir.resolve()})",
        flush=True,
    )
    if settings.dev_mail_page:
        print(f"Developer mail page: {settings.base_url}/dev/mail", flush=True)
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": args.log_level,
        "proxy_headers": True,
        "ws_max_size": 256 * 1024,
        # our messages are small JSON: compressing each cost more CPU than it saved bytes
        "ws_per_message_deflate": False,
    }
    if args.workers > 1:
        export_for_workers(settings)
        print(f"{args.workers} worker processes, rooms shared through Redis", flush=True)
        uvicorn.run(
            "vtconnect_care.server.cli:worker_app", factory=True, workers=args.workers, **options
        )
    else:
        from .realtime.limits import tune_gc

        tune_gc()  # a server process, not a test: its start-up objects are frozen
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
