"""The lock covers every window: Ctrl+L from a modal dialog, the idle lock over a dialog, nothing
new on screen while locked; switching user (also with a one-time password); a waiting patient."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security.accounts import sign_in
from gpdesk.security.users import add_user
from gpdesk.ui.beheer.kaart.editor import OrganizationDialog
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.main_window import MainWindow
from gpdesk.ui.password_dialog import PasswordChangeDialog
from gpdesk.ui.paste_dialog import PasteDialog
from tests.conftest import FAST_KDF, dispose_desktop
from tests.gui.test_lock import PATIENT, _shell, _sign_in

CTRL = Qt.KeyboardModifier.ControlModifier


def _signed_in(qtbot: QtBot, home: Home, user: str = "bakker", idle: float = 30) -> Desktop:
    shell = _shell(qtbot, home, idle_minutes=idle)
    _sign_in(qtbot, shell, user)
    qtbot.waitUntil(lambda: shell.window is not None and shell.session is not None, timeout=15_000)
    return shell


@pytest.fixture
def bakker(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _signed_in(qtbot, demo_home)
    yield shell
    dispose_desktop(shell)


def _window(shell: Desktop) -> MainWindow:
    assert shell.window is not None
    return shell.window


def _visible(kind: type[QWidget]) -> QWidget | None:
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None
    )


TIMED_OUT: list[QWidget] = []


def _when_shown(kind: type[QWidget], act: Callable[[QWidget], None]) -> None:
    """Act inside a dialog's or menu's own exec() loop once it is on screen (exec blocks the test).

    A safety net closes it after 10 seconds so a failing test cannot hang in exec();
    ``_no_safety_net_used`` then fails the test. Its timer belongs to the widget, so it goes
    when the widget does.
    """

    def poll(tries: int) -> None:
        widget = _visible(kind)
        if widget is None:
            if tries:
                QTimer.singleShot(20, lambda: poll(tries - 1))
            return

        def give_up() -> None:
            if widget.isVisible():
                TIMED_OUT.append(widget)
                if isinstance(widget, QDialog):
                    widget.reject()
                else:
                    widget.close()

        safety = QTimer(widget)
        safety.setSingleShot(True)
        safety.timeout.connect(give_up)
        safety.start(10_000)
        act(widget)

    QTimer.singleShot(0, lambda: poll(500))


@pytest.fixture(autouse=True)
def _no_safety_net_used() -> Iterator[None]:
    TIMED_OUT.clear()
    yield
    assert not TIMED_OUT, "a dialog stayed open until the test gave up on it"


def _other_windows(window: QWidget) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]


def _events(home: Home) -> list[tuple[str, str | None]]:
    from gpdesk.models import AuditEntry

    db = open_database(f"sqlite:///{home.database_file}")
    try:
        with db.session() as session:
            rows = session.execute(
                select(AuditEntry.event, AuditEntry.username).order_by(AuditEntry.seq)
            )
            return [(event, username) for event, username in rows]
    finally:
        db.dispose()


# -- Ctrl+L and the idle lock close every other window --------------------------------------------


def test_ctrl_l_in_plak_uit_his_with_a_bsn_locks_and_closes_the_dialog(
    qtbot: QtBot, bakker: Desktop, demo_home: Home
) -> None:
    window = _window(bakker)
    seen: list[QWidget] = []

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, PasteDialog)
        seen.append(dialog)
        qtbot.keyClicks(dialog.inputs["bsn"], "111222333")
        qtbot.keyClick(dialog.inputs["bsn"], Qt.Key.Key_L, CTRL)

    _when_shown(PasteDialog, in_dialog)
    window.paste_action.trigger()  # runs the dialog's exec() until the lock rejects it
    assert seen, "the paste dialog never opened"
    assert not seen[0].isVisible()
    assert window.is_locked and bakker.session is None
    assert window.lock_page.isVisible()
    assert _other_windows(window) == []
    assert window.banner.caption.text() == "Geen patiënt"  # nothing was opened
    bakker.tasks.wait()
    assert [e for e, _ in _events(demo_home)].count("lock") == 1  # one lock, not two


def test_ctrl_l_in_the_main_window_locks_once(
    qtbot: QtBot, bakker: Desktop, demo_home: Home
) -> None:
    window = _window(bakker)
    qtbot.keyClick(window.nav, Qt.Key.Key_L, CTRL)
    assert window.is_locked
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_L, CTRL)  # locked already: nothing
    bakker.tasks.wait()
    assert [e for e, _ in _events(demo_home)].count("lock") == 1


def test_the_idle_lock_closes_an_open_dialog(qtbot: QtBot, demo_home: Home) -> None:
    shell = _signed_in(qtbot, demo_home, idle=0.02)  # 1.2 seconds
    window = _window(shell)
    seen: list[QWidget] = []

    def in_dialog(dialog: QWidget) -> None:
        assert isinstance(dialog, PasteDialog)
        seen.append(dialog)
        qtbot.keyClicks(dialog.inputs["bsn"], "111222333")  # then no more input

    _when_shown(PasteDialog, in_dialog)
    window.paste_action.trigger()
    assert seen and not seen[0].isVisible()
    assert window.is_locked and shell.session is None
    assert _other_windows(window) == []
    dispose_desktop(shell)


def test_lock_closes_message_boxes_and_windows_that_are_not_modal(
    qtbot: QtBot, bakker: Desktop
) -> None:
    window = _window(bakker)
    loose = QDialog(window)  # like "Wat is er veranderd" or the handout preview
    loose.setWindowTitle("niet modaal")
    loose.show()
    shortcuts = next(a for a in window.findChildren(QAction) if a.text() == "&Sneltoetsen")
    _when_shown(QMessageBox, lambda box: qtbot.keyClick(box, Qt.Key.Key_L, CTRL))
    shortcuts.trigger()  # a QMessageBox without a cancel button
    assert window.is_locked
    assert not loose.isVisible()
    assert _other_windows(window) == []


def test_a_dialog_that_asks_before_closing_still_leaves_the_screen(
    qtbot: QtBot, bakker: Desktop
) -> None:
    window = _window(bakker)
    dialog = OrganizationDialog(parent=window)  # asks "Wijzigingen niet opslaan?" on Esc
    dialog.open()
    qtbot.keyClicks(dialog.name, "Stichting Welzijn")
    qtbot.keyClick(dialog.name, Qt.Key.Key_L, CTRL)
    assert window.is_locked
    qtbot.waitUntil(lambda: _other_windows(window) == [], timeout=2_000)
    assert not dialog.isVisible()


def test_ctrl_l_in_an_open_menu_locks_and_closes_it(qtbot: QtBot, bakker: Desktop) -> None:
    window = _window(bakker)
    menu = QMenu(window)
    menu.addAction("Patiëntgegevens kopiëren")
    _when_shown(QMenu, lambda shown: qtbot.keyClick(shown, Qt.Key.Key_L, CTRL))
    chosen = menu.exec(window.mapToGlobal(window.rect().center()))
    assert chosen is None
    assert window.is_locked
    assert _other_windows(window) == []


def test_a_dialog_that_appears_while_locked_is_sent_away(qtbot: QtBot, bakker: Desktop) -> None:
    window = _window(bakker)
    window.lock_action.trigger()
    # Work that finishes after the lock may still want to show a message: it does not stay.
    answer = QMessageBox.warning(window, "gpdesk", "Iets dat na het vergrendelen klaar was.")
    assert answer == QMessageBox.StandardButton.NoButton
    assert _other_windows(window) == []


def test_unlock_then_shortcuts_and_dialogs_work_again(qtbot: QtBot, bakker: Desktop) -> None:
    window = _window(bakker)
    qtbot.keyClick(window.nav, Qt.Key.Key_L, CTRL)
    qtbot.keyClicks(window.lock_page.password, DEMO_PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    opened: list[bool] = []

    def in_dialog(dialog: QWidget) -> None:
        opened.append(dialog.isVisible())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _when_shown(PasteDialog, in_dialog)
    window.paste_action.trigger()
    assert opened == [True]
    assert not window.is_locked


# -- the lock page -------------------------------------------------------------------------------


def test_andere_gebruiker_no_longer_names_the_previous_user(qtbot: QtBot, bakker: Desktop) -> None:
    window = _window(bakker)
    window.lock_action.trigger()
    page = window.lock_page
    assert "H. Bakker" in page.who.text()
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    assert page.who.text() == "Meld u aan met uw eigen gebruikersnaam en wachtwoord."
    assert page.username.isVisible()
    qtbot.keyClick(page.username, Qt.Key.Key_Escape)  # back to unlocking
    assert not page.username.isVisible()
    assert "H. Bakker" in page.who.text()


def test_a_patient_handed_over_while_locked_waits_without_saying_who(
    qtbot: QtBot, bakker: Desktop
) -> None:
    window = _window(bakker)
    window.lock_action.trigger()
    page = window.lock_page
    assert not page.pending.isVisible()
    bakker.open_patient(PATIENT)  # from the HIS
    assert page.pending.isVisible()
    assert page.pending.text() == "Er staat een patiënt klaar uit het HIS."
    shown = " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())
    for secret in (PATIENT.name, PATIENT.bsn, "3118", "1970"):
        assert secret not in shown
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    assert "J. de Vries" in window.banner.text.text()
    window.lock_action.trigger()
    assert not page.pending.isVisible()  # a new lock starts without the notice


def test_a_waiting_patient_goes_to_the_colleague_who_signs_in(
    qtbot: QtBot, bakker: Desktop
) -> None:
    window = _window(bakker)
    window.lock_action.trigger()
    bakker.open_patient(PATIENT)
    page = window.lock_page
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.username, "visser")
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bakker.window is not window, timeout=15_000)
    assert "S. Visser" in _window(bakker).user_label.text()
    assert "J. de Vries" in _window(bakker).banner.text.text()


# -- switching user and the logboek ---------------------------------------------------------------


def test_unlock_is_logged_as_unlock_and_quitting_as_logout(qtbot: QtBot, demo_home: Home) -> None:
    shell = _signed_in(qtbot, demo_home)
    window = _window(shell)
    window.lock_action.trigger()
    qtbot.keyClicks(window.lock_page.password, DEMO_PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    dispose_desktop(shell)  # what quitting does: shutdown()
    assert _events(demo_home)[-4:] == [
        ("login", "bakker"),
        ("lock", "bakker"),
        ("unlock", "bakker"),
        ("logout", "bakker"),
    ]


def test_a_colleague_takes_over_and_the_switch_is_logged(qtbot: QtBot, demo_home: Home) -> None:
    shell = _signed_in(qtbot, demo_home)
    first = _window(shell)
    first.lock_action.trigger()
    page = first.lock_page
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.username, "visser")
    qtbot.keyClick(page.username, Qt.Key.Key_Return)  # on to the password
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not first, timeout=15_000)
    dispose_desktop(shell)
    assert _events(demo_home)[-5:] == [
        ("lock", "bakker"),
        ("logout", "bakker"),
        ("login", "visser"),
        ("switch_user", "visser"),
        ("logout", "visser"),
    ]


def test_a_colleague_with_a_one_time_password_chooses_one_at_the_locked_workstation(
    qtbot: QtBot, demo_home: Home
) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    _, one_time = add_user(
        db, sign_in(db, "smit", DEMO_PASSWORD), username="dekker", display_name="P. Dekker",
        role=Role.GP, kdf=FAST_KDF,
    )  # fmt: skip
    db.dispose()
    shell = _signed_in(qtbot, demo_home)
    first = _window(shell)
    first.lock_action.trigger()
    page = first.lock_page
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.username, "dekker")
    qtbot.keyClicks(page.password, one_time)

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, PasswordChangeDialog)
        assert dialog.parentWidget() is page  # over the lock page, and the lock lets it be
        qtbot.keyClicks(dialog.first, "mijn eigen wachtwoord")
        qtbot.keyClick(dialog.first, Qt.Key.Key_Return)
        qtbot.keyClicks(dialog.second, "mijn eigen wachtwoord")
        qtbot.keyClick(dialog.second, Qt.Key.Key_Return)

    _when_shown(PasswordChangeDialog, choose)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not first, timeout=20_000)
    window = _window(shell)
    assert "P. Dekker (huisarts)" in window.user_label.text()
    assert not window.is_locked
    assert shell.session is not None and not shell.session.actor.must_change_password
    dispose_desktop(shell)
    assert _events(demo_home)[-7:] == [
        ("lock", "bakker"),
        ("login", "dekker"),  # with the one-time password
        ("password.change", "dekker"),
        ("logout", "bakker"),
        ("login", "dekker"),
        ("switch_user", "dekker"),
        ("logout", "dekker"),  # quitting
    ]
    db = open_database(f"sqlite:///{demo_home.database_file}")
    assert sign_in(db, "dekker", "mijn eigen wachtwoord").actor.username == "dekker"
    db.dispose()


def test_a_colleague_who_cancels_the_new_password_stays_out(qtbot: QtBot, demo_home: Home) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    _, one_time = add_user(
        db, sign_in(db, "smit", DEMO_PASSWORD), username="dekker", display_name="P. Dekker",
        role=Role.GP, kdf=FAST_KDF,
    )  # fmt: skip
    db.dispose()
    shell = _signed_in(qtbot, demo_home)
    shell.open_patient(PATIENT)
    window = _window(shell)
    window.lock_action.trigger()
    page = window.lock_page
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(page.username, "dekker")
    qtbot.keyClicks(page.password, one_time)
    _when_shown(PasswordChangeDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=15_000)
    assert "eigen wachtwoord" in page.message.text()
    assert shell.window is window and window.is_locked
    assert shell.locked_actor is not None and shell.locked_actor.username == "bakker"
    # Bakker can still unlock, with the patient of the consult.
    qtbot.mouseClick(page.switch_button, Qt.MouseButton.LeftButton)  # "Terug"
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    assert "J. de Vries" in window.banner.text.text()
    dispose_desktop(shell)
