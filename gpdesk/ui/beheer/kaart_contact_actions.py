"""Contacts, edited from the service dialog and saved at once (not with the service).

A contact who changes or leaves affects others (whose deputy they were, where they were the
practice's vaste contactpersoon), so after every change the service dialog gets its people
reloaded and is told, under the contacts table, whom it affects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from gpdesk.kaart.editing_forms import ContactRow, ServiceForm
from gpdesk.ui.beheer.kaart_editor import ContactDialog
from gpdesk.ui.beheer.kaart_save_feedback import alive, report_failure, user_text

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.kaart.editing import ContactInput, EditResult
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.beheer.kaart_service_dialog import ServiceDialog
    from gpdesk.ui.beheer.kaart_tab import KaartTab
    from gpdesk.ui.tasks import TaskRunner


class ContactActions:
    """Opens the contact dialog over a service dialog, saves it, and removes who left."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        tab: KaartTab,
        may_edit: Callable[[], SignedIn | None],
        refresh: Callable[[], None],
    ) -> None:
        self.db, self.tasks, self.tab = db, tasks, tab
        self._may_edit = may_edit
        self._refresh = refresh
        self.dialog: ContactDialog | None = None

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
        self.dialog = dialog
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
            if alive(dialog):
                dialog.accept()
            self._refresh()
            if not alive(parent):
                return
            parent.set_people(form)
            name = value.name.strip()
            parent.show_contacts_status(
                f"{name} opgeslagen." if result.changes else f"Niets gewijzigd aan {name}."
            )

        dialog.set_busy(True)
        self.tasks.run(work, done, lambda exc: report_failure(self.tab, dialog, exc))

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
            self._refresh()
            if not alive(parent):
                return
            parent.set_people(form)
            lines = [
                f"{contact.name} is van de kaart gehaald.",
                *(f"⚠ {w}" for w in result.warnings),
            ]
            parent.show_contacts_status("\n".join(lines))

        self.tasks.run(work, done, lambda exc: parent.show_contacts_status(f"⚠ {user_text(exc)}"))

    def _forget(self, dialog: ContactDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
