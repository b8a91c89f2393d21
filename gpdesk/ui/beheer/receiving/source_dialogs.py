"""One mailbox or one drop folder, added or changed; checked by the core when saved.

The dialogs stay open until the controller has stored what was typed; a refusal comes back in
Dutch under the field it is about (``gpdesk.inbox.store.sources`` names them), and what was
typed stays. A stored password is never shown: the field stays empty ("opgeslagen") and only a
newly typed one replaces it. "Verbinding testen" (Alt+T) asks the controller to try the
settings as typed, off the GUI thread; the outcome shows under the button.

Alt keys, unique in each dialog: IMAP: E R B G W M H P C K V T O; map: M K V O.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog
from gpdesk.ui.beheer.kaart.fields import line_edit, note, with_error
from gpdesk.ui.theme import set_tone

if TYPE_CHECKING:
    from gpdesk.inbox.store.sources import ImapRequest, SourceView

SECURITY_CHOICES: Final = (
    ("TLS (meestal poort 993)", "tls", 993),
    ("STARTTLS (meestal poort 143)", "starttls", 143),
)
"""Never plain: gpdesk does not log in without encryption."""
AFTER_CHOICES: Final = (
    ("Als gelezen markeren en laten staan", "leave"),
    ("Verplaatsen naar een andere map", "move"),
)
STORED: Final = "opgeslagen; leeg laten om het te houden"
NOT_STORED: Final = "niet ingesteld"
DEFAULT_INTERVAL: Final = 5


def _minutes(name: str, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(1, 24 * 60)
    spin.setSuffix(" minuten")
    spin.setValue(value)
    return spin


def _row(form: QFormLayout, text: str, field: QWidget, shown: QWidget | None = None) -> None:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, shown or field)


def _beside(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if index == 0 else 0)
    return box


class ImapSourceDialog(EditorDialog):
    """Server, security, login, folder, what happens after fetching, CA file and interval."""

    submitted = Signal(object)
    """An ``ImapRequest``: the controller stores it (and closes the dialog) or says why not."""
    test_requested = Signal(object)
    """An ``ImapRequest`` to try now, without storing it."""

    def __init__(self, source: SourceView | None = None, parent: QWidget | None = None) -> None:
        title = "IMAP-postvak toevoegen" if source is None else "IMAP-postvak wijzigen"
        super().__init__(title, parent)
        self.setObjectName("imapSourceDialog")
        self.source = source
        self.host = line_edit(
            "imapHost", "" if source is None else source.host or "", "imap.zorgmail.example"
        )
        self.port = QSpinBox()
        self.port.setObjectName("imapPort")
        self.port.setRange(1, 65535)
        self.port.setValue(993 if source is None else source.port or 993)
        self.security = QComboBox()
        self.security.setObjectName("imapSecurity")
        for label, value, _port in SECURITY_CHOICES:
            self.security.addItem(label, value)
        if source is not None:
            self.security.setCurrentIndex(max(self.security.findData(source.security), 0))
        self.username = line_edit("imapUsername", "" if source is None else source.username or "")
        self.password = QLineEdit()
        self.password.setObjectName("imapPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(
            STORED if source is not None and source.password_stored else NOT_STORED
        )
        self.folder = line_edit("imapFolder", "INBOX" if source is None else source.folder or "")
        self.after = QComboBox()
        self.after.setObjectName("imapAfter")
        for label, value in AFTER_CHOICES:
            self.after.addItem(label, value)
        moving = source is not None and bool(source.move_to)
        self.after.setCurrentIndex(1 if moving else 0)
        self.move_to = line_edit(
            "imapMoveTo", "" if source is None else source.move_to or "", "bijv. Verwerkt"
        )
        self.ca_file = line_edit(
            "imapCaFile",
            "" if source is None else source.ca_file or "",
            "leeg: alleen de bekende uitgevers van het systeem",
        )
        self.ca_button = QPushButton("&Kiezen…")
        self.ca_button.setObjectName("chooseCaFile")
        self.interval = _minutes(
            "imapInterval", DEFAULT_INTERVAL if source is None else source.interval_minutes
        )
        self.test_button = QPushButton("Verbinding &testen")
        self.test_button.setObjectName("testImap")
        self.test_status = QLabel()
        self.test_status.setObjectName("connectionStatus")
        self.test_status.setWordWrap(True)
        self.test_status.hide()
        form = QFormLayout()
        errors = self.errors
        _row(form, "S&erver", self.host, with_error(self.host, errors.label("host")))
        _row(form, "Poo&rt", self.port, with_error(self.port, errors.label("port")))
        _row(
            form, "&Beveiliging", self.security, with_error(self.security, errors.label("security"))
        )
        _row(
            form,
            "&Gebruikersnaam",
            self.username,
            with_error(self.username, errors.label("username")),
        )
        _row(
            form, "&Wachtwoord", self.password, with_error(self.password, errors.label("password"))
        )
        _row(form, "&Map", self.folder, with_error(self.folder, errors.label("folder")))
        _row(form, "Na op&halen", self.after, with_error(self.after, errors.label("after")))
        _row(form, "Naar ma&p", self.move_to, with_error(self.move_to, errors.label("move_to")))
        ca_box = _beside(self.ca_file, self.ca_button)
        _row(form, "&CA-bestand", self.ca_file, with_error(ca_box, errors.label("ca_file")))
        _row(form, "Hoe &vaak", self.interval, with_error(self.interval, errors.label("interval")))
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Het postvak van de beveiligde mail (bijv. Zorgmail). gpdesk logt alleen "
                "versleuteld in (TLS of STARTTLS) en controleert het certificaat van de server. "
                "Een bericht wordt pas als gelezen gemarkeerd of verplaatst als gpdesk het "
                "heeft bewaard."
            )
        )
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.test_status)
        layout.addWidget(self.footer())
        self.security.currentIndexChanged.connect(self._usual_port)
        self.after.currentIndexChanged.connect(self._after_changed)
        self.ca_button.clicked.connect(self._choose_ca_file)
        self.test_button.clicked.connect(self._test)
        self._after_changed()
        self.setMinimumWidth(560)
        self.remember_unchanged()

    def _usual_port(self) -> None:
        """Switching TLS/STARTTLS moves the port along when it was the other one's usual."""
        usual = {value: port for _label, value, port in SECURITY_CHOICES}
        chosen = str(self.security.currentData())
        other = usual["starttls" if chosen == "tls" else "tls"]
        if self.port.value() == other:
            self.port.setValue(usual[chosen])

    def _after_changed(self) -> None:
        self.move_to.setEnabled(self.after.currentData() == "move")

    def _choose_ca_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "CA-bestand van de mailserver kiezen",
            self.ca_file.text(),
            "Certificaat (*.pem *.crt *.cer);;Alles (*)",
        )
        if name:
            self.ca_file.setText(name)

    def request(self) -> ImapRequest:
        """The form as the core takes it; an empty password field keeps the stored one."""
        from gpdesk.inbox.store.sources import ImapRequest

        ca = self.ca_file.text().strip()
        return ImapRequest(
            host=self.host.text().strip(),
            port=self.port.value(),
            security=str(self.security.currentData()),
            username=self.username.text().strip(),
            password=self.password.text() or None,
            folder=self.folder.text().strip(),
            move_to=self.move_to.text().strip() if self.after.currentData() == "move" else None,
            ca_file=Path(ca) if ca else None,
            interval_minutes=self.interval.value(),
        )

    def typed(self) -> object:
        """Everything the user can change here."""
        return (
            self.host.text(),
            self.port.value(),
            self.security.currentIndex(),
            self.username.text(),
            self.password.text(),
            self.folder.text(),
            self.after.currentIndex(),
            self.move_to.text(),
            self.ca_file.text(),
            self.interval.value(),
        )

    def submit(self) -> None:
        """Hand the input to the controller; the dialog stays until it is stored."""
        self.set_busy(True)
        self.errors.show({})
        self.submitted.emit(self.request())

    def _test(self) -> None:
        self.errors.show({})
        self.test_button.setEnabled(False)
        self.show_test("Verbinding wordt getest…", ok=True)
        self.test_requested.emit(self.request())

    def show_test(self, text: str, *, ok: bool) -> None:
        """The test's outcome in one or two plain sentences (green or red)."""
        self.test_status.setProperty("ok", ok)
        set_tone(self.test_status, "success" if ok else "error")
        self.test_status.setText(text)
        self.test_status.setVisible(bool(text))

    def test_done(self, text: str, *, ok: bool) -> None:
        """The test finished: its outcome, and the button back."""
        self.test_button.setEnabled(True)
        self.show_test(text, ok=ok)


