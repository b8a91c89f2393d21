"""Beheer: the practice, where its data lives, and who can sign in."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.practice.overview import PracticeOverview
from gpdesk.security.users import UserRow

_Index = QModelIndex | QPersistentModelIndex


class UsersModel(QAbstractTableModel):
    """The practice's users as a table: naam, gebruikersnaam, rol."""

    HEADERS = ("Naam", "Gebruikersnaam", "Rol")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._users: tuple[UserRow, ...] = ()

    def set_users(self, users: tuple[UserRow, ...]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._users = users
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        user = self._users[index.row()]
        return (user.display_name, user.username, user.role.label)[index.column()]

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class PracticePage(QWidget):
    """Layout only; the window fills it with a PracticeOverview loaded in the background."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page_beheer")
        title = QLabel("Beheer")
        title.setObjectName("pageTitle")
        self.status = QLabel("Gegevens worden geladen…")
        self.status.setObjectName("pageSummary")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (
            ("practice", "Praktijk"),
            ("database", "Database"),
            ("location", "Locatie"),
            ("home", "gpdesk-map"),
            ("schema", "Schemaversie"),
            ("patients", "Patiënten in gpdesk"),
        ):
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName(f"beheer_{key}")
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        users_title = QLabel("Gebruikers")
        users_title.setObjectName("sectionTitle")
        self.users_model = UsersModel(self)
        self.users_view = QTableView()
        self.users_view.setObjectName("usersView")
        self.users_view.setModel(self.users_model)
        self.users_view.verticalHeader().hide()
        self.users_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.users_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.users_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        note = QLabel(
            "Gebruikers toevoegen en uitschakelen, wachtwoorden wijzigen, het logboek en "
            "back-ups komen in een volgende versie van gpdesk."
        )
        note.setWordWrap(True)
        note.setObjectName("comingSoon")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addWidget(users_title)
        layout.addWidget(self.users_view, 1)
        layout.addWidget(note)

    def show_overview(self, overview: PracticeOverview) -> None:
        """Fill the page."""
        self.status.setText("Overzicht van deze installatie.")
        self.fields["practice"].setText(overview.practice_name)
        self.fields["database"].setText(overview.database_kind)
        self.fields["location"].setText(overview.database_location)
        self.fields["home"].setText(overview.home)
        self.fields["schema"].setText(overview.schema_revision or "–")
        self.fields["patients"].setText(str(overview.patient_count))
        self.users_model.set_users(overview.users)

    def show_error(self, text: str) -> None:
        """The overview could not be loaded; say so instead of showing stale figures."""
        self.status.setText(text)
