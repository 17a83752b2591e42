"""`vtconnect-server`: start the portal server from flags and the environment."""

from __future__ import annotations

import argparse
import logging
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
    )


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
    import uvicorn

    from .app import create_app

    app = create_app(settings)
    print(
        f"VTConnect Care portal on {settings.base_url}  (data: {settings.data_dir.resolve()})",
        flush=True,
    )
    if settings.dev_mail_page:
        print(f"Developer mail page: {settings.base_url}/dev/mail", flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        proxy_headers=True,
        ws_max_size=256 * 1024,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
