"""Beheer → Sociale kaart: the list to keep the kaart right, and the controller behind it.

``KaartTab`` lays out a filterable list of every service (and organisation without services)
with its kind, status and when it was last checked, and the buttons. ``KaartController`` decides:
it loads and saves through ``gpdesk.kaart.editing`` off the GUI thread (``tasks.run``), opens the
edit dialogs without blocking (``open``), keeps them open with Dutch messages when something is
wrong, and reads the signed-in user from Beheer each time, so a locked workstation edits nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.editing_forms import (
    ContactRow,
    FormChoices,
    KaartRow,
    OrganizationForm,
    ServiceForm,
    empty_service_form,
)
from gpdesk.models import ServiceStatus
from gpdesk.security.permissions import Permission
from gpdesk.ui.beheer.kaart_editor import ContactDialog, OrganizationDialog, ServiceDialog
from gpdesk.ui.beheer.kaart_models import FILTERS, ROW_ROLE, KaartFilterModel, KaartListModel

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.kaart.editing import (
        ContactInput,
        EditResult,
        OrganizationInput,
        ServiceInput,
        ServiceSave,
    )
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.tasks import TaskRunner

NOT_AVAILABLE = "Importeren is nog niet beschikbaar in deze versie van gpdesk."
UNDO_NOT_AVAILABLE = "Import ongedaan maken is nog niet beschikbaar in deze versie van gpdesk."


def _alive(widget: QObject) -> bool:
    """Whether a dialog still exists (a lock closes dialogs while their save is under way)."""
    return shiboken6.isValid(widget)


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else "Er ging iets mis; probeer opnieuw."


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
        self.filter = QComboBox()
        self.filter.setObjectName("kaartBeheerFilter")
        for label, key in FILTERS:
            self.filter.addItem(label, key)
        self.summary = QLabel("De sociale kaart wordt geladen…")
        self.summary.setObjectName("pageSummary")
        self.view = QTableView()
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
        self.delete_button = QPushButton("&Verwijderen…")
        self.delete_button.setObjectName("kaartDelete")
        self.assure_button = QPushButton("Ge&controleerd")
        self.assure_button.setObjectName("kaartAssure")
        self.assure_button.setToolTip(
            "Klopt alles nog? Dan zet u hiermee de controledatum van de voorziening en haar "
            "contactpersonen op vandaag."
        )
        self.import_button = QPushButton("&Importeren…")
        self.import_button.setObjectName("kaartImport")
        self.undo_button = QPushButton("Import &ongedaan maken…")
        self.undo_button.setObjectName("kaartUndoImport")
        self.status = QLabel()
        self.status.setObjectName("kaartBeheerStatus")
        self.status.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(QLabel("Toon"))
        filters.addWidget(self.filter)
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.organization_button,
            self.delete_button,
            self.assure_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.undo_button)
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
        self.status.setText(text)
        self.warning.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warning.setVisible(bool(warnings))


class KaartController(QObject):
    """Loads the list, opens the dialogs and saves them, all database work off the GUI thread."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        tab: KaartTab,
        signed: Callable[[], SignedIn | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or tab)
        self.db, self.tasks, self.tab = db, tasks, tab
        self._signed = signed
        self.service_dialog: ServiceDialog | None = None
        self.contact_dialog: ContactDialog | None = None
        self.organization_dialog: OrganizationDialog | None = None
        tab.new_service_action.triggered.connect(self.new_service)
        tab.new_organization_action.triggered.connect(self.new_organization)
        tab.edit_button.clicked.connect(self.edit_selected)
        tab.view.doubleClicked.connect(self.edit_selected)
        tab.organization_button.clicked.connect(self.edit_organization)
        tab.delete_button.clicked.connect(self.delete_selected)
        tab.assure_button.clicked.connect(self.assure_selected)
        tab.import_button.clicked.connect(self.import_kaart)
        tab.undo_button.clicked.connect(self.undo_import)

    def _may_edit(self) -> SignedIn | None:
        signed = self._signed()
        if signed is None or not signed.actor.may(Permission.KAART_EDIT):
            return None
        return signed

    # -- the list -------------------------------------------------------------------------------

    def refresh(self, *, select: str | None = None) -> None:
        """Reload the list (on entering the tab and after every change)."""
        db = self.db

        def work() -> list[KaartRow]:
            from gpdesk.kaart.editing_forms import kaart_rows

            with db.session() as session:
                return kaart_rows(session)

        self.tasks.run(
            work,
            lambda rows: self.tab.show_rows(rows, select=select),
            lambda exc: self.tab.show_status(_text(exc)),
        )

    def assure_selected(self) -> None:
        """The practice checked the service and its contacts: today, by the signed-in user."""
        signed, row = self._may_edit(), self.tab.selected()
        if signed is None or row is None or row.service_id is None:
            return
        db, service_id = self.db, row.service_id

        def work() -> EditResult:
            from gpdesk.kaart.editing import assure

            with db.session() as session:
                return assure(session, signed, "service", service_id, with_contacts=True)

        def done(result: EditResult) -> None:
            people = result.changes - 1
            extra = (
                f" en {people} contactpersonen"
                if people > 1
                else (" en 1 contactpersoon" if people == 1 else "")
            )
            self.tab.show_status(
                f"{row.name}{extra} gecontroleerd door {signed.actor.display_name}."
            )
            self.refresh(select=service_id)

        self.tasks.run(work, done, lambda exc: self.tab.show_status(_text(exc)))

    def delete_selected(self) -> None:
        """Close or remove a service, or remove an organisation, after asking."""
        row = self.tab.selected()
        if self._may_edit() is None or row is None:
            return
        if row.service_id is None:
            answer = QMessageBox.question(
                self.tab,
                "Organisatie verwijderen",
                f"'{row.name}' verwijderen van de sociale kaart?",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.delete(row, hard=True)
            return
        box = QMessageBox(self.tab)
        box.setWindowTitle("Voorziening verwijderen")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Wat wilt u met '{row.name}'?")
        box.setInformativeText(
            "Opheffen: de voorziening blijft zichtbaar als opgeheven, zodat collega's zien waarom "
            "ze er niet meer is. Verwijderen: alles verdwijnt, ook contactpersonen en afspraken."
        )
        close = box.addButton("&Opheffen", QMessageBox.ButtonRole.AcceptRole)
        remove = box.addButton("&Verwijderen", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Annuleren", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(close)
        box.exec()
        if box.clickedButton() is close:
            self.delete(row, hard=False)
        elif box.clickedButton() is remove:
            self.delete(row, hard=True)

    def delete(self, row: KaartRow, *, hard: bool) -> None:
        """Remove the line (``hard``) or set the service to opgeheven."""
        signed = self._may_edit()
        if signed is None:
            return
        db = self.db

        def work() -> EditResult:
            from gpdesk.kaart import editing
            from gpdesk.kaart.editing_forms import service_form

            with db.session() as session:
                if row.service_id is None:
                    return editing.delete_organization(session, signed, row.organization_id)
                if hard:
                    return editing.delete_service(session, signed, row.service_id)
                form = service_form(session, row.service_id)
                closed = editing.ServiceSave(
                    service_id=row.service_id,
                    service=_with_status(form, ServiceStatus.DEFUNCT),
                )
                return editing.save_service(session, signed, closed)

        def done(_result: EditResult) -> None:
            verb = "verwijderd" if hard else "opgeheven"
            self.tab.show_status(f"'{row.name}' is {verb}.")
            self.refresh()

        self.tasks.run(work, done, lambda exc: self.tab.show_status(_text(exc)))

    # -- organisation ---------------------------------------------------------------------------

    def new_organization(self) -> None:
        """Open an empty organisation dialog."""
        if self._may_edit() is not None:
            self._open_organization(None)

    def _open_organization(self, form: OrganizationForm | None) -> None:
        dialog = OrganizationDialog(form, self.tab)
        dialog.submitted.connect(lambda value: self._save_organization(dialog, value))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.organization_dialog = dialog
        dialog.open()

    def _save_organization(self, dialog: OrganizationDialog, value: OrganizationInput) -> None:
        signed = self._may_edit()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst.")
            return
        db, organization_id = self.db, dialog.organization_id

        def work() -> str:
            from gpdesk.kaart import editing

            with db.session() as session:
                if organization_id is None:
                    return editing.create_organization(session, signed, value)
                editing.update_organization(session, signed, organization_id, value)
                return organization_id

        def done(saved_id: str) -> None:
            if _alive(dialog):
                dialog.accept()
            self.tab.show_status(f"Organisatie '{value.name.strip()}' opgeslagen.")
            self.refresh(select=saved_id)

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: self._failed(dialog, exc))

    # -- service ----------------------------------------------------------------------------------

    def new_service(self) -> None:
        """Open an empty service dialog (the selected organisation filled in)."""
        if self._may_edit() is None:
            return
        row = self.tab.selected()
        organization_id = "" if row is None else row.organization_id
        self._load_service(None, organization_id)

    def edit_selected(self) -> None:
        """Open the dialog of the selected service, or of the organisation without services."""
        row = self.tab.selected()
        if self._may_edit() is None or row is None:
            return
        if row.service_id is None:
            self.edit_organization()
            return
        self._load_service(row.service_id, row.organization_id)

    def edit_organization(self) -> None:
        """Open the dialog of the selected line's organisation."""
        row = self.tab.selected()
        if self._may_edit() is None or row is None:
            return
        db = self.db

        def work() -> OrganizationForm:
            from gpdesk.kaart.editing_forms import organization_form

            with db.session() as session:
                return organization_form(session, row.organization_id)

        self.tasks.run(work, self._open_organization, lambda exc: self.tab.show_status(_text(exc)))

    def _load_service(self, service_id: str | None, organization_id: str) -> None:
        db = self.db
        self.tab.show_status("Voorziening wordt geopend…")

        def work() -> tuple[ServiceForm, FormChoices]:
            from gpdesk.kaart.editing_forms import form_choices, service_form

            with db.session() as session:
                form = (
                    empty_service_form(organization_id)
                    if service_id is None
                    else service_form(session, service_id)
                )
                return form, form_choices(session)

        self.tasks.run(
            work,
            lambda loaded: self._open_service(*loaded),
            lambda e: self.tab.show_status(_text(e)),
        )

    def _open_service(self, form: ServiceForm, choices: FormChoices) -> None:
        if self._may_edit() is None:  # locked while loading
            return
        self.tab.show_status("")
        dialog = ServiceDialog(form, choices, self.tab)
        dialog.submitted.connect(lambda save: self._save_service(dialog, save))
        dialog.contact_new_requested.connect(lambda: self.open_contact(dialog, None))
        dialog.contact_edit_requested.connect(lambda cid: self.open_contact(dialog, cid))
        dialog.contact_leave_requested.connect(lambda cid: self.contact_leaves(dialog, cid))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.service_dialog = dialog
        dialog.open()

    def _save_service(self, dialog: ServiceDialog, save: ServiceSave) -> None:
        signed = self._may_edit()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db = self.db

        def work() -> EditResult:
            from gpdesk.kaart.editing import save_service

            with db.session() as session:
                return save_service(session, signed, save)

        def done(result: EditResult) -> None:
            if _alive(dialog):
                dialog.accept()
            name = save.service.name.strip()
            if result.changes:
                self.tab.show_status(f"'{name}' opgeslagen.", result.warnings)
            else:
                self.tab.show_status(f"Niets gewijzigd aan '{name}'.")
            self.refresh(select=result.id)

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: self._failed(dialog, exc))

    # -- contacts (from the service dialog) ---------------------------------------------------

    def open_contact(self, parent: ServiceDialog, contact_id: str | None) -> None:
        """A contact dialog over the service dialog; saved at once."""
        if self._may_edit() is None or parent.service_id is None:
            return
        rows = parent.contacts.rows
        contact = next((c for c in rows if c.id == contact_id), None)
        dialog = ContactDialog(
            team=parent.form.service.name, colleagues=rows, contact=contact, parent=parent
        )
        dialog.submitted.connect(lambda value: self._save_contact(parent, dialog, value))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.contact_dialog = dialog
        dialog.open()

    def _save_contact(
        self, parent: ServiceDialog, dialog: ContactDialog, value: ContactInput
    ) -> None:
        signed = self._may_edit()
        service_id = parent.service_id
        if signed is None or service_id is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db, contact_id = self.db, dialog.contact_id

        def work() -> tuple[EditResult, ServiceForm]:
            from gpdesk.kaart import editing
            from gpdesk.kaart.editing_forms import service_form

            with db.session() as session:
                if contact_id is None:
                    result = editing.create_contact(session, signed, service_id, value)
                else:
                    result = editing.update_contact(session, signed, contact_id, value)
            with db.session() as session:
                return result, service_form(session, service_id)

        def done(loaded: tuple[EditResult, ServiceForm]) -> None:
            result, form = loaded
            if _alive(dialog):
                dialog.accept()
            self.refresh()
            if not _alive(parent):
                return
            parent.set_people(form)
            name = value.name.strip()
            parent.show_contacts_status(
                f"{name} opgeslagen." if result.changes else f"Niets gewijzigd aan {name}."
            )

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: self._failed(dialog, exc))

    def contact_leaves(self, parent: ServiceDialog, contact_id: str) -> None:
        """Ask, then remove the contact and say where they were deputy or fixed contact."""
        contact = next((c for c in parent.contacts.rows if c.id == contact_id), None)
        if contact is None or self._may_edit() is None:
            return
        answer = QMessageBox.question(
            parent,
            "Contactpersoon vertrokken",
            f"{contact.name} is vertrokken en wordt van de kaart gehaald. Doorgaan?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_contact(parent, contact)

    def remove_contact(self, parent: ServiceDialog, contact: ContactRow) -> None:
        """Remove a contact who left (after the question) and show the consequences."""
        signed = self._may_edit()
        service_id = parent.service_id
        if signed is None or service_id is None:
            return
        db = self.db

        def work() -> tuple[EditResult, ServiceForm]:
            from gpdesk.kaart import editing
            from gpdesk.kaart.editing_forms import service_form

            with db.session() as session:
                result = editing.delete_contact(session, signed, contact.id)
            with db.session() as session:
                return result, service_form(session, service_id)

        def done(loaded: tuple[EditResult, ServiceForm]) -> None:
            result, form = loaded
            self.refresh()
            if not _alive(parent):
                return
            parent.set_people(form)
            lines = [
                f"{contact.name} is van de kaart gehaald.",
                *(f"⚠ {w}" for w in result.warnings),
            ]
            parent.show_contacts_status("\n".join(lines))

        self.tasks.run(work, done, lambda exc: parent.show_contacts_status(f"⚠ {_text(exc)}"))

    # -- import ---------------------------------------------------------------------------------

    def import_kaart(self) -> None:
        """Hand over to the import dialog (another module; it may not be there yet)."""
        signed = self._may_edit()
        if signed is None:
            return
        try:
            module = importlib.import_module("gpdesk.ui.beheer.kaart_import")
            run_import_dialog: Callable[..., Any] = module.run_import_dialog
        except (ImportError, AttributeError):
            self.tab.show_status(NOT_AVAILABLE)
            return
        opened = run_import_dialog(self.tab, db=self.db, signed=signed, tasks=self.tasks)
        if isinstance(opened, QDialog):  # still open: reload the list once it closes
            opened.finished.connect(lambda _code: self.refresh())
        else:
            self.refresh()

    def undo_import(self) -> None:
        """List the imports, let the user pick one, and undo it."""
        signed = self._may_edit()
        if signed is None:
            return
        try:
            module = importlib.import_module("gpdesk.kaart.hsds_import")
            list_batches: Callable[[Any], list[Any]] = module.list_import_batches
            undo: Callable[..., Any] = module.undo_import
        except (ImportError, AttributeError):
            self.tab.show_status(UNDO_NOT_AVAILABLE)
            return
        db = self.db

        def work() -> list[Any]:
            with db.session() as session:
                return list_batches(session)

        def chosen(batches: list[Any]) -> None:
            undoable = [
                b
                for b in batches
                if getattr(b, "action", "import") == "import" and not getattr(b, "undone", False)
            ]
            if not undoable:
                self.tab.show_status("Er is geen import om ongedaan te maken.")
                return
            labels = [batch_label(b) for b in undoable]
            label, ok = QInputDialog.getItem(
                self.tab,
                "Import ongedaan maken",
                "Welke import wilt u terugdraaien? De kaart wordt weer zoals ervoor.",
                labels,
                0,
                False,
            )
            if ok and label in labels:
                self.run_undo(undoable[labels.index(label)], undo)

        self.tasks.run(work, chosen, lambda exc: self.tab.show_status(_text(exc)))

    def run_undo(self, batch: Any, undo: Callable[..., Any]) -> None:
        """Undo one import batch in the background."""
        signed = self._may_edit()
        if signed is None:
            return
        db, batch_id = self.db, str(getattr(batch, "batch_id", batch))

        def done(_result: object) -> None:
            self.tab.show_status(f"Import ongedaan gemaakt: {batch_label(batch)}.")
            self.refresh()

        self.tasks.run(
            lambda: undo(db, batch_id, by=signed), done, lambda e: self.tab.show_status(_text(e))
        )

    # -- shared ---------------------------------------------------------------------------------

    def _failed(
        self, dialog: ContactDialog | ServiceDialog | OrganizationDialog, exc: BaseException
    ) -> None:
        """Keep the dialog open with what was typed, and say what is wrong."""
        if not _alive(dialog):
            self.tab.show_status(f"Niet opgeslagen: {_text(exc)}")
        elif isinstance(exc, ValidationError):
            dialog.show_errors(exc.problems)
        else:
            dialog.show_message(_text(exc))

    def _forget(self, dialog: QObject) -> None:
        if self.service_dialog is dialog:
            self.service_dialog = None
        if self.contact_dialog is dialog:
            self.contact_dialog = None
        if self.organization_dialog is dialog:
            self.organization_dialog = None
        dialog.deleteLater()

    def close_dialogs(self) -> None:
        """Close every open edit dialog without saving (on lock)."""
        for dialog in (self.contact_dialog, self.organization_dialog, self.service_dialog):
            if dialog is not None:
                dialog.reject()


def batch_label(batch: Any) -> str:
    """One import in words for the undo choice: "12-11-2026 14:05 · kaart.zip · 3 nieuw, …"."""
    from gpdesk.ui.beheer.models import local_time

    parts = [local_time(getattr(batch, "at", None))]
    name = getattr(batch, "file", "") or getattr(batch, "source", "")
    if name:
        parts.append(str(name))
    detail = getattr(batch, "detail", "")
    if detail:
        parts.append(str(detail))
    return " · ".join(parts)


def _with_status(form: ServiceForm, status: ServiceStatus) -> ServiceInput:
    return replace(form.service, status=status)
