"""Table models for editing the sociale kaart in Beheer: the list, contacts, hours, fixed contacts.

Models only hold frozen rows from ``gpdesk.kaart.editing.forms``; the hours and fixed-contact
models are editable in place (a copy the dialog saves as a whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from gpdesk.kaart.editing import FixedContactInput, ScheduleRuleInput
from gpdesk.kaart.editing.forms import Choice, ContactRow, KaartRow
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.ui.theme import colour

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def day_label(row: KaartRow) -> str:
    """The freshness column: when checked and by whom, or a warning."""
    if row.service_id is None:
        return ""
    if row.assured_date is None:
        return "⚠ nooit gecontroleerd" if row.stale else "nooit gecontroleerd"
    when = row.assured_date.strftime("%d-%m-%Y")
    if row.stale:
        return f"⚠ verouderd ({when})"
    return f"{when} · {row.assured_by}" if row.assured_by else when


class _Table(QAbstractTableModel):
    HEADERS: ClassVar[tuple[str, ...]] = ()

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> object:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class _RowsTable(_Table):
    """A table over an immutable tuple of rows, replaced whole when the data is reloaded."""

    rows: tuple[Any, ...]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows = ()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)


class KaartListModel(_RowsTable):
    """Naam, organisatie, soort, status, gecontroleerd: every service and bare organisation."""

    HEADERS = ("Naam", "Organisatie", "Soort", "Status", "Gecontroleerd")
    rows: tuple[KaartRow, ...]

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return (
                row.name,
                row.organization if row.service_id else "",
                row.kind_label,
                row.status_label,
                day_label(row),
            )[column]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 4 and row.stale:
                return QBrush(colour("stale"))
            if row.status not in (None, ServiceStatus.ACTIVE) or row.service_id is None:
                return QBrush(colour("muted"))
        if role == Qt.ItemDataRole.FontRole and column == 0 and row.kind is ServiceKind.WIJKTEAM:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 4 and row.stale:
                return "Langer dan 6 maanden niet gecontroleerd. Klopt het nog? Kies Gecontroleerd."
            if row.service_id is None:
                return "Organisatie zonder voorzieningen"
        return None


FILTERS = (
    ("Alles", "all"),
    ("Alleen verouderd", "stale"),
    ("Alleen wijkteams en loket", "teams"),
    ("Niet actief of opgeheven", "inactive"),
)


class KaartFilterModel(QSortFilterProxyModel):
    """Narrows the list by typed text (name or organisation) and by one of ``FILTERS``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._mode = "all"

    def set_filter(self, text: str, mode: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self._text, self._mode = " ".join(text.casefold().split()), mode
            self.endFilterChange()
        else:
            self._text, self._mode = " ".join(text.casefold().split()), mode
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        model = self.sourceModel()
        assert isinstance(model, KaartListModel)
        row = model.rows[source_row]
        haystack = f"{row.name} {row.organization} {row.kind_label}".casefold()
        if self._text and not all(word in haystack for word in self._text.split()):
            return False
        if self._mode == "stale":
            return row.stale
        if self._mode == "teams":
            return row.kind in (ServiceKind.WIJKTEAM, ServiceKind.CENTRAAL_LOKET)
        if self._mode == "inactive":
            return row.status not in (None, ServiceStatus.ACTIVE)
        return True


class ContactsModel(_RowsTable):
    """The contacts of the service in the dialog; unsaved ones say so ("nieuw", "gewijzigd")."""

    HEADERS = ("Naam", "Functie", "Telefoon", "E-mail", "Vervanger")
    rows: tuple[ContactRow, ...]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.marks: dict[str, str] = {}

    def set_rows(self, rows: Sequence[Any], marks: dict[str, str] | None = None) -> None:
        """New rows, with the words for those not saved yet (contact id -> "nieuw")."""
        self.marks = dict(marks or {})
        super().set_rows(rows)

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        mark = self.marks.get(row.id, "")
        if role == _DISPLAY:
            name = f"⚠ {row.name}" if row.stale else row.name
            if row.departed:
                name = f"{name} (vertrokken)"
            if mark and not (row.departed and mark == "vertrekt"):
                name = f"{name} ({mark})"
            return (name, row.title, row.phone, row.email, row.deputy_name or "–")[index.column()]
        if role == Qt.ItemDataRole.FontRole and row.departed and index.column() < 4:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            parts = []
            if row.departed_on is not None:
                left = row.departed_on.strftime("%d-%m-%Y")
                parts.append(
                    f"Vertrokken op {left}; blijft doorgestreept op de kaart staan"
                    + (f", {row.deputy_name} vervangt" if row.deputy_name else "")
                )
            if mark:
                parts.append("Nog niet opgeslagen: dat gebeurt met Opslaan")
            if row.stands_in_for:
                parts.append(f"Vervanger van {', '.join(row.stands_in_for)}")
            if row.stale:
                parts.append("Langer dan 6 maanden niet gecontroleerd")
            return "; ".join(parts) or None
        if role == Qt.ItemDataRole.ForegroundRole and row.departed:
            return QBrush(colour("muted"))
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0 and row.stale:
            return QBrush(colour("stale"))
        return None


class RulesModel(_Table):
    """The hours editor: one row per rule (dagen, van, tot, soort, toelichting), edited in place.

    Rules the simple editor cannot express are shown read-only and kept as stored.
    """

    HEADERS = ("Dagen", "Van", "Tot", "Soort", "Toelichting")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ScheduleRuleInput] = []

    def set_rows(self, rows: Sequence[ScheduleRuleInput]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def add_row(self, row: ScheduleRuleInput | None = None) -> int:
        """Append a row (by default a blank weekday 09:00–12:00) and return its index."""
        position = len(self.rows)
        self.beginInsertRows(_ROOT, position, position)
        self.rows.append(row or ScheduleRuleInput("ma", "09:00", "12:00"))
        self.endInsertRows()
        return position

    def remove_row(self, position: int) -> None:
        if 0 <= position < len(self.rows):
            self.beginRemoveRows(_ROOT, position, position)
            del self.rows[position]
            self.endRemoveRows()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (_DISPLAY, _EDIT):
            if row.keep and index.column() in (1, 2):
                return ""
            return (row.days, row.opens, row.closes, row.kind, row.note)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.keep:
            return QBrush(colour("muted"))
        if role == Qt.ItemDataRole.ToolTipRole and row.keep:
            return (
                "Dit schema kan hier niet worden aangepast en blijft zoals het is. "
                "Verwijder de regel als hij niet meer klopt."
            )
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and not self.rows[index.row()].keep:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: _Index, value: object, role: int = _EDIT) -> bool:  # noqa: N802
        if role != _EDIT or not index.isValid() or self.rows[index.row()].keep:
            return False
        row, text = self.rows[index.row()], str(value)
        column = index.column()
        if column == 0:
            row = replace(row, days=text)
        elif column == 1:
            row = replace(row, opens=text)
        elif column == 2:
            row = replace(row, closes=text)
        elif column == 3:
            row = replace(row, kind=text)
        else:
            row = replace(row, note=text)
        self.rows[index.row()] = row
        self.dataChanged.emit(index, index)
        return True


