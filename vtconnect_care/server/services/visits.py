"""Virtual visits on the server: schedules, invites, clocking, the video session's life (R-VISIT-*).

Every rule is decided in vtconnect_care.domain.visits; this module loads the facts, applies the
verdict, writes the audit trail and commits. The realtime hub calls `can_join`,
`on_employee_join`, `on_client_join`, `on_client_hangup` and `on_employee_hangup`; the browser
visit page calls `resolve_invite`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import Boolean, ForeignKey, Integer, Text, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from vtconnect_care.domain import messages
from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain import visits as rules
from vtconnect_care.domain.visits import (
    EndedBy,
    InviteKind,
    LinkStatus,
    Refusal,
    SessionEvent,
    SessionFacts,
    VirtualSessionState,
    VisitFacts,
)

from .. import audit
from ..db import Base, UTCDateTime
from ..errors import ApiError, forbidden, not_found
from ..mail import outbox
from ..models import Account, Staff, Token, VirtualSession, Visit
from ..security import TokenPurpose, token_hash
from ..settings import Settings
from . import tokens
from .visit_admin import is_visit_manager, manages_visit, visit_query

UTC_ZONE: tzinfo = UTC

# Which refusals are "not yours" (403) rather than "not now" (409).
_FORBIDDEN_CODES = {"not_assigned"}


def refusal_error(refusal: Refusal) -> ApiError:
    status = 403 if refusal.code in _FORBIDDEN_CODES else 409
    return ApiError(status, refusal.code, refusal.message)


# --- loading and facts ------------------------------------------------------------------------


def load_visit(db: Session, staff: Staff, visit_id: int, *, lock: bool = False) -> Visit:
    """A visit of the staff member's organisation, or 404."""
    stmt = visit_query().where(Visit.id == visit_id, Visit.organization_id == staff.organization_id)
    if lock:
        stmt = stmt.with_for_update(of=Visit)
    visit = db.scalar(stmt)
    if visit is None:
        raise not_found()
    return visit


def session_of(db: Session, visit: Visit, *, lock: bool = False) -> VirtualSession | None:
    stmt = select(VirtualSession).where(VirtualSession.visit_id == visit.id)
    if lock:
        stmt = stmt.with_for_update()
    return db.scalar(stmt)


def visit_facts(visit: Visit) -> VisitFacts:
    return VisitFacts(
        employee_id=visit.employee_id,
        allows_virtual=visit.service.allows_virtual,
        client_email=visit.client.email,
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        schedule_version=visit.schedule_version,
        clock_in_at=visit.clock_in_at,
        clock_out_at=visit.clock_out_at,
    )


def session_facts(vs: VirtualSession | None) -> SessionFacts | None:
    if vs is None:
        return None
    return SessionFacts(
        state=VirtualSessionState(vs.state),
        schedule_version=vs.schedule_version,
        last_invite_sent_at=vs.last_invite_sent_at,
    )


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat() if when else None


def _person(account: Account | None) -> dict | None:
    if account is None:
        return None
    return {"id": account.id, "full_name": account.full_name}


def summary(visit: Visit, vs: VirtualSession | None) -> dict:
    """A visit as a schedule row shows it (R-VISIT-1: is_virtual drives the virtual icon)."""
    return {
        "id": visit.id,
        "client": _person(visit.client),
        "employee": _person(visit.employee),
        "service": {
            "id": visit.service.id,
            "code": visit.service.code,
            "name": visit.service.name,
            "allows_virtual": visit.service.allows_virtual,
        },
        "is_virtual": rules.is_virtual(visit.service.allows_virtual),
        "starts_at": iso(visit.starts_at),
        "ends_at": iso(visit.ends_at),
        "schedule_version": visit.schedule_version,
        "clock_in_at": iso(visit.clock_in_at),
        "clock_out_at": iso(visit.clock_out_at),
        "virtual_session_state": vs.state if vs else None,
    }


