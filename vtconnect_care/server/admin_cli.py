"""`vtconnect-admin`: set up an organisation and its first Org Admin on a fresh server."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from vtconnect_care.domain.accounts import (
    email_error,
    normalize_username,
    password_error,
    username_error,
)
from vtconnect_care.domain.organization import zone_error

from . import audit
from .db import make_engine, make_session_factory, migrate, transaction
from .models import Account, Department, Organization, Staff
from .security import hash_password
from .settings import Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vtconnect-admin", description=__doc__)
    p.add_argument("--database-url", help="as for vtconnect-server (or VTCONNECT_DATABASE_URL)")
    p.add_argument("--data-dir", help="as for vtconnect-server (SQLite default)")
    sub = p.add_subparsers(dest="command", required=True)
    org = sub.add_parser("create-org", help="an organisation, a first department, an Org Admin")
    org.add_argument("--name", required=True, help='e.g. "Riverside Care"')
    org.add_argument("--slug", required=True, help="the portal address part: /o/<slug>")
    org.add_argument("--department", default="General", help="first department's name")
    org.add_argument("--admin-username", required=True)
    org.add_argument("--admin-email", required=True)
    org.add_argument("--admin-first-name", default="Org")
    org.add_argument("--admin-last-name", default="Admin")
    org.add_argument(
        "--individual-practitioner",
        action="store_true",
        help="a one-practitioner organisation (associations made automatically)",
    )
    org.add_argument(
        "--time-zone",
        help="IANA name, e.g. Australia/Sydney (default: this machine's zone)",
    )
    org.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the admin's password from standard input instead of a prompt",
    )
    zone = sub.add_parser("set-time-zone", help="the time zone an organisation's times show in")
    zone.add_argument("--slug", required=True, help="the organisation's portal address part")
    zone.add_argument("--time-zone", required=True, help="IANA name, e.g. America/New_York")
    janus = sub.add_parser(
        "janus-config",
        help="a locked-down Janus configuration for group rooms (docs/group-rooms.md)",
    )
    janus.add_argument("--folder", required=True, help="where to write janus.jcfg and its files")
    janus.add_argument("--ws-ip", default="127.0.0.1", help="loopback or a private address")
    janus.add_argument("--ws-port", type=int, default=8188)
    janus.add_argument("--rtp-ports", default="20000-40000", help="the UDP range for media")
    return p


def janus_config(args: argparse.Namespace) -> str:
    """Write the files; say how to start Janus and what the portal server needs to reach it."""
    from pathlib import Path

    from .sfu.janus_config import JanusConfig

    try:
        low, high = (int(part) for part in args.rtp_ports.split("-", 1))
    except ValueError:
        raise SystemExit("--rtp-ports: give a range such as 20000-40000.") from None
    config = JanusConfig(
        Path(args.folder).resolve(), ws_port=args.ws_port, ws_ip=args.ws_ip, rtp_ports=(low, high)
    )
    path = config.write()
    lines = [
        f"Wrote {path} (readable by its owner only: it holds the secrets).",
        f"Start Janus with: janus --config {path} --configs-folder {config.folder}",
        "Give the portal server these settings (keep them secret):",
    ]
    lines += [f"  {name}={value}" for name, value in config.env().items()]
    return "\n".join(lines)


def _password(from_stdin: bool, username: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the Org Admin: ")
        if getpass.getpass("Again: ") != password:
            raise SystemExit("The two passwords differ; nothing was changed.")
    problem = password_error(password, username)
    if problem:
        raise SystemExit(f"Password: {problem} Nothing was changed.")
    return password


def create_org(settings: Settings, args: argparse.Namespace) -> str:
    time_zone = (args.time_zone or settings.time_zone).strip()
    for label, problem in (
        ("--admin-username", username_error(args.admin_username)),
        ("--admin-email", email_error(args.admin_email)),
        ("--time-zone", zone_error(time_zone)),
    ):
        if problem:
            raise SystemExit(f"{label}: {problem}")
    username = normalize_username(args.admin_username)
    password = _password(args.password_stdin, username)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    now = settings.clock.now()
    with transaction(make_session_factory(engine)) as db:
        if db.scalar(select(Organization).where(Organization.slug == args.slug)):
            raise SystemExit(f"An organisation with the address /o/{args.slug} exists already.")
        if db.scalar(select(Account).where(Account.username == username)):
            raise SystemExit(f"The username {username} is taken.")
        org = Organization(
            name=args.name,
            slug=args.slug,
            created_at=now,
            individual_practitioner=args.individual_practitioner,
            time_zone=time_zone,
        )
        db.add(org)
        db.flush()
        dept = Department(organization_id=org.id, name=args.department)
        admin = Staff(
            organization_id=org.id,
            username=username,
            email=args.admin_email.strip().lower(),
            first_name=args.admin_first_name,
            last_name=args.admin_last_name,
            password_hash=hash_password(password),
            password_changed_at=now,
            created_at=now,
            is_org_admin=True,
            active=True,
            notify_new_clients=True,
        )
        admin.departments = [dept]
        db.add_all([dept, admin])
        db.flush()
        audit.record(
            db,
            now=now,
            action="organization_created",
            actor_label="vtconnect-admin",
            object_type="organization",
            object_id=org.id,
            organization_id=org.id,
            time_zone=time_zone,
        )
    engine.dispose()
    return f"Created {args.name} (/o/{args.slug}, times in {time_zone}) with Org Admin {username}."


def set_time_zone(settings: Settings, args: argparse.Namespace) -> str:
    """The organisation's time zone, from the command line (audited as the portal's edit is)."""
    time_zone = args.time_zone.strip()
    problem = zone_error(time_zone)
    if problem:
        raise SystemExit(f"--time-zone: {problem} Nothing was changed.")
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    now = settings.clock.now()
    with transaction(make_session_factory(engine)) as db:
        org = db.scalar(select(Organization).where(Organization.slug == args.slug))
        if org is None:
            raise SystemExit(f"No organisation has the address /o/{args.slug}.")
        if org.time_zone != time_zone:
            audit.record(
                db,
                now=now,
                action="organization_updated",
                actor_label="vtconnect-admin",
                object_type="organization",
                object_id=org.id,
                organization_id=org.id,
                time_zone={"from": org.time_zone, "to": time_zone},
            )
            org.time_zone = time_zone
    engine.dispose()
    return f"{args.slug}: times are shown in {time_zone}."


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env(database_url=args.database_url, data_dir=args.data_dir)
    if args.command == "create-org":
        print(create_org(settings, args))
    elif args.command == "set-time-zone":
        print(set_time_zone(settings, args))
    elif args.command == "janus-config":
        print(janus_config(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
