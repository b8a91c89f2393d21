"""Idle lock, Ctrl+L, unlock, switch user, forced password change and clipboard hygiene."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.accounts import sign_in
from gpdesk.security.users import add_user
from gpdesk.ui.clipboard import SensitiveClipboard
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.lock import IdleWatcher
from tests.conftest import FAST_KDF, PASSPHRASE, dispose_desktop

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)


class FakeClock:
    """Minutes pass when the test says so; counts how often it was read."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.now += minutes * 60 + seconds


class InputSeen(QObject):
    """Counts the key and mouse input the application delivers, as the idle watcher sees it."""

    KINDS = (QEvent.Type.KeyPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.count = 0
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.KINDS:
            self.count += 1
        return False


def _nudge(qtbot: QtBot, seen: InputSeen, give_input: Callable[[], None]) -> None:
    """Give input and wait until it is delivered (on X11 a mouse move arrives a little later)."""
    before = seen.count
    give_input()
    qtbot.waitUntil(lambda: seen.count > before, timeout=5_000)


def _let_the_watcher_look(qtbot: QtBot, clock: FakeClock, idle: Callable[[], bool]) -> None:
    """Wait until the idle watcher's timer has read the clock twice since the last step.

    No input is sent meanwhile, so these reads are its checks: whatever they decided is decided
    (waiting for the checks, not for an amount of time). A watcher that went idle stops reading.
    """
    seen = clock.reads
    qtbot.waitUntil(lambda: idle() or clock.reads >= seen + 2, timeout=10_000)


def _shell(
    qtbot: QtBot, home: Home, idle_minutes: float = 30, clock: FakeClock | None = None
) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    if clock is None:
        shell = Desktop(home, idle_minutes=idle_minutes)
    else:
        shell = Desktop(home, idle_minutes=idle_minutes, idle_clock=clock)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    return shell


def _sign_in(qtbot: QtBot, shell: Desktop, user: str, password: str = DEMO_PASSWORD) -> None:
    shell.login.username.setText(user)
    shell.login.password.setText(password)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def signed_in(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home)
    _sign_in(qtbot, shell, "bakker")
    qtbot.waitUntil(lambda: shell.window is not None and shell.session is not None, timeout=15_000)
    yield shell
    dispose_desktop(shell)


def test_idle_lock_hides_work_and_drops_the_key(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home, idle_minutes=0.01)  # 0.6 s
    _sign_in(qtbot, shell, "bakker")
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    shell.open_patient(PATIENT)
    window = shell.window
    assert window is not None
    qtbot.waitUntil(lambda: window.is_locked, timeout=10_000)
    assert shell.session is None
    assert shell.beheer is not None and shell.beheer.signed is None
    assert not window.work.isVisible()
    assert "Vries" not in window.windowTitle()
    assert "Vergrendeld" in window.user_label.text()
    dispose_desktop(shell)


def test_input_keeps_the_idle_watcher_quiet_and_its_absence_sets_it_off(qtbot: QtBot) -> None:
    clock = FakeClock()
    field = QLineEdit()
    qtbot.addWidget(field)
    field.resize(300, 40)
    field.show()
    qtbot.waitExposed(field)
    watcher = IdleWatcher(0.5, field, clock=clock)  # 30 s, looked at every 50 ms
    went_idle: list[float] = []
    watcher.idle.connect(lambda: went_idle.append(clock.now))
    seen = InputSeen(field)
    watcher.start()
    nudges = [
        lambda: qtbot.keyClick(field, Qt.Key.Key_A),
        lambda: qtbot.mouseMove(field, QPoint(40, 10)),
        lambda: qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(80, 20)),
        lambda: qtbot.mouseMove(field, QPoint(120, 30)),
    ]
    for nudge in nudges:
        clock.advance(seconds=25)
        _nudge(qtbot, seen, nudge)
        clock.advance(seconds=25)  # 50 s since the previous input, 25 s since this one
        _let_the_watcher_look(qtbot, clock, lambda: went_idle != [])
        assert went_idle == []
    assert field.text() == "a"  # the input reached the widget, as a user's would
    clock.advance(seconds=5)  # 30 s without input
    qtbot.waitUntil(lambda: went_idle != [], timeout=10_000)
    assert went_idle == [clock.now]  # at the first look after 30 s without input