def detail(
    visit: Visit, vs: VirtualSession | None, *, staff: Staff, now: datetime, zone: tzinfo
) -> dict:
    """The visit dialog: the summary, the session, and each button enabled and explained."""
    facts, sfacts = visit_facts(visit), session_facts(vs)
    out = summary(visit, vs)
    out["client"]["has_email"] = bool((visit.client.email or "").strip())
    out["link_expires_at"] = iso(rules.link_expires_at(visit.ends_at))
    out["link_expired"] = rules.is_link_expired(visit.ends_at, now)
    out["virtual_session"] = None
    if vs is not None and sfacts is not None:
        out["virtual_session"] = {
            "id": vs.id,
            "state": vs.state,
            "live": rules.is_live(sfacts.state),
            "invites_sent": vs.invites_sent,
            "last_invite_sent_at": iso(vs.last_invite_sent_at),
            "schedule_version": vs.schedule_version,
            "invite_outdated": rules.is_invite_outdated(facts, sfacts),
            "ended_at": iso(vs.ended_at),
            "ended_by": vs.ended_by,
            "notice": rules.employee_notice(sfacts, zone),
        }
    buttons = rules.visit_buttons(actor_id=staff.id, visit=facts, session=sfacts, now=now)
    out["buttons"] = {
        key: {"label": b.label, "enabled": b.enabled, "reason": b.reason}
        for key, b in buttons.items()
    }
    out["is_assigned"] = visit.employee_id == staff.id
    out["notes"] = visit.notes
    out["notes_saved_at"] = iso(visit.notes_saved_at)
    return out


# --- the employee's schedule and dialog -------------------------------------------------------


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def schedule(
    db: Session, staff: Staff, *, day: date, zone: tzinfo, employee_id: int | None = None
) -> list[dict]:
    """The visits of one day (in `zone`) for the signed-in employee, or for another for managers."""
    who = staff.id if employee_id is None else employee_id
    if who != staff.id and not is_visit_manager(staff):
        raise forbidden()
    start, end = day_bounds(day, zone)
    visits = list(
        db.scalars(
            visit_query()
            .where(
                Visit.organization_id == staff.organization_id,
                Visit.employee_id == who,
                Visit.starts_at >= start,
                Visit.starts_at < end,
            )
            .order_by(Visit.starts_at, Visit.id)
        )
    )
    sessions = {
        vs.visit_id: vs
        for vs in db.scalars(
            select(VirtualSession).where(VirtualSession.visit_id.in_([v.id for v in visits]))
        )
    }
    return [summary(v, sessions.get(v.id)) for v in visits]


def visit_detail(
    db: Session, settings: Settings, staff: Staff, visit_id: int, *, zone: tzinfo
) -> dict:
    visit = load_visit(db, staff, visit_id)
    if visit.employee_id != staff.id and not manages_visit(db, staff, visit):
        raise forbidden()
    out = detail(visit, session_of(db, visit), staff=staff, now=settings.clock.now(), zone=zone)
    out["notes_version"] = notes_version(db, visit)
    return out


def _audit(
    db: Session, now: datetime, action: str, staff: Staff, visit: Visit, **detail: object
) -> None:
    audit.record(
        db,
        now=now,
        action=action,
        actor=staff,
        object_type="visit",
        object_id=visit.id,
        client_id=visit.client_id,
        **detail,
    )


# --- invites (R-VISIT-2, 3, 4, 5, 7) ----------------------------------------------------------


def visit_time(visit: Visit, zone: tzinfo) -> str:
    """'15:00 to 15:45' in the viewer's zone."""
    return f"{rules.hhmm(visit.starts_at, zone)} to {rules.hhmm(visit.ends_at, zone)}"


def invite_link(settings: Settings, raw: str) -> str:
    return f"{settings.base_url}/visit/{raw}"


