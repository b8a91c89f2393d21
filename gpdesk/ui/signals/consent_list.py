"""Toestemmingen: the consents of the patient in the banner, and withdrawing one ("Intrekken").

Layout only. The list shows every consent of the patient in context, newest first (state,
given on, valid until, to whom, withdrawn on); the one chosen shows in full below it: what for,
to whom, which data, how given and by whom, who recorded it and when, valid until, and when,
by whom and why it was withdrawn. "Intrekken…" asks first (``WithdrawDialog``), in plain words
what will happen to the signals that rest on the consent: what has not left is stopped, a team
that already had a signal gets a short notice. ``ConsentListController``
(``gpdesk.ui.signals.consents``) loads, withdraws and copies, off the GUI thread.

Nothing here outlives the patient: the controller closes the list when another patient (or
none) comes into the banner, and the lock closes it with every other window. The window title
never names the patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.models.consent import ConsentMethod, DataItem, Purpose
from gpdesk.signals.consent import (
    LOCAL,
    ConsentRecord,
    ConsentState,
    dutch_date,
    local_date,
)
from gpdesk.signals.store import WithdrawalEffect
from gpdesk.ui.accessible import announce
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.theme import colour, set_tone

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

TITLE: Final = "Toestemmingen"
HEADERS: Final = ("Status", "Gegeven op", "Geldig t/m", "Aan wie", "Ingetrokken op")
ORGANISATION_COLUMN: Final = 3
EMPTY: Final = (
    "Deze patiënt heeft nog geen toestemming in gpdesk. Een toestemming legt u vast bij het "
    "signaal: Signaal wijkteam (Ctrl+Shift+S), dan Toestemming vastleggen (Alt+T)."
)
LOADING: Final = "De toestemmingen worden opgezocht…"


# -- the consent in words ------------------------------------------------------------------


def moment_text(moment: datetime) -> str:
    """``07-12-2026 10:30`` in the practice's time (stored times are UTC)."""
    return moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def organisations_text(record: ConsentRecord) -> str:
    """The organisations, as the consent names them."""
    return "; ".join(org.name for org in record.scope.organisations)


def purposes_text(record: ConsentRecord) -> str:
    """What for, in the consent form's words."""
    return "; ".join(p.label for p in Purpose if p in record.scope.purposes)


def items_text(record: ConsentRecord) -> str:
    """Which data, in the consent form's words (never the BSN: it is never shared)."""
    return ", ".join(i.label for i in DataItem if i in record.scope.items)


def given_text(record: ConsentRecord) -> str:
    """How it was given and by whom: "mondeling in de spreekkamer, door de patiënt"."""
    rep = record.representative
    if rep is None:
        return f"{record.method.label}, door de patiënt"
    who = f"{rep.name} ({rep.relation}, wettelijk vertegenwoordiger)"
    if record.method is ConsentMethod.REPRESENTATIVE:
        incapable = " (de patiënt kan hier zelf niet over beslissen)"
        return f"via {who}" + (incapable if record.patient_incapable else "")
    return f"{record.method.label} door de patiënt, samen met {who}"


def withdrawn_text(record: ConsentRecord) -> str:
    """When, by whom and why it was withdrawn; "–" when it was not."""
    moment = record.scope.withdrawn_at
    if moment is None:
        return "–"
    text = moment_text(moment)
    if record.withdrawn_by:
        text += f" door {record.withdrawn_by}"
    if record.withdrawal_reason:
        text += f". Reden: {record.withdrawal_reason}"
    return text


