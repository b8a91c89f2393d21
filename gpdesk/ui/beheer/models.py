"""Table models for Beheer: users, the permission matrix and the audit trail (lazy pages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from gpdesk.practice.logbook import LogbookLine
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission
from gpdesk.security.users import UserRow

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
LOCAL = ZoneInfo("Europe/Amsterdam")


def local_time(moment: datetime | None) -> str:
    """Dutch local time for display; stored times are UTC."""
    return "–" if moment is None else moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def _role_label(value: str | None) -> str:
    try:
        return Role(value).label if value else "–"
    except ValueError:
        return value or "–"


class UsersModel(QAbstractTableModel):
    """Naam, gebruikersnaam, rol, status, laatst aangemeld."""

    HEADERS = ("Naam", "Gebruikersnaam", "Rol", "Status", "Laatst aangemeld")

    def __init__(self, parent: object = None) -> None:
        super().__init__(None)
        self.rows: tuple[UserRow, ...] = ()

    def set_users(self, rows: tuple[UserRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        status = "actief" if row.active else "uitgeschakeld"
        if row.active and row.must_change_password:
            status = "moet wachtwoord kiezen"
        return (
            row.display_name,
            row.username,
            row.role.label,
            status,
            local_time(row.last_login_at),
        )[index.column()]

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class PermissionsModel(QAbstractTableModel):
    """Rows: permissions; columns: roles; checkboxes, editable for whoever manages settings."""

    toggled = Signal(object, object, int)
    """(role, permission, 1 or 0): an int, because PySide6 6.12.0 leaks Python bools in signals."""
    ROLES = tuple(Role)
    PERMISSIONS = tuple(Permission)

    def __init__(self) -> None:
        super().__init__(None)
        self.table: dict[Role, frozenset[Permission]] = {}
        self.editable = False
        self.locked: set[tuple[Role, Permission]] = set()

    def set_table(
        self,
        table: dict[Role, frozenset[Permission]],
        *,
        editable: bool,
        locked: set[tuple[Role, Permission]],
    ) -> None:
        self.beginResetModel()
        self.table, self.editable, self.locked = table, editable, locked
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.PERMISSIONS)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.ROLES)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole or not self.table:
            return None
        who, what = self.ROLES[index.column()], self.PERMISSIONS[index.row()]
        granted = what in self.table.get(who, frozenset())
        return Qt.CheckState.Checked if granted else Qt.CheckState.Unchecked

    def flags(self, index: _Index) -> Qt.ItemFlag:
        pair = (self.ROLES[index.column()], self.PERMISSIONS[index.row()])
        if pair in self.locked:
            return Qt.ItemFlag.ItemIsSelectable  # shown greyed: fixed for every practice
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not self.editable:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self.toggled.emit(self.ROLES[index.column()], self.PERMISSIONS[index.row()], int(checked))
        return False  # the controller reloads the table once the change is stored

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.ROLES[section].label
        return self.PERMISSIONS[section].label


class AuditModel(QAbstractTableModel):
    """The audit trail, newest first, fetched a page at a time as the user scrolls."""

    HEADERS = ("Tijd", "Gebruiker", "Rol", "Wat er gebeurde", "Patiënt", "Actie", "Werkplek")
    WHO = 1
    WHAT = 3
    PATIENT = 4
    ACTIONS: ClassVar[dict[str, str]] = {
        "C": "aanmaken",
        "R": "inzien",
        "U": "wijzigen",
        "D": "verwijderen",
        "E": "exporteren",
    }

    def __init__(self, load_page: Callable[[int | None], None]) -> None:
        super().__init__(None)
        self._load_page = load_page
        self.rows: list[LogbookLine] = []
        self._more = True
        self._loading = False

    def reset(self) -> None:
        """Start over (new filters, or the tab opened again)."""
        self.beginResetModel()
        self.rows, self._more, self._loading = [], True, False
        self.endResetModel()

    def append(self, page: list[LogbookLine], *, page_size: int) -> None:
        """Add a loaded page; a short page means the end was reached."""
        self._loading = False
        self._more = len(page) >= page_size
        if not page:
            return
        first = len(self.rows)
        self.beginInsertRows(_ROOT, first, first + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()

    def canFetchMore(self, parent: _Index = _ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and self._more and not self._loading

    def fetchMore(self, parent: _Index = _ROOT) -> None:  # noqa: N802
        if parent.isValid() or self._loading:
            return
        self._loading = True
        self._load_page(self.rows[-1].record.seq if self.rows else None)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        line = self.rows[index.row()]
        rec = line.record
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == self.PATIENT and rec.patient_ref:
                return f"Patiëntverwijzing (versleuteld): {rec.patient_ref[:16]}…"
            if index.column() == self.WHAT:
                return line.what  # the whole line where the column cuts it off
            if index.column() == self.WHO and rec.username:
                return f"Gebruikersnaam: {rec.username}"
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            local_time(rec.at),
            line.who,
            _role_label(rec.role),
            line.what,
            "ja" if rec.patient_ref else "",
            self.ACTIONS.get(rec.action, rec.action),
            rec.workstation,
        )[index.column()]

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None
