"""The Terugkoppeling area: filters on top, the inbox list left, the chosen letter right.

Layout and keys only: the inbox controller (``gpdesk.ui.inbox.controller``) loads the list, a
page at a time, and the letter off the GUI thread, and carries out the actions.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.store.listing import COUNT_CAP, LetterView, TeamChoice
from gpdesk.models import LetterState
from gpdesk.ui.accessible import LiveLabel
from gpdesk.ui.areas import Area
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.inbox.drop import DropZone, IntakeBar
from gpdesk.ui.inbox.letter_actions import LETTER_ACTIONS
from gpdesk.ui.inbox.letter_list import LetterTable, LetterTableModel
from gpdesk.ui.inbox.reading_pane import FILE_KEY, HIS_KEY, ReadingPane
from gpdesk.ui.theme import scaled

REFRESH_KEY: Final = "F5"
FETCH_KEY: Final = "F9"
FETCH_TEXT: Final = "N&u ophalen"
"""Alt+U (the chips and the reading pane use most other letters); F9 is its key too."""

VIEW_CHIPS: Final = (
    (LetterView.ALL, "&Alle", "Alle brieven in de gekozen stand"),
    (LetterView.MINE, "&Mijn", "Aan u of aan uw rol toegewezen"),
    (LetterView.UNASSIGNED, "&Niet toegewezen", "Nog aan niemand toegewezen"),
    (LetterView.UNMATCHED, "Niet ge&koppeld", "Nog niet gekoppeld aan patiënt of signaal"),
    (LetterView.ATTENTION, "A&dvies/escalatie", "Advies (taak voor de huisarts) en escalatie"),
    (LetterView.OVERDUE, "&Verlopen", "Advies waarvan de datum voorbij is en dat nog open staat"),
    (LetterView.QUARANTINE, "&Quarantaine", "Bestanden die gpdesk bewaart maar niet opent"),
)
"""The Alt letters avoid the menu bar's P, G and H and the reading pane's O and L."""

STATES: Final[tuple[tuple[str, LetterState | None, bool], ...]] = (
    ("Te doen (nieuw en toegewezen)", None, False),
    ("Nieuw", LetterState.NEW, False),
    ("Toegewezen", LetterState.ASSIGNED, False),
    ("Overgenomen in HIS", LetterState.FILED, False),
    ("Gearchiveerd", LetterState.ARCHIVED, False),
    ("Alle standen", None, True),
)

EMPTY_TODO: Final = (
    "Geen brieven te doen. Nieuwe brieven van het wijkteam komen hier vanzelf binnen."
)
EMPTY_FILTERED: Final = "Geen brieven met deze filters. Kies Alle (Alt+A) of een andere stand."


def _chip(text: str, name: str, tip: str) -> QToolButton:
    chip = QToolButton()
    chip.setObjectName(name)
    chip.setProperty("chip", True)
    chip.setText(text)
    chip.setToolTip(tip)
    chip.setCheckable(True)
    chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return chip


def count_text(total: int) -> str:
    """``1 brief``, ``1.234 brieven`` (Dutch thousands), ``meer dan 10.000 brieven``."""
    if total > COUNT_CAP:
        return f"meer dan {COUNT_CAP:,} brieven".replace(",", ".")
    return "1 brief" if total == 1 else f"{total:,} brieven".replace(",", ".")


class InboxPage(QWidget):
    """Filters, the count, the list (left) and the reading pane (right)."""

    shown = Signal()
    """The page came on screen: time to load the list again."""
    filters_changed = Signal()
    fetch_requested = Signal()
    """Nu ophalen: fetch from every mailbox and drop folder now (the Desktop's fetch worker)."""

    def __init__(self, area: Area, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{area.key}")
        title = QLabel(area.title)
        title.setObjectName("pageTitle")
        self.fetch_button = QPushButton(FETCH_TEXT)
        self.fetch_button.setObjectName("inboxFetch")
        self.fetch_button.setToolTip(
            f"Nu kijken in het postvak en de ontvangstmap, niet pas bij de volgende ronde "
            f"({FETCH_KEY})"
        )
        self.fetch_button.setAutoDefault(False)
        self.fetch_button.clicked.connect(self.fetch_requested)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.fetch_button)

        self.views = QButtonGroup(self)
        self.views.setExclusive(True)
        self.chips: dict[LetterView, QToolButton] = {}
        filters = FlowLayout(spacing=6, row_spacing=6)  # two rows on a narrow screen
        for view, text, tip in VIEW_CHIPS:
            chip = _chip(text, f"inboxView_{view.name.lower()}", tip)
            self.views.addButton(chip)
            self.chips[view] = chip
            filters.addWidget(chip)
        self.chips[LetterView.ALL].setChecked(True)
        self.views.buttonToggled.connect(self._view_toggled)

        self.state = QComboBox()
        self.state.setObjectName("inboxState")
        for text, state, _all in STATES:
            self.state.addItem(text, state)
        state_label = QLabel("&Stand:")
        state_label.setBuddy(self.state)
        self.state.currentIndexChanged.connect(lambda _i: self.filters_changed.emit())
        self.team = QComboBox()
        self.team.setObjectName("inboxTeam")
        self.team.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team.addItem("Alle teams", None)
        team_label = QLabel("&Team:")
        team_label.setBuddy(self.team)
        self.team.currentIndexChanged.connect(lambda _i: self.filters_changed.emit())
        self.this_patient = QCheckBox("Van de&ze patiënt")
        self.this_patient.setObjectName("inboxThisPatient")
        self.this_patient.toggled.connect(lambda _on: self.filters_changed.emit())
        self.count = LiveLabel()  # a screen reader says the new count
        self.count.setObjectName("pageSummary")

        second = FlowLayout(spacing=12, row_spacing=6)  # a label stays beside its field
        for label, field in ((state_label, self.state), (team_label, self.team)):
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.setSpacing(6)
            pair_layout.addWidget(label)
            pair_layout.addWidget(field)
            second.addWidget(pair)
        second.addWidget(self.this_patient)
        second.add_trailing(self.count)

        self.model = LetterTableModel(self)
        self.table = LetterTable()
        self.table.setModel(self.model)
        self.empty = QLabel(EMPTY_TODO)
        self.empty.setObjectName("pageSummary")
        self.empty.setWordWrap(True)
        self.pane = ReadingPane()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([scaled(560), 560])  # a larger font: the list needs more
        self.pane.setMinimumWidth(320)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        self.intake = IntakeBar(self)  # Brief toevoegen, Telefoon vastleggen (drop.py)
        header.insertWidget(header.indexOf(self.fetch_button), self.intake)
        layout.addLayout(header)
        layout.addSpacing(4)
        layout.addLayout(filters)
        layout.addLayout(second)
        layout.addWidget(self.intake.message)
        layout.addSpacing(4)
        layout.addWidget(self.splitter, 1)

        self.file_shortcut = QShortcut(QKeySequence(FILE_KEY), self)
        self.file_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.file_shortcut.activated.connect(self.pane.ask_file)
        self.his_shortcut = QShortcut(QKeySequence(HIS_KEY), self)
        self.his_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.his_shortcut.activated.connect(self.pane.ask_his)
        self.action_shortcuts: dict[str, QShortcut] = {}
        for letter_action in LETTER_ACTIONS:  # Ctrl+T toewijzen…: anywhere on the page
            if letter_action.shortcut:
                key = QShortcut(QKeySequence(letter_action.shortcut), self)
                key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                key.activated.connect(lambda k=letter_action.key: self.pane.trigger(k))
                self.action_shortcuts[letter_action.key] = key
        self.refresh_shortcut = QShortcut(QKeySequence(REFRESH_KEY), self)
        self.refresh_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_shortcut.activated.connect(self.filters_changed)
        self.fetch_shortcut = QShortcut(QKeySequence(FETCH_KEY), self)
        self.fetch_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.fetch_shortcut.activated.connect(self.fetch_requested)
        self.set_patient_open(False)
        self.drop_zone = DropZone(self)  # files dragged onto the page (drop.py)
        self.setAcceptDrops(True)

    # -- filters ---------------------------------------------------------------------------------

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """The list has focus when the page opens.

        Not a focus proxy: with one, Tab skipped the filters and buttons after the list.
        """
        super().focusInEvent(event)
        self.table.setFocus(event.reason())

    def _view_toggled(self, _chip: object, on: bool) -> None:
        if on:  # the chip switched off toggles too; one reload for the pair
            self.filters_changed.emit()

    def view(self) -> LetterView:
        """The chip that is on."""
        return next((v for v, chip in self.chips.items() if chip.isChecked()), LetterView.ALL)

    def state_filter(self) -> tuple[LetterState | None, bool]:
        """The chosen state, and whether every state is wanted (Alle standen)."""
        _text, state, all_states = STATES[max(0, self.state.currentIndex())]
        return state, all_states

    def team_filter(self) -> str | None:
        """The chosen team's id, or None for every team."""
        team = self.team.currentData()
        return team if isinstance(team, str) else None

    def set_teams(self, teams: list[TeamChoice]) -> None:
        """The teams letters came from; the choice stays when that team is still there."""
        chosen = self.team_filter()
        self.team.blockSignals(True)
        self.team.clear()
        self.team.addItem("Alle teams", None)
        for team in teams:
            self.team.addItem(team.name, team.team_id)
        index = self.team.findData(chosen) if chosen is not None else 0
        self.team.setCurrentIndex(max(0, index))
        self.team.blockSignals(False)

    def set_patient_open(self, is_open: bool) -> None:
        """The "van deze patiënt" filter only with a patient in the banner."""
        self.this_patient.setVisible(is_open)
        if not is_open and self.this_patient.isChecked():
            self.this_patient.setChecked(False)

    def patient_filter(self) -> bool:
        """Whether the list shows only the banner's patient."""
        return self.this_patient.isVisibleTo(self) and self.this_patient.isChecked()

    def filtered(self) -> bool:
        """Whether anything narrows the list beyond the default (te doen, alle)."""
        state, all_states = self.state_filter()
        return (
            self.view() is not LetterView.ALL
            or state is not None
            or all_states
            or self.team_filter() is not None
            or self.patient_filter()
        )

    def show_count(self, total: int, problem: str | None = None) -> None:
        """The count, and what to do when the list is empty (or why it could not load)."""
        self.count.setText("" if problem else count_text(total))
        if problem is not None:
            self.empty.setText(problem)
        else:
            self.empty.setText(EMPTY_FILTERED if self.filtered() else EMPTY_TODO)
        self.empty.setVisible(total == 0 or problem is not None)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Coming on screen loads the list again (a colleague may have filed a letter)."""
        super().showEvent(event)
        if not event.spontaneous():
            self.shown.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Files dragged onto the page: highlighted (``drop.DropZone``)."""
        self.drop_zone.drag_enter(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        """Still over the page."""
        self.drop_zone.drag_move(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        """Gone without dropping."""
        self.drop_zone.drag_leave()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Let go: stored through the intake by the controller."""
        self.drop_zone.drag_drop(event)