@dataclass(frozen=True)
class FolderInput:
    """What the folder dialog hands the controller."""

    source_id: int | None
    folder: str
    interval_minutes: int


class FolderSourceDialog(EditorDialog):
    """A drop folder a secure-mail client saves letters in, and how often gpdesk looks."""

    submitted = Signal(object)

    def __init__(self, source: SourceView | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Map toevoegen" if source is None else "Map wijzigen", parent)
        self.setObjectName("folderSourceDialog")
        self.source = source
        self.folder = line_edit(
            "dropFolder", "" if source is None else source.path or "", "bijv. D:\\Zorgmail\\in"
        )
        self.folder_button = QPushButton("&Kiezen…")
        self.folder_button.setObjectName("chooseDropFolder")
        self.interval = _minutes(
            "folderInterval", DEFAULT_INTERVAL if source is None else source.interval_minutes
        )
        form = QFormLayout()
        folder_box = _beside(self.folder, self.folder_button)
        _row(form, "&Map", self.folder, with_error(folder_box, self.errors.label("folder")))
        _row(
            form,
            "Hoe &vaak",
            self.interval,
            with_error(self.interval, self.errors.label("interval")),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Een map waarin het mailprogramma brieven als bestand zet (.eml, .pdf, .txt, "
                "Edifact). gpdesk moet er mogen lezen en schrijven: een bewaard bestand gaat "
                "naar de submap verwerkt."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.footer())
        self.folder_button.clicked.connect(self._choose_folder)
        self.setMinimumWidth(520)
        self.remember_unchanged()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Map kiezen", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def typed(self) -> object:
        """Everything the user can change here."""
        return (self.folder.text(), self.interval.value())

    def submit(self) -> None:
        """Hand the input to the controller; the dialog stays until it is stored."""
        self.set_busy(True)
        self.submitted.emit(
            FolderInput(
                source_id=None if self.source is None else self.source.id,
                folder=self.folder.text().strip(),
                interval_minutes=self.interval.value(),
            )
        )