def effects_text(effects: Sequence[WithdrawalEffect]) -> list[str]:
    """What withdrawing does to the signals on the consent, one plain sentence per kind."""
    if not effects:
        return [
            "Er is op deze toestemming geen signaal verstuurd of klaargezet. Geen team krijgt "
            "bericht."
        ]
    lines = []
    stopped = [e for e in effects if not e.notifies]
    if stopped:
        which = ", ".join(f"{e.reference} ({e.team_name})" for e in stopped)
        verb = "wordt" if len(stopped) == 1 else "worden"
        lines.append(f"Nog niet verstuurd, {verb} gestopt: {which}. Het team merkt er niets van.")
    teams: dict[str, list[str]] = {}
    for effect in effects:
        if effect.notifies:
            teams.setdefault(effect.team_name, []).append(effect.reference)
    for team, references in teams.items():
        had = (
            references[0]
            if len(references) == 1
            else f"{', '.join(references[:-1])} en {references[-1]}"
        )
        lines.append(
            f"{team} had het signaal al ({had}) en krijgt een korte melding: de toestemming is "
            "ingetrokken, met het verzoek de gegevens te verwijderen. In die melding staat "
            "alleen het kenmerk, geen naam en geen reden."
        )
    return lines


# -- the list --------------------------------------------------------------------------------


class ConsentTableModel(QAbstractTableModel):
    """One row per consent, newest first, as ``consent.consents_of`` gives them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConsentRecord] = []
        self._at: datetime | None = None

    def set_rows(self, rows: Sequence[ConsentRecord], at: datetime) -> None:
        """Replace the rows; ``at`` is the moment their state (geldig, verlopen…) is taken at."""
        self.beginResetModel()
        self._rows, self._at = list(rows), at
        self.endResetModel()

    def row_at(self, row: int) -> ConsentRecord | None:
        """The consent on ``row``, or None outside the list."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, consent_id: int) -> int:
        """The row of the consent with ``consent_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.id == consent_id), -1)

    def state(self, record: ConsentRecord) -> ConsentState:
        """Geldig, verlopen, ingetrokken or nog niet ingegaan, at the moment of loading."""
        assert self._at is not None
        return record.scope.state(self._at)

    def rowCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        record = self.row_at(index.row())
        if record is None:
            return None
        column = index.column()
        state = self.state(record)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record, state, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            tone = {ConsentState.VALID: "success", ConsentState.WITHDRAWN: "error"}
            return QBrush(colour(tone.get(state, "muted")))
        if role == Qt.ItemDataRole.ForegroundRole and state is not ConsentState.VALID:
            return QBrush(colour("muted"))
        if role == Qt.ItemDataRole.FontRole and column == 0 and state is ConsentState.VALID:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == ORGANISATION_COLUMN:
            return organisations_text(record)
        return None

    @staticmethod
    def _display(record: ConsentRecord, state: ConsentState, column: int) -> str:
        scope = record.scope
        if column == 0:
            return state.value
        if column == 1:
            return dutch_date(scope.given_on)
        if column == 2:
            return dutch_date(scope.valid_until)
        if column == ORGANISATION_COLUMN:
            return organisations_text(record)
        withdrawn = scope.withdrawn_at
        return "–" if withdrawn is None else dutch_date(local_date(withdrawn))


class ConsentTable(QTableView):
    """The consents: whole rows, one at a time, read with the arrow keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentList")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.setAccessibleName("Toestemmingen")

    def setModel(self, model: object) -> None:  # noqa: N802
        """Columns sized to their content; the organisations take what is left."""
        assert isinstance(model, ConsentTableModel)
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ORGANISATION_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("signalCaption")
    set_tone(label, "heading")
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


