"""The kaart's edit dialogs: a service (in tabs), an organisation, a contact.

Layout only. Each dialog shows the values it was given, and on Opslaan emits ``submitted`` with
a frozen input for ``gpdesk.kaart.editing``; it never closes itself. The controller saves in the
background and then either closes the dialog or hands the Dutch messages back with
``show_errors``: they appear in red under their fields, the tab with a problem gets a ⚠, and
everything typed stays where it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import ValidationError
from gpdesk.kaart import editing_checks as checks
from gpdesk.kaart.editing import (
    AreaInput,
    ContactInput,
    FeedbackAgreementInput,
    LocationInput,
    OrganizationInput,
    ServiceInput,
    ServiceSave,
)
from gpdesk.kaart.editing_forms import ContactRow, FormChoices, OrganizationForm, ServiceForm
from gpdesk.kaart.editing_people import SIGNAL_KINDS
from gpdesk.kaart.postcodes import format_ranges
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.ui.beheer.kaart_models import (
    ChoiceDelegate,
    ContactsModel,
    FixedContactsModel,
    RulesModel,
)

CHANNELS = ("Zorgmail", "Beveiligde e-mail", "Telefoon", "Post")
_OK_STYLE = "color: #2d5e2d;"
_NOTE_STYLE = "color: #4a555c;"


class FieldErrors:
    """Red Dutch messages under the fields they are about, and which tab each field is on."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}
        self.tabs: dict[str, int] = {}

    def label(self, key: str, tab: int = -1) -> QLabel:
        """The (hidden) message label for ``key``."""
        label = QLabel()
        label.setObjectName("fieldError")
        label.setProperty("field", key)
        label.setWordWrap(True)
        label.hide()
        self.labels[key] = label
        self.tabs[key] = tab
        return label

    def show(self, problems: Mapping[str, str]) -> list[str]:
        """Show each message under its field; returns the messages that have no field here."""
        for key, label in self.labels.items():
            text = problems.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))
        return [text for key, text in problems.items() if key not in self.labels]

    def text(self, key: str) -> str:
        """The message shown for ``key`` ("" when none)."""
        label = self.labels.get(key)
        return "" if label is None or label.isHidden() else label.text()


