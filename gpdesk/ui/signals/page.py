"""The Signaleren area: a new signal on top, the practice's signals and one signal's timeline below.

Layout only: the list controller (``gpdesk.ui.signals.tracking``) loads the list and the
detail off the GUI thread and carries out the status actions.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.store.involvement import InvolvementInfo
from gpdesk.ui.accessible import LiveLabel
from gpdesk.ui.areas import Area
from gpdesk.ui.signals.signal_list import SignalTable, SignalTableModel
from gpdesk.ui.signals.timeline import SignalDetail
from gpdesk.ui.theme import scaled

EMPTY_OPEN = "Geen open signalen. Zet 'Alleen open' uit om ook afgeronde signalen te zien."
EMPTY_ALL = "Nog geen signalen. Open een patiënt en kies Signaal wijkteam (Ctrl+Shift+S)."
EMPTY_PATIENT = "Geen signalen van deze patiënt met deze filters."


class SignalsPage(QWidget):
    """Title, the new-signal button, filters, the list (left) and the chosen signal (right)."""

    form_requested = Signal()
    consents_requested = Signal()
    """Toestemmingen: the banner patient's consents (Ctrl+Shift+T)."""
    shown = Signal()
    """The page came on screen: time to load the list again."""
    filters_changed = Signal()
    involvement_end_requested = Signal(int)
    """Betrokkenheid beëindigd, confirmed: this registration's id."""

    def __init__(self, area: Area, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{area.key}")
        title = QLabel(area.title)
        title.setObjectName("pageTitle")
        summary = QLabel(area.summary)
        summary.setWordWrap(True)
        summary.setObjectName("pageSummary")
        self.button = QPushButton("Signaal wijkteam…")
        self.button.setObjectName("signalsPageNew")
        self.button.setToolTip("Een signaal voor de patiënt in beeld (Ctrl+Shift+S)")
        self.button.setAutoDefault(False)
        self.button.clicked.connect(self.form_requested)
        self.consents_button = QPushButton("Toestemmingen…")
        self.consents_button.setObjectName("signalsPageConsents")
        self.consents_button.setToolTip(
            "De toestemmingen van de patiënt in beeld; daar trekt u er ook een in (Ctrl+Shift+T)"
        )
        self.consents_button.setAutoDefault(False)
        self.consents_button.clicked.connect(self.consents_requested)
        self.hint = QLabel(
            "Open eerst een patiënt vanuit het HIS of met Plak uit HIS (Ctrl+Shift+V). "
            "Daarna opent Ctrl+Shift+S het signaal, waar u ook bent in gpdesk."
        )
        self.hint.setWordWrap(True)
        self.hint.setObjectName("pageSummary")

        self.open_only = QCheckBox("A&lleen open")
        self.open_only.setObjectName("signalsOpenOnly")
        self.open_only.setChecked(True)
        self.this_patient = QCheckBox("Alleen &deze patiënt")
        self.this_patient.setObjectName("signalsThisPatient")
        self.this_patient.setToolTip("Alleen de signalen van de patiënt in beeld (Alt+D)")
        self.open_only.toggled.connect(lambda _on: self.filters_changed.emit())
        self.this_patient.toggled.connect(lambda _on: self.filters_changed.emit())
        self.count = LiveLabel()  # a screen reader says the new count
        self.count.setObjectName("pageSummary")
        filters = QHBoxLayout()
        filters.addWidget(self.open_only)
        filters.addWidget(self.this_patient)
        filters.addStretch(1)
        filters.addWidget(self.count)

        self.model = SignalTableModel(self)
        self.table = SignalTable()
        self.table.setModel(self.model)
        self.empty = QLabel(EMPTY_OPEN)
        self.empty.setObjectName("pageSummary")
        self.empty.setWordWrap(True)
        self.detail = SignalDetail()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        self._add_involved(left_layout)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([790, scaled(360)])  # the list's five columns whole at 1366 px
        # The window still fits 910 px wide (150 % scaling); with a larger font, more room.
        self.detail.setMinimumWidth(scaled(300))

        top = QHBoxLayout()
        top.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addWidget(self.consents_button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addWidget(self.hint, 1)
        top.addStretch(0)  # with a patient the hint hides: the buttons stay side by side
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addSpacing(6)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.splitter, 1)
        self.set_patient_open(False)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """The list has focus when the page opens.

        Not a focus proxy: with one, Tab skipped the filters and buttons after the list.
        """
        super().focusInEvent(event)
        self.table.setFocus(event.reason())

    def set_patient_open(self, is_open: bool, *, only_this: bool | None = None) -> None:
        """The buttons and "alleen deze patiënt" work only with a patient in the banner.

        ``only_this``: set the filter (on for a patient who just came into the banner: the
        list is about them first); None leaves it as the user set it. Setting it here does not
        emit ``filters_changed``: the caller reloads the list.
        """
        self.button.setEnabled(is_open)
        self.consents_button.setEnabled(is_open)
        self.hint.setVisible(not is_open)
        self.this_patient.setVisible(is_open)
        wanted = False if not is_open else only_this
        if wanted is not None and self.this_patient.isChecked() != wanted:
            self.this_patient.blockSignals(True)
            self.this_patient.setChecked(wanted)
            self.this_patient.blockSignals(False)

    def patient_filter(self) -> bool:
        """Whether the list shows only the banner's patient."""
        return self.this_patient.isVisibleTo(self) and self.this_patient.isChecked()

    def show_empty(self, rows: int, problem: str | None = None) -> None:
        """The count, and what to do when the list is empty (or why it could not load)."""
        self.count.setText("" if problem else ("1 signaal" if rows == 1 else f"{rows} signalen"))
        if problem is not None:
            self.empty.setText(problem)
        elif self.patient_filter():
            self.empty.setText(EMPTY_PATIENT)
        else:
            self.empty.setText(EMPTY_OPEN if self.open_only.isChecked() else EMPTY_ALL)
        self.empty.setVisible(rows == 0 or problem is not None)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Coming on screen loads the list again (a colleague may have changed a status)."""
        super().showEvent(event)
        if not event.spontaneous():
            self.shown.emit()

    # -- betrokkenheid: teams already involved with the banner's patient --------------------------

    def _add_involved(self, layout: QVBoxLayout) -> None:
        """A quiet line above the list, and an inline confirmation for ending one."""
        self.involved = QLabel()
        self.involved.setObjectName("signalsInvolved")
        self.involved.setWordWrap(True)
        self.involved.setTextFormat(Qt.TextFormat.RichText)
        self.involved.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.involved.setAccessibleName("Betrokken wijkteams")
        self.involved.linkActivated.connect(self._end_asked)
        self.involved.hide()
        self.end_confirm = QFrame()
        self.end_confirm.setObjectName("warning")
        self.end_text = QLabel()
        self.end_text.setWordWrap(True)
        self.end_yes = QPushButton("Ja, beëindigen")
        self.end_yes.setObjectName("involvementEndYes")
        self.end_yes.setDefault(True)
        self.end_yes.clicked.connect(self._end_confirmed)
        self.end_no = QPushButton("Annuleren")
        self.end_no.setObjectName("involvementEndNo")
        self.end_no.setAutoDefault(False)
        self.end_no.clicked.connect(self._end_cancelled)
        row = QHBoxLayout(self.end_confirm)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.end_text, 1)
        row.addWidget(self.end_yes)
        row.addWidget(self.end_no)
        escape_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.end_confirm)
        escape_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape_key.activated.connect(self._end_cancelled)
        self.end_confirm.hide()
        self.involved_message = QLabel()
        self.involved_message.setObjectName("pageSummary")
        self.involved_message.setWordWrap(True)
        self.involved_message.hide()
        self._involved: dict[int, InvolvementInfo] = {}
        self._ending: int | None = None
        layout.addWidget(self.involved)
        layout.addWidget(self.end_confirm)
        layout.addWidget(self.involved_message)

    def show_involved(self, involved: list[InvolvementInfo], *, may_end: bool) -> None:
        """The banner patient's teams: "Wijkteam X is betrokken sinds …", each with beëindigen."""
        self._involved = {i.id: i for i in involved}
        if self._ending not in self._involved:
            self.end_confirm.hide()
            self._ending = None
        if not involved:
            self.involved.hide()
            return
        lines = []
        for info in involved:
            end = f" · <a href='end:{info.id}'>beëindigen…</a>" if may_end else ""
            lines.append(f"{escape(info.text)}{end}")
        self.involved.setText("<br>".join(lines))
        self.involved.setToolTip("Vastgelegd uit een betrokkenheidsmelding van het team")
        self.involved.show()

    def show_involved_message(self, text: str) -> None:
        """What ending did, or why it did not happen."""
        self.involved_message.setText(text)
        self.involved_message.setVisible(bool(text))

    def _end_asked(self, href: str) -> None:
        number = href.removeprefix("end:")
        info = self._involved.get(int(number)) if number.isdigit() else None
        if info is None:
            return
        self._ending = info.id
        self.end_text.setText(
            f"Beëindigen: {info.team_name} is niet meer betrokken bij deze patiënt?"
        )
        self.involved_message.hide()
        self.end_confirm.show()
        self.end_yes.setFocus()

    def _end_confirmed(self) -> None:
        ending, self._ending = self._ending, None
        self.end_confirm.hide()
        if ending is not None:
            self.involvement_end_requested.emit(ending)
        self.table.setFocus()

    def _end_cancelled(self) -> None:
        self._ending = None
        self.end_confirm.hide()
        self.involved.setFocus()
