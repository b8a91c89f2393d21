"""Contacts, edited from the service dialog and saved with it on Opslaan (never on their own).

The contact dialog checks what is typed at once, the way the core will (a bad number is refused
next to the field), and on OK hands the contact to the service dialog. A contact who leaves
is marked "vertrokken" (kept, struck through), not deleted; leaving affects others (whose deputy
they were, where they were the practice's vaste contactpersoon), so the service dialog says at
once whom it affects, while it can still be settled before Opslaan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing.forms import ContactRow
from gpdesk.ui.beheer.kaart.editor import ContactDialog
from gpdesk.ui.beheer.kaart.save_feedback import alive

if TYPE_CHECKING:
    from gpdesk.kaart.editing import ContactInput
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.beheer.kaart.service_dialog import ServiceDialog


class ContactActions:
    """Opens the contact dialog over a service dialog and hands its result to that dialog."""

    def __init__(self, *, may_edit: Callable[[], SignedIn | None]) -> None:
        self._may_edit = may_edit
        self.dialog: ContactDialog | None = None

    def open_contact(self, parent: ServiceDialog, contact_id: str | None) -> None:
        """A contact dialog over the service dialog; what it holds is saved with the service."""
        if self._may_edit() is None:
            return
        rows = parent.contacts.rows
        contact = next((c for c in rows if c.id == contact_id), None)
        dialog = ContactDialog(
            team=parent.team_name(), colleagues=rows, contact=contact, parent=parent
        )
        dialog.submitted.connect(lambda value: self._keep_contact(parent, dialog, value))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()

    def _keep_contact(
        self, parent: ServiceDialog, dialog: ContactDialog, value: ContactInput
    ) -> None:
        if self._may_edit() is None or not alive(parent):
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets gewijzigd.")
            return
        try:
            parent.put_contact(dialog.contact_id, value)
        except ValidationError as exc:
            dialog.show_errors(exc.problems)
            return
        dialog.accept()

    def contact_leaves(self, parent: ServiceDialog, contact_id: str) -> None:
        """Ask, then mark the contact as left (on Opslaan) and say whom it affects."""
        contact = next((c for c in parent.contacts.rows if c.id == contact_id), None)
        if contact is None or self._may_edit() is None:
            return
        if contact.departed:
            return
        answer = QMessageBox.question(
            parent,
            "Contactpersoon vertrokken",
            f"Is {contact.name} vertrokken? Met Opslaan blijft de naam doorgestreept op de kaart "
            "staan en neemt de vervanger het over.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_contact(parent, contact)

    def remove_contact(self, parent: ServiceDialog, contact: ContactRow) -> None:
        """Mark a contact as left (after the question) and show the consequences."""
        if self._may_edit() is not None:
            parent.contact_leaves(contact.id)

    def _forget(self, dialog: ContactDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