def _ensure_session(db: Session, visit: Visit, now: datetime) -> VirtualSession:
    vs = session_of(db, visit, lock=True)
    if vs is None:
        vs = VirtualSession(
            visit_id=visit.id,
            state=VirtualSessionState.CREATED.value,
            created_at=now,
            schedule_version=visit.schedule_version,
            invites_sent=0,
        )
        db.add(vs)
        db.flush()
    return vs


def _issue_link(
    db: Session, settings: Settings, visit: Visit, vs: VirtualSession, now: datetime
) -> str:
    raw, _ = tokens.issue(
        db,
        purpose=TokenPurpose.VISIT_INVITE,
        now=now,
        ttl=rules.link_expires_at(visit.ends_at) - now,
        account_id=visit.client_id,
        subject_id=vs.id,
        data={"schedule_version": visit.schedule_version},
    )
    vs.schedule_version = visit.schedule_version
    vs.last_invite_sent_at = now
    return invite_link(settings, raw)


def invite(
    db: Session,
    settings: Settings,
    staff: Staff,
    visit_id: int,
    *,
    kind: InviteKind,
    zone: tzinfo = UTC_ZONE,
) -> tuple[Visit, VirtualSession, str]:
    """Send, copy or resend the invite link; the first one creates the virtual session."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    existing = session_of(db, visit)
    refusal = rules.invite_refusal(
        actor_id=staff.id,
        visit=visit_facts(visit),
        session=session_facts(existing),
        kind=kind,
        now=now,
    )
    if refusal is not None:
        if refusal.code == "no_client_email":
            _audit(db, now, "visit_invite_refused", staff, visit, reason=refusal.code)
            db.commit()
        raise refusal_error(refusal)
    try:
        vs = _ensure_session(db, visit, now)
        link = _issue_link(db, settings, visit, vs, now)
        if kind is not InviteKind.COPY:
            vs.invites_sent += 1
            assert visit.client.email
            local_start = visit.starts_at.astimezone(zone)
            outbox.enqueue(
                db,
                now=now,
                to=visit.client.email,
                template="visit_invite",
                links=[link],
                url=link,
                first_name=visit.client.first_name,
                employee_name=visit.employee.full_name if visit.employee else "",
                org_name=visit.client.organization.name,
                visit_day=local_start.strftime("%A %d %B %Y"),
                visit_time=visit_time(visit, zone),
                zone_name=str(zone),
            )
        action = {
            InviteKind.SEND: "visit_invite_sent",
            InviteKind.RESEND: "visit_invite_resent",
            InviteKind.COPY: "visit_invite_link_copied",
        }[kind]
        _audit(db, now, action, staff, visit, virtual_session_id=vs.id)
        db.commit()
    except IntegrityError as exc:  # two first invites at once: the other one created it
        db.rollback()
        raise ApiError(409, "busy", "The visit was just changed. Please try again.") from exc
    return visit, vs, link


# --- clocking (R-VISIT-6, 13, 15) -------------------------------------------------------------


def clock_in(db: Session, settings: Settings, staff: Staff, visit_id: int) -> Visit:
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    refusal = rules.clock_in_refusal(actor_id=staff.id, visit=visit_facts(visit))
    if refusal is not None:
        raise refusal_error(refusal)
    visit.clock_in_at = now
    _audit(db, now, "visit_clock_in", staff, visit)
    db.commit()
    return visit


def clock_out(
    db: Session, settings: Settings, staff: Staff, visit_id: int, *, confirm: bool
) -> Visit:
    """Clock out; during a live session only with confirm (R-VISIT-13). The call goes on."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    refusal = rules.clock_out_refusal(actor_id=staff.id, visit=visit_facts(visit))
    if refusal is not None:
        raise refusal_error(refusal)
    vs = session_of(db, visit, lock=True)
    warning = rules.clock_out_warning(session_facts(vs))
    if warning and not confirm:
        raise ApiError(409, "virtual_session_active", warning)
    visit.clock_out_at = now
    if vs is not None:
        _apply(vs, SessionEvent.CLOCK_OUT, now)
    _audit(db, now, "visit_clock_out", staff, visit, during_live_session=bool(warning))
    db.commit()
    return visit


