"""The inbox as a table that loads a page at a time: nieuw first, then newest.

The rows are ``LetterRow`` values from ``store.listing.letter_page``, loaded off the GUI thread
by the inbox controller. The model holds only the pages loaded so far; when the view scrolls near
the end it asks for the next page (``canFetchMore``/``fetchMore``), and the controller appends
it. Never a widget per row: 100,000 letters are one count and a few pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.listing import LetterRow
from gpdesk.models import LetterState
from gpdesk.ui.signals.signal_list import local_moment
from gpdesk.ui.theme import colour

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
HEADERS: Final = ("Ontvangen", "Soort", "Afzender / onderwerp", "Kenmerk / stand")
"""Two lines a row: who sent it over what it is about, the link over the state. Six columns
side by side leave the subject a few letters next to the reading pane at 1366 pixels."""
UNMATCHED: Final = "niet gekoppeld"
WARNING_SIGN: Final = "⚠"


def flagged(row: LetterRow) -> bool:
    """An escalation, or a letter marked urgent: the GP wants to know at once."""
    return row.urgent or row.kind == LetterKind.ESCALATION.value


def kind_text(row: LetterRow) -> str:
    """``⚠ escalatie``, ``advies``, ``quarantaine``; ``–`` when gpdesk could not tell."""
    if row.quarantined:
        return "quarantaine"
    kind = row.kind or "–"
    return f"{WARNING_SIGN} {kind}" if flagged(row) else kind


def link_text(row: LetterRow) -> str:
    """The signal's reference, "patiënt gekoppeld" without a signal, or "niet gekoppeld"."""
    if row.quarantined:
        return "–"
    if row.signal_reference is not None:
        return row.signal_reference
    return "patiënt gekoppeld" if row.patient_matched else UNMATCHED


def state_text(row: LetterRow) -> str:
    """The triage state, with to whom it is assigned."""
    if row.state is LetterState.ASSIGNED and row.assignee:
        return f"{row.state.value}: {row.assignee}"
    return row.state.value


def sender_text(row: LetterRow) -> str:
    """The team when the letter is linked to one, else the sender as the letter names it."""
    return row.team_name or row.sender or "onbekend"


