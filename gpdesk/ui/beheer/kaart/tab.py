"""Beheer → Sociale kaart: the list to keep the kaart right.

``KaartTab`` lays out a filterable list of every service (and organisation without services)
with its kind, status and when it was last checked, and the buttons. It decides nothing: the
``KaartController`` (``controller``) does. The tab imports none of what acts on it, so the
controller and its helpers can name it without a circle.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.kaart.editing.forms import KaartRow
from gpdesk.ui.accessible import announce, let_tab_leave, named
from gpdesk.ui.beheer.kaart.models import FILTERS, ROW_ROLE, KaartFilterModel, KaartListModel
from gpdesk.ui.flow_layout import FlowLayout


class KaartTab(QWidget):
    """The kaart in Beheer: search, filter, the list, and what can be done with a line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kaartBeheer")
        self.model = KaartListModel(self)
        self.proxy = KaartFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setObjectName("kaartBeheerSearch")
        self.search.setPlaceholderText("Zoek op naam of organisatie…")
        self.search.setClearButtonEnabled(True)
        named(self.search, "Zoeken in de sociale kaart", "Zoek op naam of organisatie")
        self.filter = QComboBox()
        self.filter.setObjectName("kaartBeheerFilter")
        named(self.filter, "Welke voorzieningen")
        for label, key in FILTERS:
            self.filter.addItem(label, key)
        self.summary = QLabel("De sociale kaart wordt geladen…")
        self.summary.setObjectName("pageSummary")
        self.summary.setWordWrap(True)
        self.view = let_tab_leave(named(QTableView(), "Voorzieningen"))
        self.view.setObjectName("kaartBeheerView")
        self.view.setModel(self.proxy)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((300, 240, 120, 130)):
            header.resizeSection(column, width)
        self.new_button = QPushButton("&Nieuw…")
        self.new_button.setObjectName("kaartNew")
        self.new_menu = QMenu(self.new_button)
        self.new_service_action = self.new_menu.addAction("Nieuwe &voorziening…")
        self.new_organization_action = self.new_menu.addAction("Nieuwe &organisatie…")
        self.new_button.setMenu(self.new_menu)
        self.edit_button = QPushButton("&Bewerken…")
        self.edit_button.setObjectName("kaartEdit")
        self.organization_button = QPushButton("Organisa&tie…")
        self.organization_button.setObjectName("kaartOrganization")
        self.organization_button.setToolTip("De organisatie van de gekozen regel bewerken")
        self.delete_button = QPushButton("Ver&wijderen…")
        self.delete_button.setObjectName("kaartDelete")
        self.assure_button = QPushButton("Ge&controleerd")
        self.assure_button.setObjectName("kaartAssure")
        self.assure_button.setToolTip(
            "Klopt alles nog? Dan zet u hiermee de controledatum van de voorziening en haar "
            "contactpersonen op vandaag."
        )
        self.import_button = QPushButton("&Importeren…")
        self.import_button.setObjectName("kaartImport")
        self.undo_button = QPushButton("Import ongedaan &maken…")
        self.undo_button.setObjectName("kaartUndoImport")
        self.status = QLabel()
        self.status.setObjectName("kaartBeheerStatus")
        self.status.setWordWrap(True)
        self.status.hide()  # no empty line above the buttons until there is something to say
        self.warning = QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(QLabel("Toon"))
        filters.addWidget(self.filter)
        buttons = FlowLayout(spacing=6)  # a second row of buttons on a narrow screen
        for button in (
            self.new_button,
            self.edit_button,
            self.organization_button,
            self.delete_button,
            self.assure_button,
        ):
            buttons.addWidget(button)
        buttons.add_trailing(self.import_button)
        buttons.add_trailing(self.undo_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.warning)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.search.textChanged.connect(self._apply_filter)
        self.filter.currentIndexChanged.connect(self._apply_filter)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.search.text(), str(self.filter.currentData()))
        self._show_summary()

    def _show_summary(self) -> None:
        rows = self.model.rows
        services = sum(1 for r in rows if r.service_id)
        stale = sum(1 for r in rows if r.stale)
        shown = self.proxy.rowCount()
        text = f"{services} voorzieningen"
        if stale:
            text += f" · ⚠ {stale} verouderd (langer dan 6 maanden niet gecontroleerd)"
        if shown != len(rows):
            text += f" · {shown} getoond"
        self.summary.setText(text)

    def show_rows(self, rows: list[KaartRow], *, select: str | None = None) -> None:
        """Fill the list, keeping (or moving) the selection."""
        keep = select or self._selected_key()
        self.model.set_rows(rows)
        self._show_summary()
        if keep:
            self.select(keep)
        self._selection_changed()

    def _selected_key(self) -> str | None:
        row = self.selected()
        return None if row is None else row.service_id or row.organization_id

    def selected(self) -> KaartRow | None:
        """The line selected now."""
        indexes = self.view.selectionModel().selectedRows()
        if not indexes:
            return None
        row = indexes[0].data(ROW_ROLE)
        return row if isinstance(row, KaartRow) else None

    def select(self, key: str) -> bool:
        """Select the line of a service (or organisation) id; False when it is not shown."""
        for position in range(self.proxy.rowCount()):
            index = self.proxy.index(position, 0)
            row = index.data(ROW_ROLE)
            if isinstance(row, KaartRow) and key in (row.service_id, row.organization_id):
                self.view.selectRow(position)
                self.view.scrollTo(index)
                return True
        return False

    def _selection_changed(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.organization_button, self.delete_button):
            button.setEnabled(row is not None)
        self.assure_button.setEnabled(row is not None and row.service_id is not None)

    def show_status(self, text: str, warnings: tuple[str, ...] | list[str] = ()) -> None:
        """What just happened, and anything the user must arrange because of it."""
        announce(self, text)
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.warning.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warning.setVisible(bool(warnings))