# --- the video session ------------------------------------------------------------------------


def _apply(vs: VirtualSession, event: SessionEvent, now: datetime) -> VirtualSessionState:
    """Move the stored state; a wrong move raises InvalidTransition (callers turn it into 409)."""
    before = VirtualSessionState(vs.state)
    after = rules.transition(before, event)
    vs.state = after.value
    if after is VirtualSessionState.ENDED and before is not VirtualSessionState.ENDED:
        vs.ended_at = now
        vs.ended_by = (
            EndedBy.CLOCK_OUT.value if event is SessionEvent.CLOCK_OUT else EndedBy.EMPLOYEE.value
        )
    return after


def join(
    db: Session, settings: Settings, staff: Staff, visit_id: int
) -> tuple[Visit, VirtualSession]:
    """The employee joins or re-joins (R-VISIT-6, 8, 12, 14, 15)."""
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id)
    vs = session_of(db, visit, lock=True)
    refusal = rules.join_refusal(
        actor_id=staff.id, visit=visit_facts(visit), session=session_facts(vs), now=now
    )
    if refusal is not None:
        raise refusal_error(refusal)
    assert vs is not None
    _apply(vs, SessionEvent.EMPLOYEE_JOIN, now)
    _audit(db, now, "visit_video_joined", staff, visit, virtual_session_id=vs.id)
    db.commit()
    return visit, vs


def hang_up(
    db: Session, settings: Settings, staff: Staff, visit_id: int
) -> tuple[Visit, VirtualSession]:
    """The caregiver hangs up: the virtual session is over for good (R-VISIT-12)."""
    visit = load_visit(db, staff, visit_id)
    if visit.employee_id != staff.id:
        raise refusal_error(Refusal("not_assigned", vmsg.NOT_ASSIGNED_JOIN))
    vs = session_of(db, visit)
    if vs is None:
        raise refusal_error(Refusal("no_session", vmsg.NO_SESSION_YET))
    on_employee_hangup(db, settings, virtual_session_id=vs.id, staff=staff)
    return visit, vs


class VisitNoteRevision(Base):
    """One saved version of a visit's notes (R-VISIT-16); conflicting saves are kept too."""

    __tablename__ = "visit_note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)


def notes_version(db: Session, visit: Visit) -> int:
    """The version of the visit's current notes (0: never saved)."""
    found = db.scalar(
        select(func.max(VisitNoteRevision.version)).where(
            VisitNoteRevision.visit_id == visit.id, VisitNoteRevision.conflict.is_(False)
        )
    )
    return int(found or 0)


class NotesConflict(ApiError):
    """409 with the current notes, so the editor can merge instead of overwriting."""

    def __init__(self, notes: str, version: int) -> None:
        super().__init__(409, "notes_conflict", vmsg.NOTES_CONFLICT)
        self.notes, self.version = notes, version

    def body(self) -> dict:
        out = super().body()
        out["error"]["current"] = {"notes": self.notes, "version": self.version}
        return out


@dataclass(frozen=True)
class NotesSaved:
    notes: str
    version: int
    saved_at: datetime | None


