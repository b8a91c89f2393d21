"""Beheer > Sociale kaart > Importeren: choose a package, see exactly what changes, then apply.

Reading the package and comparing it with the kaart can take seconds for a large package, and
applying writes many rows: both run through ``tasks.run`` (never on the GUI thread). The
preview shows four tabs, Nieuw / Gewijzigd (field by field: was → wordt) / Verwijderd /
Problemen (bestand, rij, veld, melding), a one-line summary and the notes that explain what
is (not) removed. [Toepassen] applies exactly the previewed plan; the result names the batch,
which can be undone from the Beheer kaart tab (``exchange.importing.undo_import``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.exchange.importing import (
    ChangedItem,
    FieldChange,
    ImportPlan,
    PlanItem,
    Problem,
    apply_import,
    plan_import,
)
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.ui.accessible import named
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
UNDO_HINT = "Ongedaan maken kan via Beheer > Sociale kaart."
FILE_FILTER = "Sociale kaart (*.zip *.csv *.json *.txt);;Alle bestanden (*)"
Row = TypeVar("Row")


def _text(exc: BaseException) -> str:
    if isinstance(exc, GpdeskError):
        return exc.user_text()
    return "Er ging iets mis; er is niets gewijzigd. Probeer het opnieuw."


class _RowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table over a tuple of rows; each subclass says what its columns show.

    Generic over its row type, so the constructor and ``set_rows`` take the same rows and
    mypy rejects any other (handing ``ChangedItem``s to the changes table once made every
    paint raise inside ``data()``).
    """

    HEADERS: ClassVar[tuple[str, ...]] = ()
    SHARED: ClassVar[int] = 1
    """How many columns at the end share the width the others leave (they hold long text)."""

    def __init__(self, rows: Sequence[Row] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[Row, ...] = tuple(rows)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show other rows; the model object stays, so views and proxies never lose it."""
        self.beginResetModel()
        self.rows = tuple(rows)
        self.endResetModel()

    def cells(self, row: Row) -> tuple[object, ...]:
        """The display values of one row, one per header."""
        raise NotImplementedError

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.cells(self.rows[index.row()])[index.column()]
            return "" if value is None else value
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class ItemsModel(_RowsModel[PlanItem]):
    """New or removed items: soort, naam, hoort bij."""

    HEADERS = ("Soort", "Naam", "Hoort bij")
    SHARED = 2

    def cells(self, row: PlanItem) -> tuple[object, ...]:
        return (row.type_label, row.name, row.context or "")


class ChangeRow(NamedTuple):
    """One changed field of one item: a row of the Gewijzigd table."""

    item: ChangedItem
    change: FieldChange


def change_rows(items: Iterable[ChangedItem]) -> tuple[ChangeRow, ...]:
    """The Gewijzigd table's rows: every changed field of every item, in the plan's order."""
    return tuple(ChangeRow(item, change) for item in items for change in item.changes)


class ChangesModel(_RowsModel[ChangeRow]):
    """One row per changed field: soort, naam, hoort bij, veld, was, wordt."""

    HEADERS = ("Soort", "Naam", "Hoort bij", "Veld", "Was", "Wordt")
    SHARED = 2

    def cells(self, row: ChangeRow) -> tuple[object, ...]:
        item, change = row
        return (
            item.type_label,
            item.name,
            item.context or "",
            change.label,
            change.old or "(leeg)",
            change.new or "(leeg)",
        )


class ProblemsModel(_RowsModel[Problem]):
    """Problems as a spreadsheet user finds them: bestand, rij, veld, melding."""

    HEADERS = ("Bestand", "Rij", "Veld", "Melding")

    def cells(self, row: Problem) -> tuple[object, ...]:
        prefix = "" if row.skipped else "Let op: "
        return (row.file, row.row, row.field or "", prefix + row.message_nl)


def _table(name: str, model: _RowsModel[Any]) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    proxy = QSortFilterProxyModel(view)  # owned by its view: they live and die together
    proxy.setSourceModel(model)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the plan's own order at first
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # the tooltip has the whole text
    view.setTabKeyNavigation(False)  # Tab leaves the table, Ctrl+Tab goes to the next tab
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column in range(len(model.HEADERS) - model.SHARED, len(model.HEADERS)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    header.setResizeContentsPrecision(_FIT_ROWS)
    return view


_FIT_ROWS = 500
"""Column widths follow the first rows only: a large package has hundreds of thousands."""
_FITTED_SHARE = 0.55
"""The fitted columns together take at most this part of the width; the long-text ones the rest."""
_NARROWEST = 60
"""No fitted column gets narrower than this."""


def fair_widths(wanted: Sequence[int], budget: int) -> list[int]:
    """Each column its wanted width while the budget lasts; the widest share what is left.

    A short column (veld, rij) keeps its width; only columns wider than an equal share of what
    remains are cut, and none below ``_NARROWEST``.
    """
    widths = list(wanted)
    left = budget
    order = sorted(range(len(widths)), key=widths.__getitem__)
    for done, column in enumerate(order):
        share = left // (len(order) - done)
        widths[column] = min(widths[column], max(share, _NARROWEST))
        left -= widths[column]
    return widths


def _fit_columns(view: QTableView, model: _RowsModel[Any], width: int) -> None:
    """The first columns as wide as their text, together within a share of ``width``.

    The shared columns at the end stretch over the rest.
    """
    header = view.horizontalHeader()
    fitted = range(len(model.HEADERS) - model.SHARED)
    wanted = []
    for column in fitted:
        view.resizeColumnToContents(column)
        wanted.append(header.sectionSize(column))
    for column, size in zip(fitted, fair_widths(wanted, int(width * _FITTED_SHARE)), strict=True):
        header.resizeSection(column, size)


_TABS = (
    ("importAdded", "Nieuw"),
    ("importChanged", "Gewijzigd"),
    ("importRemoved", "Verwijderd"),
    ("importProblems", "Problemen"),
)
READING = "De sociale kaart wordt gelezen en vergeleken…"


class ImportPreviewDialog(QDialog):
    """The preview of one plan, with [Toepassen] and [Annuleren].

    Built from a plan (no file chooser), so tests and other screens can show any plan; or
    opened with ``plan=None`` while the plan is still being made, and filled by ``show_plan``
    (or ``show_error``). ``applied`` carries the batch id once the import is in the database.
    """

    applied = Signal(str)

    def __init__(
        self,
        plan: ImportPlan | None,
        *,
        db: Database,
        signed: SignedIn,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.plan: ImportPlan | None = None
        self.db, self.signed, self.tasks = db, signed, tasks
        self.batch_id: str | None = None
        self._applying = False
        self.setObjectName("kaartImportDialog")
        self.setWindowTitle("Sociale kaart importeren")
        fit_to_screen(self, 1300, 660)

        self.title = QLabel("")
        self.title.setObjectName("importTitle")
        self.title.setWordWrap(True)  # the form found can be long: "één organisatie met ..."
        self.summary = QLabel(READING)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.notes = QLabel("")
        self.notes.setObjectName("importNotes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(False)
        self.added_model = ItemsModel(parent=self)
        self.changes_model = ChangesModel(parent=self)
        self.removed_model = ItemsModel(parent=self)
        self.problems_model = ProblemsModel(parent=self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("importTabs")
        self.views: list[QTableView] = []
        models: list[_RowsModel[Any]] = [
            self.added_model,
            self.changes_model,
            self.removed_model,
            self.problems_model,
        ]
        self.models = tuple(models)
        for (name, label), model in zip(_TABS, models, strict=True):
            view = named(_table(name, model), f"{label} bij het importeren")
            self.views.append(view)
            self.tabs.addTab(view, f"{label} (0)")
        # Column widths follow the window: a wider window gives the names room again.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(150)
        self._refit.timeout.connect(self._fit_columns)

        self.status = QLabel("")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = QPushButton("&Toepassen")
        self.apply_button.setObjectName("applyImport")
        self.cancel_button = QPushButton("&Annuleren")
        self.cancel_button.setObjectName("cancelImport")
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.apply_button.clicked.connect(self.apply)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.notes)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if plan is None:
            self._update_apply_button()
        else:
            self.show_plan(plan)

    def show_plan(self, plan: ImportPlan) -> None:
        """Fill the dialog with a finished plan."""
        self.plan = plan
        self.title.setText(
            f"<b>{Path(plan.path).name}</b> — {plan.kind_label}, bron “{plan.source_name}”"
        )
        self.summary.setText(plan.summary_nl)
        self.notes.setText("\n".join(plan.notes))
        self.notes.setVisible(bool(plan.notes))
        self.added_model.set_rows(plan.added)
        self.changes_model.set_rows(change_rows(plan.changed))
        self.removed_model.set_rows(plan.removed)
        self.problems_model.set_rows(plan.problems)
        self._fit_columns()
        counts = (len(plan.added), len(plan.changed), len(plan.removed), len(plan.problems))
        for index, ((_, label), count) in enumerate(zip(_TABS, counts, strict=True)):
            self.tabs.setTabText(index, f"{label} ({count})")
        self.tabs.setCurrentIndex(3 if plan.problems and not plan.has_changes else 0)
        self._update_apply_button()

    def _fit_columns(self) -> None:
        for view, model in zip(self.views, self.models, strict=True):
            _fit_columns(view, model, self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Fit the columns again once the window has its new width (not at every step)."""
        super().resizeEvent(event)
        if self.plan is not None and event.size().width() != event.oldSize().width():
            self._refit.start()

    def show_error(self, exc: BaseException) -> None:
        """Reading or comparing failed: say so; only closing is left."""
        self.summary.setText(_text(exc))
        self.cancel_button.setText("&Sluiten")
        self._update_apply_button()

    def reject(self) -> None:
        """Closing waits while the import is being applied: it cannot be stopped halfway."""
        if not self._applying:
            super().reject()

    def _update_apply_button(self) -> None:
        plan = self.plan
        allowed = self.signed.actor.may(Permission.KAART_EDIT)
        ready = plan is not None and plan.has_changes and self.batch_id is None
        self.apply_button.setEnabled(ready and allowed and not self._applying)
        if not allowed:
            self.apply_button.setToolTip("U hebt geen toestemming om de sociale kaart te bewerken.")
        elif plan is None:
            self.apply_button.setToolTip(READING)
        elif not plan.has_changes:
            self.apply_button.setToolTip("Er is niets te wijzigen.")
        else:
            self.apply_button.setToolTip(
                "Voert precies deze wijzigingen door, in één keer. " + UNDO_HINT
            )

    def apply(self) -> None:
        """Apply in the background; the dialog stays open to show the result."""
        plan = self.plan
        if plan is None or not self.apply_button.isEnabled():
            return
        self._applying = True
        self._update_apply_button()
        self.cancel_button.setEnabled(False)
        self.status.setText("Bezig met toepassen…")
        db, signed = self.db, self.signed
        self.tasks.run(lambda: apply_import(db, plan, by=signed), self._applied, self._failed)

    def _applied(self, batch_id: str) -> None:
        self._applying = False
        self.batch_id = batch_id
        plan = self.plan
        assert plan is not None
        text = f"Toegepast: {plan.detail}."
        if plan.rows_skipped:
            rows = "rij is" if plan.rows_skipped == 1 else "rijen zijn"
            text += f" {plan.rows_skipped} {rows} overgeslagen (zie Problemen)."
        self.status.setText(f"{text} {UNDO_HINT}")
        self.cancel_button.setText("&Sluiten")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setFocus()
        self._update_apply_button()
        self.applied.emit(batch_id)

    def _failed(self, exc: BaseException) -> None:
        self._applying = False
        self.status.setText(_text(exc))
        self.cancel_button.setEnabled(True)
        self._update_apply_button()


def choose_source(parent: QWidget) -> str | None:
    """Ask for a file (zip, csv, json) or a folder; None when the user cancels."""
    box = QMessageBox(parent)
    box.setWindowTitle("Sociale kaart importeren")
    box.setText("Wat wilt u inlezen?")
    box.setInformativeText(
        "Een HSDS-pakket (zip, json of een map met bestanden) of het sjabloon (csv)."
    )
    file_button = box.addButton("&Bestand…", QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton("&Map…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Annuleren", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if clicked is file_button:
        path, _ = QFileDialog.getOpenFileName(parent, "Kies het bestand", "", FILE_FILTER)
        return path or None
    if clicked is folder_button:
        return QFileDialog.getExistingDirectory(parent, "Kies de map met het pakket") or None
    return None


def plan_in_background(
    db: Database,
    path: str,
    tasks: TaskRunner,
    on_done: Callable[[ImportPlan], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """Read and compare on a worker with its own session; the answer comes back on the GUI."""

    def work() -> ImportPlan:
        with db.session() as session:
            return plan_import(session, path)

    tasks.run(work, on_done, on_error)


def run_import_dialog(
    parent: QWidget, *, db: Database, signed: SignedIn, tasks: TaskRunner
) -> ImportPreviewDialog | None:
    """The whole import: choose, preview (made in the background), then apply or cancel.

    Returns the preview dialog at once (it says it is reading until the plan arrives), or None
    when the user chose nothing. The dialog is a child of ``parent`` (object name
    ``kaartImportDialog``), deletes itself when closed and reports through ``finished``, so
    a screen can reload its list afterwards and a screen lock can find and close it.
    """
    path = choose_source(parent)
    if path is None:
        return None
    dialog = ImportPreviewDialog(None, db=db, signed=signed, tasks=tasks, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.title.setText(f"<b>{Path(path).name}</b>")
    closed: list[bool] = []
    dialog.finished.connect(lambda _code: closed.append(True))
    dialog.open()

    def done(plan: ImportPlan) -> None:
        if not closed:  # closed while reading: the dialog is gone, nothing to show
            dialog.show_plan(plan)

    def failed(exc: BaseException) -> None:
        if not closed:
            dialog.show_error(exc)

    plan_in_background(db, path, tasks, done, failed)
    return dialog
