"""Beheer → Verzenden, laid out: briefhoofd and mail server side by side, the teams below.

Layout only: ``SendingController`` fills the fields and carries out the buttons. Each part has
its own Opslaan (they are stored and audited apart); Enter in a one-line field presses the
Opslaan of its own part, not the other's. The mnemonics are unique on the page, next to the
tabs' (P G R L S V O) and the menu's (P G H): Alt+A F D · E T I U W N C K B M · Z. Briefhoofd
opslaan has none left (O is Ontvangen's): Enter in any of its fields presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.accessible import announce, let_tab_leave, named
from gpdesk.ui.beheer.kaart.fields import FieldErrors, note, with_error
from gpdesk.ui.beheer.sending.models import TeamDeliveryModel
from gpdesk.ui.theme import set_tone

if TYPE_CHECKING:
    from gpdesk.practice.letterhead import Letterhead
    from gpdesk.transport.config import TransportView

SECURITY_CHOICES = (
    ("STARTTLS (meestal poort 587)", "starttls", 587),
    ("TLS (meestal poort 465)", "tls", 465),
)
STORED = "opgeslagen"
NOT_STORED = "niet ingesteld"


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def _status(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class _EnterPresses(QObject):
    """Enter in a one-line field of a part presses that part's default button."""

    def __init__(self, button: QPushButton, parent: QObject) -> None:
        super().__init__(parent)
        self.button = button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Take Return/Enter without modifiers; Ctrl+Enter too (the address box's own Enter)."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            multi_line = isinstance(watched, QPlainTextEdit)
            wanted = (
                Qt.KeyboardModifier.ControlModifier
                if multi_line
                else Qt.KeyboardModifier.NoModifier
            )
            if key and modifiers == wanted:
                if self.button.isEnabled():
                    self.button.click()
                return True
        return False


class LetterheadBox(QGroupBox):
    """Address, phone and AGB code the practice's signals and handouts go out under."""

    def __init__(self) -> None:
        super().__init__("Briefhoofd")
        self.setObjectName("letterheadBox")
        self.errors = FieldErrors()
        self.name = QLabel("–")
        self.name.setObjectName("letterheadName")
        self.address = QPlainTextEdit()
        self.address.setObjectName("letterheadAddress")
        self.address.setPlaceholderText("Singel 12\n3112 GS Schiedam")
        self.address.setTabChangesFocus(True)
        lines = self.address.fontMetrics().lineSpacing()
        self.address.setFixedHeight(lines * 4 + 14)
        self.address.setToolTip("Eén regel per adresregel, hooguit 4. Ctrl+Enter: opslaan.")
        self.phone = _line("letterheadPhone", "010 123 45 67")
        self.agb = _line("letterheadAgb", "8 cijfers (mag leeg)")
        self.agb.setMaxLength(8)
        self.save_button = QPushButton("Brief&hoofd opslaan")
        self.save_button.setObjectName("saveLetterhead")
        self.status = _status("letterheadStatus")
        form = QFormLayout()
        form.addRow("Prakti&jk", self.name)
        address_label = QLabel("&Adres")
        address_label.setBuddy(self.address)
        form.addRow(address_label, with_error(self.address, self.errors.label("adres")))
        phone_label = QLabel("Tele&foon")
        phone_label.setBuddy(self.phone)
        form.addRow(phone_label, with_error(self.phone, self.errors.label("telefoon")))
        agb_label = QLabel("AGB-co&de")
        agb_label.setBuddy(self.agb)
        form.addRow(agb_label, with_error(self.agb, self.errors.label("agb")))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note("Staat op elk signaal en elke folder. Zonder adres en telefoon gaat er geen "
                 "signaal weg.")
        )  # fmt: skip
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        enter = _EnterPresses(self.save_button, self)
        for field in (self.address, self.phone, self.agb):
            field.installEventFilter(enter)

    def show_letterhead(self, head: Letterhead) -> None:
        """Fill the fields with what is stored."""
        self.name.setText(head.name)
        self.address.setPlainText("\n".join(head.address_lines))
        self.phone.setText(head.phone)
        self.agb.setText(head.agb_code or "")
        self.errors.show({})

    def address_lines(self) -> list[str]:
        """The address as typed, one entry per line."""
        return self.address.toPlainText().splitlines()


