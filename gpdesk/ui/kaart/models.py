"""The result list of the sociale kaart as a list model: one row per found service.

The rows are plain ``ServiceRow`` results loaded in the background; the model only keeps the
order the search gave and answers ``data()`` per role, so the list view draws what is visible.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from gpdesk.kaart.schedule import AMSTERDAM, DUTCH_DAYS, Slot
from gpdesk.kaart.search.index import Hit
from gpdesk.kaart.store.queries import ServiceRow

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

ORGANIZATION_ROLE = Qt.ItemDataRole.UserRole + 1
CONTACT_ROLE = Qt.ItemDataRole.UserRole + 2
WALK_IN_ROLE = Qt.ItemDataRole.UserRole + 3
FRESHNESS_ROLE = Qt.ItemDataRole.UserRole + 4
STALE_ROLE = Qt.ItemDataRole.UserRole + 5
ID_ROLE = Qt.ItemDataRole.UserRole + 6
CLOSED_ROLE = Qt.ItemDataRole.UserRole + 7

SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def short_date(day: date, today: date) -> str:
    """A day as "vandaag", "morgen" or "do 26 nov" (a list line has little room)."""
    if day == today:
        return "vandaag"
    if day.toordinal() - today.toordinal() == 1:
        return "morgen"
    return f"{DUTCH_DAYS[day.weekday()][:2]} {day.day} {SHORT_MONTHS[day.month - 1]}"


def short_slot(slot: Slot, today: date) -> str:
    """A slot as "vandaag 13:00–15:00" or "do 26 nov 09:00–11:00"."""
    start, end = slot.start.astimezone(AMSTERDAM), slot.end.astimezone(AMSTERDAM)
    return f"{short_date(start.date(), today)} {start:%H:%M}–{end:%H:%M}"


def freshness_label(row: ServiceRow) -> str:
    """The freshness note: "⚠ verouderd", else the check date ("✓ 5 okt 2026")."""
    if row.stale:
        return "⚠ verouderd"
    assert row.assured_date is not None  # never checked counts as stale
    day = row.assured_date
    return f"✓ {day.day} {SHORT_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ResultLine:
    """One visible line: the row as loaded plus what the search and the clock say now."""

    row: ServiceRow
    open_now: bool
    covers_patient: bool


class ResultsModel(QAbstractListModel):
    """Found services, best first; ``set_results`` replaces them in one reset."""

    def __init__(self) -> None:
        super().__init__(None)
        self.lines: list[ResultLine] = []
        self.today = date.today()

    def set_results(
        self,
        hits: Iterable[Hit],
        rows: Mapping[str, ServiceRow],
        *,
        open_ids: Collection[str],
        today: date,
    ) -> None:
        """Show ``hits`` in their order; hits without a loaded row are left out."""
        self.beginResetModel()
        self.today = today
        self.lines = [
            ResultLine(rows[h.id], h.id in open_ids, h.area == "covers")
            for h in hits
            if h.id in rows
        ]
        self.endResetModel()

    def refresh(
        self, rows: Mapping[str, ServiceRow], *, open_ids: Collection[str], today: date
    ) -> None:
        """New rows for the same services (the clock moved, or a check was stored).

        The order and the selection stay: the list does not jump under the user's eyes.
        """
        self.today = today
        self.lines = [
            replace(line, row=rows.get(line.row.id, line.row), open_now=line.row.id in open_ids)
            for line in self.lines
        ]
        if self.lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.lines) - 1, 0))

    def row_at(self, i: int) -> ServiceRow | None:
        """The row shown at position ``i``."""
        return self.lines[i].row if 0 <= i < len(self.lines) else None

    def position_of(self, service_id: str) -> int | None:
        """Where ``service_id`` is in the list, if it is."""
        return next((i for i, line in enumerate(self.lines) if line.row.id == service_id), None)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.lines)

    def _contact(self, row: ServiceRow) -> str:
        if row.contact is None:
            return ""
        who = row.contact.name
        if row.contact.stands_in_for:
            who += f" (vervangt {row.contact.stands_in_for})"
        return f"{who} (vaste contactpersoon)" if row.contact.fixed else who

    def _state(self, line: ResultLine) -> str:
        if line.row.closed:  # its hours do not count now; say why it is closed instead
            alert = " ".join((line.row.alert or "").split())
            return "⚠ Tijdelijk gesloten" + (f" · {alert}" if alert else "")
        parts = []
        if line.row.next_walk_in is not None:
            parts.append("inloop " + short_slot(line.row.next_walk_in, self.today))
        if line.open_now:
            parts.append("nu open")
        if line.row.has_capacity is True:
            parts.append("plek vrij")
        elif line.row.has_capacity is False:
            parts.append("wachtlijst")
        return " · ".join(parts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        row = line.row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == ORGANIZATION_ROLE:
            return row.organization
        if role == CONTACT_ROLE:
            return self._contact(row)
        if role == WALK_IN_ROLE:
            return self._state(line)
        if role == FRESHNESS_ROLE:
            return freshness_label(row)
        if role == STALE_ROLE:
            return row.stale
        if role == ID_ROLE:
            return row.id
        if role == CLOSED_ROLE:
            return row.closed
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            parts = [row.name, row.organization, self._contact(row), self._state(line)]
            if line.covers_patient:
                parts.append("werkt in de wijk van de patiënt")
            parts.append(
                "verouderd: al lang niet gecontroleerd"
                if row.stale
                else freshness_label(row).replace("✓", "gecontroleerd op")
            )
            return ", ".join(p for p in parts if p)
        return None
