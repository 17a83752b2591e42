"""The visit's notes, versioned so that a save lost on a drop loses nothing (R-VISIT-16)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.errors import Refusal

from ...errors import ApiError
from ...models import Staff, Visit, VisitNoteRevision
from ...settings import Settings
from .facts import audit_visit, load_visit, refusal_error


def notes_version(db: Session, visit: Visit) -> int:
    """The version of the visit's current notes (0: never saved)."""
    found = db.scalar(
        select(func.max(VisitNoteRevision.version)).where(
            VisitNoteRevision.visit_id == visit.id, VisitNoteRevision.conflict.is_(False)
        )
    )
    return int(found or 0)


class NotesConflict(ApiError):  # noqa: N818 - the client's twin (client.visits_api) is named so
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


def _revision(
    visit: Visit, staff: Staff, text: str, version: int, now: datetime, *, conflict: bool
) -> VisitNoteRevision:
    return VisitNoteRevision(
        visit_id=visit.id,
        version=version,
        text=text,
        saved_at=now,
        saved_by_id=staff.id,
        conflict=conflict,
    )


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
        db.add(_revision(visit, staff, text, current, now, conflict=True))
        audit_visit(
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
    db.add(_revision(visit, staff, text, version, now, conflict=False))
    visit.notes = text
    visit.notes_saved_at = now
    audit_visit(db, now, "visit_notes_saved", staff, visit, version=version, length=len(text))
    db.commit()
    return NotesSaved(visit.notes, version, now)
