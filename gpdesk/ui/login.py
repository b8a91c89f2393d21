"""The sign-in window: shown first and fast, while the database opens in the background."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
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
from gpdesk.ui.theme import scaled

DEMO_NOTE = "Demopraktijk: alle patiënten en gegevens zijn verzonnen. Niet voor echte patiënten."


class LoginDialog(QDialog):
    """Username and password; the controller decides what happens with them.

    Enter signs in from either field. Pressed while the database is still opening, the request
    is kept and carried out by ``set_ready``, so a quick typist is not ignored.
    """

    submitted = Signal(str, str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._opening = True
        self._waiting_to_submit = False
        self.setObjectName("loginDialog")
        self.setWindowTitle("Aanmelden")  # the system adds " — gpdesk" (applicationDisplayName)
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(scaled(420))

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        title = QLabel("gpdesk")
        title.setObjectName("loginTitle")
        self.practice_label = QLabel("Database wordt geopend…")
        self.practice_label.setObjectName("loginPractice")
        self.practice_label.setWordWrap(True)  # a long name at a large font: wrapped, not cut
        self.demo_note = QLabel(DEMO_NOTE)
        self.demo_note.setObjectName("pageSummary")
        self.demo_note.setWordWrap(True)
        self.demo_note.hide()
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
        for field in (self.username, self.password):
            field.installEventFilter(self)
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
        quit_button = QPushButton("A&fsluiten")
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(quit_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self._submit)
        self.retry_button.clicked.connect(self.retry_requested)
        quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.demo_note)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        # Only now, inside the dialog, does Qt take this as the dialog's default button; set
        # earlier, Qt picked the hidden "Opnieuw proberen" and Enter did nothing.
        self.sign_in_button.setDefault(True)
        self.set_opening()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the username field goes on to an empty password; otherwise it signs in."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in (self.username, self.password)
        ):
            if watched is self.username and not self.password.text():
                self.password.setFocus()
            else:
                self._submit()
            return True
        return super().eventFilter(watched, event)

    def _submit(self) -> None:
        if not self._opening and not self.sign_in_button.isEnabled():
            return  # busy signing in, or the database cannot be used
        if not self.username.text().strip():
            self._say("Vul uw gebruikersnaam in.", problem=True)
            self.username.setFocus()
            return
        if not self.password.text():
            self._say("Vul uw wachtwoord in.", problem=True)
            self.password.setFocus()
            return
        if self._opening:
            self._waiting_to_submit = True
            self._say("U wordt aangemeld zodra de database open is.", problem=False)
            return
        self._waiting_to_submit = False
        self.message.hide()
        self.set_busy("Bezig met aanmelden…")
        self.submitted.emit(self.username.text(), self.password.text())

    def _say(self, text: str, *, problem: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("info", not problem)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow for a wrapped message, so it never squeezes the title off the top."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def set_opening(self) -> None:
        """The database is being opened: typing is fine, Enter is remembered until it is open."""
        self._opening = True
        self.set_busy("Database wordt geopend…")

    def set_busy(self, text: str) -> None:
        """Disable input while work runs; the text says what is happening."""
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setText(text if text.endswith("…") else "&Aanmelden")
        self.retry_button.hide()

    def set_ready(self, practice_name: str, last_user: str = "", *, demo: bool = False) -> None:
        """The database is open: show the practice and sign in if Enter was already pressed.

        The demo practice says its data is made up: it has a known password (``demo1234``).
        """
        self._opening = False
        self.practice_label.setText(practice_name)
        self.demo_note.setVisible(demo)
        self._fit_height()
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("&Aanmelden")
        if last_user and not self.username.text():
            self.username.setText(last_user)
        (self.password if self.username.text() else self.username).setFocus()
        if self._waiting_to_submit:
            self._submit()

    def show_error(self, text: str) -> None:
        """A sign-in problem the user can fix here; the password field is cleared."""
        self._say(text, problem=True)
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setText("&Aanmelden")
        self.password.clear()
        self.password.setFocus()

    def show_blocking_error(self, text: str) -> None:
        """The database cannot be used: no sign-in possible until the cause is fixed."""
        self._opening = self._waiting_to_submit = False
        self.practice_label.setText("gpdesk kan de database niet openen")
        self.demo_note.hide()
        self._say(text, problem=True)
        self.sign_in_button.setEnabled(False)
        self.sign_in_button.setText("&Aanmelden")
        self.retry_button.show()
        self.retry_button.setFocus()

    def set_pending_patient(self, pending: bool) -> None:
        """Say a patient from the HIS is waiting, without showing who (not signed in yet)."""
        if pending:
            self.practice_label.setToolTip("Er staat een patiënt klaar uit het HIS.")
            self._say(
                "Er staat een patiënt klaar uit het HIS. Meld u aan om verder te gaan.",
                problem=False,
            )
