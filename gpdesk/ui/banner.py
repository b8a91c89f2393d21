"""The patient banner: who is in context, visible on every screen, and nothing when nobody is."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gpdesk.patients.context import PatientContext
from gpdesk.ui.accessible import announce
from gpdesk.ui.labels import WrappingLabel


class PatientBanner(QFrame):
    """Shows the current patient; offers pasting a patient line and closing the patient."""

    paste_requested = Signal()
    close_requested = Signal()
    copy_requested = Signal()
    signal_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientBanner")
        self.caption = QLabel()
        self.caption.setObjectName("bannerCaption")
        # A long name wraps onto a second line rather than pushing the buttons off a small screen.
        self.text = WrappingLabel()
        self.text.setObjectName("bannerText")
        self.paste_button = QPushButton("Plak uit HIS")
        self.paste_button.setObjectName("pasteFromHis")
        self.paste_button.setToolTip("Patiëntregel uit het HIS plakken (Ctrl+Shift+V)")
        self.signal_button = QPushButton("Signaal wijkteam")
        self.signal_button.setObjectName("signalWijkteam")
        self.signal_button.setToolTip(
            "Een signaal naar het wijkteam voor deze patiënt (Ctrl+Shift+S)"
        )
        self.signal_button.clicked.connect(self.signal_requested)
        self.copy_button = QPushButton("Kopieer")
        self.copy_button.setObjectName("copyPatient")
        self.copy_button.setToolTip(
            "Naam, geboortedatum en postcode kopiëren; na 30 seconden weer van het klembord "
            "(Ctrl+Shift+C)"
        )
        self.copy_button.clicked.connect(self.copy_requested)
        self.close_button = QPushButton("Patiënt sluiten")
        self.close_button.setObjectName("closePatient")
        self.close_button.setToolTip("Patiënt uit beeld halen (Ctrl+Shift+W)")
        self.paste_button.clicked.connect(self.paste_requested)
        self.close_button.clicked.connect(self.close_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.caption)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.signal_button)
        layout.addWidget(self.copy_button)
        layout.addWidget(self.paste_button)
        layout.addWidget(self.close_button)
        self.set_patient(None)

    def set_patient(self, ctx: PatientContext | None) -> None:
        """Show ``ctx`` or the empty state that says how to open a patient."""
        for widget in (self, self.caption, self.text):
            widget.setProperty("hasPatient", ctx is not None)
        if ctx is None:
            self.caption.setText("Geen patiënt")
            self.text.setText("Open een patiënt vanuit het HIS, of plak een patiëntregel.")
        else:
            self.caption.setText("Patiënt:")
            self.text.setText(ctx.banner_text())
            announce(self.text, f"Patiënt in beeld: {ctx.banner_text()}")
        self.close_button.setVisible(ctx is not None)
        self.copy_button.setVisible(ctx is not None)
        self.signal_button.setVisible(ctx is not None)
        # Re-apply the style sheet so the hasPatient colours follow.
        for widget in (self, self.caption, self.text):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
