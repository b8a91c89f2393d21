"""The Signaleren area: where a signal starts when no patient screen is in front."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from gpdesk.ui.areas import Area


class SignalsPage(QWidget):
    """Title, what the area does, and the button that opens the signal form."""

    form_requested = Signal()

    def __init__(self, area: Area, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"page_{area.key}")
        title = QLabel(area.title)
        title.setObjectName("pageTitle")
        summary = QLabel(area.summary)
        summary.setWordWrap(True)
        summary.setObjectName("pageSummary")
        self.button = QPushButton("Signaal wijkteam…")
        self.button.setObjectName("signalsPageNew")
        self.button.setToolTip("Een signaal voor de patiënt in beeld (Ctrl+Shift+S)")
        self.button.clicked.connect(self.form_requested)
        self.hint = QLabel(
            "Open eerst een patiënt vanuit het HIS of met Plak uit HIS (Ctrl+Shift+V). "
            "Daarna opent Ctrl+Shift+S het signaal, waar u ook bent in gpdesk."
        )
        self.hint.setWordWrap(True)
        self.hint.setObjectName("pageSummary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addSpacing(12)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.set_patient_open(False)

    def set_patient_open(self, is_open: bool) -> None:
        """The button works only with a patient in the banner; the hint says how to get one."""
        self.button.setEnabled(is_open)
        self.hint.setVisible(not is_open)