class MailServerBox(QGroupBox):
    """The practice's mail gateway: always STARTTLS or TLS, the password never shown."""

    def __init__(self) -> None:
        super().__init__("E-mailserver")
        self.setObjectName("mailServerBox")
        self.errors = FieldErrors()
        self.host = _line("smtpHost", "smtp.voorbeeld.nl")
        self.port = QSpinBox()
        self.port.setObjectName("smtpPort")
        self.port.setRange(1, 65535)
        self.port.setValue(587)
        self.port.setGroupSeparatorShown(False)
        self.security = QComboBox()
        self.security.setObjectName("smtpSecurity")
        for title, value, _port in SECURITY_CHOICES:
            self.security.addItem(title, value)
        self.username = _line("smtpUsername", "leeg: niet inloggen")
        self.password = _line("smtpPassword", NOT_STORED)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip(
            "Het opgeslagen wachtwoord wordt nooit getoond. Laat het veld leeg om het te houden."
        )
        self.from_address = _line("smtpFrom", "praktijk@voorbeeld.nl")
        self.ca_file = _line("smtpCaFile", "leeg: de certificaten van het systeem")
        self.ca_button = QPushButton("&Kiezen…")
        self.ca_button.setObjectName("chooseCaFile")
        self.test_button = QPushButton("Ver&binding testen")
        self.test_button.setObjectName("testConnection")
        self.test_button.setToolTip(
            "Maakt een beveiligde verbinding en logt in, zoals bij verzenden. Verstuurt niets."
        )
        self.save_button = QPushButton("&Mailserver opslaan")
        self.save_button.setObjectName("saveTransport")
        self.status = _status("transportStatus")
        self.test_status = _status("connectionStatus")
        server = QHBoxLayout()
        server.setContentsMargins(0, 0, 0, 0)
        server.addWidget(self.host, 1)
        port_label = QLabel("Poor&t")
        port_label.setBuddy(self.port)
        server.addWidget(port_label)
        server.addWidget(self.port)
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_button)
        server_box = QWidget()
        server_box.setLayout(server)
        ca_box = QWidget()
        ca_box.setLayout(ca_row)
        host_error = with_error(server_box, self.errors.label("mailserver"))
        host_layout = host_error.layout()
        assert host_layout is not None
        host_layout.addWidget(self.errors.label("poort"))  # the port's error under the same row
        form = QFormLayout()
        rows: tuple[tuple[str, QWidget, QWidget], ...] = (
            ("S&erver", self.host, host_error),
            (
                "Beve&iliging",
                self.security,
                with_error(self.security, self.errors.label("beveiliging")),
            ),
            (
                "Gebr&uikersnaam",
                self.username,
                with_error(self.username, self.errors.label("gebruikersnaam")),
            ),
            ("&Wachtwoord", self.password, self.password),
            (
                "Afze&nder",
                self.from_address,
                with_error(self.from_address, self.errors.label("afzender")),
            ),
            ("&CA-bestand", self.ca_file, with_error(ca_box, self.errors.label("ca_bestand"))),
        )
        for text, buddy, shown in rows:
            row_label = QLabel(text)
            row_label.setBuddy(buddy)
            form.addRow(row_label, shown)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test_status)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        enter = _EnterPresses(self.save_button, self)
        for line in (
            self.host,
            self.port,
            self.username,
            self.password,
            self.from_address,
            self.ca_file,
        ):
            line.installEventFilter(enter)
        self.security.currentIndexChanged.connect(self._usual_port)
        self.stored_password = False

    def _usual_port(self) -> None:
        """Switching STARTTLS/TLS moves the port along when it was the other one's usual."""
        usual = {value: port for _label, value, port in SECURITY_CHOICES}
        chosen = str(self.security.currentData())
        other = usual["tls" if chosen == "starttls" else "starttls"]
        if self.port.value() == other:
            self.port.setValue(usual[chosen])

    def show_settings(self, view: TransportView | None) -> None:
        """Fill the form; the password field only says whether one is stored."""
        self.errors.show({})
        if view is None:
            self.stored_password = False
            self.password.setPlaceholderText(NOT_STORED)
            return
        self.host.setText(view.host)
        self.security.blockSignals(True)
        self.security.setCurrentIndex(max(self.security.findData(view.security), 0))
        self.security.blockSignals(False)
        self.port.setValue(view.port)
        self.username.setText(view.username)
        self.from_address.setText(view.from_address)
        self.ca_file.setText(view.ca_file or "")
        from gpdesk.transport.config import SET  # the core's word, not imported at start-up

        self.show_password_stored(view.password == SET)

    def show_password_stored(self, stored: bool) -> None:
        """Empty field; its placeholder says "opgeslagen" or "niet ingesteld"."""
        self.stored_password = stored
        self.password.clear()
        self.password.setPlaceholderText(STORED if stored else NOT_STORED)

    def show_test(self, text: str, *, ok: bool) -> None:
        """The outcome of the connection test, in one or two plain sentences."""
        self.test_status.setObjectName("connectionStatus")
        self.test_status.setProperty("ok", ok)
        set_tone(self.test_status, "success" if ok else "error")
        self.test_status.setText(text)
        self.test_status.setVisible(bool(text))


