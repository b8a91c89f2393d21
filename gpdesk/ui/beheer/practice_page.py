"""Beheer: a tab per job — praktijk, gebruikers, rechten, logboek, kaart, verzenden, ontvangen.

Layout only; ``BeheerController`` fills the tabs and carries out the buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gpdesk.practice.overview import PracticeOverview
from gpdesk.ui.accessible import let_tab_leave, named
from gpdesk.ui.beheer.kaart.tab import KaartTab
from gpdesk.ui.beheer.models import AuditModel, PermissionsModel, UsersModel, local_time
from gpdesk.ui.beheer.receiving.tab import ReceivingTab
from gpdesk.ui.beheer.sending.tab import SendingTab
from gpdesk.ui.flow_layout import FlowLayout


def backup_warning(never: bool, ask: Sequence[str] | None = None) -> str:
    """The back-up warning; ``ask`` names who may make one when the reader may not (None: may)."""
    first = (
        "⚠ Er is nog nooit een back-up gemaakt."
        if never
        else "⚠ De laatste back-up is ouder dan 7 dagen."
    )
    if ask is None:
        return (
            f"{first} Maak er nu een en bewaar hem buiten deze computer."
            if never
            else f"{first} Maak een nieuwe back-up."
        )
    if not ask:
        return (
            f"{first} Geen enkel actief account mag nu back-ups maken; de praktijkmanager kan "
            "dat recht aan een rol geven (Beheer > Rechten)."
        )
    names = ask[0] if len(ask) == 1 else f"{', '.join(ask[:-1])} of {ask[-1]}"
    return f"{first} Vraag {names} om een back-up te maken."


def _table(model: object, name: str, spoken: str) -> QTableView:
    view = let_tab_leave(named(QTableView(), spoken))
    view.setObjectName(name)
    view.setModel(model)  # type: ignore[arg-type]
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    return view


def _labelled(text: str, field: QWidget) -> QWidget:
    """A label and its field that stay together when a row wraps."""
    pair = QWidget()
    layout = QHBoxLayout(pair)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    label = QLabel(text)
    label.setBuddy(field)
    layout.addWidget(label)
    layout.addWidget(field)
    return pair


class PracticeTab(QScrollArea):
    """The installation at a glance, and the backup with its warning.

    A scroll area: on a low screen the form scrolls instead of making the window taller.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a page, not a control: its fields take Tab
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("beheerPracticeBody")
        self.status = QLabel("Gegevens worden geladen…")
        self.status.setObjectName("pageSummary")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label in (
            ("practice", "Praktijk"),
            ("database", "Database"),
            ("location", "Locatie"),
            ("home", "gpdesk-map"),
            ("schema", "Schemaversie"),
            ("patients", "Patiënten in gpdesk"),
            ("backup", "Laatste back-up"),
        ):
            value = QLabel("–")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName(f"beheer_{key}")
            self.fields[key] = value
            form.addRow(f"{label}:", value)
        self.backup_warning = QLabel()
        self.backup_warning.setObjectName("warning")
        self.backup_warning.setWordWrap(True)
        self.backup_warning.hide()
        self.backup_button = QPushButton("&Back-up maken…")
        self.backup_button.setObjectName("makeBackup")
        self.check_button = QPushButton("&Database controleren")
        self.check_button.setObjectName("checkDatabase")
        self.check_button.setToolTip(
            "Controleer of gegevens, accounts, rechten of het logboek buiten gpdesk om zijn "
            "gewijzigd."
        )
        self.check_progress = QProgressBar()
        self.check_progress.setObjectName("checkProgress")
        self.check_progress.setFormat("%v van %m onderdelen")
        self.check_progress.hide()
        self.check_status = QLabel()
        self.check_status.setObjectName("checkStatus")
        self.check_status.setWordWrap(True)
        self.check_status.hide()
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.check_button)
        row.addStretch(1)
        layout = QVBoxLayout(body)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(self.backup_warning)
        layout.addLayout(row)
        layout.addWidget(self.check_progress)
        layout.addWidget(self.check_status)
        layout.addStretch(1)
        self.setWidget(body)

    def show_overview(self, overview: PracticeOverview, ask: Sequence[str] | None = None) -> None:
        """Fill the fields; warn when a backup is due, naming whom to ask (``ask``) if not you."""
        self.status.setText("Overzicht van deze installatie.")
        self.fields["practice"].setText(overview.practice_name)
        self.fields["database"].setText(overview.database_kind)
        self.fields["location"].setText(overview.database_location)
        self.fields["home"].setText(overview.home)
        self.fields["schema"].setText(overview.schema_revision or "–")
        self.fields["patients"].setText(str(overview.patient_count))
        self.fields["backup"].setText(
            "nog nooit" if overview.last_backup_at is None else local_time(overview.last_backup_at)
        )
        self.backup_warning.setVisible(overview.backup_due)
        self.backup_warning.setText(backup_warning(overview.last_backup_at is None, ask))

    def show_error(self, text: str) -> None:
        """Say so instead of showing stale figures."""
        self.status.setText(text)

    def show_check_progress(self, done: int, total: int, title: str) -> None:
        """While the check runs: which part, and how far along."""
        self.check_button.setEnabled(False)
        self.check_progress.setRange(0, total)
        self.check_progress.setValue(done)
        self.check_progress.show()
        self.check_status.setText(f"Bezig: {title.lower()}…" if title else "Afronden…")
        self.check_status.show()

    def show_check_done(self, text: str) -> None:
        """The check stopped (done or failed): the button back, the outcome in one line."""
        self.check_button.setEnabled(True)
        self.check_progress.hide()
        self.check_status.setText(text)
        self.check_status.setVisible(bool(text))


