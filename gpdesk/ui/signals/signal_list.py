"""The practice's signals as a table: overdue first, then newest; urgent and verlopen marked.

The rows are ``SignalSummary`` values from ``store.list_signals`` (plain columns, nothing
decrypted), loaded off the GUI thread by the list controller; this module only shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gpdesk.signals.consent import dutch_date, local_date
from gpdesk.signals.store import SignalSummary

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
LOCAL: Final = ZoneInfo("Europe/Amsterdam")
HEADERS: Final = ("Kenmerk", "Team", "Status", "Verzonden", "Antwoord voor")
"""The last is the day the team's feedback agreement promises an answer by."""
OVERDUE_COLOUR: Final = QColor("#a4262c")
URGENT: Final = "urgent"
OVERDUE: Final = "verlopen"


NOT_SENT: Final = "niet verzonden"


def in_order(
    rows: Sequence[SignalSummary], failed: frozenset[int] = frozenset()
) -> list[SignalSummary]:
    """Overdue first (the feedback contact acts), then not sent, then newest first."""

    def tier(row: SignalSummary) -> int:
        return 0 if row.overdue else 1 if row.id in failed else 2

    return sorted(rows, key=lambda r: (tier(r), -r.created_at.timestamp(), -r.id))


def local_moment(moment: datetime | None) -> str:
    """``07-12-2026 10:30`` in the practice's time; stored times are UTC."""
    return "–" if moment is None else moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def status_text(row: SignalSummary, failed: bool = False) -> str:
    """The status in words, with "verlopen" when the team's answer is late, or "niet verzonden"."""
    if failed:
        return f"{row.status.value} · {NOT_SENT}"
    return f"{row.status.value} · {OVERDUE}" if row.overdue else row.status.value


class SignalTableModel(QAbstractTableModel):
    """Kenmerk, team, status, verzonden, verwacht antwoord voor; one row per signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SignalSummary] = []
        self._failed: frozenset[int] = frozenset()

    def set_rows(self, rows: Sequence[SignalSummary], failed: frozenset[int] = frozenset()) -> None:
        """Replace the rows, in the list's order; ``failed``: ids with a message not sent."""
        self.beginResetModel()
        self._rows, self._failed = in_order(rows, failed), failed
        self.endResetModel()

    def _alarm(self, row: SignalSummary) -> bool:
        return row.overdue or row.id in self._failed

    def row_at(self, row: int) -> SignalSummary | None:
        """The signal on ``row``, or None outside the list."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, reference: str) -> int:
        """The row of the signal with ``reference``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.reference == reference), -1)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and self._alarm(row):
            return QBrush(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and (
            (column == 0 and row.urgent) or (column == 2 and self._alarm(row))
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = (
                [f"Verzonden {local_moment(row.sent_at)}."] if column == 3 and row.sent_at else []
            )
            if column == 4 and row.expected_by is not None:
                tips.append("Het team beloofde voor deze dag te antwoorden.")
            if row.urgent:
                tips.append("Urgent verstuurd.")
            if row.overdue:
                tips.append("Het team heeft niet op tijd geantwoord: bel of mail het team.")
            if row.id in self._failed:
                tips.append("Niet verzonden: open het signaal voor de reden en Opnieuw.")
            return " ".join(tips) or None
        return None

    def _display(self, row: SignalSummary, column: int) -> str:
        if column == 0:
            return f"{row.reference} · {URGENT}" if row.urgent else row.reference
        if column == 1:
            return row.team_name
        if column == 2:
            return status_text(row, row.id in self._failed)
        if column == 3:
            return "–" if row.sent_at is None else dutch_date(local_date(row.sent_at))
        return "–" if row.expected_by is None else dutch_date(row.expected_by)


_FIRST_KEYS: Final = (
    Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Home, Qt.Key.Key_End,
    Qt.Key.Key_Return, Qt.Key.Key_Enter,
)  # fmt: skip


class SignalTable(QTableView):
    """The list: whole rows, one at a time; Enter opens the chosen signal's actions."""

    opened = Signal()
    """Enter or a double click on a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signalList")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.setAccessibleName("Signalen")
        self.doubleClicked.connect(lambda _index: self.opened.emit())

    def setModel(self, model: object) -> None:  # noqa: N802
        """Columns sized to their content, the team column takes what is left."""
        assert isinstance(model, SignalTableModel)
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """The first arrow key chooses the row the cursor is on; Enter opens the chosen one.

        Getting focus puts the cursor on the first row without choosing it (so no signal is
        opened unasked); without this, the first Down would skip that row.
        """
        current = self.currentIndex()
        unchosen = current.isValid() and not self.selectionModel().hasSelection()
        if unchosen and event.key() in _FIRST_KEYS:
            self.selectRow(current.row())
            if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                event.accept()
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit()
            event.accept()
            return
        super().keyPressEvent(event)