class TeamsBox(QGroupBox):
    """Every team of the kaart with where it receives signals."""

    def __init__(self) -> None:
        super().__init__("Wijkteams")
        self.setObjectName("teamsBox")
        self.model = TeamDeliveryModel(self)
        self.view = let_tab_leave(named(QTableView(), "Wijkteams"))
        self.view.setObjectName("teamDeliveryView")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.edit_button = QPushButton("Be&zorging instellen…")
        self.edit_button.setObjectName("editDelivery")
        self.summary = QLabel("De teams worden geladen…")
        self.summary.setObjectName("teamsSummary")
        self.summary.setWordWrap(True)
        self.warning = QLabel()
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.warning)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def selected_row(self) -> int | None:
        """Row index of the selected team."""
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _selection_changed(self) -> None:
        self.edit_button.setEnabled(self.selected_row() is not None)

    def select_team(self, team_id: str | None) -> None:
        """Keep (or move) the selection to ``team_id``; else the first row."""
        rows = self.model.rows
        index = next((i for i, line in enumerate(rows) if line.team_id == team_id), 0)
        if rows:
            self.view.selectRow(index)

    def show_warnings(self) -> None:
        """Teams that cannot receive, certificates that end: above the buttons."""
        found = self.model.warnings()
        self.warning.setText("\n".join(f"⚠ {text}" for text in found))
        self.warning.setVisible(bool(found))
        count = len(self.model.rows)
        self.summary.setText(
            "De sociale kaart heeft nog geen wijkteams. Voeg ze toe onder Sociale kaart."
            if not count
            else f"{count} teams. Kies een team en stel in waar het signalen ontvangt."
        )


class SendingTab(QScrollArea):
    """Briefhoofd and E-mailserver side by side, the teams below: one screen at 1366x768.

    A scroll area, as the Praktijk tab: Beheer's pages share the window, so a tall tab would
    make every area's window taller on a low screen; there it scrolls instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sendingBeheer")
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a page, not a control: its fields take Tab
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.letterhead = LetterheadBox()
        self.server = MailServerBox()
        self.teams = TeamsBox()
        self.status = _status("sendingStatus")
        top = QHBoxLayout()
        top.addWidget(self.letterhead, 2)
        top.addWidget(self.server, 3)
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.teams, 1)
        layout.addWidget(self.status)
        self.setWidget(body)
        self.setTabOrder(self.teams.view, self.teams.edit_button)

    def show_status(self, text: str) -> None:
        """A line about loading (or a failure to load) the tab."""
        announce(self, text)
        self.status.setText(text)
        self.status.setVisible(bool(text))
