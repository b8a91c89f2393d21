"""The service dialog's form pages: Algemeen, Voor wie, Waar, Werkgebied and Terugkoppeling.

Layout only, plus what a page can tell by itself without the database: the address of a chosen
location, whether the postcodes are understood. Each page puts its red message labels in the
dialog's ``FieldErrors`` under its own tab index, so a failed save can mark the tab with a ⚠.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing import FeedbackAgreementInput, checks
from gpdesk.kaart.editing.forms import FormChoices, ServiceForm
from gpdesk.kaart.postcodes import format_ranges
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.ui.accessible import named
from gpdesk.ui.beheer.kaart.fields import (
    FieldErrors,
    form_page,
    line_edit,
    note,
    text_edit,
    with_error,
)
from gpdesk.ui.theme import set_tone

CHANNELS = ("Zorgmail", "Beveiligde e-mail", "Telefoon", "Post")


def _age(value: int | str | None) -> str:
    return "" if value is None else str(value)


class GeneralPage(QWidget):
    """Algemeen: what the service is called, who runs it, what kind it is and its themes."""

    def __init__(
        self, form: ServiceForm, choices: FormChoices, errors: FieldErrors, tab: int
    ) -> None:
        super().__init__()
        value = form.service
        e = errors
        self.name = line_edit("serviceName", value.name, "bijv. Wijkteam Nieuwland")
        self.alternate_name = line_edit("serviceAlternateName", value.alternate_name)
        self.former_names = line_edit(
            "serviceFormerNames", value.former_names, "bijv. WOT Nieuwland; Buurtteam Nieuwland"
        )
        self.former_names.setToolTip(
            "Namen die de voorziening vroeger had, gescheiden door ; — wie zo zoekt, vindt haar. "
            "Een nieuwe naam zet de oude er vanzelf bij."
        )
        self.organization = QComboBox()
        self.organization.setObjectName("serviceOrganization")
        self.organization.addItem("– kies een organisatie –", "")
        for org in choices.organizations:
            self.organization.addItem(org.label, org.id)
        self.organization.setCurrentIndex(max(self.organization.findData(value.organization_id), 0))
        self.kind = QComboBox()
        self.kind.setObjectName("serviceKind")
        # Item data are the stored values: a QComboBox hands a StrEnum back as a plain str.
        for kind in ServiceKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.setCurrentIndex(max(self.kind.findData(ServiceKind(value.kind).value), 0))
        self.status = QComboBox()
        self.status.setObjectName("serviceStatus")
        for status in ServiceStatus:
            self.status.addItem(status.label, status.value)
        self.status.setCurrentIndex(max(self.status.findData(ServiceStatus(value.status).value), 0))
        self.status.setToolTip(
            "Tijdelijk gesloten: blijft vindbaar met de melding, maar krijgt geen signalen. "
            "Niet actief of opgeheven: alleen nog hier in Beheer."
        )
        self.alert = line_edit(
            "serviceAlert",
            value.alert,
            "bijv. Gesloten wegens verbouwing tot 1 april; ga zolang naar Buurtcentrum De Brug",
        )
        self.alert.setToolTip(
            "Korte melding die in de lijst, de details en op de uitprint voor de patiënt staat"
        )
        self.description = text_edit("serviceDescription", value.description, 70)
        self.url = line_edit("serviceUrl", value.url, "https://www.voorbeeld.nl")
        self.email = line_edit("serviceEmail", value.email, "info@voorbeeld.nl")
        self.themes_model = QStandardItemModel(self)
        for theme in choices.themes:
            item = QStandardItem(theme.label)
            item.setData(theme.id, Qt.ItemDataRole.UserRole)
            item.setCheckable(True)
            item.setEditable(False)
            item.setCheckState(
                Qt.CheckState.Checked if theme.id in form.themes else Qt.CheckState.Unchecked
            )
            self.themes_model.appendRow(item)
        self.themes = QListView()
        self.themes.setObjectName("serviceThemes")
        self.themes.setModel(self.themes_model)
        self.themes.setViewMode(QListView.ViewMode.ListMode)
        self.themes.setFlow(QListView.Flow.TopToBottom)
        self.themes.setWrapping(True)
        self.themes.setResizeMode(QListView.ResizeMode.Adjust)
        self.themes.setFixedHeight(132)
        named(self.alternate_name, "Andere naam")
        named(self.former_names, "Eerdere namen")
        named(self.kind, "Soort")
        named(self.status, "Status")
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind, 1)
        kind_row.addWidget(QLabel("Status"))
        kind_row.addWidget(self.status, 1)
        names_row = QHBoxLayout()
        names_row.addWidget(self.alternate_name, 1)
        names_row.addWidget(QLabel("Eerdere namen"))
        names_row.addWidget(self.former_names, 2)
        grid = form_page(self)
        grid.addRow("&Naam *", with_error(self.name, e.label(checks.NAME, tab)))
        grid.addRow("Andere naam", names_row)
        grid.addRow(
            "Organi&satie *", with_error(self.organization, e.label(checks.ORGANIZATION, tab))
        )
        grid.addRow("Soort", kind_row)
        grid.addRow("Meldin&g", self.alert)
        grid.addRow("Wat het &is", self.description)
        grid.addRow("We&bsite", with_error(self.url, e.label(checks.WEBSITE, tab)))
        grid.addRow("E-&mail", with_error(self.email, e.label(checks.EMAIL, tab)))
        grid.addRow("T&hema's", with_error(self.themes, e.label(checks.THEMES, tab)))


CONTRACT_CHOICES: tuple[tuple[str, bool | None], ...] = (
    ("niet bekend", None),
    ("ja, gecontracteerd door de gemeente", True),
    ("nee, geen contract: de patiënt betaalt zelf", False),
)
"""The municipal-contract choices; the item data is an int (Qt hands None back badly)."""
_CONTRACT_DATA = {None: 0, True: 1, False: 2}


class AudiencePage(QWidget):
    """Voor wie: the referral criteria, ages, costs and contract, how to sign up, the wait."""

    def __init__(self, form: ServiceForm, errors: FieldErrors, tab: int) -> None:
        super().__init__()
        value = form.service
        e = errors
        self.eligibility = text_edit("serviceEligibility", value.eligibility_description, 72)
        self.eligibility.setPlaceholderText(
            "Voor wie is het, en wanneer verwijst u? Bijv.: inwoners vanaf 18 jaar met "
            "betalingsachterstanden; niet bij een lopende WSNP."
        )
        self.min_age = line_edit("serviceMinAge", _age(value.minimum_age), "bijv. 18")
        self.max_age = line_edit("serviceMaxAge", _age(value.maximum_age), "bijv. 23")
        for edit in (self.min_age, self.max_age):
            edit.setMaximumWidth(90)
        self.fees = text_edit("serviceFees", value.fees_description, 48)
        self.contract = QComboBox()
        self.contract.setObjectName("serviceContract")
        for label, _known in CONTRACT_CHOICES:
            self.contract.addItem(label, _CONTRACT_DATA[_known])
        self.contract.setCurrentIndex(
            max(self.contract.findData(_CONTRACT_DATA[value.municipal_contract]), 0)
        )
        self.contract.setToolTip("Zonder contract met de gemeente betaalt de patiënt zelf")
        self.application = text_edit("serviceApplication", value.application_process, 72)
        self.application.setPlaceholderText(
            "Hoe meldt de patiënt zich aan, en wat gebeurt er daarna? Bijv.: u belt, binnen "
            "twee weken een intake, daarna een plan."
        )
        self.wait_time = line_edit("serviceWaitTime", value.wait_time, "bijv. ongeveer 6 weken")
        named(self.min_age, "Leeftijd vanaf")
        named(self.max_age, "Leeftijd tot en met")
        ages = QHBoxLayout()
        ages.addWidget(QLabel("van"))
        ages.addWidget(self.min_age)
        ages.addWidget(QLabel("tot en met"))
        ages.addWidget(self.max_age)
        ages.addWidget(QLabel("jaar (leeg: geen grens)"))
        ages.addStretch(1)
        age_errors = QVBoxLayout()
        age_errors.setSpacing(2)
        age_errors.addLayout(ages)
        age_errors.addWidget(e.label(checks.MIN_AGE, tab))
        age_errors.addWidget(e.label(checks.MAX_AGE, tab))
        grid = form_page(self)
        grid.addRow("Voor wie\n(verwi&jscriteria)", self.eligibility)
        grid.addRow("Leeftijd", age_errors)
        grid.addRow("Ko&sten", self.fees)
        grid.addRow("Contract &gemeente", self.contract)
        grid.addRow("Aa&nmelden\nen daarna", self.application)
        grid.addRow("Wac&httijd", self.wait_time)

    def contract_value(self) -> bool | None:
        """The chosen municipal contract: True, False or None (not known)."""
        data = self.contract.currentData()
        return next((known for known, index in _CONTRACT_DATA.items() if index == data), None)


class LocationPage(QWidget):
    """Waar: an existing address or a new one, and who else is at that address.

    An address can be shared by several services, so the page warns that changing it changes it
    for them too.
    """

    def __init__(
        self, form: ServiceForm, choices: FormChoices, errors: FieldErrors, tab: int
    ) -> None:
        super().__init__()
        e = errors
        value = form.location
        self.choices = choices
        self.stored_location_id = value.location_id
        self.location = QComboBox()
        self.location.setObjectName("serviceLocation")
        self.location.addItem("Nieuw adres (of geen)", None)
        for choice in choices.locations:
            self.location.addItem(choice.label, choice.id)
        self.location.setCurrentIndex(max(self.location.findData(value.location_id), 0))
        self.location_name = line_edit("locationName", value.name, "bijv. Wijkcentrum De Brug")
        self.address = line_edit("locationAddress", value.address_1, "Straat en huisnummer")
        self.postcode = line_edit("locationPostcode", value.postal_code, "3118 AB")
        self.postcode.setMaximumWidth(110)
        self.city = line_edit("locationCity", value.city, "Schiedam")
        named(self.postcode, "Postcode")
        named(self.city, "Plaats")
        self.transportation = line_edit("locationTransport", value.transportation, "bijv. tram 24")
        self.shared = note("")
        self.phone = line_edit("servicePhone", form.phone, "bijv. 010-123 45 67")
        place = QHBoxLayout()
        place.addWidget(with_error(self.postcode, e.label(checks.POSTCODE, tab)))
        place.addWidget(with_error(self.city, e.label(checks.CITY, tab)), 1)
        grid = form_page(self)
        grid.addRow("Locat&ie", with_error(self.location, self.shared))
        grid.addRow("&Naam locatie", self.location_name)
        grid.addRow("A&dres", with_error(self.address, e.label(checks.ADDRESS, tab)))
        grid.addRow("Postcode, plaats", place)
        grid.addRow("&Bereikbaarheid", self.transportation)
        grid.addRow("Algemeen n&ummer", with_error(self.phone, e.label(checks.PHONE, tab)))
        self.location.currentIndexChanged.connect(self._location_chosen)
        self._show_shared(form.location_shared_with)

    def _location_chosen(self) -> None:
        chosen = self.location.currentData()
        choice = next((c for c in self.choices.locations if c.id == chosen), None)
        if choice is None:
            for edit in (self.location_name, self.address, self.postcode, self.city):
                edit.clear()
            self.transportation.clear()
            self._show_shared(())
            return
        value = choice.value
        self.location_name.setText(value.name)
        self.address.setText(value.address_1)
        self.postcode.setText(value.postal_code)
        self.city.setText(value.city)
        self.transportation.setText(value.transportation)
        others = choice.services - (1 if chosen == self.stored_location_id else 0)
        self._show_shared(() if others <= 0 else (f"{others} andere voorzieningen",))

    def _show_shared(self, names: Sequence[str]) -> None:
        if not names:
            self.shared.setText("")
            self.shared.hide()
            return
        shown = ", ".join(names[:3]) + (f" en {len(names) - 3} andere" if len(names) > 3 else "")
        self.shared.setText(
            f"Dit adres hoort ook bij {shown}. Wijzigt u het adres, dan geldt dat ook daar; "
            "kies 'Nieuw adres' als deze voorziening is verhuisd."
        )
        self.shared.show()


class AreaPage(QWidget):
    """Werkgebied: the postcodes that decide which wijkteam gets a signal, checked as typed."""

    def __init__(self, form: ServiceForm, errors: FieldErrors, tab: int) -> None:
        super().__init__()
        self.errors = errors
        value = form.area
        self.postcodes = line_edit("areaPostcodes", value.postcodes, "bijv. 3118-3119, 3121")
        self.postcodes_check = QLabel()
        self.postcodes_check.setObjectName("areaCheck")
        self.postcodes_check.setWordWrap(True)
        self.area_name = line_edit("areaName", value.name, "bijv. Nieuwland")
        self.wijk = line_edit("areaWijk", value.wijk, "bijv. Nieuwland, Schiedam-Noord")
        self.postcodes.textChanged.connect(self._check_postcodes)
        grid = form_page(
            self,
            "De postcodes bepalen welk wijkteam een signaal krijgt. Een postcode buiten elk "
            "werkgebied gaat naar het centrale loket.",
        )
        named(self.postcodes, "Postcodes (PC4)", "bijv. 3118-3119, 3121")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.postcodes)
        box.addWidget(self.postcodes_check)
        box.addWidget(errors.label(checks.AREA, tab))
        grid.addRow("Postcodes (PC4)", box)
        grid.addRow("&Naam gebied", self.area_name)
        grid.addRow("Wi&jken", self.wijk)
        self._check_postcodes()

    def _check_postcodes(self) -> None:
        """Say at once whether the postcodes are understood (no database needed)."""
        self.errors.labels[checks.AREA].hide()  # the live check takes over from a saved error
        self.postcodes_check.show()
        text = self.postcodes.text()
        try:
            ranges = checks.clean_ranges(text)
        except ValidationError as exc:
            set_tone(self.postcodes_check, "error")
            self.postcodes_check.setText(next(iter(exc.problems.values())))
            return
        set_tone(self.postcodes_check, "success")
        self.postcodes_check.setText(
            f"✔ Herkend: {format_ranges(ranges)}" if ranges else "Geen postcodes: geen werkgebied."
        )


class AgreementPage(QWidget):
    """Terugkoppeling: what a team that receives signals agreed to report back, and how."""

    def __init__(self, form: ServiceForm, errors: FieldErrors, tab: int) -> None:
        super().__init__()
        e = errors
        value = form.agreement or FeedbackAgreementInput(None)
        self.confirm_days = QSpinBox()
        self.confirm_days.setObjectName("agreementDays")
        self.confirm_days.setRange(0, checks.MAX_CONFIRM_DAYS)
        self.confirm_days.setSpecialValueText("geen afspraak")
        self.confirm_days.setSuffix(" werkdagen")
        self.confirm_days.setMinimumWidth(160)
        self.confirm_days.setMaximumWidth(200)
        days = value.confirm_within_working_days
        self.confirm_days.setValue(int(str(days)) if str(days or "").isdigit() else 0)
        self.letter = QCheckBox("Het team stuurt een brief als de hulp is afgesloten")
        self.letter.setObjectName("agreementLetter")
        self.letter.setChecked(value.letter_at_closure)
        self.channel = QComboBox()
        self.channel.setObjectName("agreementChannel")
        self.channel.setEditable(True)
        self.channel.addItems(CHANNELS)
        self.channel.setCurrentText(value.channel)
        self.channel.setMaximumWidth(320)
        self.agreement_notes = text_edit("agreementNotes", value.notes, 90)
        grid = form_page(
            self,
            "Wat dit team met de praktijk heeft afgesproken. gpdesk gebruikt de termijn om "
            "te laten zien welke signalen nog geen bevestiging hebben.",
        )
        grid.addRow(
            "&Bevestiging binnen",
            with_error(self.confirm_days, e.label(checks.CONFIRM_DAYS, tab)),
        )
        grid.addRow("", self.letter)
        grid.addRow("V&ia", with_error(self.channel, e.label(checks.CHANNEL, tab)))
        grid.addRow("Af&spraken", self.agreement_notes)
