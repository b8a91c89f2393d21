"""The controller behind Beheer → Sociale kaart: what the buttons of ``KaartTab`` do.

It loads and saves through ``gpdesk.kaart.editing`` off the GUI thread (``tasks.run``), opens the
edit dialogs without blocking (``open``), keeps them open with Dutch messages when something is
wrong, and reads the signed-in user from Beheer each time, so a locked workstation edits nothing.
Contacts (``ContactActions``) and import (``ImportActions``) are decided in their own modules;
a service dialog's contacts are saved with the service, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from gpdesk.kaart.editing.forms import (
    ContactRow,
    FormChoices,
    KaartRow,
    OrganizationForm,
    ServiceForm,
    empty_service_form,
)
from gpdesk.models import ServiceStatus
from gpdesk.security.permissions import Permission
from gpdesk.ui.beheer.kaart.contact_actions import ContactActions
from gpdesk.ui.beheer.kaart.editor import ContactDialog, OrganizationDialog, ServiceDialog
from gpdesk.ui.beheer.kaart.import_actions import ImportActions
from gpdesk.ui.beheer.kaart.save_feedback import alive, report_failure, user_text

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.kaart.editing import EditResult, OrganizationInput, ServiceInput, ServiceSave
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.beheer.kaart.contact_changes import SaveOutcome
    from gpdesk.ui.beheer.kaart.tab import KaartTab
    from gpdesk.ui.tasks import TaskRunner


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
        self.organization_dialog: OrganizationDialog | None = None
        self.contact_actions = ContactActions(may_edit=self._may_edit)
        self.import_actions = ImportActions(
            db=db,
            tasks=tasks,
            parent=tab,
            show_status=tab.show_status,
            may_edit=self._may_edit,
            refresh=self.refresh,
        )
        tab.new_service_action.triggered.connect(self.new_service)
        tab.new_organization_action.triggered.connect(self.new_organization)
        tab.edit_button.clicked.connect(self.edit_selected)
        tab.view.doubleClicked.connect(self.edit_selected)
        tab.organization_button.clicked.connect(self.edit_organization)
        tab.delete_button.clicked.connect(self.delete_selected)
        tab.assure_button.clicked.connect(self.assure_selected)
        tab.import_button.clicked.connect(self.import_kaart)
        tab.undo_button.clicked.connect(self.undo_import)

    @property
    def contact_dialog(self) -> ContactDialog | None:
        """The contact dialog open over the service dialog, if any."""
        return self.contact_actions.dialog

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
            from gpdesk.kaart.editing.forms import kaart_rows

            with db.session() as session:
                return kaart_rows(session)

        self.tasks.run(
            work,
            lambda rows: self.tab.show_rows(rows, select=select),
            lambda exc: self.tab.show_status(user_text(exc)),
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

        self.tasks.run(work, done, lambda exc: self.tab.show_status(user_text(exc)))

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
                defaultButton=QMessageBox.StandardButton.No,  # cannot be undone
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
            from gpdesk.kaart.editing.forms import service_form

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

        self.tasks.run(work, done, lambda exc: self.tab.show_status(user_text(exc)))

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
            if alive(dialog):
                dialog.accept()
            self.tab.show_status(f"Organisatie '{value.name.strip()}' opgeslagen.")
            self.refresh(select=saved_id)

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: report_failure(self.tab.show_status, dialog, exc))

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
            from gpdesk.kaart.editing.forms import organization_form

            with db.session() as session:
                return organization_form(session, row.organization_id)

        self.tasks.run(
            work, self._open_organization, lambda exc: self.tab.show_status(user_text(exc))
        )

    def _load_service(self, service_id: str | None, organization_id: str) -> None:
        db = self.db
        self.tab.show_status("Voorziening wordt geopend…")

        def work() -> tuple[ServiceForm, FormChoices]:
            from gpdesk.kaart.editing.forms import form_choices, service_form

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
            lambda e: self.tab.show_status(user_text(e)),
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
        """The whole dialog in one transaction: its contacts, the service, who left."""
        signed = self._may_edit()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db = self.db
        contacts = deepcopy(dialog.contact_changes)  # the worker gets its own copy

        def work() -> SaveOutcome:
            from gpdesk.ui.beheer.kaart.contact_changes import save_service_with_contacts

            with db.session() as session:
                return save_service_with_contacts(session, signed, save, contacts)

        def done(result: SaveOutcome) -> None:
            if alive(dialog):
                dialog.accept()
            name = save.service.name.strip()
            if result.changes:
                self.tab.show_status(f"'{name}' opgeslagen.", result.warnings)
            else:
                self.tab.show_status(f"Niets gewijzigd aan '{name}'.")
            self.refresh(select=result.service_id)

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: report_failure(self.tab.show_status, dialog, exc))

    # -- contacts and import (decided in their own modules) -----------------------------------

    def open_contact(self, parent: ServiceDialog, contact_id: str | None) -> None:
        """A contact dialog over the service dialog; saved with the service on Opslaan."""
        self.contact_actions.open_contact(parent, contact_id)

    def contact_leaves(self, parent: ServiceDialog, contact_id: str) -> None:
        """Ask, then mark the contact as left (on Opslaan) and say whom it affects."""
        self.contact_actions.contact_leaves(parent, contact_id)

    def remove_contact(self, parent: ServiceDialog, contact: ContactRow) -> None:
        """Mark a contact as left (after the question) and show the consequences."""
        self.contact_actions.remove_contact(parent, contact)

    def import_kaart(self) -> None:
        """Hand over to the import dialog (another module; it may not be there yet)."""
        self.import_actions.import_kaart()

    def undo_import(self) -> None:
        """List the imports, let the user pick one, and undo it."""
        self.import_actions.undo_import()

    def run_undo(self, batch: Any, undo: Callable[..., Any]) -> None:
        """Undo one import batch in the background."""
        self.import_actions.run_undo(batch, undo)

    # -- shared ---------------------------------------------------------------------------------

    def _forget(self, dialog: QObject) -> None:
        if self.service_dialog is dialog:
            self.service_dialog = None
        if self.organization_dialog is dialog:
            self.organization_dialog = None
        dialog.deleteLater()

    def close_dialogs(self) -> None:
        """Close every open edit dialog without saving and without asking (on lock)."""
        for dialog in (self.contact_dialog, self.organization_dialog, self.service_dialog):
            if dialog is not None:
                dialog.discard()


def _with_status(form: ServiceForm, status: ServiceStatus) -> ServiceInput:
    return replace(form.service, status=status)
