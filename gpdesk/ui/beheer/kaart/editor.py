"""The kaart's edit dialogs: a service (in tabs), an organisation, a contact.

Layout only. Each dialog shows the values it was given, and on Opslaan emits ``submitted`` with
a frozen input for ``gpdesk.kaart.editing``; it never closes itself. The controller saves in the
background and then either closes the dialog or hands the Dutch messages back with
``show_errors``: they appear in red under their fields, the tab with a problem gets a ⚠, and
everything typed stays where it was.

The organisation and contact dialogs live here; the service dialog, the shared frame and the
field pieces have their own modules and are importable from here as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QVBoxLayout, QWidget

from gpdesk.kaart.editing import ContactInput, OrganizationInput, checks
from gpdesk.kaart.editing.forms import ContactRow, OrganizationForm
from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog
from gpdesk.ui.beheer.kaart.fields import FieldErrors, line_edit, note, text_edit, with_error
from gpdesk.ui.beheer.kaart.service_dialog import ServiceDialog
from gpdesk.ui.beheer.kaart.service_pages import CHANNELS

__all__ = [
    "CHANNELS",
    "ContactDialog",
    "EditorDialog",
    "FieldErrors",
    "OrganizationDialog",
    "ServiceDialog",
]


# --- organisation ------------------------------------------------------------------------------


class OrganizationDialog(EditorDialog):
    """Name, description and contact details of an organisation."""

    submitted = Signal(object)

    def __init__(self, form: OrganizationForm | None = None, parent: QWidget | None = None) -> None:
        value = form.value if form is not None else OrganizationInput(name="")
        super().__init__("Organisatie bewerken" if form else "Nieuwe organisatie", parent)
        self.organization_id = None if form is None else form.organization_id
        self.name = line_edit("orgName", value.name, "bijv. Stichting Welzijn Schiedam")
        self.alternate_name = line_edit("orgAlternateName", value.alternate_name)
        self.description = text_edit("orgDescription", value.description, 80)
        self.email = line_edit("orgEmail", value.email, "info@voorbeeld.nl")
        self.website = line_edit("orgWebsite", value.website, "https://www.voorbeeld.nl")
        self.former_names = line_edit(
            "orgFormerNames", value.former_names, "bijv. Riagg Schiedam; GGZ Nieuwe Waterweg"
        )
        self.former_names.setToolTip(
            "Namen die de organisatie vroeger had, gescheiden door ; — wie zo zoekt, vindt haar. "
            "Een nieuwe naam zet de oude er vanzelf bij."
        )
        e = self.errors
        form_layout = QFormLayout()
        form_layout.addRow("&Naam *", with_error(self.name, e.label(checks.NAME)))
        form_layout.addRow("&Andere naam", self.alternate_name)
        form_layout.addRow("&Eerdere namen", self.former_names)
        form_layout.addRow("&Beschrijving", self.description)
        form_layout.addRow("E-&mail", with_error(self.email, e.label(checks.EMAIL)))
        form_layout.addRow("&Website", with_error(self.website, e.label(checks.WEBSITE)))
        layout = QVBoxLayout(self)
        layout.addLayout(form_layout)
        if form is not None and form.services:
            names = ", ".join(form.services[:6]) + (" …" if len(form.services) > 6 else "")
            layout.addWidget(note(f"Voorzieningen van deze organisatie: {names}"))
        layout.addStretch(1)
        layout.addWidget(self.footer())
        self.resize(560, 380)
        self.remember_unchanged()

    def typed(self) -> OrganizationInput:
        """What is typed now."""
        return self.value()

    def value(self) -> OrganizationInput:
        """What is typed now."""
        return OrganizationInput(
            name=self.name.text(),
            alternate_name=self.alternate_name.text(),
            description=self.description.toPlainText(),
            email=self.email.text(),
            website=self.website.text(),
            former_names=self.former_names.text(),
        )

    def submit(self) -> None:
        """Hand the input to the controller."""
        self.submitted.emit(self.value())


# --- contact -----------------------------------------------------------------------------------


class ContactDialog(EditorDialog):
    """A named person: name, function, e-mail, direct number, and who stands in.

    OK hands the contact to the service dialog, which saves it with everything else on Opslaan.
    """

    submitted = Signal(object)

    def __init__(
        self,
        *,
        team: str,
        colleagues: Sequence[ContactRow],
        contact: ContactRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            f"Contactpersoon bij {team}" if contact else f"Nieuwe contactpersoon bij {team}", parent
        )
        self.contact_id = None if contact is None else contact.id
        value = contact.as_input() if contact is not None else ContactInput(name="")
        self.name = line_edit("contactName", value.name, "Voor- en achternaam")
        self.title = line_edit("contactTitle", value.title, "bijv. wijkcoach")
        self.department = line_edit("contactDepartment", value.department)
        self.email = line_edit("contactEmail", value.email, "naam@voorbeeld.nl")
        self.phone = line_edit("contactPhone", value.phone, "bijv. 010-123 45 67")
        self.deputy = QComboBox()
        self.deputy.setObjectName("contactDeputy")
        self.deputy.addItem("– geen vervanger –", None)
        for other in colleagues:  # someone who left cannot stand in (unless already chosen)
            chosen = other.id == value.deputy_contact_id
            if other.id != self.contact_id and (not other.departed or chosen):
                label = f"{other.name} (vertrokken)" if other.departed else other.name
                self.deputy.addItem(label, other.id)
        self.deputy.setCurrentIndex(max(self.deputy.findData(value.deputy_contact_id), 0))
        e = self.errors
        form = QFormLayout()
        form.addRow("&Naam *", with_error(self.name, e.label(checks.NAME)))
        form.addRow("&Functie", self.title)
        form.addRow("&Afdeling", self.department)
        form.addRow("E-&mail", with_error(self.email, e.label(checks.EMAIL)))
        form.addRow("&Direct nummer", with_error(self.phone, e.label(checks.PHONE)))
        form.addRow("&Vervanger", with_error(self.deputy, e.label(checks.DEPUTY)))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if contact is not None and contact.departed_on is not None:
            left = contact.departed_on.strftime("%d-%m-%Y")
            layout.addWidget(note(f"Vertrokken op {left}; staat doorgestreept op de kaart."))
        if contact is not None and contact.stands_in_for:
            layout.addWidget(note(f"Is zelf vervanger van: {', '.join(contact.stands_in_for)}."))
        layout.addWidget(
            note(
                "Elke contactpersoon heeft bij voorkeur een vervanger, voor als hij of zij er "
                "niet is of vertrekt. OK zet de contactpersoon in de voorziening; opgeslagen "
                "wordt pas met Opslaan in het venster van de voorziening."
            )
        )
        layout.addStretch(1)
        self.save_button.setText("&OK")
        layout.addWidget(self.footer())
        self.resize(520, 400)
        self.remember_unchanged()

    def typed(self) -> ContactInput:
        """What is typed now."""
        return self.value()

    def value(self) -> ContactInput:
        """What is typed now."""
        return ContactInput(
            name=self.name.text(),
            title=self.title.text(),
            department=self.department.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            deputy_contact_id=self.deputy.currentData(),
        )

    def submit(self) -> None:
        """Hand the input to the controller."""
        self.submitted.emit(self.value())
