"""Plak uit HIS: turn a pasted patient line into a checked patient context."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import ValidationError
from gpdesk.patients.context import PatientContext
from gpdesk.patients.his_line import read_his_line
from gpdesk.patients.validation import format_birth_date, format_postcode
from gpdesk.ui.accessible import LiveLabel, let_tab_leave, named

CLIPBOARD_CHARS = 2000
"""A patient line is short; a whole document on the clipboard is cut, not parsed in full."""

FIELDS = (
    ("bsn", "&BSN"),
    ("naam", "&Naam"),
    ("geboortedatum", "&Geboortedatum"),
    ("postcode", "Post&code"),
    ("telefoon", "&Telefoon"),
)


class PasteDialog(QDialog):
    """Paste, check what was recognised, correct if needed, open."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        use_clipboard: bool = True,
        initial_text: str | None = None,
    ) -> None:
        """Start with ``initial_text``, else with the clipboard's text (``use_clipboard``)."""
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
        self.source = let_tab_leave(QPlainTextEdit())
        self.source.setObjectName("pasteSource")
        named(
            self.source, "Patiëntregel uit het HIS", "Plak hier de regel; Tab gaat naar de velden"
        )
        self.source.setPlaceholderText("Bijv. J. de Vries, 01-02-1970, BSN 111222333, 3118 AB …")
        self.source.setFixedHeight(90)
        self.source.textChanged.connect(self._recognise)
        self.source.installEventFilter(self)
        self.recognised = LiveLabel()
        self.recognised.setObjectName("pasteStatus")
        self.recognised.setWordWrap(True)
        self.recognised.hide()

        # A grid, not a QFormLayout: that sizes a wrapped message by its own preferred width
        # and leaves a blank line under it.
        form = QGridLayout()
        form.setColumnStretch(1, 1)
        self.inputs: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(FIELDS):
            edit = QLineEdit()
            edit.setObjectName(f"paste_{key}")
            caption = QLabel(f"{label}:")
            caption.setBuddy(edit)
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.hide()
            self.inputs[key], self.errors[key] = edit, error
            form.addWidget(caption, 2 * row, 0)
            form.addWidget(edit, 2 * row, 1)
            form.addWidget(error, 2 * row + 1, 1)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setText("Patiënt &openen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annu&leren")
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.source)
        layout.addWidget(self.recognised)
        layout.addLayout(form)
        layout.addWidget(buttons)

        if initial_text is None and use_clipboard:
            initial_text = QGuiApplication.clipboard().text()
        if initial_text and initial_text.strip():
            self.source.setPlainText(initial_text[:CLIPBOARD_CHARS])
        else:
            self._make_room()
        self.source.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the paste box opens the patient too: a HIS line is one line.

        Shift+Enter still starts a new line.
        """
        if (
            watched is self.source
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.open_button.click()
            return True
        return super().eventFilter(watched, event)

    def _recognise(self) -> None:
        """Fill in what the latest paste gave, mark what it lacked; the status says which."""
        text = self.source.toPlainText()
        self._hide_errors()
        if not text.strip():
            self._say("")
            return
        reading = read_his_line(text)
        found = {
            "bsn": reading.bsn,
            "naam": reading.name,
            "geboortedatum": format_birth_date(reading.birth_date) if reading.birth_date else None,
            "postcode": format_postcode(reading.postcode) if reading.postcode else None,
            "telefoon": reading.phone,
        }
        for key, value in found.items():
            self.inputs[key].setText(value or "")
        self._show_errors(reading.problems)
        if not reading.problems:
            self._say("Herkend. Controleer de gegevens hieronder.")
        elif any(key in self.errors for key in reading.problems):
            self._say("Niet alles herkend. Vul aan of verbeter wat hieronder in rood staat.")
        else:
            self._say(" ".join(reading.problems.values()))

    def _say(self, text: str) -> None:
        """The status line reflects the latest paste or check; hidden while there is none."""
        self.recognised.setText(text)
        self.recognised.setVisible(bool(text))
        self._make_room()

    def _hide_errors(self) -> None:
        for error in self.errors.values():
            error.hide()

    def _show_errors(self, problems: dict[str, str]) -> None:
        for key, message in problems.items():
            if key in self.errors:
                self.errors[key].setText(message)
                self.errors[key].show()

    def _make_room(self) -> None:
        """Grow to fit the wrapped messages.

        A dialog keeps the height it opened with; without this, Qt squeezes the fields and cuts
        the messages off when they appear.
        """
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        # Before the first show a dialog is 640 wide by default; it opens at its size hint.
        width = (
            self.width() if self.isVisible() else max(self.sizeHint().width(), self.minimumWidth())
        )
        needed = max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height())
        self.setMinimumHeight(needed)
        self.resize(width, needed)

    def _open(self) -> None:
        self._hide_errors()
        values = {key: (edit.text().strip() or None) for key, edit in self.inputs.items()}
        try:
            self.context = PatientContext.from_fields(values)
        except ValidationError as exc:
            self._show_errors(exc.problems)
            self._say("Nog niet goed: verbeter wat hieronder in rood staat.")
            first = next((k for k in self.inputs if k in exc.problems), None)
            if first is not None:
                self.inputs[first].setFocus()
            return
        self.accept()
