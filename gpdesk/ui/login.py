"""The sign-in window: shown first and fast, while the database opens in the background."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.resources import app_icon


class LoginDialog(QDialog):
    """Username and password; the controller decides what happens with them."""

    submitted = Signal(str, str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle("Aanmelden")  # the system adds " — gpdesk" (applicationDisplayName)
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(420)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        title = QLabel("gpdesk")
        title.setObjectName("loginTitle")
        self.practice_label = QLabel("Database wordt geopend…")
        self.practice_label.setObjectName("loginPractice")
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(self.practice_label)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addLayout(heading, 1)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setPlaceholderText("bijv. bakker")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("&Gebruikersnaam", self.username)
        form.addRow("&Wachtwoord", self.password)

        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton("&Aanmelden")
        self.sign_in_button.setObjectName("signIn")
        self.retry_button = QPushButton("&Opnieuw proberen")
        self.retry_button.hide()
        quit_button = QPushButton("Afsluiten")
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self._submit)
        self.retry_button.clicked.connect(self.retry_requested)
        quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        # Only now that the button sits in this dialog does Enter find it as the default.
        self.sign_in_button.setDefault(True)
        self.set_busy("Database wordt geopend…")

    def _submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        if not self.username.text().strip():
            self.show_error("Vul uw gebruikersnaam in.")
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_error("Vul uw wachtwoord in.")
            self.password.setFocus()
            return
        self.set_busy("Bezig met aanmelden…")
        self.submitted.emit(self.username.text(), self.password.text())

    def set_busy(self, text: str) -> None:
        """Disable input while work runs; the text says what is happening."""
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setText(text if text.endswith("…") else "&Aanmelden")
        self.retry_button.hide()

    def set_ready(self, practice_name: str, last_user: str = "") -> None:
        """The database is open: show the practice and let the user sign in."""
        self.practice_label.setText(practice_name)
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("&Aanmelden")
        if last_user and not self.username.text():
            self.username.setText(last_user)
        (self.password if self.username.text() else self.username).setFocus()

    def show_error(self, text: str) -> None:
        """A sign-in problem the user can fix here; the password field is cleared."""
        self.message.setText(text)
        self.message.show()
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("&Aanmelden")
        self.password.clear()
        self.password.setFocus()

    def show_blocking_error(self, text: str) -> None:
        """The database cannot be used: no sign-in possible until the cause is fixed."""
        self.practice_label.setText("gpdesk kan de database niet openen")
        self.message.setText(text)
        self.message.show()
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setText("&Aanmelden")
        self.retry_button.show()
        self.retry_button.setFocus()

    def set_pending_patient(self, pending: bool) -> None:
        """Say a patient from the HIS is waiting, without showing who (not signed in yet)."""
        if pending:
            self.practice_label.setToolTip("Er staat een patiënt klaar uit het HIS.")
            self.message.setText(
                "Er staat een patiënt klaar uit het HIS. Meld u aan om verder te gaan."
            )
            self.message.show()
