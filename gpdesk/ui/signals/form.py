"""The "Signaal wijkteam" form: one panel, top to bottom, for a GP with seconds to spare.

Team (chosen for the patient, changeable) · thema (chips; a chip puts its template in an
empty question) · hulpvraag · route (afspraak by default) · urgent (with the plain notice that
emergencies go by phone) · what is sent, ticked per data item from the patient's consent ·
namens (a POH-GGZ or assistant picks the GP) · the privénotitie, grey and apart, that stays in
the practice · [Voorbeeld] [Verstuur].

The common path needs three keys: Ctrl+Shift+S opens the form with the theme chips in focus,
Space picks a theme and puts the cursor in the question at its first "…", Ctrl+Enter sends.
Enter sends from single-line fields (Verstuur is the default button); Esc closes, and asks
first when typed text would be lost. After sending, the same window says where the signal is
(postvak uit) and offers the patient handout.

The form lays out and reports; ``SignalController`` decides and does the work. It never
shows patient data in its window title.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.models.consent import DataItem, NoConsentGround
from gpdesk.patients.context import PatientContext
from gpdesk.patients.validation import format_birth_date, format_postcode
from gpdesk.signals.consent import GROUND_EXPLANATIONS, ConsentScope, dutch_date
from gpdesk.signals.outgoing import DEFAULT_ITEMS, EMERGENCY_NOTICE, THEMES, Route, Theme
from gpdesk.ui.accessible import named
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.sizing import fit_to_screen, scrolling
from gpdesk.ui.theme import scaled

TITLE = "Signaal wijkteam"
"""The window title: never a patient's name."""
PLACEHOLDER = "…"
"""Where a theme's template wants the user's words."""
SEND_KEYS = ("Ctrl+Return", "Ctrl+Enter")
"""Verstuur from anywhere in the form (Enter in a single-line field too: the default button)."""
PREVIEW_KEY = "Ctrl+Shift+P"
HANDOUT_KEY = "Ctrl+P"
"""Print voor patiënt, on the page that says the signal was sent."""
RECORD_CONSENT = "&Toestemming vastleggen…"

ROUTE_TEXT = {
    Route.APPOINTMENT: "&Afspraak (aanbevolen)",
    Route.WALK_IN: "&Inloopspreekuur",
    Route.WARM_HANDOVER: "&Warme overdracht nu",
    Route.TEAM_CALLS: "Het team &belt de patiënt",
}
ITEM_ORDER = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.POSTCODE,
    DataItem.BIRTH_DATE,
    DataItem.QUESTION,
    DataItem.MEDICAL,
)
ALWAYS_SENT = frozenset({DataItem.NAME, DataItem.QUESTION})
"""A signal without the name or the question means nothing; their ticks cannot be taken off."""


@dataclass(frozen=True)
class TeamView:
    """One team the form offers, in the words the screen shows (made by the controller)."""

    id: str
    title: str
    """E.g. "Wijkteam Nieuwland (Stichting Wijkteams Schiedam)"."""
    details: str
    """The named contact, deputy and phone, as one line."""
    organisation: str
    walk_in: str | None = None
    """The next walk-in hour, "donderdag 10 december 09:00–11:00", if the team has one."""
    in_practice_today: bool = False


@dataclass(frozen=True)
class FormInput:
    """What the user filled in, as plain values (the controller turns it into a request)."""

    team_id: str | None
    themes: tuple[str, ...]
    question: str
    route: Route
    urgent: bool
    items: frozenset[DataItem]
    phone: str | None
    medical: str | None
    private_note: str | None
    on_behalf_of: str | None
    without_consent: bool
    ground: NoConsentGround | None
    reason: str


def _caption(text: str, buddy: QWidget | None = None) -> QLabel:
    label = QLabel(text)
    label.setObjectName("signalCaption")
    if buddy is not None:
        label.setBuddy(buddy)
    return label


def _error() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def _chip(theme: Theme) -> QToolButton:
    chip = QToolButton()
    chip.setObjectName(f"signalTheme_{theme.code}")
    chip.setProperty("chip", True)
    chip.setText(theme.label)
    chip.setToolTip(f"Thema: {theme.label}. Een leeg veld krijgt een begin van de hulpvraag.")
    chip.setCheckable(True)
    chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return chip


