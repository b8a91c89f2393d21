"""The team list of Beheer → Verzenden: one row per team, with where it receives signals."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from gpdesk.ui.theme import colour

if TYPE_CHECKING:
    from gpdesk.transport.config import TeamLine

NOTHING: Final = "–"


class TeamDeliveryModel(QAbstractTableModel):
    """One row per team: where it receives signals, and who gets its letters first.

    Team, e-mail, certificate (with its end date and a warning), export folder, and the team's
    feedback contact.
    """

    HEADERS: Final = ("Team", "E-mailadres", "Certificaat", "Exportmap", "Terugkoppeling naar")
    TEAM, EMAIL, CERTIFICATE, FOLDER, CONTACT = range(5)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[TeamLine] = []
        self.today = date.today()

    def set_rows(self, rows: list[TeamLine], today: date | None = None) -> None:
        """Show ``rows``; certificate warnings are judged against ``today``."""
        self.beginResetModel()
        self.rows = list(rows)
        self.today = today or date.today()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802
        """One row per team."""
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(  # noqa: N802
        self, parent: QModelIndex | QPersistentModelIndex | None = None
    ) -> int:
        """Team, e-mail, certificate, export folder, feedback contact."""
        return 0 if parent is not None and parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The Dutch column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def certificate_text(self, line: TeamLine) -> str:
        """Say "tot 01-02-2027", or "⚠ verlopen op …" / "⚠ verloopt op …" when due."""
        delivery = line.delivery
        if delivery is None or delivery.certificate_valid_until is None:
            return "geen"
        warning = delivery.certificate_warning(self.today)
        if warning:
            return f"⚠ {warning}"
        return f"tot {delivery.certificate_valid_until:%d-%m-%Y}"

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Each cell's text; a certificate warning in a warning colour, with its subject."""
        if not index.isValid():
            return None
        line = self.rows[index.row()]
        delivery = line.delivery
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TEAM:
                closed = "" if line.status == "actief" else f" ({line.status})"
                return f"{line.name}{closed}"
            if delivery is None:
                return "niet ingesteld" if column == self.EMAIL else NOTHING
            if column == self.EMAIL:
                return delivery.email or NOTHING
            if column == self.CERTIFICATE:
                return self.certificate_text(line)
            if column == self.CONTACT:
                return delivery.feedback_contact.label
            return delivery.export_folder or NOTHING
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TEAM:
                return f"{line.organisation} · {line.kind}"
            if column == self.CERTIFICATE and delivery is not None:
                return delivery.certificate_subject
            if column == self.FOLDER and delivery is not None:
                return delivery.export_folder
        if role == Qt.ItemDataRole.ForegroundRole:
            due = (
                column == self.CERTIFICATE
                and delivery is not None
                and delivery.certificate_warning(self.today) is not None
            ) or (column == self.EMAIL and delivery is None)
            return QBrush(colour("warning")) if due else None
        return None

    def warnings(self) -> list[str]:
        """What needs doing, shortest first: teams that cannot receive, certificates that end."""
        found = []
        missing = [
            line.name
            for line in self.rows
            if line.delivery is None and line.status == "actief" and line.kind == "wijkteam"
        ]
        if missing:
            found.append(
                "Nog geen e-mailadres of exportmap, dus geen signalen mogelijk aan: "
                + ", ".join(missing)
                + "."
            )
        for line in self.rows:
            warning = (
                None if line.delivery is None else line.delivery.certificate_warning(self.today)
            )
            if warning:
                found.append(f"{line.name}: certificaat {warning}. Vraag het team om een nieuw.")
        return found