class LetterTableModel(QAbstractTableModel):
    """The loaded pages of the inbox; asks for the next page when the view needs it."""

    more_wanted = Signal(int)
    """The view scrolled near the end: load the page from this offset."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LetterRow] = []
        self._more = False
        self._asking = False

    def reset(self, rows: Sequence[LetterRow], *, page_size: int) -> None:
        """The first page of a new list (new filters, or reloaded)."""
        self.beginResetModel()
        self._rows, self._asking = list(rows), False
        self._more = len(rows) >= page_size
        self.endResetModel()

    def append(self, offset: int, rows: Sequence[LetterRow], *, page_size: int) -> None:
        """A further page, if it is the one asked for (an older answer is dropped).

        A page shorter than ``page_size`` is the last one.
        """
        self._asking = False
        if offset != len(self._rows):
            return
        self._more = len(rows) >= page_size
        if rows:
            first = len(self._rows)
            self.beginInsertRows(_ROOT, first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    def page_failed(self) -> None:
        """The next page could not load: stop asking until the list is loaded again."""
        self._more = False
        self._asking = False

    def replace_row(self, row: LetterRow) -> None:
        """The letter changed (assigned, linked…): its line now, where it is; unloaded, nothing."""
        index = self.row_of(row.id)
        if index >= 0:
            self._rows[index] = row
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(index, 0), self.index(index, last))

    def row_at(self, row: int) -> LetterRow | None:
        """The letter on ``row``, or None outside what is loaded."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, letter_id: int) -> int:
        """The row of the letter with ``letter_id`` among the loaded ones, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == letter_id), -1)

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and not self._asking and self._more

    def fetchMore(self, parent: _Index = _ROOT) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._asking = True
            self.more_wanted.emit(len(self._rows))

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
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1 and flagged(row):
                return QBrush(colour("error"))
            if row.quarantined and column in (1, 2):
                return QBrush(colour("warning"))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and (
            row.state is LetterState.NEW or (column == 1 and flagged(row))
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, column)
        return None

    def _display(self, row: LetterRow, column: int) -> str:
        if column == 0:
            return local_moment(row.received_at).replace(" ", "\n", 1)
        if column == 1:
            return kind_text(row)
        if column == 2:
            return f"{sender_text(row)}\n{row.subject or '(geen onderwerp)'}"
        return f"{link_text(row)}\n{state_text(row)}"

    @staticmethod
    def _tip(row: LetterRow, column: int) -> str | None:
        if column == 1 and row.quarantined:
            return "Niet geopend: open de brief om te zien waarom."
        if column == 1 and row.kind and not row.kind_confirmed:
            return "Soort voorgesteld door gpdesk, nog niet bevestigd."
        if column == 1 and flagged(row):
            return "Escalatie of urgent: de huisarts wil dit meteen weten."
        if column == 2:
            return row.subject or None
        if column == 3 and row.signal_status is not None:
            return f"Signaal: {row.signal_status.value}"
        if column == 3 and link_text(row) == UNMATCHED:
            return "Nog niet gekoppeld aan een patiënt of signaal."
        return None


_UP_KEYS: Final = (Qt.Key.Key_K,)
_DOWN_KEYS: Final = (Qt.Key.Key_J,)
_FIRST_KEYS: Final = (
    Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_J, Qt.Key.Key_K,
    Qt.Key.Key_Return, Qt.Key.Key_Enter,
)  # fmt: skip


class LetterTable(QTableView):
    """The list: whole rows, one at a time; j/k and the arrows move, Enter opens the letter."""

    opened = Signal()
    """Enter or a double click on a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("letterList")
        self._widths: dict[int, int] = {}
        self._subject_room = 0
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.setAccessibleName("Terugkoppelingen")
        self.doubleClicked.connect(lambda _index: self.opened.emit())

    def setModel(self, model: object) -> None:  # noqa: N802
        """Fixed widths for the short columns (no measuring 100,000 rows), the subject stretches."""
        assert isinstance(model, LetterTableModel)
        super().setModel(model)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        widths = {0: "00-00-0000", 1: f"{WARNING_SIGN} bevestiging", 3: "SIG-2026-000000"}
        self._widths = {c: metrics.horizontalAdvance(s) + 28 for c, s in widths.items()}
        self._subject_room = metrics.horizontalAdvance("Wijkteam Kethel/Spaland")
        self._share_width()
        self.verticalHeader().setDefaultSectionSize(2 * metrics.lineSpacing() + 10)

    def _share_width(self) -> None:
        """The measured widths, or narrower kind and reference columns where the list is narrow.

        With a large font the sender and subject would otherwise get a sliver; the kind and
        the reference elide instead.
        """
        widths = self._widths
        if not widths:
            return
        header = self.horizontalHeader()
        flexible = widths[1] + widths[3]
        spare = self.viewport().width() - widths[0] - self._subject_room
        factor = 1.0 if spare >= flexible else max(spare, flexible // 2) / flexible
        for column, width in widths.items():
            header.resizeSection(column, width if column == 0 else int(width * factor))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._share_width()

    def _step(self, delta: int) -> None:
        model = self.model()
        current = self.currentIndex().row()
        target = max(0, min(model.rowCount() - 1, current + delta if current >= 0 else 0))
        if model.rowCount() > 0:
            self.selectRow(target)
            self.scrollTo(model.index(target, 0))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """j/k like ↓/↑, Home/End the first/last letter; Enter opens the chosen one.

        The first key after the list gets focus chooses the row the cursor is on.
        """
        key = event.key()
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier,
        )  # fmt: skip
        current = self.currentIndex()
        unchosen = current.isValid() and not self.selectionModel().hasSelection()
        if unchosen and key in _FIRST_KEYS and plain:
            self.selectRow(current.row())
            if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                event.accept()
                return
        if plain and key in (Qt.Key.Key_Home, Qt.Key.Key_End):  # rows, not columns
            self._step(
                -self.model().rowCount() if key == Qt.Key.Key_Home else self.model().rowCount()
            )
            event.accept()
            return
        if plain and key in _DOWN_KEYS:
            self._step(1)
            event.accept()
            return
        if plain and key in _UP_KEYS:
            self._step(-1)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.opened.emit()
            event.accept()
            return
        super().keyPressEvent(event)
