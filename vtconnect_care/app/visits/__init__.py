"""Virtual visits in the desktop app (issue 8, the employee's side): the Schedule view beside
the Appointment screen, the visit dialog, the video window with the visit's notes.

The main window builds a ``ScheduleView``, its ``VisitsController`` and the header's
``StaffNav`` (Appointments / Schedule) for staff.
"""

from __future__ import annotations

from .controller import VisitsController
from .schedule_view import ScheduleView
from .staff_nav import StaffNav

__all__ = ["ScheduleView", "StaffNav", "VisitsController"]
