"""One team's delivery: e-mail address, certificate, export folder, checked when saved.

And who in the practice gets the team's letters first ("Terugkoppeling gaat naar": the team's
feedback contact, POH-GGZ unless chosen otherwise; ``gpdesk.inbox.store.routing``).

The dialog stays open until the controller has stored it; a refusal comes back in Dutch under
the field it is about (``gpdesk.transport.config`` names them), and what was typed stays. The
stored certificate is kept unless a new file is chosen or it is taken away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.store.routing import CONTACT_FIELD, CONTACT_ROLES, DEFAULT_FEEDBACK_CONTACT
from gpdesk.roles import Role
from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog
from gpdesk.ui.beheer.kaart.fields import line_edit, note, with_error

if TYPE_CHECKING:
    from gpdesk.transport.config import TeamLine


@dataclass(frozen=True)
class DeliveryInput:
    """What the dialog hands the controller; ``certificate_file`` None keeps or removes."""

    team_id: str
    email: str
    export_folder: str
    certificate_file: Path | None
    remove_certificate: bool
    feedback_contact: Role = DEFAULT_FEEDBACK_CONTACT


class TeamDeliveryDialog(EditorDialog):
    """E-mail, certificate and export folder of one team; Enter saves, Esc closes."""

    submitted = Signal(object)

    def __init__(self, line: TeamLine, parent: QWidget | None = None) -> None:
        super().__init__(f"Bezorging: {line.name}", parent)
        self.setObjectName("teamDeliveryDialog")
        self.line = line
        delivery = line.delivery
        self.email = line_edit(
            "deliveryEmail", "" if delivery is None else delivery.email or "", "team@gemeente.nl"
        )
        self.folder = line_edit(
            "deliveryFolder",
            "" if delivery is None else delivery.export_folder or "",
            "leeg: geen exportmap",
        )
        self.folder_button = QPushButton("&Map kiezen…")
        self.folder_button.setObjectName("chooseFolder")
        self.certificate = QLabel()
        self.certificate.setObjectName("deliveryCertificate")
        self.certificate.setWordWrap(True)
        self.certificate_button = QPushButton("&Certificaat kiezen…")
        self.certificate_button.setObjectName("chooseCertificate")
        self.remove_button = QPushButton("&Weghalen")
        self.remove_button.setObjectName("removeCertificate")
        self.certificate_file: Path | None = None
        self.remove_certificate = False
        self.contact = QComboBox()
        self.contact.setObjectName("feedbackContact")
        self.contact.setToolTip("Wie in de praktijk de brieven van dit team als eerste krijgt")
        for role in CONTACT_ROLES:
            self.contact.addItem(role.label, role.value)
        current = DEFAULT_FEEDBACK_CONTACT if delivery is None else delivery.feedback_contact
        self.contact.setCurrentIndex(max(0, self.contact.findData(current.value)))
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.folder_button)
        folder_box = QWidget()
        folder_box.setLayout(folder_row)
        certificate_buttons = QHBoxLayout()
        certificate_buttons.setContentsMargins(0, 0, 0, 0)
        certificate_buttons.addWidget(self.certificate_button)
        certificate_buttons.addWidget(self.remove_button)
        certificate_buttons.addStretch(1)
        certificate_box = QWidget()
        certificate_layout = QVBoxLayout(certificate_box)
        certificate_layout.setContentsMargins(0, 0, 0, 0)
        certificate_layout.addWidget(self.certificate)
        certificate_layout.addLayout(certificate_buttons)
        form = QFormLayout()
        email_label = QLabel("&E-mailadres")
        email_label.setBuddy(self.email)
        form.addRow(email_label, with_error(self.email, self.errors.label("e-mail")))
        form.addRow("Certificaat", with_error(certificate_box, self.errors.label("certificaat")))
        folder_label = QLabel("E&xportmap")
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, with_error(folder_box, self.errors.label("exportmap")))
        contact_label = QLabel("&Terugkoppeling gaat naar")
        contact_label.setBuddy(self.contact)
        form.addRow(contact_label, with_error(self.contact, self.errors.label(CONTACT_FIELD)))
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                f"{line.organisation}. Een signaal gaat naar het e-mailadres, de exportmap of "
                "allebei. Met een certificaat van het team versleutelt gpdesk het bericht zo "
                "dat alleen het team het kan openen. Een brief van het team komt binnen bij de "
                "rol onder 'Terugkoppeling gaat naar' (bij Mijn), die hem zo nodig doorstuurt "
                "naar de huisarts die het signaal stuurde."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.footer())
        self.folder_button.clicked.connect(self._choose_folder)
        self.certificate_button.clicked.connect(self._choose_certificate)
        self.remove_button.clicked.connect(self._remove_certificate)
        self._show_certificate()
        self.setMinimumWidth(600)
        self.remember_unchanged()

    def show_errors(self, problems: Mapping[str, str]) -> None:
        """The messages under their fields, the dialog as tall as they need (wrapped lines)."""
        super().show_errors(problems)
        self.adjustSize()

    def _show_certificate(self) -> None:
        delivery = self.line.delivery
        if self.certificate_file is not None:
            text = f"Nieuw: {self.certificate_file.name} (wordt gecontroleerd bij opslaan)"
        elif (
            self.remove_certificate or delivery is None or delivery.certificate_valid_until is None
        ):
            text = "Geen: het bericht gaat beveiligd naar de server, maar niet versleuteld."
        else:
            until = f"{delivery.certificate_valid_until:%d-%m-%Y}"
            warning = delivery.certificate_warning(date.today())
            text = f"{delivery.certificate_subject}, geldig tot {until}"
            if warning:
                text = f"⚠ {text} — {warning}. Kies een nieuw certificaat."
        self.certificate.setText(text)
        has_one = self.certificate_file is not None or (
            not self.remove_certificate
            and delivery is not None
            and delivery.certificate_valid_until is not None
        )
        self.remove_button.setEnabled(has_one)

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Exportmap kiezen", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def _choose_certificate(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Certificaat van het team kiezen",
            "",
            "Certificaat (*.pem *.crt *.cer);;Alles (*)",
        )
        if name:
            self.choose_certificate(Path(name))

    def choose_certificate(self, path: Path) -> None:
        """Use ``path`` as the team's new certificate (checked when saved)."""
        self.certificate_file = path
        self.remove_certificate = False
        self._show_certificate()

    def _remove_certificate(self) -> None:
        self.certificate_file = None
        self.remove_certificate = True
        self._show_certificate()
        self.email.setFocus()

    def typed(self) -> object:
        """Everything the user can change here."""
        return (
            self.email.text(),
            self.folder.text(),
            self.certificate_file,
            self.remove_certificate,
            self.chosen_contact(),
        )

    def chosen_contact(self) -> Role:
        """The role chosen at "Terugkoppeling gaat naar"."""
        try:
            return Role(str(self.contact.currentData()))
        except ValueError:
            return DEFAULT_FEEDBACK_CONTACT

    def submit(self) -> None:
        """Hand the input to the controller; the dialog stays until it is stored."""
        self.set_busy(True)
        self.submitted.emit(
            DeliveryInput(
                team_id=self.line.team_id,
                email=self.email.text().strip(),
                export_folder=self.folder.text().strip(),
                certificate_file=self.certificate_file,
                remove_certificate=self.remove_certificate,
                feedback_contact=self.chosen_contact(),
            )
        )
