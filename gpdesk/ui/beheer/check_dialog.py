"""The outcome of "Database controleren": the whole report, to read, copy and keep."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.security.check import Report


class CheckReportDialog(QDialog):
    """Headline on top, the report below; Enter or Esc closes, "Kopiëren" puts it on the clipboard.

    The report holds table names and record ids only, never patient data, so it may be copied
    into an e-mail to the supplier or pasted into an incident note.
    """

    def __init__(self, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkReport")
        self.setWindowTitle("Database controleren")
        self.report = report
        headline = QLabel(("✔ " if report.ok else "⚠ ") + report.headline())
        headline.setObjectName("pageSummary" if report.ok else "warning")
        headline.setWordWrap(True)
        self.text = QPlainTextEdit(report.text())
        self.text.setObjectName("checkReportText")
        self.text.setAccessibleName("Verslag van de controle")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Kopiëren")
        self.copy_button.setAutoDefault(False)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("&Sluiten", QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        self.copy_button.clicked.connect(self.copy)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def copy(self) -> None:
        """The whole report as plain text on the clipboard."""
        QGuiApplication.clipboard().setText(self.report.text())
        self.copy_button.setText("Gekopieerd")
