"""Virtual visits on the server: schedules, invites, clocking, the video session's life (R-VISIT-*).

Every rule is decided in vtconnect_care.domain.visits; these modules load the facts, apply the
verdict, write the audit trail and commit:

    facts     loading a visit and its session, the facts for the rules, the audit helper
    schedule  the employee's day and the visit dialog
    invites   send, copy and resend the invite link (R-VISIT-2, 3, 4, 5, 7)
    clocking  clock in and out (R-VISIT-6, 13, 15)
    session   joins and hang-ups moving the session's state (R-VISIT-11, 12, 14)
    notes     the visit's notes, versioned (R-VISIT-16)
    access    the client's invite link and the hub's join check (R-VISIT-7, 8, 12)
"""

from .access import InviteResolution, JoinCheck, can_join, resolve_invite
from .clocking import clock_in, clock_out
from .facts import (
    audit_visit,
    iso,
    load_visit,
    refusal_error,
    session_facts,
    session_of,
    visit_facts,
)
from .invites import invite, invite_link, visit_time
from .notes import NotesConflict, NotesSaved, notes_version, save_notes
from .schedule import day_bounds, detail, schedule, summary, visit_detail
from .session import (
    HangupResult,
    apply_event,
    hang_up,
    join,
    on_client_hangup,
    on_client_join,
    on_employee_hangup,
    on_employee_join,
)

__all__ = [
    "HangupResult",
    "InviteResolution",
    "JoinCheck",
    "NotesConflict",
    "NotesSaved",
    "apply_event",
    "audit_visit",
    "can_join",
    "clock_in",
    "clock_out",
    "day_bounds",
    "detail",
    "hang_up",
    "invite",
    "invite_link",
    "iso",
    "join",
    "load_visit",
    "notes_version",
    "on_client_hangup",
    "on_client_join",
    "on_employee_hangup",
    "on_employee_join",
    "refusal_error",
    "resolve_invite",
    "save_notes",
    "schedule",
    "session_facts",
    "session_of",
    "summary",
    "visit_detail",
    "visit_facts",
    "visit_time",
]
