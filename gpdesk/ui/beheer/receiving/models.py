"""The source list of Beheer → Ontvangen: one row per mailbox or drop folder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from gpdesk.models import SourceKind
from gpdesk.ui.beheer.models import local_time
from gpdesk.ui.theme import colour

if TYPE_CHECKING:
    from gpdesk.inbox.store.sources import SourceView

NOTHING: Final = "–"


def kind_text(source: SourceView) -> str:
    """Postvak (IMAP) or map, in the practice's words."""
    return "map" if source.kind is SourceKind.FOLDER else "postvak (IMAP)"


def after_text(source: SourceView) -> str:
    """What becomes of a message or file once gpdesk has kept it."""
    if source.kind is SourceKind.FOLDER:
        return "naar submap verwerkt"
    if source.move_to:
        return f"naar map {source.move_to}"
    return "als gelezen markeren"


def where_text(source: SourceView) -> str:
    """The mailbox or folder in a few words: server and folder, or the folder's path."""
    if source.kind is SourceKind.FOLDER:
        return source.path or NOTHING
    return f"{source.username or ''}@{source.host}:{source.port} · {source.folder or 'INBOX'}"


def interval_text(minutes: int) -> str:
    """Every N minutes, or hours when it is a whole number of them."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return "elk uur" if hours == 1 else f"elke {hours} uur"
    return "elke minuut" if minutes == 1 else f"elke {minutes} min"


class SourcesModel(QAbstractTableModel):
    """Bron, soort, hoe vaak, na ophalen, laatst opgehaald, laatste fout, aan/uit."""

    HEADERS: Final = (
        "Bron", "Soort", "Hoe vaak", "Na ophalen", "Laatst opgehaald", "Laatste fout", "Aan",
    )  # fmt: skip
    WHERE, KIND, INTERVAL, AFTER, LAST_FETCH, LAST_ERROR, ENABLED = range(7)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[SourceView] = []

    def set_rows(self, rows: list[SourceView]) -> None:
        """Show ``rows`` (as the store lists them: in the order they were added)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        """One row per source."""
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(  # noqa: N802
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        """The seven columns."""
        return 0 if parent is not None and parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The Dutch column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def text(self, row: int, column: int) -> str:
        """A cell's text (also for tests and the tooltips)."""
        source = self.rows[row]
        if column == self.WHERE:
            return where_text(source)
        if column == self.KIND:
            return kind_text(source)
        if column == self.INTERVAL:
            return interval_text(source.interval_minutes)
        if column == self.AFTER:
            return after_text(source)
        if column == self.LAST_FETCH:
            return "nog niet" if source.last_fetch_at is None else local_time(source.last_fetch_at)
        if column == self.LAST_ERROR:
            return source.last_error or NOTHING
        return "aan" if source.enabled else "uit"

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Text; the whole error as a tooltip; errors red, a source that is off grey."""
        if not index.isValid():
            return None
        source = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.LAST_ERROR and source.last_error:
                return source.last_error
            if column == self.WHERE:
                return source.label
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.LAST_ERROR and source.last_error:
                return QBrush(colour("error"))
            return None if source.enabled else QBrush(colour("muted"))
        return None

    def row_of(self, source_id: int | None) -> int:
        """The row showing ``source_id``, or -1."""
        return next((i for i, s in enumerate(self.rows) if s.id == source_id), -1)
