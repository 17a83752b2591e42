"""Virtual visits in the desktop app (issue 8, the employee's side): the Schedule view beside
the Appointment screen, the visit dialog, the video window with the visit's notes.

``install_schedule(window)`` puts the Schedule view into a ``MainWindow`` for staff: a page in
its screen stack and a two-way switch (Appointments / Schedule) in the header.
"""

from __future__ import annotations

from .controller import VisitsController
from .schedule_view import ScheduleView
from .staff_nav import StaffNav, install_schedule

__all__ = ["ScheduleView", "StaffNav", "VisitsController", "install_schedule"]