def test_one_application_event_filter_serves_every_watcher_and_guard(qtbot: QtBot) -> None:
    """Watchers and guards share one filter (each Python filter costs every event a call)."""
    from gpdesk.ui.lock import LockGuard, _EventTap

    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    app = QApplication.instance()
    assert app is not None
    clock = FakeClock()
    watchers = [IdleWatcher(5, field, clock=clock) for _ in range(2)]
    older, newer = LockGuard(field), LockGuard(field)
    assert len(app.findChildren(_EventTap)) == 1
    tap = app.findChildren(_EventTap)[0]
    assert all(w in tap.watchers() for w in watchers)
    assert tap.guards()[:2] == [newer, older]  # the newest has Ctrl+L first, as before
    locks: list[str] = []
    older.lock_requested.connect(lambda: locks.append("older"))
    newer.lock_requested.connect(lambda: locks.append("newer"))
    clock.advance(minutes=1)
    qtbot.keyClick(field, Qt.Key.Key_A)
    assert [w._last for w in watchers] == [clock.now] * 2  # both saw the input
    qtbot.keyClick(field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert locks == ["newer"]  # one lock, and the key went no further
    assert field.text() == "a"
    newer.deleteLater()
    qtbot.waitUntil(lambda: newer not in tap.guards(), timeout=2_000)
    qtbot.keyClick(field, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert locks == ["newer", "older"]


def test_working_keeps_the_window_open_and_stopping_locks_it(qtbot: QtBot, demo_home: Home) -> None:
    clock = FakeClock()
    shell = _shell(qtbot, demo_home, idle_minutes=5, clock=clock)  # the default setting
    _sign_in(qtbot, shell, "bakker")
    qtbot.waitUntil(lambda: shell.window is not None and shell.session is not None, timeout=15_000)
    window = shell.window
    assert window is not None
    qtbot.waitExposed(window)
    seen = InputSeen(window)
    for nudge in (
        lambda: qtbot.keyClick(window, Qt.Key.Key_Shift),
        lambda: qtbot.mouseMove(window, QPoint(300, 300)),
    ):
        clock.advance(minutes=4)
        _nudge(qtbot, seen, nudge)
        clock.advance(minutes=4)  # 8 minutes since the previous input, 4 since this one
        _let_the_watcher_look(qtbot, clock, lambda: window.is_locked)
        assert not window.is_locked and shell.session is not None
    clock.advance(minutes=1, seconds=1)  # five minutes without input
    qtbot.waitUntil(lambda: window.is_locked, timeout=10_000)
    assert shell.session is None and not window.work.isVisible()
    dispose_desktop(shell)


def test_ctrl_l_locks_and_the_right_password_unlocks(qtbot: QtBot, signed_in: Desktop) -> None:
    window = signed_in.window
    assert window is not None
    signed_in.open_patient(PATIENT)
    window.lock_action.trigger()
    assert window.is_locked and signed_in.session is None
    page = window.lock_page
    qtbot.keyClicks(page.password, "verkeerd-wachtwoord")
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=15_000)
    assert page.message.text().startswith("Onjuist wachtwoord, of te veel pogingen.")
    assert window.is_locked
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    assert signed_in.session is not None
    assert "J. de Vries" in window.banner.text.text()


def test_colleague_can_sign_in_at_a_locked_workstation(qtbot: QtBot, signed_in: Desktop) -> None:
    first = signed_in.window
    assert first is not None
    signed_in.open_patient(PATIENT)
    first.lock_action.trigger()
    page = first.lock_page
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.username, "visser")
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: signed_in.window is not first, timeout=15_000)
    window = signed_in.window
    assert window is not None and not window.is_locked
    assert "S. Visser (POH-GGZ)" in window.user_label.text()
    assert signed_in.patient is None
    assert window.banner.caption.text() == "Geen patiënt"