def save_notes(
    db: Session, settings: Settings, staff: Staff, visit_id: int, text: str, *, base_version: int
) -> NotesSaved:
    """R-VISIT-16: the notes as typed, versioned so that a save lost on a drop loses nothing.

    `base_version` is the version the editor started from. A save on the current version makes
    the next one. A retry of a save that already landed (same text) is answered as a success. A
    save from an older version is kept as a conflict revision (nothing lost) and refused with
    409 notes_conflict carrying the current text, so the editor can merge. Audited, not its text.
    """
    now = settings.clock.now()
    visit = load_visit(db, staff, visit_id, lock=True)
    if visit.employee_id != staff.id:
        raise refusal_error(Refusal("not_assigned", vmsg.NOT_ASSIGNED_NOTES))
    current = notes_version(db, visit)
    if base_version != current:
        if text == visit.notes:  # the earlier attempt landed; its answer was lost
            return NotesSaved(visit.notes, current, visit.notes_saved_at)
        db.add(
            VisitNoteRevision(
                visit_id=visit.id,
                version=current,
                text=text,
                saved_at=now,
                saved_by_id=staff.id,
                conflict=True,
            )
        )
        _audit(
            db,
            now,
            "visit_notes_conflict",
            staff,
            visit,
            base_version=base_version,
            version=current,
            length=len(text),
        )
        db.commit()
        raise NotesConflict(visit.notes, current)
    version = current + 1
    db.add(
        VisitNoteRevision(
            visit_id=visit.id,
            version=version,
            text=text,
            saved_at=now,
            saved_by_id=staff.id,
            conflict=False,
        )
    )
    visit.notes = text
    visit.notes_saved_at = now
    _audit(db, now, "visit_notes_saved", staff, visit, version=version, length=len(text))
    db.commit()
    return NotesSaved(visit.notes, version, now)


# --- for the realtime hub and the browser page ------------------------------------------------


@dataclass(frozen=True)
class InviteResolution:
    """What an invite link opens: the session, or a plain reason why not."""

    status: LinkStatus
    message: str | None = None
    visit: Visit | None = None
    session: VirtualSession | None = None

    @property
    def ok(self) -> bool:
        return self.status is LinkStatus.VALID


def resolve_invite(db: Session, settings: Settings, raw_token: str) -> InviteResolution:
    """R-VISIT-7, 8, 12: a client's link is valid, or invalid / superseded / expired / finished."""
    now = settings.clock.now()
    row = None
    if raw_token and len(raw_token) <= 200:
        row = db.scalar(
            select(Token).where(
                Token.token_hash == token_hash(raw_token),
                Token.purpose == TokenPurpose.VISIT_INVITE.value,
            )
        )
    vs = db.get(VirtualSession, row.subject_id) if row is not None and row.subject_id else None
    if row is None or vs is None:
        return InviteResolution(LinkStatus.INVALID, rules.LINK_REASONS[LinkStatus.INVALID])
    visit = vs.visit
    version = int((row.data or {}).get("schedule_version", 0))
    status = rules.link_status(
        visit=visit_facts(visit), session=session_facts(vs), link_version=version, now=now
    )
    if status is LinkStatus.VALID and row.revoked_at is not None:
        status = LinkStatus.SUPERSEDED
    if status is not LinkStatus.VALID:
        return InviteResolution(status, rules.LINK_REASONS[status], visit, vs)
    return InviteResolution(status, None, visit, vs)


@dataclass(frozen=True)
class JoinCheck:
    allowed: bool
    role: str | None  # "employee" | "client"
    code: str | None = None
    message: str | None = None


def can_join(
    db: Session,
    settings: Settings,
    *,
    virtual_session_id: int,
    staff: Staff | None = None,
    raw_token: str | None = None,
) -> JoinCheck:
    """May this employee (signed in) or this invite link's holder join this session now?"""
    vs = db.get(VirtualSession, virtual_session_id)
    if vs is None:
        return JoinCheck(False, None, "not_found", messages.NOT_FOUND)
    if staff is not None:
        visit = vs.visit
        if visit.organization_id != staff.organization_id:
            return JoinCheck(False, None, "not_found", messages.NOT_FOUND)
        refusal = rules.join_refusal(
            actor_id=staff.id,
            visit=visit_facts(visit),
            session=session_facts(vs),
            now=settings.clock.now(),
        )
        if refusal is not None:
            return JoinCheck(False, "employee", refusal.code, refusal.message)
        return JoinCheck(True, "employee")
    resolution = resolve_invite(db, settings, raw_token or "")
    if resolution.session is None or resolution.session.id != vs.id:
        return JoinCheck(False, None, LinkStatus.INVALID.value, vmsg.LINK_REASON_INVALID)
    if not resolution.ok:
        return JoinCheck(False, "client", resolution.status.value, resolution.message)
    return JoinCheck(True, "client")


