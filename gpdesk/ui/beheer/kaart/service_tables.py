"""The service dialog's table pages: Wanneer, Contactpersonen and Vaste contactpersoon.

Everything on them is saved with the service on Opslaan. Opening hours and fixed contacts are
edited in their table; a contact in its own dialog, so the contacts page only asks for it with
``new_requested``, ``edit_requested`` and ``leave_requested`` (a contact id).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.kaart.editing import checks
from gpdesk.kaart.editing.forms import ContactRow, FormChoices, ServiceForm
from gpdesk.ui.accessible import announce
from gpdesk.ui.beheer.kaart.contact_changes import CONTACTS
from gpdesk.ui.beheer.kaart.fields import FieldErrors, note, row_table
from gpdesk.ui.beheer.kaart.models import (
    ChoiceDelegate,
    ContactsModel,
    FixedContactsModel,
    RulesModel,
)


class SchedulePage(QWidget):
    """Wanneer: one line per opening time, typed straight into the table."""

    def __init__(self, form: ServiceForm, errors: FieldErrors, tab: int) -> None:
        super().__init__()
        self.rules = RulesModel(self)
        self.rules.set_rows(form.rules)
        self.rules_view = row_table(self.rules, "rulesView", "Openingstijden")
        self.rules_view.setItemDelegateForColumn(
            3, ChoiceDelegate(self.rules_view, labels=checks.ATTENDING_TYPES)
        )
        self.rules_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.rules_view.horizontalHeader()
        for column, width in enumerate((150, 70, 70, 130)):
            header.resizeSection(column, width)
        self.add_rule = QPushButton("Regel toe&voegen")
        self.add_rule.setObjectName("addRule")
        self.remove_rule = QPushButton("Regel verwij&deren")
        self.remove_rule.setObjectName("removeRule")
        self.add_rule.clicked.connect(self._add_rule)
        self.remove_rule.clicked.connect(
            lambda: self.rules.remove_row(self.rules_view.currentIndex().row())
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_rule)
        buttons.addWidget(self.remove_rule)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Eén regel per tijdvak. Dagen: ma, di, wo, do, vr, za, zo, of een reeks zoals "
                "ma-vr. Tijden als 09:00 (24:00 voor tot middernacht). Soort 'inloop' is het "
                "inloopspreekuur zonder afspraak. Dubbelklik om te wijzigen."
            )
        )
        layout.addWidget(self.rules_view, 1)
        layout.addWidget(errors.label(checks.HOURS, tab))
        layout.addLayout(buttons)

    def _add_rule(self) -> None:
        row = self.rules.add_row()
        index = self.rules.index(row, 0)
        self.rules_view.setCurrentIndex(index)
        self.rules_view.edit(index)


class ContactsPage(QWidget):
    """Contactpersonen: the team's named people, added, changed or gone until Opslaan."""

    new_requested = Signal()
    edit_requested = Signal(str)
    leave_requested = Signal(str)

    def __init__(self, form: ServiceForm, errors: FieldErrors, tab: int) -> None:
        super().__init__()
        self.contacts = ContactsModel(self)
        self.contacts.set_rows(form.contacts)
        self.contacts_view = row_table(self.contacts, "contactsView", "Contactpersonen")
        self.contacts_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.contacts_view.horizontalHeader()
        for column, width in enumerate((170, 200, 120, 230)):
            header.resizeSection(column, width)
        self.new_contact = QPushButton("&Nieuwe contactpersoon…")
        self.new_contact.setObjectName("newContact")
        self.edit_contact = QPushButton("&Bewerken…")
        self.edit_contact.setObjectName("editContact")
        self.leave_contact = QPushButton("Is &vertrokken…")
        self.leave_contact.setObjectName("leaveContact")
        self.new_contact.clicked.connect(self.new_requested)
        self.edit_contact.clicked.connect(self._edit_contact)
        self.leave_contact.clicked.connect(self._leave_contact)
        self.contacts_view.doubleClicked.connect(self._edit_contact)
        self.contacts_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.contacts.modelReset.connect(self._selection_changed)
        self.contacts_status = QLabel()
        self.contacts_status.setObjectName("warning")
        self.contacts_status.setWordWrap(True)
        self.contacts_status.hide()
        buttons = QHBoxLayout()
        for button in (self.new_contact, self.edit_contact, self.leave_contact):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Wat u hier wijzigt, wordt met Opslaan samen met de rest van de voorziening "
                "opgeslagen; Annuleren laat alles zoals het was. Een ⚠ betekent: langer dan 6 "
                "maanden niet gecontroleerd."
            )
        )
        layout.addWidget(self.contacts_view, 1)
        layout.addWidget(self.contacts_status)
        layout.addWidget(errors.label(CONTACTS, tab))
        layout.addLayout(buttons)

    def selected_contact(self) -> ContactRow | None:
        """The contact selected in the table."""
        rows = self.contacts_view.selectionModel().selectedRows()
        return self.contacts.rows[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        """Someone who already left cannot leave again."""
        contact = self.selected_contact()
        self.leave_contact.setEnabled(contact is None or not contact.departed)

    def _edit_contact(self) -> None:
        contact = self.selected_contact()
        if contact is not None:
            self.edit_requested.emit(contact.id)

    def _leave_contact(self) -> None:
        contact = self.selected_contact()
        if contact is not None:
            self.leave_requested.emit(contact.id)

    def show_status(self, text: str) -> None:
        """What was done to a contact (and whom it affects), under the table."""
        announce(self, text)
        self.contacts_status.setText(text)
        self.contacts_status.setVisible(bool(text))


class FixedContactsPage(QWidget):
    """Vaste contactpersoon: whom the practice works with at this team, per theme.

    These agreements stay in the practice: never shared or exported. Disabled for a service that
    is not saved yet, because the people to choose from are its contacts.
    """

    def __init__(
        self, form: ServiceForm, choices: FormChoices, errors: FieldErrors, tab: int
    ) -> None:
        super().__init__()
        self.fixed = FixedContactsModel(self)
        self.fixed.set_choices(choices.themes, form.contacts)
        self.fixed.set_rows(form.fixed_contacts)
        self.fixed_view = row_table(self.fixed, "fixedView", "Vaste contactpersonen")
        delegate = ChoiceDelegate(self.fixed_view)
        for column in (0, 1, 2):
            self.fixed_view.setItemDelegateForColumn(column, delegate)
        header = self.fixed_view.horizontalHeader()
        for column, width in enumerate((190, 180, 150, 120)):
            header.resizeSection(column, width)
        self.add_fixed = QPushButton("Regel toe&voegen")
        self.add_fixed.setObjectName("addFixed")
        self.remove_fixed = QPushButton("Regel verwij&deren")
        self.remove_fixed.setObjectName("removeFixed")
        self.add_fixed.clicked.connect(self._add_fixed)
        self.remove_fixed.clicked.connect(
            lambda: self.fixed.remove_row(self.fixed_view.currentIndex().row())
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_fixed)
        buttons.addWidget(self.remove_fixed)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Met wie werkt onze praktijk bij dit team? Per thema kan een andere vaste "
                "contactpersoon gelden. Deze afspraken blijven in de praktijk en worden nooit "
                "gedeeld of geëxporteerd. Dubbelklik om te wijzigen."
            )
        )
        layout.addWidget(self.fixed_view, 1)
        for key in (checks.FIXED_CONTACT, checks.DIRECT_LINE):
            layout.addWidget(errors.label(key, tab))
        layout.addLayout(buttons)
        self.setEnabled(form.service_id is not None)

    def _add_fixed(self) -> None:
        row = self.fixed.add_row()
        index = self.fixed.index(row, 1)
        self.fixed_view.setCurrentIndex(index)
        self.fixed_view.edit(index)
