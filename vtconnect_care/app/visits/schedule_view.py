"""The Schedule view: the employee's visits of one day, virtual ones with the virtual icon
(R-VISIT-1), previous and next day, today, and More Details for the visit dialog."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.domain import visit_messages as vmsg
from vtconnect_care.domain.organization import computer_zone_note
from vtconnect_care.domain.times import hhmm, long_date
from vtconnect_care.domain.visit_status import status_line

from .. import local_time
from ..widgets import MessageLabel, card, label
from . import icons

VISIT_ROLE = Qt.ItemDataRole.UserRole
NO_VISITS = "No visits on this day."
CHOOSE_VISIT = "Choose a visit, then More Details."


def visit_status(visit: dict, zone=None) -> str:
    """One line: virtual or in person, where the visit stands, the video session."""
    return status_line(
        is_virtual=bool(visit.get("is_virtual")),
        clock_in_at=visit.get("clock_in_at"),
        clock_out_at=visit.get("clock_out_at"),
        session_state=visit.get("virtual_session_state"),
        zone=zone,
    )


class ScheduleView(QWidget):
    day_requested = Signal(object)  # a date, or None for today
    details_requested = Signal(int)  # visit id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenBackground")
        self.zone = None
        self.day: date | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(16)
        head = QHBoxLayout()
        head.addWidget(label("Schedule", "CardTitle"))
        head.addStretch(1)
        self.previous = QPushButton("‹ Previous day")
        self.previous.setAccessibleName("Previous day")
        self.today = QPushButton("Today")
        self.today.setAccessibleName("Today")
        self.next = QPushButton("Next day ›")
        self.next.setAccessibleName("Next day")
        for button in (self.previous, self.today, self.next):
            head.addWidget(button)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Refresh schedule")
        head.addWidget(self.refresh_button)
        outer.addLayout(head)
        self.message = MessageLabel()
        outer.addWidget(self.message)

        box, lay = card()
        self.day_label = label("", "SectionTitle")
        self.day_label.setAccessibleName("Day shown")
        lay.addWidget(self.day_label)
        self.zone_note = label("", "Hint", wrap=True)  # the computer's zone, the org's (issue 15)
        self.zone_note.setAccessibleName("Time zone")
        lay.addWidget(self.zone_note)
        legend = QHBoxLayout()
        legend_icon = label("")
        legend_icon.setPixmap(icons.virtual_icon(18).pixmap(18, 18))
        legend_icon.setAccessibleName("Virtual visit icon")
        legend.addWidget(legend_icon)
        legend.addWidget(label("Virtual visit: met by video", "Hint"))
        legend.addStretch(1)
        lay.addLayout(legend)
        self.visits = QListWidget()
        self.visits.setAccessibleName("Visits")
        self.visits.setAccessibleDescription("Press Enter for the visit's details.")
        self.visits.setIconSize(QSize(24, 24))
        self.visits.itemActivated.connect(lambda _item: self._details())
        self.visits.currentItemChanged.connect(lambda *_: self._update_details())
        lay.addWidget(self.visits, 1)
        self.empty = label(NO_VISITS, "Muted")
        self.empty.hide()
        lay.addWidget(self.empty)
        bottom = QHBoxLayout()
        self.hint = label(CHOOSE_VISIT, "Hint")
        bottom.addWidget(self.hint, 1)
        self.more = QPushButton(vmsg.MORE_DETAILS)
        self.more.setObjectName("Primary")
        self.more.setAccessibleName(vmsg.MORE_DETAILS)
        self.more.clicked.connect(self._details)
        bottom.addWidget(self.more)
        lay.addLayout(bottom)
        outer.addWidget(box, 1)

        self.previous.clicked.connect(lambda: self._step(-1))
        self.next.clicked.connect(lambda: self._step(1))
        self.today.clicked.connect(lambda: self.day_requested.emit(None))
        self.refresh_button.clicked.connect(lambda: self.day_requested.emit(self.day))
        QShortcut(QKeySequence("Alt+Left"), self).activated.connect(lambda: self._step(-1))
        QShortcut(QKeySequence("Alt+Right"), self).activated.connect(lambda: self._step(1))
        self.previous.setToolTip("Previous day (Alt+Left)")
        self.next.setToolTip("Next day (Alt+Right)")
        self.setTabOrder(self.previous, self.today)
        self.setTabOrder(self.today, self.next)
        self.setTabOrder(self.next, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.visits)
        self.setTabOrder(self.visits, self.more)
        self._update_details()

    def _step(self, days: int) -> None:
        if self.day is not None:
            self.day_requested.emit(self.day + timedelta(days=days))

    def set_schedule(self, body: dict, zone=None) -> None:
        self.zone = zone
        chosen = self.selected_id()
        self.day = date.fromisoformat(body["date"])
        self.day_label.setText(long_date(self.day))
        self.day_label.setAccessibleName(f"Day shown: {self.day_label.text()}")
        computer = body.get("tz") or local_time.zone_label(zone)
        self.zone_note.setText(computer_zone_note(computer, body.get("organization_time_zone")))
        self.visits.clear()
        for visit in body.get("visits", []):
            client = (visit.get("client") or {}).get("full_name", "")
            service = visit.get("service") or {}
            when = f"{hhmm(visit['starts_at'], zone)}–{hhmm(visit['ends_at'], zone)}"
            text = f"{when}   {client}   {service.get('name', '')}\n{visit_status(visit, zone)}"
            item = QListWidgetItem(text)
            virtual = bool(visit.get("is_virtual"))
            item.setIcon(icons.virtual_icon() if virtual else icons.in_person_icon())
            item.setData(VISIT_ROLE, visit)
            kind = "Virtual visit" if visit.get("is_virtual") else "In-person visit"
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{kind}, {when}, {client}")
            item.setToolTip(kind)
            self.visits.addItem(item)
            if visit["id"] == chosen:
                self.visits.setCurrentItem(item)
        if self.visits.currentItem() is None and self.visits.count():
            self.visits.setCurrentRow(0)
        self.empty.setVisible(self.visits.count() == 0)
        self._update_details()

    def rows(self) -> list[dict]:
        return [self.visits.item(i).data(VISIT_ROLE) for i in range(self.visits.count())]

    def select(self, visit_id: int) -> None:
        for i in range(self.visits.count()):
            if self.visits.item(i).data(VISIT_ROLE)["id"] == visit_id:
                self.visits.setCurrentRow(i)

    def selected_id(self) -> int | None:
        item = self.visits.currentItem()
        return int(item.data(VISIT_ROLE)["id"]) if item is not None else None

    def _update_details(self) -> None:
        self.more.setEnabled(self.selected_id() is not None)
        self.hint.setVisible(self.visits.count() > 0)

    def _details(self) -> None:
        visit_id = self.selected_id()
        if visit_id is not None:
            self.details_requested.emit(visit_id)

    def reset(self) -> None:
        """Signed out: none of the last account's visits stay in the list (issue 15 defect 2)."""
        self.visits.clear()
        self.day = None
        self.clear_message()
        self._update_details()

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def clear_message(self) -> None:
        self.message.clear_message()