def _locked_session(db: Session, virtual_session_id: int) -> VirtualSession:
    vs = db.get(VirtualSession, virtual_session_id, with_for_update=True)
    if vs is None:
        raise not_found()
    return vs


def _transition_error(exc: rules.InvalidTransition) -> ApiError:
    if exc.state is VirtualSessionState.ENDED:
        return ApiError(409, "session_ended", vmsg.SESSION_ENDED)
    return ApiError(409, "conflict", str(exc))


def on_employee_join(
    db: Session, settings: Settings, *, virtual_session_id: int, staff: Staff
) -> VirtualSessionState:
    """The hub saw the employee's engine join (after can_join said yes)."""
    vs = _locked_session(db, virtual_session_id)
    _, joined = join(db, settings, staff, vs.visit_id)
    return VirtualSessionState(joined.state)


def on_client_join(
    db: Session, settings: Settings, *, virtual_session_id: int
) -> VirtualSessionState:
    """The client's page joined (after can_join said yes)."""
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    try:
        state = _apply(vs, SessionEvent.CLIENT_JOIN, now)
    except rules.InvalidTransition as exc:
        db.rollback()
        raise _transition_error(exc) from exc
    audit.record(
        db,
        now=now,
        action="visit_client_joined",
        actor_label=f"client:{vs.visit.client_id}",
        object_type="visit",
        object_id=vs.visit_id,
        organization_id=vs.visit.organization_id,
        virtual_session_id=vs.id,
    )
    db.commit()
    return state


@dataclass(frozen=True)
class HangupResult:
    state: VirtualSessionState
    notice: str | None  # what the other side's window shows


def on_client_hangup(db: Session, settings: Settings, *, virtual_session_id: int) -> HangupResult:
    """The client hung up or closed the page: not an ending (R-VISIT-11); they may come back.

    The notice is R-VISIT-11's message for the employee when a call was under way.
    """
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    before = VirtualSessionState(vs.state)
    state = _apply(vs, SessionEvent.CLIENT_LEAVE, now)
    if state is not before:
        audit.record(
            db,
            now=now,
            action="visit_client_left",
            actor_label=f"client:{vs.visit.client_id}",
            object_type="visit",
            object_id=vs.visit_id,
            organization_id=vs.visit.organization_id,
            virtual_session_id=vs.id,
        )
    db.commit()
    notice = vmsg.CLIENT_HUNG_UP if state is VirtualSessionState.CLIENT_LEFT else None
    return HangupResult(state, notice)


def on_employee_hangup(
    db: Session, settings: Settings, *, virtual_session_id: int, staff: Staff
) -> HangupResult:
    """The caregiver hung up: over for good, no new session for the visit ever (R-VISIT-12).

    The notice is R-VISIT-12's message, for the caregiver's window and the client's page.
    """
    now = settings.clock.now()
    vs = _locked_session(db, virtual_session_id)
    visit = vs.visit
    if visit.organization_id != staff.organization_id:
        raise not_found()
    if visit.employee_id != staff.id:
        raise refusal_error(Refusal("not_assigned", vmsg.NOT_ASSIGNED_JOIN))
    try:
        state = _apply(vs, SessionEvent.EMPLOYEE_HANGUP, now)
    except rules.InvalidTransition as exc:
        db.rollback()
        raise _transition_error(exc) from exc
    _audit(db, now, "visit_video_ended", staff, visit, virtual_session_id=vs.id)
    db.commit()
    return HangupResult(state, vmsg.SESSION_OVER)