class UsersTab(QWidget):
    """Who can sign in; add, disable and reset."""

    def __init__(self) -> None:
        super().__init__()
        self.model = UsersModel()
        self.view = _table(self.model, "usersView", "Gebruikers")
        self.add_button = QPushButton("Gebruiker &toevoegen…")
        self.add_button.setObjectName("addUser")
        self.toggle_button = QPushButton("&Uitschakelen")
        self.toggle_button.setObjectName("toggleUser")
        self.reset_button = QPushButton("&Nieuw eenmalig wachtwoord")
        self.reset_button.setObjectName("resetUser")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.toggle_button, self.reset_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.note = QLabel(
            "Een nieuwe gebruiker krijgt een eenmalig wachtwoord en kiest bij de eerste "
            "aanmelding een eigen wachtwoord. Uitgeschakelde accounts blijven bewaard voor het "
            "logboek."
        )
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def selected(self) -> int | None:
        """Row index of the selected user."""
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _selection_changed(self) -> None:
        row = self.selected()
        self.toggle_button.setEnabled(row is not None)
        self.reset_button.setEnabled(row is not None)
        if row is not None:
            active = self.model.rows[row].active
            self.toggle_button.setText("&Uitschakelen" if active else "&Inschakelen")


class PermissionsTab(QWidget):
    """The permission table per role; checkboxes when the user may change it."""

    def __init__(self) -> None:
        super().__init__()
        self.model = PermissionsModel()
        self.view = _table(self.model, "permissionsView", "Rechten per rol")
        self.view.verticalHeader().show()
        self.view.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.note = QLabel(
            "Wat elke rol mag. De praktijkmanager kan een recht per rol aan- of uitzetten; "
            "grijze vakjes liggen vast. gpdesk controleert deze rechten bij elke handeling."
        )
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)