class QuestionEdit(QPlainTextEdit):
    """The hulpvraag: Tab leaves the box (a question needs no tab characters)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)


class SignalForm(QDialog):
    """The signal form for the patient in the banner; see the module note."""

    preview_requested = Signal()
    send_requested = Signal()
    consent_requested = Signal()
    team_chosen = Signal(str)
    themes_changed = Signal()
    handout_requested = Signal()
    set_aside = Signal(object)
    """Closed from outside (the lock) with typed text: the ``FormInput``, to restore later."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        is_gp: bool,
        acts_for_gp: bool,
        themes: tuple[Theme, ...] = THEMES,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signalForm")
        self.setWindowTitle(TITLE)  # never the patient: titles end up in task bars and logs
        self._themes = themes
        self._teams: list[TeamView] = []
        self._template: str | None = None
        self._busy = False
        self._discarded = False
        self._consent_key: tuple[str, int | None] | None = None
        self.discard_box: QMessageBox | None = None
        self.errors: dict[str, QLabel] = {}

        self._patient: PatientContext | None = None

        # -- who ---------------------------------------------------------------------------
        self.who = QLabel()
        self.who.setObjectName("signalPatient")
        self.who.setTextFormat(Qt.TextFormat.PlainText)

        # -- team --------------------------------------------------------------------------
        self.team = QComboBox()
        self.team.setObjectName("signalTeam")
        self.team.setToolTip("Het team voor het adres en de leeftijd van de patiënt; u kunt kiezen")
        self.team.addItem("Team wordt gezocht…")
        self.team.setEnabled(False)
        self.team.activated.connect(self._team_activated)
        self.team_details = QLabel()
        self.team_details.setObjectName("signalTeamDetails")
        self.team_details.setWordWrap(True)
        self.team_details.setTextFormat(Qt.TextFormat.PlainText)
        self.in_practice = QLabel("vandaag in de praktijk")
        self.in_practice.setObjectName("signalInPractice")
        self.in_practice.hide()
        self.explanation = QLabel()
        self.explanation.setObjectName("signalExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.hide()
        self.involved = QLabel()
        self.involved.setObjectName("signalInvolved")
        self.involved.setWordWrap(True)
        self.involved.setTextFormat(Qt.TextFormat.PlainText)
        self.involved.hide()
        self.errors["team"] = _error()

        # -- themes ------------------------------------------------------------------------
        self.chips: dict[str, QToolButton] = {}
        chips_box = QWidget()
        chips_flow = FlowLayout(chips_box, spacing=6)
        for theme in themes:
            chip = _chip(theme)
            chip.toggled.connect(lambda on, t=theme: self._theme_toggled(t, on))
            chip.installEventFilter(self)
            self.chips[theme.code] = chip
            chips_flow.addWidget(chip)
        self.errors["themas"] = _error()

        # -- question ----------------------------------------------------------------------
        self.question = QuestionEdit()
        self.question.setObjectName("signalQuestion")
        self.question.setPlaceholderText(
            "Wat moet het team weten of doen? Kies een thema voor een begin. Ctrl+Enter verstuurt."
        )
        self.question.setMinimumHeight(72)
        self.question.setMaximumHeight(120)
        self.errors["vraag"] = _error()

        # -- route -------------------------------------------------------------------------
        self.routes: dict[Route, QRadioButton] = {}
        self.route_group = QButtonGroup(self)
        route_row = QHBoxLayout()
        route_row.setSpacing(14)
        for route in Route:
            button = QRadioButton(ROUTE_TEXT[route])
            button.setObjectName(f"signalRoute_{route.value}")
            self.routes[route] = button
            self.route_group.addButton(button)
            route_row.addWidget(button)
        route_row.addStretch(1)
        self.routes[Route.APPOINTMENT].setChecked(True)
        self.routes[Route.APPOINTMENT].setToolTip(
            "Aanbevolen: bij de inloop komen veel patiënten niet opdagen."
        )
        self.routes[Route.WALK_IN].setEnabled(False)
        self.walk_in = QLabel()
        self.walk_in.setObjectName("signalMuted")
        self.walk_in.setTextFormat(Qt.TextFormat.PlainText)
        self.walk_in.hide()
        self.errors["route"] = _error()

        # -- urgent ------------------------------------------------------------------------
        self.urgent = QCheckBox("&Urgent")
        self.urgent.setObjectName("signalUrgent")
        self.emergency = QLabel(EMERGENCY_NOTICE)
        self.emergency.setObjectName("signalEmergency")
        self.emergency.setWordWrap(True)
        self.urgent.toggled.connect(self._urgent_toggled)

        # -- consent and what is sent ------------------------------------------------------
        self.consent_status = QLabel("Toestemming wordt opgezocht…")
        self.consent_status.setObjectName("signalConsent")
        self.consent_status.setWordWrap(True)
        self.consent_status.setTextFormat(Qt.TextFormat.PlainText)
        self.consent_button = QPushButton(RECORD_CONSENT)
        self.consent_button.setObjectName("signalRecordConsent")
        self.consent_button.setToolTip(
            "De toestemming van de patiënt vastleggen, afdrukken en kopiëren voor het HIS"
        )
        self.consent_button.setAutoDefault(False)
        self.consent_button.clicked.connect(self.consent_requested)
        self.items: dict[DataItem, QCheckBox] = {}
        items_box = QWidget()
        items_row = FlowLayout(items_box, spacing=12, row_spacing=4)
        for item in ITEM_ORDER:
            box = QCheckBox(item.label)
            box.setObjectName(f"signalItem_{item.value}")
            box.setChecked(item in DEFAULT_ITEMS)
            if item in ALWAYS_SENT:
                box.setEnabled(False)
                box.setToolTip("Gaat altijd mee")
            self.items[item] = box
            if item is not DataItem.PHONE:
                items_row.addWidget(box)
            else:
                self.phone = QLineEdit()
                self.phone.setObjectName("signalPhone")
                named(self.phone, "Telefoonnummer voor het team")
                self.phone.setPlaceholderText("06 …")
                self.phone.setFixedWidth(scaled(120))
                self.phone.setToolTip(
                    "Het nummer dat het team krijgt; pas het aan als het nieuwer is"
                )
                box.toggled.connect(self.phone.setEnabled)
                phone_row = QWidget()
                phone_layout = QHBoxLayout(phone_row)
                phone_layout.setContentsMargins(0, 0, 0, 0)
                phone_layout.setSpacing(4)
                phone_layout.addWidget(box)
                phone_layout.addWidget(self.phone)
                items_row.addWidget(phone_row)
        self.items[DataItem.BIRTH_DATE].setToolTip("Alleen als het team de leeftijd moet weten")
        self.medical = QPlainTextEdit()
        self.medical.setObjectName("signalMedical")
        self.medical.setTabChangesFocus(True)
        self.medical.setPlaceholderText("Alleen wat het team nodig heeft voor de hulpvraag")
        self.medical.setFixedHeight(48)
        self.medical.hide()
        self.items[DataItem.MEDICAL].toggled.connect(self._medical_toggled)
        self.errors["gegevens"] = _error()
        self.errors["telefoon"] = _error()
        self.errors["medische_informatie"] = _error()
        self.errors["toestemming"] = _error()

        # -- without consent (a GP only) ---------------------------------------------------
        self.without_consent: QCheckBox | None = None
        self.ground: QComboBox | None = None
        self.reason: QPlainTextEdit | None = None
        without_box: QFrame | None = None
        if is_gp:
            self.without_consent = QCheckBox("Delen &zonder toestemming (alleen huisarts)")
            self.without_consent.setObjectName("signalWithoutConsent")
            self.ground = QComboBox()
            self.ground.setObjectName("signalGround")
            self.ground.addItem("Kies de grond…", None)
            for ground in NoConsentGround:
                self.ground.addItem(GROUND_EXPLANATIONS[ground].capitalize(), ground.value)
            self.reason = QPlainTextEdit()
            self.reason.setObjectName("signalReason")
            self.reason.setTabChangesFocus(True)
            self.reason.setPlaceholderText(
                "Waarom is delen zonder toestemming nodig, en staat het in verhouding?"
            )
            self.reason.setFixedHeight(52)
            without_box = QFrame()
            without_box.setObjectName("withoutConsentBox")
            inner = QVBoxLayout(without_box)
            inner.setContentsMargins(8, 6, 8, 6)
            inner.addWidget(self.ground)
            inner.addWidget(self.errors.setdefault("grond", _error()))
            inner.addWidget(self.reason)
            inner.addWidget(self.errors.setdefault("toelichting", _error()))
            without_box.hide()
            self.without_consent.toggled.connect(without_box.setVisible)
            self.without_consent.toggled.connect(lambda _on: self._grow())
        self._without_box = without_box

        # -- namens ------------------------------------------------------------------------
        self.on_behalf: QComboBox | None = None
        if acts_for_gp:
            self.on_behalf = QComboBox()
            self.on_behalf.setObjectName("signalOnBehalf")
            self.on_behalf.addItem("Huisartsen worden geladen…", None)
            self.on_behalf.setToolTip("U bereidt het signaal voor; het gaat namens deze huisarts")
            self.errors["namens"] = _error()

        # -- private note ------------------------------------------------------------------
        self.private_note = QPlainTextEdit()
        self.private_note.setObjectName("signalPrivateNote")
        self.private_note.setTabChangesFocus(True)
        self.private_note.setPlaceholderText("Voor uzelf en collega's in de praktijk")
        self.private_note.setFixedHeight(46)
        note_box = QFrame()
        note_box.setObjectName("privateNoteBox")
        note_layout = QVBoxLayout(note_box)
        note_layout.setContentsMargins(8, 4, 8, 6)
        note_layout.setSpacing(2)
        note_caption = QLabel("&Privénotitie — blijft in de praktijk, gaat niet naar het team")
        note_caption.setBuddy(self.private_note)
        note_layout.addWidget(note_caption)
        note_layout.addWidget(self.private_note)
        self.errors["privenotitie"] = _error()
        note_layout.addWidget(self.errors["privenotitie"])

        # -- buttons -----------------------------------------------------------------------
        self.general_error = QLabel()
        self.general_error.setObjectName("signalGeneralError")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.busy = QLabel()
        self.busy.setObjectName("signalMuted")
        self.preview_button = QPushButton("V&oorbeeld")
        self.preview_button.setObjectName("signalPreview")
        self.preview_button.setToolTip(f"Precies zien wat het team krijgt ({PREVIEW_KEY})")
        self.preview_button.setAutoDefault(False)
        self.send_button = QPushButton("&Verstuur")
        self.send_button.setObjectName("signalSend")
        self.send_button.setToolTip("Naar postvak uit; het wordt beveiligd verstuurd (Ctrl+Enter)")
        self.send_button.setDefault(True)
        self.cancel_button = QPushButton("Annu&leren")
        self.cancel_button.setObjectName("signalCancel")
        self.cancel_button.setAutoDefault(False)
        self.preview_button.clicked.connect(self._preview)
        self.send_button.clicked.connect(self._send)
        self.cancel_button.clicked.connect(self.close_asking)

        # -- layout ------------------------------------------------------------------------
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        row = 0

        def put(caption: QLabel | None, *widgets: QWidget | QHBoxLayout) -> None:
            nonlocal row
            if caption is not None:
                grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            for widget in widgets:
                if isinstance(widget, QHBoxLayout):
                    grid.addLayout(widget, row, 1)
                else:
                    grid.addWidget(widget, row, 1)
                row += 1

        team_line = QHBoxLayout()
        team_line.addWidget(self.team, 1)
        team_line.addWidget(self.in_practice)
        put(_caption("Tea&m:", self.team), team_line)
        put(None, self.team_details, self.explanation, self.involved, self.errors["team"])
        put(_caption("Thema:"), chips_box, self.errors["themas"])
        put(_caption("&Hulpvraag:", self.question), self.question, self.errors["vraag"])
        put(_caption("Route:"), route_row)
        put(None, self.walk_in, self.errors["route"])
        urgent_line = QHBoxLayout()
        urgent_line.addWidget(self.urgent)
        urgent_line.addWidget(self.emergency, 1)
        put(_caption("Spoed:"), urgent_line)
        consent_line = QHBoxLayout()
        consent_line.addWidget(self.consent_status, 1)
        consent_line.addWidget(self.consent_button, 0, Qt.AlignmentFlag.AlignTop)
        put(_caption("Toestemming:"), consent_line, self.errors["toestemming"])
        put(_caption("Meesturen:"), items_box)
        put(
            None,
            self.errors["gegevens"],
            self.errors["telefoon"],
            self.medical,
            self.errors["medische_informatie"],
        )
        if self.without_consent is not None and without_box is not None:
            put(None, self.without_consent, without_box)
        if self.on_behalf is not None:
            put(_caption("&Namens:", self.on_behalf), self.on_behalf, self.errors["namens"])
        self.grid = grid

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(16, 12, 16, 8)
        body_layout.setSpacing(8)
        body_layout.addWidget(self.who, 0, Qt.AlignmentFlag.AlignLeft)
        body_layout.addLayout(grid)
        body_layout.addWidget(note_box)
        body_layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(16, 0, 16, 12)
        buttons.addWidget(self.busy, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.send_button)
        form_page = QWidget()
        form_layout = QVBoxLayout(form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.setSpacing(4)
        scroll = scrolling(body)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        form_layout.addWidget(scroll, 1)
        error_row = QHBoxLayout()
        error_row.setContentsMargins(16, 0, 16, 0)
        error_row.addWidget(self.general_error)
        form_layout.addLayout(error_row)
        form_layout.addLayout(buttons)

        self.sent_page = SentPage()
        self.sent_page.handout_button.clicked.connect(self.handout_requested)
        self.sent_page.close_button.clicked.connect(self.accept)
        self.pages = QStackedWidget()
        self.pages.addWidget(form_page)
        self.pages.addWidget(self.sent_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        for keys in SEND_KEYS:
            QShortcut(QKeySequence(keys), self, self._send)
        QShortcut(QKeySequence(PREVIEW_KEY), self, self._preview)
        self._tab_order()
        fit_to_screen(self, 940, 700)

    def set_patient(self, patient: PatientContext) -> None:
        """Whom this form is for: once, before it is shown (a form serves one patient only).

        A form is built ahead, without a patient, so Ctrl+Shift+S only has to fill this in
        (``SignalController``); it is never handed to a second patient, so nothing typed for
        one can show up for another.
        """
        if self._patient is not None:
            raise RuntimeError("a signal form serves one patient")
        self._patient = patient
        self.who.setText(
            f"Voor: {patient.name} · {format_birth_date(patient.birth_date)} · "
            f"{format_postcode(patient.postcode)}"
        )
        self.phone.setText(patient.phone or "")

    @property
    def patient(self) -> PatientContext | None:
        """Whom the form is for (None while it waits, built ahead, for the next patient)."""
        return self._patient

    # -- keyboard ------------------------------------------------------------------------------

    def _tab_order(self) -> None:
        """Top to bottom, as the form reads; chips left to right."""
        chain: list[QWidget] = [self.team, *self.chips.values(), self.question]
        chain += list(self.routes.values())
        chain += [self.urgent, self.consent_button]
        chain += [self.items[i] for i in ITEM_ORDER[:2]] + [self.phone]
        chain += [self.items[i] for i in ITEM_ORDER[2:]] + [self.medical]
        if self.without_consent is not None and self.ground is not None and self.reason:
            chain += [self.without_consent, self.ground, self.reason]
        if self.on_behalf is not None:
            chain.append(self.on_behalf)
        chain += [self.private_note, self.cancel_button, self.preview_button, self.send_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Focus on the theme chips: picking one starts the question."""
        super().showEvent(event)
        if not any(chip.isChecked() for chip in self.chips.values()):
            next(iter(self.chips.values())).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Arrow keys move between the theme chips, as in a row of options."""
        if (
            isinstance(watched, QToolButton)
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right)
        ):
            chips = list(self.chips.values())
            index = chips.index(watched) if watched in chips else 0
            step = 1 if event.key() == Qt.Key.Key_Right else -1
            chips[(index + step) % len(chips)].setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Esc asks before typed text is lost; Enter is the default button (Verstuur)."""
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.close_asking()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """The window's close button asks too, when typed text would be lost."""
        if self.has_typed_text() and self.pages.currentWidget() is not self.sent_page:
            event.ignore()
            self.close_asking()
            return
        super().closeEvent(event)

    def has_typed_text(self) -> bool:
        """Whether closing would throw away something the user wrote (a bare template is not)."""
        question = self.question.toPlainText().strip()
        typed = bool(question) and question != (self._template or "").strip()
        others = [self.private_note.toPlainText(), self.medical.toPlainText()]
        if self.reason is not None:
            others.append(self.reason.toPlainText())
        return typed or any(text.strip() for text in others)

    def close_asking(self) -> None:
        """Close; first ask when typed text would be lost (a non-blocking question)."""
        if self.pages.currentWidget() is self.sent_page or not self.has_typed_text():
            self.reject()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            TITLE,
            "Wat u hebt getypt, gaat verloren. Het signaal is nog niet verstuurd.\n\nToch sluiten?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("signalDiscard")
        box.button(QMessageBox.StandardButton.Yes).setText("Sluiten zonder versturen")
        box.button(QMessageBox.StandardButton.No).setText("Terug naar het signaal")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda result: self._discard_answered(box, result))
        self.discard_box = box
        box.open()

    def _discard_answered(self, box: QMessageBox, result: int) -> None:
        self.discard_box = None
        box.deleteLater()
        if result == QMessageBox.StandardButton.Yes:
            self._discarded = True
            self.reject()

    def reject(self) -> None:
        """Close without asking (the lock closes dialogs this way).

        Typed text the user did not choose to throw away goes to the controller first, so the
        user finds it back when they open the form again.
        """
        sent = self.pages.currentWidget() is self.sent_page
        if not sent and not self._discarded and self.has_typed_text():
            self.set_aside.emit(self.form_input())
        super().reject()

    def restore(self, values: FormInput) -> None:
        """What was typed before the lock, back in its fields (the team follows once loaded)."""
        for code, chip in self.chips.items():
            chip.blockSignals(True)
            chip.setChecked(code in values.themes)
            chip.blockSignals(False)
        self.question.setPlainText(values.question)
        self.routes[values.route].setChecked(True)
        self.urgent.setChecked(values.urgent)
        self.restore_items(values.items)
        self.phone.setText(values.phone or "")
        self.medical.setPlainText(values.medical or "")
        self.private_note.setPlainText(values.private_note or "")
        if self.without_consent is not None and self.reason is not None and self.ground:
            self.without_consent.setChecked(values.without_consent)
            self.reason.setPlainText(values.reason)
            wanted = values.ground.value if values.ground is not None else None
            self.ground.setCurrentIndex(max(self.ground.findData(wanted), 0))
        self.question.setFocus()

    def restore_items(self, items: frozenset[DataItem]) -> None:
        """The ticks as the user left them (after the consent prefilled its own)."""
        for item, box in self.items.items():
            box.setChecked(item in items or item in ALWAYS_SENT)

    # -- what the user does --------------------------------------------------------------------

    def _team_activated(self, index: int) -> None:
        if 0 <= index < len(self._teams):
            self._show_team(self._teams[index])
            self.team_chosen.emit(self._teams[index].id)

    def _theme_toggled(self, theme: Theme, on: bool) -> None:
        question = self.question.toPlainText().strip()
        untouched = not question or question == (self._template or "").strip()
        if on and untouched and theme.template:
            self._template = theme.template
            self.question.setPlainText(theme.template)
            self._select_placeholder()
        elif not on and untouched and self._template == theme.template:
            chosen = [t for t in self._themes if self.chips[t.code].isChecked() and t.template]
            self._template = chosen[0].template if chosen else None
            self.question.setPlainText(self._template or "")
        self.clear_problem("themas")
        self.themes_changed.emit()

    def _select_placeholder(self) -> None:
        """Cursor in the question, on the template's first "…", so typing replaces it."""
        text = self.question.toPlainText()
        cursor = self.question.textCursor()
        at = text.find(PLACEHOLDER)
        if at < 0:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        else:
            cursor.setPosition(at)
            cursor.setPosition(at + len(PLACEHOLDER), QTextCursor.MoveMode.KeepAnchor)
        self.question.setTextCursor(cursor)
        QTimer.singleShot(0, self.question.setFocus)

    def _urgent_toggled(self, on: bool) -> None:
        self.emergency.setProperty("urgent", on)
        self.emergency.style().unpolish(self.emergency)
        self.emergency.style().polish(self.emergency)

    def _medical_toggled(self, on: bool) -> None:
        self.medical.setVisible(on)
        if on:
            self.medical.setFocus()
        self._grow()

    def _preview(self) -> None:
        if not self._busy and self.pages.currentWidget() is not self.sent_page:
            self.preview_requested.emit()

    def _send(self) -> None:
        if not self._busy and self.pages.currentWidget() is not self.sent_page:
            self.send_requested.emit()

    def _grow(self) -> None:
        """Room for a field that appeared, within the screen."""
        if self.isVisible():
            self.adjustSize()

    # -- what the controller tells it ----------------------------------------------------------

    def set_teams(self, teams: list[TeamView], chosen: str | None, explanation: str) -> None:
        """The teams to choose from, the one chosen, and why (in Dutch)."""
        self._teams = list(teams)
        self.team.clear()
        for view in teams:
            self.team.addItem(view.title, view.id)
        self.team.setEnabled(bool(teams))
        index = next((i for i, t in enumerate(teams) if t.id == chosen), 0)
        if teams:
            self.team.setCurrentIndex(index)
            self._show_team(teams[index])
        self.explanation.setText(explanation)
        self.explanation.setVisible(bool(explanation))

    def _show_team(self, view: TeamView) -> None:
        self.team_details.setText(view.details)
        self.team_details.setVisible(bool(view.details))
        self.in_practice.setVisible(view.in_practice_today)
        walk_in = self.routes[Route.WALK_IN]
        walk_in.setEnabled(view.walk_in is not None)
        if view.walk_in is None:
            walk_in.setToolTip("Dit team heeft geen inloopspreekuur bekend")
            self.walk_in.setText("")
            self.walk_in.hide()
            if walk_in.isChecked():
                self.routes[Route.APPOINTMENT].setChecked(True)
        else:
            where = " — vandaag in de praktijk" if view.in_practice_today else ""
            walk_in.setToolTip(f"Volgende inloop: {view.walk_in}{where}")
            self.walk_in.setText(f"Volgende inloopspreekuur: {view.walk_in}{where}")
            self.walk_in.show()
        self.clear_problem("team")

    def current_team(self) -> TeamView | None:
        """The team the form shows as chosen."""
        index = self.team.currentIndex()
        return self._teams[index] if 0 <= index < len(self._teams) else None

    def set_team_problem(self, text: str) -> None:
        """No team could be chosen (outside the work area, nothing on the kaart)."""
        self.team.clear()
        self.team.addItem("Geen team gevonden")
        self.team.setEnabled(False)
        self.show_problems({"team": text})

    def set_involved(self, lines: list[str]) -> None:
        """Teams already involved with this patient (a betrokkenheidsmelding): a quiet notice.

        Not a block: the GP may still signal, e.g. to ask the team something new.
        """
        if not lines:
            self.involved.hide()
            return
        self.involved.setText(
            "; ".join(lines) + " (volgens een betrokkenheidsmelding van het team). "
            "Misschien is een telefoontje naar het team genoeg."
        )
        self.involved.show()

    def set_consent(self, scope: ConsentScope | None, organisation: str) -> None:
        """Prefill the ticks from the consent that covers this team's organisation, or say none.

        The defaults stay minimal (naam, telefoon, postcode, hulpvraag); an item the consent
        does not cover is unticked and says so.
        """
        key = (organisation, None if scope is None else scope.consent_id)
        if key == self._consent_key:
            return  # the same consent again (a theme was picked): the user's ticks stay
        self._consent_key = key
        missing = scope is None
        self.consent_status.setProperty("missing", missing)
        self.consent_status.style().unpolish(self.consent_status)
        self.consent_status.style().polish(self.consent_status)
        if scope is None:
            self.consent_status.setText(
                f"Nog geen geldige toestemming voor {organisation}. "
                "Vraag de patiënt en leg de toestemming vast."
            )
            self.consent_button.setText(RECORD_CONSENT)
            for item, box in self.items.items():
                box.setToolTip("Gaat altijd mee" if item in ALWAYS_SENT else "")
            return
        self.consent_status.setText(
            f"Toestemming gegeven op {dutch_date(scope.given_on)}, geldig tot en met "
            f"{dutch_date(scope.valid_until)}, voor {organisation}."
        )
        self.consent_button.setText("Nieuwe &toestemming…")
        for item, box in self.items.items():
            covered = item in scope.items
            if item not in ALWAYS_SENT:
                box.setChecked(covered and item in DEFAULT_ITEMS)
            box.setToolTip("" if covered else "Niet gedekt door de toestemming")
        self.clear_problem("toestemming")

    def set_gps(self, gps: list[tuple[str, str]], preferred: str | None = None) -> None:
        """The GPs a POH-GGZ or assistant may act for: (username, name); one alone is chosen."""
        if self.on_behalf is None:
            return
        self.on_behalf.clear()
        if len(gps) != 1:
            self.on_behalf.addItem("Kies de huisarts…", None)
        for username, name in gps:
            self.on_behalf.addItem(name, username)
        if preferred is not None:
            index = self.on_behalf.findData(preferred)
            if index >= 0:
                self.on_behalf.setCurrentIndex(index)

    def form_input(self) -> FormInput:
        """What the user filled in."""
        route = next((r for r, b in self.routes.items() if b.isChecked()), Route.APPOINTMENT)
        items = frozenset(i for i, box in self.items.items() if box.isChecked())
        team = self.current_team()
        medical = self.medical.toPlainText() if DataItem.MEDICAL in items else None
        without = self.without_consent is not None and self.without_consent.isChecked()
        ground = self.ground.currentData() if self.ground is not None and without else None
        return FormInput(
            team_id=team.id if team is not None else None,
            themes=tuple(t.code for t in self._themes if self.chips[t.code].isChecked()),
            question=self.question.toPlainText(),
            route=route,
            urgent=self.urgent.isChecked(),
            items=items,
            phone=self.phone.text().strip() or None,
            medical=medical,
            private_note=self.private_note.toPlainText().strip() or None,
            on_behalf_of=self.on_behalf.currentData() if self.on_behalf is not None else None,
            without_consent=without,
            ground=NoConsentGround(ground) if isinstance(ground, str) and ground else None,
            reason=self.reason.toPlainText() if self.reason is not None and without else "",
        )

    def set_busy(self, text: str) -> None:
        """While composing or sending: say so, and no second click does it twice."""
        self._busy = bool(text)
        self.busy.setText(text)
        self.send_button.setEnabled(not self._busy)
        self.preview_button.setEnabled(not self._busy)

    def clear_problems(self) -> None:
        """Before a new try: no old messages."""
        for label in self.errors.values():
            label.hide()
        self.general_error.hide()

    def clear_problem(self, key: str) -> None:
        """One field was changed: its message goes."""
        label = self.errors.get(key)
        if label is not None:
            label.hide()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message next to its field; the rest above the buttons. Nothing typed is lost."""
        rest: list[str] = []
        for key, text in problems.items():
            label = self.errors.get(key)
            if label is None and key in ("naam", "postcode"):
                label = self.errors["gegevens"]
            if label is None:
                rest.append(text)
                continue
            label.setText(text)
            label.show()
        self.general_error.setText(" ".join(rest))
        self.general_error.setVisible(bool(rest))
        focus = {
            "themas": next(iter(self.chips.values())),
            "vraag": self.question,
            "telefoon": self.phone,
            "medische_informatie": self.medical,
            "team": self.team,
        }
        if self.on_behalf is not None:
            focus["namens"] = self.on_behalf
        if self.reason is not None and self.ground is not None:
            focus["grond"] = self.ground
            focus["toelichting"] = self.reason
        first = next((focus[k] for k in problems if k in focus), None)
        if first is not None and first.isEnabled():
            first.setFocus()
        self._grow()

    def show_consent_problem(self, text: str) -> None:
        """The consent does not cover what is to be sent: say what, next to the ticks."""
        self.show_problems({"toestemming": text})
        self.consent_button.setFocus()

    def show_sent(self, reference: str, team: str, note: str) -> None:
        """After Verstuur: the reference, where it is (postvak uit), and the handout offer.

        ``note`` is one more line: when an answer is expected, that an urgent one needs a call.
        """
        self.set_busy("")
        self.sent_page.show_sent(reference, team, note)
        self.pages.setCurrentWidget(self.sent_page)
        self.send_button.setDefault(False)
        self.sent_page.close_button.setDefault(True)
        self.sent_page.handout_button.setFocus()
        self.resize(self.width(), max(self.sent_page.sizeHint().height() + 40, 280))


class SentPage(QWidget):
    """The form after sending: the reference, postvak uit, and the patient handout."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Het signaal staat in postvak uit")
        self.title.setObjectName("signalSentTitle")
        self.reference = QLabel()
        self.reference.setObjectName("signalSentReference")
        self.reference.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.handout_button = QPushButton("&Print voor patiënt…")
        self.handout_button.setObjectName("signalHandout")
        self.handout_button.setShortcut(HANDOUT_KEY)
        self.handout_button.setToolTip(
            f"Een blad voor de patiënt: waar en wanneer, met wie, wat mee te nemen ({HANDOUT_KEY})"
        )
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setObjectName("signalSentClose")
        self.close_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.handout_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.addWidget(self.title)
        layout.addWidget(self.reference)
        layout.addWidget(self.text)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def show_sent(self, reference: str, team: str, note: str) -> None:
        """Fill in the reference and what happens next."""
        self.reference.setText(reference)
        self.text.setText(
            f"gpdesk verstuurt het beveiligd naar {team}, ook als de verbinding even weg is. "
            f"Noem het kenmerk {reference} als u het team spreekt.\n\n{note}".strip()
        )