def test_practice_manager_sees_beheer_tabs_and_a_gp_does_not(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home)
    _sign_in(qtbot, shell, "bakker")
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    assert shell.window is not None
    page = shell.window.practice_page()
    assert not page.tabs.isTabVisible(page.tabs.indexOf(page.users))
    assert not page.tabs.isTabVisible(page.tabs.indexOf(page.audit))
    shell.window.lock_action.trigger()
    lock = shell.window.lock_page
    qtbot.mouseClick(lock.switch_button, Qt.MouseButton.LeftButton)
    lock.username.setText("smit")
    lock.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "R. Smit" in shell.window.user_label.text(), timeout=15_000)  # type: ignore[union-attr]
    window = shell.window
    assert window is not None
    window.show_area("beheer")
    page = window.practice_page()
    assert page.tabs.isTabVisible(page.tabs.indexOf(page.users))
    assert page.tabs.isTabVisible(page.tabs.indexOf(page.audit))
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 4, timeout=15_000)
    qtbot.waitUntil(lambda: page.audit.model.rowCount() > 0, timeout=15_000)
    assert "nog nooit" in page.practice.fields["backup"].text()
    assert page.practice.backup_warning.isVisibleTo(page)
    page.tabs.setCurrentWidget(page.audit)
    qtbot.mouseClick(page.audit.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "in orde" in page.audit.status.text(), timeout=15_000)
    # Signed in, the check uses the practice key; the sign-in left this workstation's anchor.
    assert "Logboek in orde" in page.audit.status.text()
    assert "sleutel: in orde (verzegeld t/m regel" in page.audit.status.text()
    assert "anker: in orde (regel" in page.audit.status.text()
    dispose_desktop(shell)


def test_one_time_password_must_be_replaced_at_first_sign_in(qtbot: QtBot, demo_home: Home) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    manager = sign_in(db, "smit", DEMO_PASSWORD)
    from gpdesk.roles import Role

    _, one_time = add_user(
        db, manager, username="dekker", display_name="P. Dekker", role=Role.GP, kdf=FAST_KDF
    )
    db.dispose()
    shell = _shell(qtbot, demo_home)

    def fill_dialog() -> None:
        from gpdesk.ui.password_dialog import PasswordChangeDialog

        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, PasswordChangeDialog)
        )
        qtbot.keyClicks(dialog.first, PASSPHRASE)
        qtbot.keyClicks(dialog.second, PASSPHRASE)
        qtbot.keyClick(dialog.second, Qt.Key.Key_Return)  # Enter = the dialog's default action

    def wait_for_dialog() -> None:
        from gpdesk.ui.password_dialog import PasswordChangeDialog

        if any(
            isinstance(w, PasswordChangeDialog) and w.isVisible()
            for w in QApplication.topLevelWidgets()
        ):
            fill_dialog()
        else:
            QTimer.singleShot(20, wait_for_dialog)

    QTimer.singleShot(20, wait_for_dialog)
    _sign_in(qtbot, shell, "dekker", one_time)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=20_000)
    assert shell.session is not None
    assert not shell.session.actor.must_change_password
    db = open_database(f"sqlite:///{demo_home.database_file}")
    assert sign_in(db, "dekker", PASSPHRASE).actor.username == "dekker"
    db.dispose()
    dispose_desktop(shell)


def test_copied_patient_data_leaves_the_clipboard(qtbot: QtBot) -> None:
    clipboard = SensitiveClipboard(clear_after_ms=50)
    clipboard.copy("J. de Vries, 01-02-1970, 3118 AB")
    assert QGuiApplication.clipboard().text() == "J. de Vries, 01-02-1970, 3118 AB"
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=2_000)


def test_clipboard_keeps_what_the_user_copied_later(qtbot: QtBot) -> None:
    clipboard = SensitiveClipboard(clear_after_ms=50)
    clipboard.copy("J. de Vries")
    QGuiApplication.clipboard().setText("iets anders")
    qtbot.wait(150)
    assert QGuiApplication.clipboard().text() == "iets anders"


def test_lock_clears_copied_patient_data(qtbot: QtBot, signed_in: Desktop) -> None:
    signed_in.open_patient(PATIENT)
    signed_in.copy_patient()
    assert "J. de Vries" in QGuiApplication.clipboard().text()
    assert signed_in.window is not None
    signed_in.window.lock_action.trigger()
    assert QGuiApplication.clipboard().text() == ""