class AuditTab(QWidget):
    """The NEN 7513 logboek with filters, verification and export."""

    PERIODS = (
        ("Alles", None),
        ("Vandaag", 0),
        ("Afgelopen 7 dagen", 7),
        ("Afgelopen 30 dagen", 30),
        ("Afgelopen jaar", 365),
    )

    def __init__(self, model: AuditModel) -> None:
        super().__init__()
        self.model = model
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.addItem("Alle gebruikers", None)
        self.bsn = QLineEdit()
        self.bsn.setObjectName("auditBsn")
        self.bsn.setPlaceholderText("BSN van een patiënt (optioneel)")
        self.period = QComboBox()
        self.period.setObjectName("auditPeriod")
        for label, days in self.PERIODS:
            self.period.addItem(label, days)
        self.search_button = QPushButton("&Zoeken")
        self.search_button.setObjectName("auditSearch")
        self.bsn.returnPressed.connect(self.search_button.click)
        self.bsn.setMinimumWidth(
            self.bsn.fontMetrics().horizontalAdvance(self.bsn.placeholderText()) + 40
        )
        # Names are as long as a practice makes them: the combo box does not grow with them.
        self.user.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.user.setMinimumContentsLength(18)
        filters = FlowLayout(spacing=12, row_spacing=6)  # two rows on a narrow screen
        filters.addWidget(_labelled("Gebr&uiker", self.user))
        filters.addWidget(_labelled("Pa&tiënt (BSN)", self.bsn))
        filters.addWidget(_labelled("Per&iode", self.period))
        filters.addWidget(self.search_button)
        self.view = _table(model, "auditView", "Logboek")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AuditModel.WHAT, QHeaderView.ResizeMode.Stretch)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.set_model(model)
        self.verify_button = QPushButton("Logboek &controleren")
        self.verify_button.setObjectName("auditVerify")
        self.export_button = QPushButton("&Exporteren…")
        self.export_button.setObjectName("auditExport")
        self.status = QLabel()
        self.status.setObjectName("auditStatus")
        self.status.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.verify_button)
        actions.addWidget(self.export_button)
        actions.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)

    def set_model(self, model: AuditModel) -> None:
        """Show ``model``; its columns fit what each page of entries holds."""
        self.model = model
        self.view.setModel(model)
        model.rowsInserted.connect(self._fit_columns)

    def _fit_columns(self) -> None:
        """The short columns fit their text; "Wat er gebeurde" takes the rest of the width."""
        for column in range(self.model.columnCount()):
            if column != AuditModel.WHAT:
                self.view.resizeColumnToContents(column)


class PracticePage(QWidget):
    """Beheer with its tabs; which tabs show depends on the signed-in user's permissions."""

    def __init__(
        self, audit_model: AuditModel | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page_beheer")
        title = QLabel("Beheer")
        title.setObjectName("pageTitle")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("beheerTabs")
        self.practice = PracticeTab()
        self.users = UsersTab()
        self.permissions = PermissionsTab()
        self.audit = AuditTab(audit_model or AuditModel(lambda _seq: None))
        self.kaart = KaartTab()
        self.sending = SendingTab()
        self.receiving = ReceivingTab()
        self.tabs.addTab(self.practice, "&Praktijk")
        self.tabs.addTab(self.users, "&Gebruikers")
        self.tabs.addTab(self.permissions, "&Rechten")
        self.tabs.addTab(self.audit, "&Logboek")
        self.tabs.addTab(self.kaart, "&Sociale kaart")
        self.tabs.addTab(self.sending, "&Verzenden")
        self.tabs.addTab(self.receiving, "&Ontvangen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def show_tabs(
        self,
        *,
        users: bool,
        audit: bool,
        backup: bool,
        kaart: bool = False,
        check: bool = False,
        sending: bool = False,
        receiving: bool = False,
    ) -> None:
        """Only what this user may use; the core refuses the rest anyway."""
        self.tabs.setTabVisible(self.tabs.indexOf(self.users), users)
        self.tabs.setTabVisible(self.tabs.indexOf(self.sending), sending)
        self.tabs.setTabVisible(self.tabs.indexOf(self.receiving), receiving)
        self.tabs.setTabVisible(self.tabs.indexOf(self.audit), audit)
        self.tabs.setTabVisible(self.tabs.indexOf(self.kaart), kaart)
        self.practice.backup_button.setVisible(backup)
        self.practice.check_button.setVisible(check)

    def show_overview(self, overview: PracticeOverview, ask: Sequence[str] | None = None) -> None:
        """Fill the practice and users tabs (``ask``: who may make the back-up, if not you)."""
        self.practice.show_overview(overview, ask)
        self.users.model.set_users(overview.users)

    def show_error(self, text: str) -> None:
        """The overview could not be loaded."""
        self.practice.show_error(text)
