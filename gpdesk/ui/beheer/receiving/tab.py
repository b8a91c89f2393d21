"""Beheer → Ontvangen, laid out: the sources on top, retention and quarantine below.

Layout only: ``ReceivingController`` fills it and carries out the buttons. The Alt keys are
unique on the page, next to the tabs' (P G R L S V O) and the menu's (P G H):
Alt+I M W U/A D N · B T · Q. Enter on a source is Wijzigen; Enter in the retention field saves
it; Delete on a source is Verwijderen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.accessible import announce, let_tab_leave, named
from gpdesk.ui.beheer.kaart.fields import FieldErrors, note, with_error
from gpdesk.ui.beheer.receiving.models import SourcesModel
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.theme import set_tone

if TYPE_CHECKING:
    from gpdesk.inbox.store.quarantine import QuarantineOverview
    from gpdesk.inbox.store.sources import SourceView

MIN_RETENTION: Final = 30
MAX_RETENTION: Final = 3650
"""As ``gpdesk.inbox.store.forgetting`` allows (not imported: it is not needed at start-up)."""
NO_SOURCES: Final = (
    "Nog geen postvak of map. Voeg het postvak van de beveiligde mail toe (Alt+I), of de map "
    "waarin het mailprogramma brieven zet (Alt+M)."
)
TURN_OFF: Final = "&Uitzetten"
TURN_ON: Final = "A&anzetten"


def _status(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _button(text: str, name: str, tip: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    if tip:
        button.setToolTip(tip)
    return button


class SourcesBox(QGroupBox):
    """Every mailbox and drop folder, with how it went last time, and what to do with one."""

    def __init__(self) -> None:
        super().__init__("Postvakken en mappen")
        self.setObjectName("sourcesBox")
        self.model = SourcesModel(self)
        self.view = let_tab_leave(named(QTableView(), "Postvakken en mappen"))
        self.view.setObjectName("sourcesView")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SourcesModel.WHERE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SourcesModel.LAST_ERROR, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(NO_SOURCES)
        self.empty.setObjectName("pageSummary")
        self.empty.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("warning")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.add_imap_button = _button(
            "&IMAP-postvak toevoegen…", "addImapSource",
            "Het postvak van de beveiligde mail, alleen versleuteld (TLS of STARTTLS).",
        )  # fmt: skip
        self.add_folder_button = _button(
            "&Map toevoegen…", "addFolderSource",
            "Een map waarin het mailprogramma brieven als bestand zet.",
        )  # fmt: skip
        self.edit_button = _button("&Wijzigen…", "editSource")
        self.toggle_button = _button(
            TURN_OFF, "toggleSource", "Tijdelijk niet ophalen; de instellingen blijven."
        )
        self.remove_button = _button(
            "Verwij&deren…", "removeSource",
            "gpdesk haalt er niets meer op. Brieven die er al uit kwamen, blijven.",
        )  # fmt: skip
        self.fetch_button = _button(
            "&Nu ophalen", "fetchSource", "Haal nu één keer op uit deze bron, los van het schema."
        )
        self.status = _status("sourcesStatus")
        buttons = FlowLayout(spacing=6, row_spacing=6)  # two rows on a narrow screen
        for button in (
            self.add_imap_button,
            self.add_folder_button,
            self.edit_button,
            self.toggle_button,
            self.remove_button,
            self.fetch_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.view.selectionModel().selectionChanged.connect(self.selection_changed)
        self.remove_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        self.remove_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_shortcut.activated.connect(self.remove_button.click)
        self.may_fetch = False
        self.fetching = False
        self.selection_changed()

    def selected(self) -> SourceView | None:
        """The chosen source."""
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def selection_changed(self) -> None:
        """Buttons for one source follow the choice; its last error in full under the list."""
        source = self.selected()
        chosen = source is not None
        for button in (self.edit_button, self.toggle_button, self.remove_button):
            button.setEnabled(chosen)
        self.fetch_button.setEnabled(chosen and self.may_fetch and not self.fetching)
        off = source is not None and not source.enabled
        self.toggle_button.setText(TURN_ON if off else TURN_OFF)
        error = None if source is None else source.last_error
        self.error.setText(f"⚠ Laatste keer ging het mis: {error}" if error else "")
        self.error.setVisible(bool(error))

    def set_may_fetch(self, may: bool) -> None:
        """Nu ophalen stores letters: only for someone who may read them (the core checks too)."""
        self.may_fetch = may
        self.fetch_button.setToolTip(
            "Haal nu één keer op uit deze bron, los van het schema."
            if may
            else "Nu ophalen kan alleen wie terugkoppeling mag lezen (Beheer > Rechten). "
            "Gebruik Verbinding testen bij Wijzigen om de instellingen te controleren."
        )
        self.selection_changed()

    def show_sources(self, sources: list[SourceView], select: int | None = None) -> None:
        """Fill the list, keeping (or moving) the selection to ``select``."""
        self.model.set_rows(sources)
        self.empty.setVisible(not sources)
        row = self.model.row_of(select)
        if sources:
            self.view.selectRow(max(row, 0))
        self.selection_changed()

    def show_status(self, text: str, *, ok: bool = True) -> None:
        """What the last action did, in a sentence (red when it failed)."""
        announce(self, text, urgent=not ok)
        set_tone(self.status, "" if ok else "error")
        self.status.setText(text)
        self.status.setVisible(bool(text))


class RetentionBox(QGroupBox):
    """How long a filed letter keeps its content."""

    def __init__(self) -> None:
        super().__init__("Bewaartermijn")
        self.setObjectName("retentionBox")
        self.errors = FieldErrors()
        self.days = QSpinBox()
        self.days.setObjectName("retentionDays")
        self.days.setRange(MIN_RETENTION, MAX_RETENTION)
        self.days.setSuffix(" dagen")
        self.days.setValue(90)
        self.days.setGroupSeparatorShown(False)
        self.save_button = _button("&Termijn opslaan", "saveRetention")
        self.status = _status("retentionStatus")
        label = QLabel("&Bewaartermijn")
        label.setBuddy(self.days)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(with_error(self.days, self.errors.label("retention")))
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                f"Na overnemen in het HIS (of archiveren) en deze termijn verwijdert gpdesk de "
                f"inhoud en bijlagen van een brief; een kort verslag en het logboek blijven. "
                f"Van {MIN_RETENTION} tot {MAX_RETENTION} dagen."
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.days.lineEdit().returnPressed.connect(self.save_button.click)

    def show_days(self, days: int) -> None:
        """The stored period."""
        self.errors.show({})
        self.days.setValue(days)


class QuarantineBox(QGroupBox):
    """How many received files wait in quarantine, and why; a way to them."""

    open_requested = Signal()

    def __init__(self) -> None:
        super().__init__("Quarantaine")
        self.setObjectName("quarantineBox")
        self.summary = QLabel("–")
        self.summary.setObjectName("quarantineSummary")
        self.summary.setWordWrap(True)
        self.reasons = QLabel()
        self.reasons.setObjectName("quarantineReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reasons.hide()
        self.open_button = _button(
            "&Quarantaine bekijken in Terugkoppeling", "openQuarantine",
            "Terugkoppeling met het filter Quarantaine.",
        )  # fmt: skip
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.hide()
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.reasons)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.open_button.clicked.connect(self.open_requested)

    def show_overview(self, overview: QuarantineOverview, *, may_read: bool) -> None:
        """The count, the reasons (most frequent first), and whether the letters can be opened."""
        total = overview.total
        if not total:
            self.summary.setText("Er staat niets in quarantaine.")
        else:
            noun = "bestand staat" if total == 1 else "bestanden staan"
            self.summary.setText(
                f"{total} {noun} in quarantaine: bewaard, maar niet geopend. Bekijk de reden "
                "en archiveer wat niet nodig is, of vraag de afzender het opnieuw te sturen."
            )
        self.reasons.setText("\n".join(f"{r.count} × {r.reason}" for r in overview.reasons))
        self.reasons.setVisible(bool(overview.reasons))
        self.open_button.setEnabled(may_read and total > 0)
        self.hint.setText(
            ""
            if may_read
            else "Om de bestanden zelf te zien is het recht 'terugkoppeling lezen' nodig "
            "(Beheer > Rechten)."
        )
        self.hint.setVisible(not may_read)


class ReceivingTab(QScrollArea):
    """The sources on top, retention and quarantine side by side below; one screen at 1366x768.

    A scroll area, as Verzenden: on a low screen it scrolls instead of making the window taller.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("receivingBeheer")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a page, not a control: its fields take Tab
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.sources = SourcesBox()
        self.retention = RetentionBox()
        self.quarantine = QuarantineBox()
        self.status = _status("receivingStatus")
        below = QHBoxLayout()
        below.addWidget(self.retention, 1)
        below.addWidget(self.quarantine, 1)
        layout = QVBoxLayout(body)
        layout.addWidget(self.sources, 1)
        layout.addLayout(below)
        layout.addWidget(self.status)
        self.setWidget(body)

    def show_status(self, text: str) -> None:
        """A line about loading (or a failure to load) the tab."""
        announce(self, text)
        self.status.setText(text)
        self.status.setVisible(bool(text))
