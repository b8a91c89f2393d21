"""Plak uit HIS: turn a pasted patient line into a checked patient context."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import ValidationError
from gpdesk.patients.context import PatientContext
from gpdesk.patients.his_line import parse_his_line
from gpdesk.patients.validation import format_birth_date

FIELDS = (
    ("bsn", "BSN"),
    ("naam", "Naam"),
    ("geboortedatum", "Geboortedatum"),
    ("postcode", "Postcode"),
    ("telefoon", "Telefoon"),
)


class PasteDialog(QDialog):
    """Paste, check what was recognised, correct if needed, open."""

    def __init__(self, parent: QWidget | None = None, *, use_clipboard: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("pasteDialog")
        self.setWindowTitle("Plak uit HIS")
        self.setMinimumWidth(520)
        self.context: PatientContext | None = None

        intro = QLabel(
            "Kopieer in het HIS de regel met de patiëntgegevens en plak die hieronder. "
            "Controleer wat gpdesk herkent voordat u de patiënt opent."
        )
        intro.setWordWrap(True)
        self.source = QPlainTextEdit()
        self.source.setObjectName("pasteSource")
        self.source.setPlaceholderText("Bijv. J. de Vries, 01-02-1970, BSN 111222333, 3118 AB …")
        self.source.setFixedHeight(90)
        self.source.textChanged.connect(self._recognise)
        self.recognised = QLabel()
        self.recognised.setObjectName("pasteStatus")
        self.recognised.setWordWrap(True)

        form = QFormLayout()
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for key, label in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"paste_{key}")
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.hide()
            self.inputs[key], self.errors[key] = edit, error
            form.addRow(f"{label}:", edit)
            form.addRow("", error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setText("Patiënt &openen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.source)
        layout.addWidget(self.recognised)
        layout.addLayout(form)
        layout.addWidget(buttons)

        if use_clipboard:
            clip = QGuiApplication.clipboard().text()
            if clip.strip():
                self.source.setPlainText(clip[:2000])
        self.source.setFocus()

    def _recognise(self) -> None:
        text = self.source.toPlainText()
        if not text.strip():
            self.recognised.setText("")
            return
        try:
            ctx = parse_his_line(text)
        except ValidationError as exc:
            self.recognised.setText(f"Niet alles herkend: {exc.message} Vul de velden zelf aan.")
            return
        self.recognised.setText("Herkend. Controleer de gegevens hieronder.")
        self.inputs["bsn"].setText(ctx.bsn)
        self.inputs["naam"].setText(ctx.name)
        self.inputs["geboortedatum"].setText(format_birth_date(ctx.birth_date))
        self.inputs["postcode"].setText(ctx.postcode)
        self.inputs["telefoon"].setText(ctx.phone or "")

    def _open(self) -> None:
        for error in self.errors.values():
            error.hide()
        values = {key: (edit.text().strip() or None) for key, edit in self.inputs.items()}
        try:
            self.context = PatientContext.from_fields(values)
        except ValidationError as exc:
            for key, message in exc.problems.items():
                if key in self.errors:
                    self.errors[key].setText(message)
                    self.errors[key].show()
            first = next((k for k in self.inputs if k in exc.problems), None)
            if first is not None:
                self.inputs[first].setFocus()
            return
        self.accept()
