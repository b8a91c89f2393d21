"""Voorbeeld: the signal exactly as the wijkteam receives it, and what stays in the practice.

Above the letter, apart from it, the line "Niet meegestuurd: BSN, privénotitie …": for the
user only (the team need not know a private note exists). Then the envelope (subject and
attachments) and the letter as HTML from the same ``Document`` as the PDF. Verstuur sends from
here too; Esc or Terug goes back to the form with everything still in it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gpdesk.signals.preview import Preview
from gpdesk.ui.accessible import named
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.theme import set_tone

TITLE = "Voorbeeld signaal"


class PreviewDialog(QDialog):
    """The preview of one signal; ``send_requested`` when the user sends from here."""

    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signalPreviewDialog")
        self.setWindowTitle(TITLE)  # never the patient's name
        self.setModal(True)
        self.not_sent = QLabel()
        self.not_sent.setObjectName("previewNotSent")
        self.not_sent.setWordWrap(True)
        self.not_sent.setTextFormat(Qt.TextFormat.PlainText)
        self.not_sent.setStyleSheet("font-weight: 600;")  # colours: #previewNotSent
        self.envelope = QLabel()
        self.envelope.setObjectName("previewEnvelope")
        self.envelope.setWordWrap(True)
        self.envelope.setTextFormat(Qt.TextFormat.PlainText)
        set_tone(self.envelope, "muted")
        self.letter = QTextBrowser()
        self.letter.setObjectName("previewLetter")
        named(self.letter, "De brief zoals het team hem krijgt")
        self.letter.setOpenLinks(False)  # the reply links are for the team, not for a click here
        self.back_button = QPushButton("&Terug naar het signaal")
        self.back_button.setObjectName("previewBack")
        self.back_button.setAutoDefault(False)
        self.send_button = QPushButton("&Verstuur")
        self.send_button.setObjectName("previewSend")
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Naar postvak uit; het wordt beveiligd verstuurd")
        self.back_button.clicked.connect(self.reject)
        self.send_button.clicked.connect(self.send_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.not_sent)
        layout.addWidget(self.envelope)
        layout.addWidget(self.letter, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, 820, 700)

    def set_preview(self, preview: Preview) -> None:
        """Show ``preview``: what is not sent, the envelope, the letter."""
        self.not_sent.setText(preview.not_sent + ". Dit blijft in de praktijk.")
        self.envelope.setText(
            f"Onderwerp: {preview.subject} · Bijlagen: {', '.join(preview.attachment_names)}"
        )
        self.letter.setHtml(preview.letter_html)
        self.send_button.setFocus()

    def letter_html(self) -> str:
        """The letter as shown (for tests: the privénotitie must never be in it)."""
        return self.letter.toHtml()
