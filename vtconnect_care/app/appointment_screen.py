"""The Appointment screen for practitioners: today's appointments, whom to host, Host (R-HOST-*).

The screen shows what it is given and forwards intent: choosing people, Refresh and Host. The
Host action goes through one callable handed in by the main window (the Care Room seam).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vtconnect_care.domain.organization import computer_zone_note
from vtconnect_care.domain.times import time_range

from . import local_time
from .widgets import MessageLabel, card, label, scaled_font

PERSON_ROLE = Qt.ItemDataRole.UserRole
SELECT_SOMEONE = "Select the people you want to host, then choose Host."
NOBODY_TO_HOST = "There is nobody you can host yet: no active clients are associated with you."


def _key(person: dict) -> str:
    return f"{person.get('kind', 'client')}:{person['id']}"


class AppointmentScreen(QWidget):
    """Times are shown in ``zone`` (the computer's when None)."""

    refresh_requested = Signal()

    def __init__(
        self,
        host: Callable[[list[dict]], object],
        parent: QWidget | None = None,
        *,
        zone: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScreenBackground")
        self._host = host
        self.zone = zone if zone is not None else local_time.zone(local_time.system_zone())
        self.can_host = False
        self.host_reason: str | None = None
        self._people: dict[str, dict] = {}
        self._account_id: object = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 24)
        outer.setSpacing(16)
        head = QHBoxLayout()
        self.title = label("Appointments", "CardTitle")
        head.addWidget(self.title)
        head.addStretch(1)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Refresh appointments")
        self.refresh_button.clicked.connect(self.refresh_requested)
        head.addWidget(self.refresh_button)
        outer.addLayout(head)
        self.message = MessageLabel()
        outer.addWidget(self.message)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        left, left_lay = card()
        self.day_label = label("Today's appointments", "SectionTitle")
        left_lay.addWidget(self.day_label)
        self.zone_note = label("", "Hint", wrap=True)  # the computer's zone, the org's (issue 15)
        self.zone_note.setAccessibleName("Time zone")
        left_lay.addWidget(self.zone_note)
        left_lay.addWidget(label("Choose an appointment to select its clients.", "Hint", wrap=True))
        self.appointments = QListWidget()
        self.appointments.setAccessibleName("Today's appointments")
        self.appointments.itemActivated.connect(self._appointment_chosen)
        self.appointments.itemClicked.connect(self._appointment_chosen)
        left_lay.addWidget(self.appointments, 1)
        self.no_appointments = label("No appointments today.", "Muted")
        self.no_appointments.hide()
        left_lay.addWidget(self.no_appointments)
        columns.addWidget(left, 1)

        right, right_lay = card()
        right_lay.addWidget(label("People you can host", "SectionTitle"))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name")
        self.filter.setAccessibleName("Filter people by name")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        right_lay.addWidget(self.filter)
        self.people = QListWidget()
        self.people.setAccessibleName("People you can host")
        self.people.setAccessibleDescription(
            "Press Space to select or unselect a person; several people can be selected."
        )
        self.people.itemChanged.connect(lambda _item: self._update_host())
        self.people.itemActivated.connect(self._toggle)
        right_lay.addWidget(self.people, 1)
        columns.addWidget(right, 1)
        outer.addLayout(columns, 1)

        bottom = QHBoxLayout()
        self.selection_label = label("", "Muted", wrap=True)
        self.selection_label.setAccessibleName("Host status")
        bottom.addWidget(self.selection_label, 1)
        self.clear_button = QPushButton("Clear selection")
        self.clear_button.setAccessibleName("Clear selection")
        self.clear_button.clicked.connect(self.clear_selection)
        bottom.addWidget(self.clear_button)
        self.host_button = QPushButton("Host")
        self.host_button.setObjectName("Primary")
        self.host_button.setAccessibleName("Host")
        self.host_button.setMinimumWidth(140)
        self.host_button.clicked.connect(self._host_clicked)
        bottom.addWidget(self.host_button)
        outer.addLayout(bottom)

        self.setTabOrder(self.refresh_button, self.appointments)
        self.setTabOrder(self.appointments, self.filter)
        self.setTabOrder(self.filter, self.people)
        self.setTabOrder(self.people, self.clear_button)
        self.setTabOrder(self.clear_button, self.host_button)
        self._update_host()

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """The screen's focus (after sign-in) goes to its content, not a nameless container.

        Not a focus proxy: Tab into a proxied screen would skip Refresh."""
        self.appointments.setFocus(event.reason())

    # --- display -----------------------------------------------------------------------------

    def set_data(self, account: dict, today: dict, candidates: dict) -> None:
        self.can_host = bool(candidates.get("can_host"))
        self.host_reason = candidates.get("reason") or account.get("host_unavailable_reason")
        # a refresh keeps the ticks; another account starts with none (issue 15 defect 2)
        same = account.get("id") is not None and account.get("id") == self._account_id
        chosen = set(self.selected_keys()) if same else set()
        self._account_id = account.get("id")
        self.title.setText(f"Welcome, {account.get('first_name') or account.get('username')}")
        try:
            day = local_time.day_title(date.fromisoformat(today.get("date", "")))
            self.day_label.setText(f"Today's appointments · {day}")
        except (TypeError, ValueError):
            self.day_label.setText("Today's appointments")

        org_zone = today.get("organization_time_zone") or (account.get("organization") or {}).get(
            "time_zone"
        )
        self.zone_note.setText(computer_zone_note(local_time.zone_label(self.zone), org_zone))

        self.appointments.clear()
        for appt in today.get("appointments", []):
            names = ", ".join(c["full_name"] for c in appt.get("clients", []))
            when = time_range(appt["starts_at"], appt["ends_at"], self.zone, sep="–")
            text = f"{when}   {appt['title']}"
            item = QListWidgetItem(f"{text}\n{names}" if names else text)
            item.setData(PERSON_ROLE, appt)
            item.setToolTip(names)
            self.appointments.addItem(item)
        self.no_appointments.setVisible(self.appointments.count() == 0)

        self.people.blockSignals(True)
        self.people.clear()
        self._people = {}
        groups = (("clients", "Clients"), ("colleagues", "Staff colleagues"))
        for field, title in groups:
            members = candidates.get(field, [])
            if not members:
                continue
            header = QListWidgetItem(title.upper())
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = scaled_font(header.font(), 0.85)
            font.setBold(True)
            header.setFont(font)
            self.people.addItem(header)
            for person in members:
                person = {**person, "kind": person.get("kind", field)}
                key = _key(person)
                self._people[key] = person
                item = QListWidgetItem(person["full_name"])
                item.setData(PERSON_ROLE, key)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsUserCheckable
                )
                checked = key in chosen and self.can_host
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                if not self.can_host:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.people.addItem(item)
        self.people.blockSignals(False)
        self._apply_filter(self.filter.text())
        self._update_host()

    def reset(self) -> None:
        """Signed out: no appointments, people, ticks, filter or message of the last account."""
        self._account_id = None
        self.filter.clear()
        self.appointments.clear()
        self.people.clear()
        self._people = {}
        self.clear_message()
        self._update_host()

    def show_error(self, text: str) -> None:
        self.message.show_error(text)

    def show_info(self, text: str) -> None:
        self.message.show_info(text)

    def clear_message(self) -> None:
        self.message.clear_message()

    # --- selection ---------------------------------------------------------------------------

    def _items(self) -> list[QListWidgetItem]:
        """The person rows (group headings carry no key)."""
        items = (self.people.item(i) for i in range(self.people.count()))
        return [it for it in items if it.data(PERSON_ROLE)]

    def selected_keys(self) -> list[str]:
        return [
            it.data(PERSON_ROLE) for it in self._items() if it.checkState() == Qt.CheckState.Checked
        ]

    def selected_people(self) -> list[dict]:
        return [self._people[k] for k in self.selected_keys()]

    def select(self, keys: list[str] | set[str], on: bool = True) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for it in self._items():
            if it.data(PERSON_ROLE) in keys and it.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                it.setCheckState(state)

    def select_names(self, *names: str) -> None:
        self.select({k for k, p in self._people.items() if p["full_name"] in names})

    def clear_selection(self) -> None:
        self.select(set(self._people), on=False)

    def _toggle(self, item: QListWidgetItem) -> None:
        if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _appointment_chosen(self, item: QListWidgetItem) -> None:
        appt = item.data(PERSON_ROLE) or {}
        keys = {_key({**c, "kind": "client"}) for c in appt.get("clients", []) if c.get("hostable")}
        self.select(keys)
        missing = [c["full_name"] for c in appt.get("clients", []) if not c.get("hostable")]
        if missing:
            self.message.show_info(
                "You cannot host " + ", ".join(missing) + ": only active clients associated "
                "with you can be hosted."
            )
        else:
            self.message.clear_message()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for it in self._items():
            person = self._people.get(it.data(PERSON_ROLE), {})
            it.setHidden(bool(needle) and needle not in person.get("full_name", "").lower())

    def _update_host(self) -> None:
        chosen = self.selected_people()
        if not self.can_host:
            reason = self.host_reason or "You cannot host sessions."
            self.host_button.setEnabled(False)
            self.host_button.setToolTip(reason)
            self.host_button.setAccessibleDescription(reason)
            self.selection_label.setText(reason)
            self.clear_button.setEnabled(False)
            return
        self.clear_button.setEnabled(bool(chosen))
        if not chosen:
            why = SELECT_SOMEONE if self._people else NOBODY_TO_HOST
            self.host_button.setEnabled(False)
            self.host_button.setToolTip(why)
            self.host_button.setAccessibleDescription(why)
            self.selection_label.setText(why)
            return
        names = ", ".join(p["full_name"] for p in chosen)
        self.selection_label.setText(f"Selected: {names}")
        self.host_button.setEnabled(True)
        self.host_button.setToolTip(f"Host a session with {names}")
        self.host_button.setAccessibleDescription(f"Host a session with {names}")

    def _host_clicked(self) -> None:
        chosen = self.selected_people()
        if self.can_host and chosen:
            self._host(chosen)
