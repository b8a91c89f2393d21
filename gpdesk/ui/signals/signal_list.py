"""The practice's signals as a table: overdue first, then newest; urgent and verlopen marked.

The rows are ``SignalSummary`` values from ``store.list_signals`` (plain columns, nothing
decrypted) and each row's patient from ``store.patient_labels`` (name and birth date, audited),
loaded off the GUI thread by the list controller; this module only shows them.

The status in words says what happened, not the stored status: a signal that has not left
yet "wacht op verzending" (in postvak uit) or is "niet verzonden" (given up, Opnieuw); a GP
reads "concept" as "I did not send it", so the list never says it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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
from PySide6.QtGui import QBrush, QFont, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gpdesk.models import MessageKind, SignalStatus
from gpdesk.signals.consent import dutch_date
from gpdesk.signals.store import PatientLabel, SignalSummary
from gpdesk.ui.theme import colour

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
LOCAL: Final = ZoneInfo("Europe/Amsterdam")
HEADERS: Final = ("Patiënt", "Kenmerk", "Wijkteam", "Status", "Antwoord voor")
"""The last is the day the team's feedback agreement promises an answer by. When it was sent
is in the status's tooltip and on the timeline: six columns do not fit beside the timeline
at 1366 px."""
PATIENT_COLUMN, REFERENCE_COLUMN, TEAM_COLUMN, STATUS_COLUMN, EXPECTED_COLUMN = range(5)
TEAM_PREFIX: Final = "wijkteam "
"""Left off in the list (the header says it); a fallback desk keeps its whole name."""
URGENT: Final = "urgent"
OVERDUE: Final = "verlopen"
WAITING: Final = "wacht op verzending"
"""Still in postvak uit: gpdesk sends it (and tries again) on its own."""
NOT_SENT: Final = "niet verzonden"
"""gpdesk stopped trying: the reason and Opnieuw are in the signal's detail."""
KIND_WORDS: Final = {
    MessageKind.SIGNAL: "signaal",
    MessageKind.CANCELLATION: "annulering",
    MessageKind.WITHDRAWAL: "intrekking toestemming",
}
NO_PATIENT: Final = "–"

Failed = Mapping[int, Collection[MessageKind]]
"""Per signal id, the kinds of its messages that were not sent (given up)."""


def status_words(status: SignalStatus, failed: Collection[MessageKind] = ()) -> str:
    """What happened to the signal, in the words the list and the detail share.

    Before it left: "wacht op verzending" or "niet verzonden"; after, its status, and a notice
    that did not go ("geannuleerd · annulering niet verzonden").
    """
    if status is SignalStatus.DRAFT:
        return NOT_SENT if MessageKind.SIGNAL in failed else WAITING
    notices = [
        "niet via elk kanaal" if kind is MessageKind.SIGNAL else f"{KIND_WORDS[kind]} {NOT_SENT}"
        for kind in KIND_WORDS
        if kind in failed
    ]
    return " · ".join((status.value, *notices))


def team_words(name: str) -> str:
    """``Wijkteam Nieuwland`` as ``Nieuwland`` under the header "Wijkteam"."""
    if name.lower().startswith(TEAM_PREFIX) and len(name) > len(TEAM_PREFIX):
        return name[len(TEAM_PREFIX) :]
    return name


def in_order(rows: Sequence[SignalSummary], failed: Failed | None = None) -> list[SignalSummary]:
    """Overdue first (the feedback contact acts), then not sent, then newest first."""
    gave_up = failed or {}

    def tier(row: SignalSummary) -> int:
        return 0 if row.overdue else 1 if row.id in gave_up else 2

    return sorted(rows, key=lambda r: (tier(r), -r.created_at.timestamp(), -r.id))


def local_moment(moment: datetime | None) -> str:
    """``07-12-2026 10:30`` in the practice's time; stored times are UTC."""
    return "–" if moment is None else moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def status_text(row: SignalSummary, failed: Collection[MessageKind] = ()) -> str:
    """The status in words (``status_words``), with "verlopen" when the team's answer is late."""
    words = status_words(row.status, failed)
    return f"{words} · {OVERDUE}" if row.overdue else words


