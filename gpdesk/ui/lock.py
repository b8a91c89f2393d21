"""The idle lock: hide the work after N minutes without input (or on Ctrl+L).

The window asks for the password again; the practice key is dropped while locked.

``IdleWatcher`` watches input application-wide; ``LockGuard`` makes Ctrl+L work from every
window (also over a modal dialog) and keeps other windows away while locked. Both listen
through one application-wide event filter (``_EventTap``) that looks no further than the
class of an event it has no use for;
``close_other_windows`` clears the screen on lock; ``LockPage`` is what a locked window shows:
who is signed in, a password field, and "Andere gebruiker" so a colleague can sign in here.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QMetaObject, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from gpdesk.ui.resources import app_icon
from gpdesk.ui.theme import scaled

LOCK_SHORTCUT = QKeySequence("Ctrl+L")

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}
TAP_NAME = "gpdesk-event-tap"
_T = TypeVar("_T", bound=QObject)


class _EventTap(QObject):
    """The one application-wide event filter behind every ``IdleWatcher`` and ``LockGuard``.

    An application-wide filter written in Python is called for every event of the program
    (about 4,000 while the signal form is built and shown), and each call costs a few
    microseconds whatever it does with the event; two filters doubled that. So there is one,
    and it looks no further than an event's class unless it is input (for the watchers and the
    Ctrl+L check) or a window being shown (for a locked guard); asking an event its type
    (``QEvent.type()``, a Python enum) is the expensive part and happens only for those.
    """

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName(TAP_NAME)
        self._watchers: list[weakref.ref[IdleWatcher]] = []
        self._guards: list[weakref.ref[LockGuard]] = []
        """Weak: a listener's parent (the Desktop) decides how long it lives, not the tap."""
        app.installEventFilter(self)

    @staticmethod
    def of_application() -> _EventTap | None:
        """The application's tap (made on first use); None without an application."""
        app = QApplication.instance()
        if app is None:
            return None
        tap = app.findChild(_EventTap, TAP_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
        return tap if isinstance(tap, _EventTap) else _EventTap(app)

    def add(self, listener: IdleWatcher | LockGuard) -> None:
        """Tell ``listener`` about events for as long as it lives."""
        if isinstance(listener, IdleWatcher):
            self._watchers = [*_living(self._watchers), weakref.ref(listener)]
        else:
            self._guards = [*_living(self._guards), weakref.ref(listener)]

    def watchers(self) -> list[IdleWatcher]:
        """The idle watchers that are still there."""
        return [w for w in (ref() for ref in self._watchers) if w is not None and isValid(w)]

    def guards(self) -> list[LockGuard]:
        """The guards that are still there, the newest first (it has the key first)."""
        found = (ref() for ref in reversed(self._guards))
        return [g for g in found if g is not None and isValid(g)]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(event, QInputEvent):
            for watcher in self.watchers():
                watcher.input_seen(event)
            if isinstance(event, QKeyEvent):
                return any(guard.key_seen(event) for guard in self.guards())
        elif isinstance(event, QShowEvent) and isinstance(watched, QDialog):
            for guard in self.guards():
                guard.dialog_shown(watched)
        return False


def _living(refs: list[weakref.ref[_T]]) -> list[weakref.ref[_T]]:
    return [ref for ref in refs if (obj := ref()) is not None and isValid(obj)]


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``minutes`` without keyboard, mouse or touch input.

    ``clock`` (seconds, monotonic) is there so a test can let minutes pass without waiting.
    """

    idle = Signal()

    def __init__(
        self,
        minutes: float,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._limit = minutes * 60.0
        self._clock = clock
        self._last = clock()
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setInterval(1000 if minutes >= 1 else 50)
        self._timer.timeout.connect(self._check)
        tap = _EventTap.of_application()
        if tap is not None:
            tap.add(self)

    def start(self) -> None:
        """Begin watching (after sign-in or unlock)."""
        self._last = self._clock()
        self._armed = True
        self._timer.start()

    def stop(self) -> None:
        """Stop watching (while locked)."""
        self._armed = False
        self._timer.stop()

    def input_seen(self, event: QInputEvent) -> None:
        """Keyboard, mouse, wheel or touch input somewhere in the program (from ``_EventTap``)."""
        if event.type() in _INPUT_EVENTS:
            self._last = self._clock()

    def _check(self) -> None:
        if self._armed and self._clock() - self._last >= self._limit:
            self.stop()
            self.idle.emit()


class LockGuard(QObject):
    """Ctrl+L from any window of the program, and no other window on screen while locked.

    A main-window shortcut does not fire while a modal dialog (such as "Plak uit HIS") has the
    keyboard, so the key is caught application-wide instead. While ``locked``, a dialog that still
    appears (a message from work that finished after the lock) is rejected at once, unless it
    belongs to the lock page (the new-password dialog of a colleague signing in there).
    """

    lock_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.locked = False
        tap = _EventTap.of_application()
        if tap is not None:
            tap.add(self)

    def key_seen(self, event: QKeyEvent) -> bool:
        """Ctrl+L pressed anywhere: lock, and True so nothing else acts on it (``_EventTap``)."""
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if QKeySequence(event.keyCombination()) != LOCK_SHORTCUT:
            return False
        # Overriding keeps window shortcuts (the menu's Ctrl+L) from firing a second time.
        event.accept()
        if kind == QEvent.Type.KeyPress:
            self.lock_requested.emit()
        return True

    def dialog_shown(self, dialog: QDialog) -> None:
        """While locked, a dialog that appears goes at once, unless the lock page opened it."""
        if self.locked and dialog.isWindow() and not _belongs_to_lock_page(dialog):
            # Queued: rejecting inside its own show would confuse Qt; exec() unwinds after.
            QMetaObject.invokeMethod(dialog, "reject", Qt.ConnectionType.QueuedConnection)


def _belongs_to_lock_page(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, LockPage):
            return True
        parent = parent.parentWidget()
    return False


def close_other_windows(keep: QWidget) -> None:
    """On lock: every other window of the program goes, so no patient data stays on screen.

    Dialogs are rejected (also message boxes without a cancel button, which ignore close), so a
    dialog's ``exec()`` returns "rejected" and the code after it does nothing; popups, menus and
    other windows are closed. A dialog that will not go (it asks first, or waits for work that
    cannot stop halfway) is hidden, so at least nothing of it stays on screen.
    """
    for _ in range(20):  # a popup can open another one; never loop forever
        popup = QApplication.activePopupWidget()
        if popup is None:
            break
        popup.close()
    for widget in QApplication.topLevelWidgets():
        if widget is keep or not widget.isVisible():
            continue
        if isinstance(widget, QDialog):
            widget.reject()
        else:
            widget.close()
        if widget.isVisible():
            widget.hide()


class LockPage(QWidget):
    """Shown instead of the work while locked; the controller verifies the password."""

    unlock_requested = Signal(str)
    switch_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._switching = False
        self._who = ""
        self.setObjectName("lockPage")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("gpdesk is vergrendeld")
        title.setObjectName("pageTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who = QLabel()
        self.who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.who.setWordWrap(True)
        self.pending = QLabel("Er staat een patiënt klaar uit het HIS.")
        self.pending.setObjectName("warning")
        self.pending.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pending.setWordWrap(True)
        self.pending.hide()
        self.username = QLineEdit()
        self.username.setObjectName("lockUsername")
        self.username.setPlaceholderText("bijv. jansen")
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self._username_entered)
        self.form = QFormLayout()
        self.username_label = QLabel("Gebruikers&naam")
        self.form.addRow(self.username_label, self.username)
        self.form.addRow("&Wachtwoord", self.password)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.unlock_button = QPushButton("&Ontgrendelen")
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._submit)
        self.switch_button = QPushButton("Andere &gebruiker")
        self.switch_button.setObjectName("switchUser")
        self.switch_button.setAutoDefault(True)  # Enter presses it when it has the focus
        self.switch_button.clicked.connect(lambda: self.set_switching(not self._switching))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)

        box = QWidget()
        box.setObjectName("lockBox")
        box.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        box.setMinimumWidth(scaled(400))  # room for the notices and the placeholder text
        box.setMaximumWidth(scaled(440))
        inner = QVBoxLayout(box)
        inner.setContentsMargins(24, 20, 24, 20)
        inner.addWidget(logo)
        inner.addWidget(title)
        inner.addWidget(self.who)
        inner.addWidget(self.pending)
        inner.addSpacing(8)
        inner.addLayout(self.form)
        inner.addWidget(self.message)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.set_switching(False)

    def prepare(self, who: str) -> None:
        """Reset for a new lock: who is signed in, empty password, focus there."""
        self._who = who
        self.password.clear()
        self.message.hide()
        self.set_pending_patient(False)
        self.set_switching(False)
        self.set_busy(False)

    def set_pending_patient(self, pending: bool) -> None:
        """Say that the HIS handed over a patient while locked, without saying who."""
        self.pending.setVisible(pending)

    def set_switching(self, switching: bool) -> None:
        """Toggle between unlocking as the same user and signing in as a colleague."""
        self._switching = switching
        self.who.setText(
            "Meld u aan met uw eigen gebruikersnaam en wachtwoord."
            if switching
            else f"Ingelogd: {self._who}. Voer uw wachtwoord in om verder te gaan."
        )
        self.message.hide()
        self.password.clear()
        self.username.setVisible(switching)
        self.username_label.setVisible(switching)
        self.switch_button.setText("&Terug" if switching else "Andere &gebruiker")
        self.unlock_button.setText("&Aanmelden" if switching else "&Ontgrendelen")
        (self.username if switching else self.password).setFocus()

    def set_busy(self, busy: bool) -> None:
        """Disable input while the password is checked in the background."""
        for widget in (self.unlock_button, self.switch_button, self.password, self.username):
            widget.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        """Wrong password or other refusal."""
        self.set_busy(False)
        self.message.setText(text)
        self.message.show()
        self.password.clear()
        self.password.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Esc goes back from "Andere gebruiker" to unlocking."""
        if event.key() == Qt.Key.Key_Escape and self._switching:
            self.set_switching(False)
            return
        super().keyPressEvent(event)

    def _username_entered(self) -> None:
        if self.password.text():
            self._submit()
        else:
            self.password.setFocus()

    def _submit(self) -> None:
        if self._switching and not self.username.text().strip():
            self.message.setText("Vul uw gebruikersnaam in.")
            self.message.show()
            self.username.setFocus()
            return
        if not self.password.text():
            self.show_error("Vul uw wachtwoord in.")
            return
        self.set_busy(True)
        if self._switching:
            self.switch_requested.emit(self.username.text(), self.password.text())
        else:
            self.unlock_requested.emit(self.password.text())