class ConsentDetail(QWidget):
    """The chosen consent in full, as the practice must be able to prove it."""

    FIELDS: Final = (
        ("state", "Status:"),
        ("purposes", "Waarvoor:"),
        ("organisations", "Aan wie:"),
        ("items", "Welke gegevens:"),
        ("given", "Hoe gegeven:"),
        ("role", "Rol huisarts:"),
        ("recorded", "Vastgelegd:"),
        ("valid", "Geldig:"),
        ("withdrawn", "Ingetrokken:"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentDetail")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate(self.FIELDS):
            value = QLabel()
            value.setObjectName(f"consentDetail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(_caption(caption), row, 0)
            grid.addWidget(value, row, 1)
            self.values[key] = value

    def show_record(self, record: ConsentRecord | None, state: ConsentState | None) -> None:
        """Fill in ``record`` (or clear)."""
        if record is None or state is None:
            for label in self.values.values():
                label.clear()
            return
        scope = record.scope
        texts = {
            "state": state.value,
            "purposes": purposes_text(record),
            "organisations": organisations_text(record),
            "items": items_text(record) + "; nooit het BSN",
            "given": given_text(record),
            "role": record.gp_role.label,
            "recorded": f"{moment_text(record.recorded_at)} door {record.recorded_by}",
            "valid": f"van {dutch_date(scope.given_on)} tot en met {dutch_date(scope.valid_until)}",
            "withdrawn": withdrawn_text(record),
        }
        for key, text in texts.items():
            self.values[key].setText(text)


class ConsentListDialog(QDialog):
    """The patient's consents, the chosen one in full, Intrekken and Kopieer voor HIS."""

    withdraw_requested = Signal(int)
    """Intrekken… for this consent id."""
    copy_requested = Signal(int)
    """Kopieer voor HIS for this consent id."""

    def __init__(self, parent: QWidget | None, *, patient_line: str) -> None:
        super().__init__(parent)
        self.setObjectName("consentListDialog")
        self.setWindowTitle(TITLE)  # never the patient's name
        self.setModal(True)
        who = QLabel(f"Patiënt: {patient_line}")
        who.setObjectName("consentListPatient")
        who.setStyleSheet("font-weight: 600;")
        intro = QLabel(
            "Alle toestemmingen van deze patiënt, de nieuwste boven. Kies er een om alles te "
            "zien. Trekt de patiënt een toestemming in, kies dan Intrekken."
        )
        intro.setWordWrap(True)
        self.model = ConsentTableModel(self)
        self.table = ConsentTable()
        self.table.setModel(self.model)
        self.table.selectionModel().selectionChanged.connect(self._chosen)
        self.empty = QLabel(LOADING)
        self.empty.setObjectName("pageSummary")
        self.empty.setWordWrap(True)
        self.detail = ConsentDetail()
        self.status = QLabel()
        self.status.setObjectName("consentListStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()

        self.withdraw_button = QPushButton("&Intrekken…")
        self.withdraw_button.setObjectName("consentWithdraw")
        self.withdraw_button.setToolTip(
            "De patiënt trekt deze toestemming in: wat nog niet verstuurd is, stopt; een team "
            "dat het signaal al had, krijgt een korte melding"
        )
        self.copy_button = QPushButton("&Kopieer voor HIS")
        self.copy_button.setObjectName("consentListCopy")
        self.copy_button.setToolTip(
            "Een notitie over deze toestemming (en een intrekking) voor het dossier in het HIS"
        )
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setObjectName("consentListClose")
        for button in (self.withdraw_button, self.copy_button, self.close_button):
            button.setAutoDefault(False)
        self.close_button.setDefault(True)  # Enter closes; withdrawing always asks first
        self.withdraw_button.clicked.connect(self._withdraw)
        self.copy_button.clicked.connect(self._copy)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.withdraw_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(who)
        layout.addWidget(intro)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.detail)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.table.setMinimumHeight(110)
        self.setFocusProxy(self.table)
        self._update_buttons()
        fit_to_screen(self, 900, 580)

    # -- what the controller tells it ----------------------------------------------------------

    def set_loading(self, text: str = LOADING) -> None:
        """While loading or working: the list stays, the actions wait."""
        self.empty.setText(text)
        self.empty.setVisible(self.model.rowCount() == 0)
        self.withdraw_button.setEnabled(False)
        self.copy_button.setEnabled(False)

    def set_working(self, text: str | None) -> None:
        """While a step runs (``text`` says which): the actions wait; None when it is done."""
        if text is None:
            self.show_status("")
            self._update_buttons()
            return
        self.show_status(text)
        self.withdraw_button.setEnabled(False)
        self.copy_button.setEnabled(False)

    def set_consents(
        self, records: Sequence[ConsentRecord], at: datetime, *, keep: int | None = None
    ) -> None:
        """Show ``records``; choose ``keep`` (a consent id) or else the newest."""
        self.model.set_rows(records, at)
        self.empty.setText(EMPTY)
        self.empty.setVisible(not records)
        self.table.setVisible(bool(records))
        self.detail.setVisible(bool(records))
        row = self.model.row_of(keep) if keep is not None else -1
        if records:
            self.table.selectRow(max(row, 0))
        self._chosen()

    def chosen(self) -> ConsentRecord | None:
        """The consent the cursor is on."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def show_status(self, text: str, *, error: bool = False) -> None:
        """What was done, or what went wrong."""
        announce(self, text, urgent=error)
        set_tone(self.status, "error" if error else "success")
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # -- the user ------------------------------------------------------------------------------

    def _chosen(self, *_args: QItemSelection) -> None:
        record = self.chosen()
        self.detail.show_record(record, None if record is None else self.model.state(record))
        self._update_buttons()

    def _update_buttons(self) -> None:
        record = self.chosen()
        self.withdraw_button.setEnabled(record is not None and record.scope.withdrawn_at is None)
        self.copy_button.setEnabled(record is not None)

    def _withdraw(self) -> None:
        record = self.chosen()
        if record is not None and record.scope.withdrawn_at is None:
            self.withdraw_requested.emit(record.id)

    def _copy(self) -> None:
        record = self.chosen()
        if record is not None:
            self.copy_requested.emit(record.id)


# -- the confirmation ------------------------------------------------------------------------


class WithdrawDialog(QDialog):
    """Asks before withdrawing, saying what happens; Enter withdraws, Esc goes back."""

    confirmed = Signal(str)
    """Intrekken, with the reason as typed (tidied; may be empty)."""

    def __init__(
        self, parent: QWidget, *, record: ConsentRecord, effects: Sequence[WithdrawalEffect]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consentWithdrawDialog")
        self._busy = False
        self.setWindowTitle("Toestemming intrekken")  # never the patient's name
        self.setModal(True)
        scope = record.scope
        intro = QLabel(
            f"U trekt de toestemming in van {dutch_date(scope.given_on)} voor "
            f"{organisations_text(record)}. Vanaf nu wordt er op deze toestemming niets meer "
            "gedeeld; voor een nieuw signaal is een nieuwe toestemming nodig."
        )
        intro.setWordWrap(True)
        what = _caption("Wat er gebeurt:")
        self.effects = QLabel("\n".join(f"•  {line}" for line in effects_text(effects)))
        self.effects.setObjectName("consentWithdrawEffects")
        self.effects.setWordWrap(True)
        reason_caption = QLabel("&Reden (niet verplicht; blijft in de praktijk):")
        self.reason = QLineEdit()
        self.reason.setObjectName("consentWithdrawReason")
        self.reason.setMaxLength(2000)
        self.reason.setPlaceholderText("bijv. de patiënt regelt het zelf")
        self.reason.setAccessibleName("Reden")
        reason_caption.setBuddy(self.reason)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.back_button = QPushButton("&Terug")
        self.back_button.setObjectName("consentWithdrawBack")
        self.back_button.setAutoDefault(False)
        self.confirm_button = QPushButton("&Intrekken")
        self.confirm_button.setObjectName("consentWithdrawConfirm")
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setDefault(True)
        self.back_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self._confirm)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addWidget(what)
        layout.addWidget(self.effects)
        layout.addSpacing(4)
        layout.addWidget(reason_caption)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        fit_to_screen(self, 620, 340)
        self.reason.setFocus()

    def reason_text(self) -> str:
        """The reason as typed, spaces tidied."""
        return " ".join(self.reason.text().split())

    def _confirm(self) -> None:
        if self.confirm_button.isEnabled():
            self.confirmed.emit(self.reason_text())

    def set_busy(self, busy: bool) -> None:
        """While withdrawing: no second withdrawal, no Terug halfway; it is under way."""
        self._busy = busy
        self.confirm_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.reason.setReadOnly(busy)
        if busy:
            self.show_problem("")

    def reject(self) -> None:
        """Esc and Terug go back, except while the withdrawal is being written."""
        if not self._busy:
            super().reject()

    def show_problem(self, text: str) -> None:
        """What the core refused (a reason it wants, or another problem), under the reason."""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if text:
            self.reason.setFocus()