NO_THEME = "Algemeen (alle thema's)"
NOBODY = "–"


class FixedContactsModel(_Table):
    """The practice's vaste contactpersonen at this team: thema, wie, vervanger, nummer, notitie."""

    HEADERS = ("Thema", "Vaste contactpersoon", "Vervanger", "Direct nummer", "Notitie")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FixedContactInput] = []
        self.themes: dict[str, str] = {}
        self.people: dict[str, str] = {}
        self.left: set[str] = set()
        """Contacts who left: shown as such, never offered."""

    def set_choices(self, themes: Sequence[Choice], people: Sequence[ContactRow]) -> None:
        self.beginResetModel()
        self.themes = {c.id: c.label for c in themes}
        self.people = {p.id: p.name for p in people}
        self.left = {p.id for p in people if p.departed}
        self.endResetModel()

    def set_rows(self, rows: Sequence[FixedContactInput]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def add_row(self) -> int:
        position = len(self.rows)
        used = {r.theme_id for r in self.rows}
        theme = None if None not in used else next((t for t in self.themes if t not in used), None)
        self.beginInsertRows(_ROOT, position, position)
        self.rows.append(FixedContactInput(contact_id=None, theme_id=theme))
        self.endInsertRows()
        return position

    def remove_row(self, position: int) -> None:
        if 0 <= position < len(self.rows):
            self.beginRemoveRows(_ROOT, position, position)
            del self.rows[position]
            self.endRemoveRows()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def choices(self, column: int) -> list[tuple[str, str | None]]:
        """(label, id) pairs for the combo editor of a column."""
        if column == 0:
            return [(NO_THEME, None), *((label, i) for i, label in self.themes.items())]
        people = sorted(
            ((i, name) for i, name in self.people.items() if i not in self.left),
            key=lambda item: item[1].casefold(),
        )
        return [(NOBODY, None), *((name, i) for i, name in people)]

    def _person(self, contact_id: str | None, *, left: bool = False) -> str:
        if contact_id is None:
            return "(vertrokken — kies een nieuwe)" if left else NOBODY
        name = self.people.get(contact_id, "(onbekend)")
        return f"{name} (vertrokken — kies een nieuwe)" if contact_id in self.left else name

    def data(self, index: _Index, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.UserRole:
            return (row.theme_id, row.contact_id, row.deputy_contact_id, None, None)[column]
        if role in (_DISPLAY, _EDIT):
            return (
                NO_THEME if row.theme_id is None else self.themes.get(row.theme_id, "(thema?)"),
                self._person(row.contact_id, left=row.deputy_contact_id is not None),
                self._person(row.deputy_contact_id),
                row.direct_line,
                row.local_note,
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 1 and row.contact_id is None:
            return QBrush(colour("stale"))
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: _Index, value: object, role: int = _EDIT) -> bool:  # noqa: N802
        if not index.isValid() or role not in (_EDIT, Qt.ItemDataRole.UserRole):
            return False
        row = self.rows[index.row()]
        column = index.column()
        key = None if value is None else str(value)
        if column == 0:
            row = replace(row, theme_id=key)
        elif column == 1:
            row = replace(row, contact_id=key)
        elif column == 2:
            row = replace(row, deputy_contact_id=key)
        elif column == 3:
            row = replace(row, direct_line=key or "")
        else:
            row = replace(row, local_note=key or "")
        self.rows[index.row()] = row
        self.dataChanged.emit(index, index)
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor: fixed labels for the hours' kind, or (label, id) pairs per column."""

    def __init__(self, parent: QObject | None = None, *, labels: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.labels = tuple(labels)

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        combo = QComboBox(parent)
        model = index.model()
        if isinstance(model, FixedContactsModel):
            for label, key in model.choices(index.column()):
                combo.addItem(label, key)
        else:
            current = str(index.data(_EDIT) or "")
            for label in (*self.labels, *([current] if current not in self.labels else [])):
                if label:
                    combo.addItem(label, label)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        if isinstance(index.model(), FixedContactsModel):
            found = editor.findData(index.data(Qt.ItemDataRole.UserRole))
        else:
            found = editor.findData(index.data(_EDIT))
        editor.setCurrentIndex(max(found, 0))

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: _Index
    ) -> None:
        assert isinstance(editor, QComboBox)
        role = Qt.ItemDataRole.UserRole if isinstance(model, FixedContactsModel) else _EDIT
        model.setData(index, editor.currentData(), role)
