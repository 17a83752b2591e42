"""The ASGI app factory: settings in, a ready server out (schema migrated, mail sender on)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from vtconnect_care import __version__
from vtconnect_care.domain.times import hhmm, long_date

from . import edge, errors, visit_pages
from .api import (
    appointments,
    auth,
    clients,
    departments,
    devmail,
    health,
    organization,
    precall,
    registration,
    reports,
    sessions,
    staff,
    two_factor,
)
from .api import visits as visits_api
from .db import make_engine, make_session_factory, migrate
from .demo import seed
from .mail.sender import MailSender, SmtpTransport
from .models import OutboxMail
from .portal import (
    device_pages,
    group_room_pages,
    organization_pages,
    public_pages,
    reports_pages,
    staff_admin_pages,
    staff_pages,
    two_factor_pages,
)
from .portal import visit_pages as portal_visit_pages
from .realtime import hub as realtime_hub
from .realtime import routes as realtime_routes
from .realtime import visit_rooms
from .settings import Settings

log = logging.getLogger("vtconnect.server")

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
API = "/api/v1"

# Every router with its prefix, in the order requests are matched against them.
ROUTERS: tuple[tuple[APIRouter, str], ...] = (
    (health.router, ""),
    (health.router, API),
    (auth.router, API),
    (two_factor.router, API),  # two-factor settings, signed-in devices, ending sessions
    (devmail.router, ""),
    (appointments.router, API),
    (visits_api.router, API),
    (visit_pages.router, ""),  # the client's browser page for a visit link
    (sessions.router, API),
    (realtime_routes.router, API),
    (precall.router, API),  # the pre-call connection test's peer
    (clients.router, API),
    (staff.router, API),
    (departments.router, API),  # issue 15
    (organization.router, API),
    (reports.router, API),  # the session log (issue 16)
    (registration.router, API),
    (public_pages.router, ""),  # the Office Portal's pages
    (two_factor_pages.router, ""),  # the sign-in code step, two-step set-up
    (group_room_pages.router, ""),  # the Organization page's group sessions setting
    (reports_pages.router, ""),  # the session log (issue 16)
    (device_pages.router, ""),  # sign-in and security, signed-in devices, ending sessions
    (staff_admin_pages.router, ""),  # add staff, roles, departments (before /staff/{id})
    (staff_pages.router, ""),
    (organization_pages.router, ""),  # the Organization information (issue 15), invitation
    (portal_visit_pages.router, ""),
)


def _templates() -> Jinja2Templates:
    """The pages' templates, with the domain's time formatters as filters (hhmm, long_date)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    # in the organisation's zone when the page has one (org_zone, portal/web.py render)
    @pass_context
    def _hhmm(context, when, zone=None):  # type: ignore[no-untyped-def]
        return hhmm(when, zone or context.get("org_zone"))

    @pass_context
    def _long_date(context, day, zone=None):  # type: ignore[no-untyped-def]
        return long_date(day, zone or context.get("org_zone"))

    templates.env.filters["hhmm"] = _hhmm
    templates.env.filters["long_date"] = _long_date
    return templates


def _wake_sender_after_commit(factory, app: FastAPI) -> None:  # type: ignore[no-untyped-def]
    @event.listens_for(factory, "before_commit")
    def _before(session: Session) -> None:
        if any(isinstance(obj, OutboxMail) for obj in session.new):
            session.info["mail_waiting"] = True

    @event.listens_for(factory, "after_commit")
    def _after(session: Session) -> None:
        if session.info.pop("mail_waiting", False):
            sender: MailSender | None = getattr(app.state, "mail_sender", None)
            loop: asyncio.AbstractEventLoop | None = getattr(app.state, "loop", None)
            if sender is not None and loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(sender.wake)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    factory = make_session_factory(engine)

    if settings.demo:
        seed(factory, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.loop = asyncio.get_running_loop()
        tasks: list[asyncio.Task] = []
        if settings.smtp_url and settings.start_mail_sender:
            sender = MailSender(
                factory,
                SmtpTransport(settings.smtp_url),
                clock=settings.clock,
                mail_from=settings.mail_from,
                max_attempts=settings.mail_max_attempts,
            )
            app.state.mail_sender = sender
            tasks.append(asyncio.create_task(sender.run(settings.mail_poll_seconds)))
        for starter in app.state.background_starters:
            tasks.append(asyncio.create_task(starter(app)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            for closer in app.state.closers:
                with contextlib.suppress(Exception):
                    await closer(app)

    app = FastAPI(
        title="VTConnect Care portal",
        version=__version__,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.templates = _templates()
    app.state.background_starters = []  # async callables(app), run for the app's lifetime
    app.state.closers = []  # async callables(app), run at shutdown
    _wake_sender_after_commit(factory, app)
    errors.install(app)
    app.add_middleware(edge.BodyLimits)  # bodies bounded before any route parses them

    _mount_features(app)
    return app


def _mount_features(app: FastAPI) -> None:
    """The realtime hub (the visit links' authenticator in front of it), the routers, static."""
    realtime_hub.install(app)
    visit_rooms.install(app)
    for router, prefix in ROUTERS:
        app.include_router(router, prefix=prefix)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