class SignalTableModel(QAbstractTableModel):
    """Patiënt, kenmerk, team, status, verzonden, verwacht antwoord voor; one row per signal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SignalSummary] = []
        self._failed: Failed = {}
        self._patients: Mapping[int, PatientLabel] = {}

    def set_rows(
        self,
        rows: Sequence[SignalSummary],
        failed: Failed | None = None,
        patients: Mapping[int, PatientLabel] | None = None,
    ) -> None:
        """Replace the rows, in the list's order.

        ``failed``: per signal id the kinds of message not sent; ``patients``: each row's
        patient by ``patient_id`` (a row without one shows "–").
        """
        self.beginResetModel()
        self._rows, self._failed = in_order(rows, failed), dict(failed or {})
        self._patients = dict(patients or {})
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
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS_COLUMN and self._alarm(row):
            return QBrush(colour("error"))
        if role == Qt.ItemDataRole.FontRole and (
            (column == REFERENCE_COLUMN and row.urgent)
            or (column == STATUS_COLUMN and self._alarm(row))
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        return None

    def _tip(self, row: SignalSummary, column: int) -> str | None:
        if column in (PATIENT_COLUMN, TEAM_COLUMN):  # whole, when the column is narrow
            return self._display(row, column) if column == PATIENT_COLUMN else row.team_name
        tips = []
        if column == STATUS_COLUMN and row.sent_at:
            tips.append(f"Verzonden {local_moment(row.sent_at)}.")
        waiting = row.status is SignalStatus.DRAFT and row.id not in self._failed
        if column == STATUS_COLUMN and waiting:
            tips.append("Staat in postvak uit; gpdesk verstuurt het zelf.")
        if column == EXPECTED_COLUMN and row.expected_by is not None:
            tips.append("Het team beloofde voor deze dag te antwoorden.")
        if row.urgent:
            tips.append("Urgent verstuurd.")
        if row.overdue:
            tips.append("Het team heeft niet op tijd geantwoord: bel of mail het team.")
        if row.id in self._failed:
            tips.append("Niet verzonden: open het signaal voor de reden en Opnieuw.")
        return " ".join(tips) or None

    def _display(self, row: SignalSummary, column: int) -> str:
        if column == PATIENT_COLUMN:
            label = self._patients.get(row.patient_id)
            return NO_PATIENT if label is None else label.text
        if column == REFERENCE_COLUMN:
            return f"{row.reference} · {URGENT}" if row.urgent else row.reference
        if column == TEAM_COLUMN:
            return team_words(row.team_name)
        if column == STATUS_COLUMN:
            return status_text(row, self._failed.get(row.id, ()))
        return "–" if row.expected_by is None else dutch_date(row.expected_by)


_FIRST_KEYS: Final = (
    Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Home, Qt.Key.Key_End,
    Qt.Key.Key_Return, Qt.Key.Key_Enter,
)  # fmt: skip


_STEP_KEYS: Final = {Qt.Key.Key_J: Qt.Key.Key_Down, Qt.Key.Key_K: Qt.Key.Key_Up}


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
        """Columns sized to their content; the team takes what is left (and elides)."""
        assert isinstance(model, SignalTableModel)
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEAM_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setHighlightSections(False)
        model.modelReset.connect(self._give_way)

    def _give_way(self) -> None:
        """On a narrow list (a large font) patient and team elide, so the status stays seen.

        Without this the columns sized to their content push the status off to the right; the
        whole patient and team are in the tooltip.
        """
        header = self.horizontalHeader()
        header.setSectionResizeMode(PATIENT_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEAM_COLUMN, QHeaderView.ResizeMode.Stretch)
        if self.model() is None or self.model().rowCount() == 0:
            return
        widths = [
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(header.count())
        ]
        over = sum(widths) - self.viewport().width()
        for column, floor in ((PATIENT_COLUMN, 2), (TEAM_COLUMN, 3)):
            if over <= 0:
                break
            cut = min(over, widths[column] - widths[column] // floor)
            over -= cut
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, widths[column] - cut)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._give_way()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """The first arrow key chooses the row the cursor is on; Enter opens the chosen one.

        Getting focus puts the cursor on the first row without choosing it (so no signal is
        opened unasked); without this, the first Down would skip that row. j and k move down
        and up, as in Terugkoppeling.
        """
        step = _STEP_KEYS.get(Qt.Key(event.key()))
        if step is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event = QKeyEvent(event.type(), step, event.modifiers())
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