def _field(widget: QWidget, error: QLabel) -> QWidget:
    """A field with its message label underneath."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    layout.addWidget(error)
    return box


def _line(name: str, text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def _text(name: str, text: str = "", height: int = 64) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(_NOTE_STYLE)
    return label


def _table(model: object, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)  # type: ignore[arg-type]
    view.verticalHeader().hide()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _form_page(note: str = "") -> tuple[QWidget, QFormLayout]:
    """A tab page: an optional explanation on top, then rows that stay at the top."""
    page = QWidget()
    outer = QVBoxLayout(page)
    if note:
        outer.addWidget(_note(note))
    form = QFormLayout()
    outer.addLayout(form)
    outer.addStretch(1)
    return page, form


def _age(value: int | str | None) -> str:
    return "" if value is None else str(value)


class EditorDialog(QDialog):
    """What every kaart dialog shares: Opslaan/Annuleren, busy state, messages."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.errors = FieldErrors()
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.notice = QLabel()
        self.notice.setObjectName("warning")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Opslaan")
        self.save_button.setObjectName("kaartSave")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def footer(self) -> QWidget:
        """Messages and buttons, for the bottom of the layout."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        return box

    def submit(self) -> None:
        """Collect the input and emit it (subclasses)."""
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        """While saving: no second click, and say so."""
        self.save_button.setEnabled(not busy)
        if busy:
            self.message.hide()
            self.notice.setText("Bezig met opslaan…")
            self.notice.show()
        else:
            self.notice.hide()

    def show_errors(self, problems: Mapping[str, str]) -> None:
        """Red messages under the fields; anything without a field goes at the bottom."""
        self.set_busy(False)
        rest = self.errors.show(problems)
        if rest:
            self.show_message(" ".join(rest))
        else:
            self.show_message("Controleer de rood gemelde velden." if problems else "")

    def show_message(self, text: str) -> None:
        """A message at the bottom (or none)."""
        self.set_busy(False)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_notice(self, text: str) -> None:
        """Something to know, not an error (a contact who left was someone's deputy)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))


# --- organisation ------------------------------------------------------------------------------


class OrganizationDialog(EditorDialog):
    """Name, description and contact details of an organisation."""

    submitted = Signal(object)

    def __init__(self, form: OrganizationForm | None = None, parent: QWidget | None = None) -> None:
        value = form.value if form is not None else OrganizationInput(name="")
        super().__init__("Organisatie bewerken" if form else "Nieuwe organisatie", parent)
        self.organization_id = None if form is None else form.organization_id
        self.name = _line("orgName", value.name, "bijv. Stichting Welzijn Schiedam")
        self.alternate_name = _line("orgAlternateName", value.alternate_name)
        self.description = _text("orgDescription", value.description, 80)
        self.email = _line("orgEmail", value.email, "info@voorbeeld.nl")
        self.website = _line("orgWebsite", value.website, "https://www.voorbeeld.nl")
        e = self.errors
        form_layout = QFormLayout()
        form_layout.addRow("Naam *", _field(self.name, e.label(checks.NAME)))
        form_layout.addRow("Andere naam", self.alternate_name)
        form_layout.addRow("Beschrijving", self.description)
        form_layout.addRow("E-mail", _field(self.email, e.label(checks.EMAIL)))
        form_layout.addRow("Website", _field(self.website, e.label(checks.WEBSITE)))
        layout = QVBoxLayout(self)
        layout.addLayout(form_layout)
        if form is not None and form.services:
            names = ", ".join(form.services[:6]) + (" …" if len(form.services) > 6 else "")
            layout.addWidget(_note(f"Voorzieningen van deze organisatie: {names}"))
        layout.addStretch(1)
        layout.addWidget(self.footer())
        self.resize(560, 380)

    def value(self) -> OrganizationInput:
        """What is typed now."""
        return OrganizationInput(
            name=self.name.text(),
            alternate_name=self.alternate_name.text(),
            description=self.description.toPlainText(),
            email=self.email.text(),
            website=self.website.text(),
        )

    def submit(self) -> None:
        """Hand the input to the controller."""
        self.submitted.emit(self.value())


# --- contact -----------------------------------------------------------------------------------


class ContactDialog(EditorDialog):
    """A named person: name, function, e-mail, direct number, and who stands in."""

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
        self.name = _line("contactName", value.name, "Voor- en achternaam")
        self.title = _line("contactTitle", value.title, "bijv. wijkcoach")
        self.department = _line("contactDepartment", value.department)
        self.email = _line("contactEmail", value.email, "naam@voorbeeld.nl")
        self.phone = _line("contactPhone", value.phone, "bijv. 010-123 45 67")
        self.deputy = QComboBox()
        self.deputy.setObjectName("contactDeputy")
        self.deputy.addItem("– geen vervanger –", None)
        for other in colleagues:
            if other.id != self.contact_id:
                self.deputy.addItem(other.name, other.id)
        self.deputy.setCurrentIndex(max(self.deputy.findData(value.deputy_contact_id), 0))
        e = self.errors
        form = QFormLayout()
        form.addRow("Naam *", _field(self.name, e.label(checks.NAME)))
        form.addRow("Functie", self.title)
        form.addRow("Afdeling", self.department)
        form.addRow("E-mail", _field(self.email, e.label(checks.EMAIL)))
        form.addRow("Direct nummer", _field(self.phone, e.label(checks.PHONE)))
        form.addRow("Vervanger", _field(self.deputy, e.label(checks.DEPUTY)))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if contact is not None and contact.stands_in_for:
            layout.addWidget(_note(f"Is zelf vervanger van: {', '.join(contact.stands_in_for)}."))
        layout.addWidget(
            _note(
                "Elke contactpersoon heeft bij voorkeur een vervanger, voor als hij of zij er "
                "niet is of vertrekt."
            )
        )
        layout.addStretch(1)
        layout.addWidget(self.footer())
        self.resize(520, 400)

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


# --- service -----------------------------------------------------------------------------------


class ServiceDialog(EditorDialog):
    """A service in tabs, so the whole of it fits on a 1366×768 screen without scrolling.

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
        self.title = QLabel(form.service.name or "Nieuwe voorziening")
        self.title.setObjectName("sectionTitle")
        self.checked = QLabel(self._checked_text(form))
        self.checked.setObjectName("warning" if form.stale and form.service_id else "pageSummary")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("serviceTabs")
        self.tabs.addTab(self._general(form, choices), self.TAB_TITLES[0])
        self.tabs.addTab(self._who(form), self.TAB_TITLES[1])
        self.tabs.addTab(self._where(form, choices), self.TAB_TITLES[2])
        self.tabs.addTab(self._when(form), self.TAB_TITLES[3])
        self.tabs.addTab(self._contacts(form), self.TAB_TITLES[4])
        self.tabs.addTab(self._area(form), self.TAB_TITLES[5])
        self.tabs.addTab(self._agreement(form), self.TAB_TITLES[6])
        self.tabs.addTab(self._fixed(form, choices), self.TAB_TITLES[7])
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.checked)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.footer())
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.setMinimumSize(QSize(820, 560))
        self.resize(1000, 660)

    @staticmethod
    def _checked_text(form: ServiceForm) -> str:
        if form.service_id is None:
            return ""
        if form.assured_date is None:
            return "⚠ Nog nooit gecontroleerd"
        when = form.assured_date.strftime("%d-%m-%Y")
        who = f" door {form.assured_by}" if form.assured_by else ""
        return f"{'⚠ Verouderd: ' if form.stale else ''}gecontroleerd op {when}{who}"

    # -- tabs ---------------------------------------------------------------------------------

    def _general(self, form: ServiceForm, choices: FormChoices) -> QWidget:
        value = form.service
        e, tab = self.errors, self.TAB_GENERAL
        self.name = _line("serviceName", value.name, "bijv. Wijkteam Nieuwland")
        self.alternate_name = _line("serviceAlternateName", value.alternate_name)
        self.organization = QComboBox()
        self.organization.setObjectName("serviceOrganization")
        self.organization.addItem("– kies een organisatie –", "")
        for org in choices.organizations:
            self.organization.addItem(org.label, org.id)
        self.organization.setCurrentIndex(max(self.organization.findData(value.organization_id), 0))
        self.kind = QComboBox()
        self.kind.setObjectName("serviceKind")
        for kind in ServiceKind:
            self.kind.addItem(kind.label, kind)
        self.kind.setCurrentIndex(max(self.kind.findData(ServiceKind(value.kind)), 0))
        self.status = QComboBox()
        self.status.setObjectName("serviceStatus")
        for status in ServiceStatus:
            self.status.addItem(status.label, status)
        self.status.setCurrentIndex(max(self.status.findData(ServiceStatus(value.status)), 0))
        self.description = _text("serviceDescription", value.description, 70)
        self.url = _line("serviceUrl", value.url, "https://www.voorbeeld.nl")
        self.email = _line("serviceEmail", value.email, "info@voorbeeld.nl")
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
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind, 1)
        kind_row.addWidget(QLabel("Status"))
        kind_row.addWidget(self.status, 1)
        page, grid = _form_page()
        grid.addRow("Naam *", _field(self.name, e.label(checks.NAME, tab)))
        grid.addRow("Andere naam", self.alternate_name)
        grid.addRow("Organisatie *", _field(self.organization, e.label(checks.ORGANIZATION, tab)))
        grid.addRow("Soort", kind_row)
        grid.addRow("Wat het is", self.description)
        grid.addRow("Website", _field(self.url, e.label(checks.WEBSITE, tab)))
        grid.addRow("E-mail", _field(self.email, e.label(checks.EMAIL, tab)))
        grid.addRow("Thema's", _field(self.themes, e.label(checks.THEMES, tab)))
        return page

    def _who(self, form: ServiceForm) -> QWidget:
        value = form.service
        e, tab = self.errors, self.TAB_WHO
        self.eligibility = _text("serviceEligibility", value.eligibility_description, 80)
        self.min_age = _line("serviceMinAge", _age(value.minimum_age), "bijv. 18")
        self.max_age = _line("serviceMaxAge", _age(value.maximum_age), "bijv. 23")
        for edit in (self.min_age, self.max_age):
            edit.setMaximumWidth(90)
        self.fees = _text("serviceFees", value.fees_description, 56)
        self.application = _text("serviceApplication", value.application_process, 80)
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
        page, grid = _form_page()
        grid.addRow("Voor wie", self.eligibility)
        grid.addRow("Leeftijd", age_errors)
        grid.addRow("Kosten", self.fees)
        grid.addRow("Aanmelden", self.application)
        return page

    def _where(self, form: ServiceForm, choices: FormChoices) -> QWidget:
        e, tab = self.errors, self.TAB_WHERE
        value = form.location
        self.location = QComboBox()
        self.location.setObjectName("serviceLocation")
        self.location.addItem("Nieuw adres (of geen)", None)
        for choice in choices.locations:
            self.location.addItem(choice.label, choice.id)
        self.location.setCurrentIndex(max(self.location.findData(value.location_id), 0))
        self.location_name = _line("locationName", value.name, "bijv. Wijkcentrum De Brug")
        self.address = _line("locationAddress", value.address_1, "Straat en huisnummer")
        self.postcode = _line("locationPostcode", value.postal_code, "3118 AB")
        self.postcode.setMaximumWidth(110)
        self.city = _line("locationCity", value.city, "Schiedam")
        self.transportation = _line("locationTransport", value.transportation, "bijv. tram 24")
        self.shared = _note("")
        self.phone = _line("servicePhone", form.phone, "bijv. 010-123 45 67")
        place = QHBoxLayout()
        place.addWidget(_field(self.postcode, e.label(checks.POSTCODE, tab)))
        place.addWidget(_field(self.city, e.label(checks.CITY, tab)), 1)
        page, grid = _form_page()
        grid.addRow("Locatie", _field(self.location, self.shared))
        grid.addRow("Naam locatie", self.location_name)
        grid.addRow("Adres", _field(self.address, e.label(checks.ADDRESS, tab)))
        grid.addRow("Postcode, plaats", place)
        grid.addRow("Bereikbaarheid", self.transportation)
        grid.addRow("Algemeen nummer", _field(self.phone, e.label(checks.PHONE, tab)))
        self.location.currentIndexChanged.connect(self._location_chosen)
        self._show_shared(form.location_shared_with)
        return page

    def _when(self, form: ServiceForm) -> QWidget:
        self.rules = RulesModel(self)
        self.rules.set_rows(form.rules)
        self.rules_view = _table(self.rules, "rulesView")
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
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                "Eén regel per tijdvak. Dagen: ma, di, wo, do, vr, za, zo, of een reeks zoals "
                "ma-vr. Tijden als 09:00 (24:00 voor tot middernacht). Soort 'inloop' is het "
                "inloopspreekuur zonder afspraak. Dubbelklik om te wijzigen."
            )
        )
        layout.addWidget(self.rules_view, 1)
        layout.addWidget(self.errors.label(checks.HOURS, self.TAB_WHEN))
        layout.addLayout(buttons)
        return page

    def _contacts(self, form: ServiceForm) -> QWidget:
        self.contacts = ContactsModel(self)
        self.contacts.set_rows(form.contacts)
        self.contacts_view = _table(self.contacts, "contactsView")
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
        self.new_contact.clicked.connect(self.contact_new_requested)
        self.edit_contact.clicked.connect(self._edit_contact)
        self.leave_contact.clicked.connect(self._leave_contact)
        self.contacts_view.doubleClicked.connect(self._edit_contact)
        self.contacts_status = QLabel()
        self.contacts_status.setObjectName("warning")
        self.contacts_status.setWordWrap(True)
        self.contacts_status.hide()
        buttons = QHBoxLayout()
        for button in (self.new_contact, self.edit_contact, self.leave_contact):
            buttons.addWidget(button)
        buttons.addStretch(1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                "Contactpersonen worden meteen opgeslagen. Een ⚠ betekent: langer dan 6 maanden "
                "niet gecontroleerd."
                if form.service_id
                else "Sla de voorziening eerst op; daarna kunt u contactpersonen toevoegen."
            )
        )
        layout.addWidget(self.contacts_view, 1)
        layout.addWidget(self.contacts_status)
        layout.addLayout(buttons)
        page.setEnabled(form.service_id is not None)
        return page

    def _area(self, form: ServiceForm) -> QWidget:
        e, tab = self.errors, self.TAB_AREA
        value = form.area
        self.postcodes = _line("areaPostcodes", value.postcodes, "bijv. 3118-3119, 3121")
        self.postcodes_check = QLabel()
        self.postcodes_check.setObjectName("areaCheck")
        self.postcodes_check.setWordWrap(True)
        self.area_name = _line("areaName", value.name, "bijv. Nieuwland")
        self.wijk = _line("areaWijk", value.wijk, "bijv. Nieuwland, Schiedam-Noord")
        self.postcodes.textChanged.connect(self._check_postcodes)
        page, grid = _form_page(
            "De postcodes bepalen welk wijkteam een signaal krijgt. Een postcode buiten elk "
            "werkgebied gaat naar het centrale loket."
        )
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.postcodes)
        box.addWidget(self.postcodes_check)
        box.addWidget(e.label(checks.AREA, tab))
        grid.addRow("Postcodes (PC4)", box)
        grid.addRow("Naam gebied", self.area_name)
        grid.addRow("Wijken", self.wijk)
        self._check_postcodes()
        return page

    def _agreement(self, form: ServiceForm) -> QWidget:
        e, tab = self.errors, self.TAB_AGREEMENT
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
        self.agreement_notes = _text("agreementNotes", value.notes, 90)
        page, grid = _form_page(
            "Wat dit team met de praktijk heeft afgesproken. gpdesk gebruikt de termijn om "
            "te laten zien welke signalen nog geen bevestiging hebben."
        )
        grid.addRow(
            "Bevestiging binnen", _field(self.confirm_days, e.label(checks.CONFIRM_DAYS, tab))
        )
        grid.addRow("", self.letter)
        grid.addRow("Via", _field(self.channel, e.label(checks.CHANNEL, tab)))
        grid.addRow("Afspraken", self.agreement_notes)
        return page

    def _fixed(self, form: ServiceForm, choices: FormChoices) -> QWidget:
        self.fixed = FixedContactsModel(self)
        self.fixed.set_choices(choices.themes, form.contacts)
        self.fixed.set_rows(form.fixed_contacts)
        self.fixed_view = _table(self.fixed, "fixedView")
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
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                "Met wie werkt onze praktijk bij dit team? Per thema kan een andere vaste "
                "contactpersoon gelden. Deze afspraken blijven in de praktijk en worden nooit "
                "gedeeld of geëxporteerd. Dubbelklik om te wijzigen."
            )
        )
        layout.addWidget(self.fixed_view, 1)
        for key in (checks.FIXED_CONTACT, checks.DIRECT_LINE):
            layout.addWidget(self.errors.label(key, self.TAB_FIXED))
        layout.addLayout(buttons)
        page.setEnabled(form.service_id is not None)
        return page

    # -- behaviour ------------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        """A terugkoppelafspraak only exists with a team that receives signals."""
        self.tabs.setTabVisible(self.TAB_AGREEMENT, self.kind.currentData() in SIGNAL_KINDS)
        self.tabs.setTabVisible(self.TAB_FIXED, self.kind.currentData() in SIGNAL_KINDS)

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
        others = choice.services - (1 if chosen == self.form.location.location_id else 0)
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

    def _check_postcodes(self) -> None:
        """Say at once whether the postcodes are understood (no database needed)."""
        self.errors.labels[checks.AREA].hide()  # the live check takes over from a saved error
        self.postcodes_check.show()
        text = self.postcodes.text()
        try:
            ranges = checks.clean_ranges(text)
        except ValidationError as exc:
            self.postcodes_check.setStyleSheet("color: #a4262c;")
            self.postcodes_check.setText(next(iter(exc.problems.values())))
            return
        self.postcodes_check.setStyleSheet(_OK_STYLE)
        self.postcodes_check.setText(
            f"✔ Herkend: {format_ranges(ranges)}" if ranges else "Geen postcodes: geen werkgebied."
        )

    def _add_rule(self) -> None:
        row = self.rules.add_row()
        index = self.rules.index(row, 0)
        self.rules_view.setCurrentIndex(index)
        self.rules_view.edit(index)

    def _add_fixed(self) -> None:
        row = self.fixed.add_row()
        index = self.fixed.index(row, 1)
        self.fixed_view.setCurrentIndex(index)
        self.fixed_view.edit(index)

    def selected_contact(self) -> ContactRow | None:
        """The contact selected in the contacts tab."""
        rows = self.contacts_view.selectionModel().selectedRows()
        return self.contacts.rows[rows[0].row()] if rows else None

    def _edit_contact(self) -> None:
        contact = self.selected_contact()
        if contact is not None:
            self.contact_edit_requested.emit(contact.id)

    def _leave_contact(self) -> None:
        contact = self.selected_contact()
        if contact is not None:
            self.contact_leave_requested.emit(contact.id)

    def set_people(self, form: ServiceForm) -> None:
        """New contacts and fixed contacts after a contact was added, changed or left."""
        self.contacts.set_rows(form.contacts)
        self.fixed.set_choices(self.choices.themes, form.contacts)
        self.fixed.set_rows(form.fixed_contacts)
        self.form = form

    def show_contacts_status(self, text: str) -> None:
        """What happened to a contact (and whom it affects), under the contacts table."""
        self.contacts_status.setText(text)
        self.contacts_status.setVisible(bool(text))

    # -- saving ---------------------------------------------------------------------------------

    def value(self) -> ServiceSave:
        """Everything typed now, as one save."""
        self.buttons.setFocus()  # an open cell editor hands its text to the model
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
