"""The service dialog: the eight tab pages together, and one ``ServiceSave`` out of them.

The pages (``service_pages``, ``service_tables``) lay out the fields; this dialog puts
them in tabs, shows the two agreement tabs only for teams that receive signals, collects what is
typed on Opslaan, and marks the tabs that have a problem when the controller hands messages back.

One save for the whole dialog: contacts added, changed or gone wait in ``contact_changes`` and
are saved with the rest on Opslaan; Annuleren (after asking) leaves everything as it was.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from gpdesk.kaart.editing import (
    AreaInput,
    ContactInput,
    FeedbackAgreementInput,
    LocationInput,
    ServiceInput,
    ServiceSave,
    checks,
)
from gpdesk.kaart.editing.forms import ContactRow, FormChoices, ServiceForm
from gpdesk.kaart.editing.people import SIGNAL_KINDS
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.ui.beheer.kaart.contact_changes import ContactChanges
from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog
from gpdesk.ui.beheer.kaart.service_pages import (
    AgreementPage,
    AreaPage,
    AudiencePage,
    GeneralPage,
    LocationPage,
)
from gpdesk.ui.beheer.kaart.service_tables import ContactsPage, FixedContactsPage, SchedulePage
from gpdesk.ui.sizing import fit_to_screen, scrolling


class ServiceDialog(EditorDialog):
    """A service in tabs, so the whole of it fits on a 1366×768 screen without scrolling.

    On a smaller screen (or at 150 %) the dialog opens smaller and a tall page scrolls.

    Algemeen, voor wie, waar, wanneer, contactpersonen, werkgebied, and for teams that receive
    signals the terugkoppelafspraak and the practice's own vaste contactpersoon.
    """

    submitted = Signal(object)
    contact_new_requested = Signal()
    contact_edit_requested = Signal(str)
    contact_leave_requested = Signal(str)

    TAB_GENERAL, TAB_WHO, TAB_WHERE, TAB_WHEN, TAB_CONTACTS, TAB_AREA, TAB_AGREEMENT, TAB_FIXED = (
        range(8)
    )
    TAB_TITLES = (
        "&Algemeen",
        "Voor &wie",
        "Waa&r",
        "Wanne&er",
        "&Contactpersonen",
        "Wer&kgebied",
        "&Terugkoppeling",
        "Vaste contact&persoon",
    )

    def __init__(
        self, form: ServiceForm, choices: FormChoices, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            f"{form.service.name} bewerken" if form.service_id else "Nieuwe voorziening", parent
        )
        self.setObjectName("serviceDialog")
        self.form = form
        self.choices = choices
        self.service_id = form.service_id
        self.contact_changes = ContactChanges.of(form.contacts)
        self.title = QLabel(form.service.name or "Nieuwe voorziening")
        self.title.setObjectName("sectionTitle")
        self.checked = QLabel(self._checked_text(form))
        self.checked.setObjectName("warning" if form.stale and form.service_id else "pageSummary")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("serviceTabs")
        e, titles = self.errors, self.TAB_TITLES
        self.general_page = GeneralPage(form, choices, e, self.TAB_GENERAL)
        self.tabs.addTab(scrolling(self.general_page), titles[0])
        self.audience_page = AudiencePage(form, e, self.TAB_WHO)
        self.tabs.addTab(scrolling(self.audience_page), titles[1])
        self.location_page = LocationPage(form, choices, e, self.TAB_WHERE)
        self.tabs.addTab(scrolling(self.location_page), titles[2])
        self.schedule_page = SchedulePage(form, e, self.TAB_WHEN)
        self.tabs.addTab(scrolling(self.schedule_page), titles[3])
        self.contacts_page = ContactsPage(form, e, self.TAB_CONTACTS)
        self.tabs.addTab(scrolling(self.contacts_page), titles[4])
        self.area_page = AreaPage(form, e, self.TAB_AREA)
        self.tabs.addTab(scrolling(self.area_page), titles[5])
        self.agreement_page = AgreementPage(form, e, self.TAB_AGREEMENT)
        self.tabs.addTab(scrolling(self.agreement_page), titles[6])
        self.fixed_page = FixedContactsPage(form, choices, e, self.TAB_FIXED)
        self.tabs.addTab(scrolling(self.fixed_page), titles[7])
        self._keep_field_names()
        self.contacts_page.new_requested.connect(self.contact_new_requested)
        self.contacts_page.edit_requested.connect(self.contact_edit_requested)
        self.contacts_page.leave_requested.connect(self.contact_leave_requested)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.checked)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.footer())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        fit_to_screen(self, 1000, 660)  # the pages scroll on a small screen
        self.remember_unchanged()

    def _keep_field_names(self) -> None:
        """Every field stays reachable on the dialog by the name it always had."""
        general, audience, place = self.general_page, self.audience_page, self.location_page
        self.name = general.name
        self.alternate_name = general.alternate_name
        self.former_names = general.former_names
        self.organization = general.organization
        self.kind = general.kind
        self.status = general.status
        self.alert = general.alert
        self.description = general.description
        self.url = general.url
        self.email = general.email
        self.themes_model = general.themes_model
        self.themes = general.themes
        self.eligibility = audience.eligibility
        self.min_age = audience.min_age
        self.max_age = audience.max_age
        self.fees = audience.fees
        self.contract = audience.contract
        self.application = audience.application
        self.wait_time = audience.wait_time
        self.location = place.location
        self.location_name = place.location_name
        self.address = place.address
        self.postcode = place.postcode
        self.city = place.city
        self.transportation = place.transportation
        self.shared = place.shared
        self.phone = place.phone
        schedule, people, area = self.schedule_page, self.contacts_page, self.area_page
        self.rules = schedule.rules
        self.rules_view = schedule.rules_view
        self.add_rule = schedule.add_rule
        self.remove_rule = schedule.remove_rule
        self.contacts = people.contacts
        self.contacts_view = people.contacts_view
        self.new_contact = people.new_contact
        self.edit_contact = people.edit_contact
        self.leave_contact = people.leave_contact
        self.contacts_status = people.contacts_status
        self.postcodes = area.postcodes
        self.postcodes_check = area.postcodes_check
        self.area_name = area.area_name
        self.wijk = area.wijk
        agreement, fixed = self.agreement_page, self.fixed_page
        self.confirm_days = agreement.confirm_days
        self.letter = agreement.letter
        self.channel = agreement.channel
        self.agreement_notes = agreement.agreement_notes
        self.fixed = fixed.fixed
        self.fixed_view = fixed.fixed_view
        self.add_fixed = fixed.add_fixed
        self.remove_fixed = fixed.remove_fixed

    @staticmethod
    def _checked_text(form: ServiceForm) -> str:
        if form.service_id is None:
            return ""
        if form.assured_date is None:
            return "⚠ Nog nooit gecontroleerd"
        when = form.assured_date.strftime("%d-%m-%Y")
        who = f" door {form.assured_by}" if form.assured_by else ""
        return f"{'⚠ Verouderd: ' if form.stale else ''}gecontroleerd op {when}{who}"

    # -- behaviour ------------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        """A terugkoppelafspraak only exists with a team that receives signals."""
        receives_signals = ServiceKind(self.kind.currentData()) in SIGNAL_KINDS
        self.tabs.setTabVisible(self.TAB_AGREEMENT, receives_signals)
        self.tabs.setTabVisible(self.TAB_FIXED, receives_signals)

    def selected_contact(self) -> ContactRow | None:
        """The contact selected in the contacts tab."""
        return self.contacts_page.selected_contact()

    def team_name(self) -> str:
        """What the service is called now, for the contact dialog and the messages."""
        return self.name.text().strip() or self.form.service.name or "deze voorziening"

    def put_contact(self, contact_id: str | None, value: ContactInput) -> str:
        """Keep a new or changed contact until Opslaan; a ValidationError says what is wrong."""
        kept = self.contact_changes.put(contact_id, value)
        self._show_contacts()
        name = next(r.name for r in self.contact_changes.rows if r.id == kept)
        done = "toegevoegd" if contact_id is None else "gewijzigd"
        self.show_contacts_status(f"{name} {done}; dit wordt opgeslagen met Opslaan.")
        return kept

    def contact_leaves(self, contact_id: str) -> None:
        """Take a contact off (on Opslaan); say at once where they were deputy or fixed contact."""
        row = next((r for r in self.contact_changes.rows if r.id == contact_id), None)
        if row is None:
            return
        themes = {choice.id: choice.label for choice in self.choices.themes}
        new = self.contact_changes.is_new(contact_id)
        fixed, warnings = self.contact_changes.leave(
            contact_id, self.fixed.rows, team=self.team_name(), themes=themes
        )
        self._show_contacts()
        self.fixed.set_rows(fixed)
        deputy = next(
            (r.name for r in self.contact_changes.rows if r.id == row.deputy_id and not r.departed),
            "",
        )
        if new:
            first = f"{row.name} is weer weggehaald."
        else:
            with_deputy = f", met {deputy} als vervanger" if deputy else ""
            first = (
                f"{row.name} is vertrokken en blijft doorgestreept op de kaart staan"
                f"{with_deputy}; dit wordt opgeslagen met Opslaan."
            )
        lines = [first, *(f"⚠ {w}" for w in warnings)]
        self.show_contacts_status("\n".join(lines))

    def _show_contacts(self) -> None:
        changes = self.contact_changes
        rows = changes.rows
        self.contacts.set_rows(rows, {r.id: changes.mark(r.id) for r in rows})
        self.fixed.set_choices(self.choices.themes, rows)

    def show_contacts_status(self, text: str) -> None:
        """What was done to a contact (and whom it affects), under the contacts table."""
        self.contacts_page.show_status(text)

    def has_changes(self) -> bool:
        """Contacts count too: Annuleren drops them with the rest."""
        return self.contact_changes.pending or super().has_changes()

    def set_busy(self, busy: bool) -> None:
        """While saving, the pages wait too: a change now would not be in this save."""
        super().set_busy(busy)
        self.tabs.setEnabled(not busy)

    # -- saving ---------------------------------------------------------------------------------

    def value(self) -> ServiceSave:
        """Everything typed now, as one save."""
        self.buttons.setFocus()  # an open cell editor hands its text to the model
        return self.typed()

    def typed(self) -> ServiceSave:
        """What the fields hold now (a cell still being edited not yet included)."""
        kind = ServiceKind(self.kind.currentData())
        has_agreement = kind in SIGNAL_KINDS
        themes = tuple(
            str(self.themes_model.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.themes_model.rowCount())
            if self.themes_model.item(row).checkState() == Qt.CheckState.Checked
        )
        days = self.confirm_days.value()
        return ServiceSave(
            service_id=self.service_id,
            service=ServiceInput(
                name=self.name.text(),
                organization_id=self.organization.currentData() or "",
                alternate_name=self.alternate_name.text(),
                description=self.description.toPlainText(),
                status=ServiceStatus(self.status.currentData()),
                kind=kind,
                url=self.url.text(),
                email=self.email.text(),
                eligibility_description=self.eligibility.toPlainText(),
                minimum_age=self.min_age.text(),
                maximum_age=self.max_age.text(),
                fees_description=self.fees.toPlainText(),
                application_process=self.application.toPlainText(),
                alert=self.alert.text(),
                wait_time=self.wait_time.text(),
                municipal_contract=self.audience_page.contract_value(),
                former_names=self.former_names.text(),
            ),
            themes=themes,
            location=LocationInput(
                location_id=self.location.currentData(),
                name=self.location_name.text(),
                address_1=self.address.text(),
                postal_code=self.postcode.text(),
                city=self.city.text(),
                transportation=self.transportation.text(),
            ),
            phone=self.phone.text(),
            rules=tuple(self.rules.rows),
            area=AreaInput(self.postcodes.text(), self.area_name.text(), self.wijk.text()),
            fixed_contacts=tuple(self.fixed.rows) if self.service_id and has_agreement else None,
            agreement=(
                FeedbackAgreementInput(
                    confirm_within_working_days=days or None,
                    letter_at_closure=self.letter.isChecked(),
                    channel=self.channel.currentText(),
                    notes=self.agreement_notes.toPlainText(),
                )
                if has_agreement
                else None
            ),
        )

    def submit(self) -> None:
        """Hand the whole dialog to the controller."""
        self.submitted.emit(self.value())

    def show_errors(self, problems: Mapping[str, str]) -> None:
        """Messages under the fields, ⚠ on the tabs concerned, and the first such tab shown."""
        super().show_errors(problems)
        if checks.AREA in problems:
            self.postcodes_check.hide()  # the same message stands under the field already
        tabs = sorted({self.errors.tabs[k] for k in problems if self.errors.tabs.get(k, -1) >= 0})
        for index, title in enumerate(self.TAB_TITLES):
            self.tabs.setTabText(index, f"{title} ⚠" if index in tabs else title)
        if tabs and self.tabs.currentIndex() not in tabs:
            self.tabs.setCurrentIndex(tabs[0])
        if tabs:
            names = ", ".join(self.TAB_TITLES[i].replace("&", "") for i in tabs)
            self.show_message(f"Niet opgeslagen. Controleer wat rood staat op: {names}.")
