"""The app shell driven through real widgets: sign in, navigate, patient banner, paste."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.first_run import FirstRunDialog
from tests.conftest import dispose_desktop

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)


@pytest.fixture
def desktop(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(demo_home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    yield shell
    dispose_desktop(shell)


def sign_in(
    qtbot: QtBot, shell: Desktop, user: str = "bakker", password: str = DEMO_PASSWORD
) -> None:
    shell.login.username.clear()
    qtbot.keyClicks(shell.login.username, user)
    qtbot.keyClicks(shell.login.password, password)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)


def test_login_shows_practice_and_signs_in(qtbot: QtBot, desktop: Desktop) -> None:
    assert "De Singel" in desktop.login.practice_label.text()
    sign_in(qtbot, desktop)
    qtbot.waitUntil(
        lambda: desktop.window is not None and desktop.window.isVisible(), timeout=15_000
    )
    assert desktop.window is not None
    assert "H. Bakker (huisarts)" in desktop.window.user_label.text()
    assert not desktop.login.isVisible()


def test_wrong_password_shows_dutch_message(qtbot: QtBot, desktop: Desktop) -> None:
    sign_in(qtbot, desktop, password="verkeerd!")
    qtbot.waitUntil(lambda: desktop.login.message.isVisible(), timeout=15_000)
    assert "onjuist wachtwoord" in desktop.login.message.text()
    assert desktop.login.password.text() == ""
    assert desktop.window is None


def test_empty_fields_are_caught_before_any_work(qtbot: QtBot, desktop: Desktop) -> None:
    desktop.login.username.clear()
    qtbot.mouseClick(desktop.login.sign_in_button, Qt.MouseButton.LeftButton)
    assert "gebruikersnaam" in desktop.login.message.text()


def test_navigation_by_click_and_shortcut(qtbot: QtBot, desktop: Desktop) -> None:
    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    window = desktop.window
    assert window is not None
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts need it; on X11 it comes later
    nav = window.nav
    rect = nav.visualItemRect(nav.item(1))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_area() == "kaart"
    window.area_actions["inbox"].trigger()
    assert window.current_area() == "inbox"
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "beheer"
    page = window.practice_page()
    qtbot.waitUntil(lambda: page.users.model.rowCount() == 4, timeout=15_000)
    assert page.practice.fields["practice"].text().startswith("Huisartsenpraktijk De Singel")
    assert "SQLite" in page.practice.fields["database"].text()


def test_patient_arriving_before_sign_in_waits_unseen(qtbot: QtBot, desktop: Desktop) -> None:
    desktop.open_patient(PATIENT)
    assert "klaar uit het HIS" in desktop.login.message.text()
    assert "Vries" not in desktop.login.message.text()
    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    assert desktop.window is not None
    assert desktop.window.banner.text.text() == "J. de Vries · 01-02-1970 · 3118 AB"


def test_banner_follows_patient_and_title_never_shows_it(qtbot: QtBot, desktop: Desktop) -> None:
    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    window = desktop.window
    assert window is not None
    assert window.banner.caption.text() == "Geen patiënt"
    # The system adds " — gpdesk" (applicationDisplayName): the title does not say it twice.
    assert desktop.practice is not None
    assert window.windowTitle() == desktop.practice.name
    assert desktop.login.windowTitle() == "Aanmelden"
    desktop.open_patient(PATIENT)
    assert "J. de Vries" in window.banner.text.text()
    assert "Vries" not in window.windowTitle()
    assert "111222333" not in window.banner.text.text()
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    assert window.banner.caption.text() == "Geen patiënt"
    assert desktop.patient is None


def test_patient_is_stored_encrypted_after_handover(qtbot: QtBot, desktop: Desktop) -> None:
    from gpdesk.patients.records import find_patient

    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    desktop.open_patient(PATIENT)
    desktop.tasks.wait()
    qtbot.wait(50)
    assert desktop.db is not None and desktop.session is not None
    with desktop.db.session() as session:
        found = find_patient(
            session, desktop.session.vault, PATIENT.bsn, actor=desktop.session.actor
        )
    assert found == PATIENT


def test_paste_dialog_recognises_his_line(qtbot: QtBot) -> None:
    from gpdesk.ui.paste_dialog import PasteDialog

    dialog = PasteDialog(use_clipboard=False)
    qtbot.addWidget(dialog)
    dialog.source.setPlainText(
        "J. de Vries, 01-02-1970, BSN 111222333, 3118 AB Schiedam, tel. 06-12345678"
    )
    assert dialog.inputs["bsn"].text() == "111222333"
    assert dialog.inputs["postcode"].text() == "3118 AB"
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.context is not None
    assert dialog.context.name == "J. de Vries"


def test_ctrl_shift_v_opens_the_paste_dialog_filled_from_the_clipboard(
    qtbot: QtBot, desktop: Desktop
) -> None:
    from PySide6.QtCore import QTimer

    from gpdesk.ui.paste_dialog import PasteDialog

    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    window = desktop.window
    assert window is not None
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts need it; on X11 it comes later
    QApplication.clipboard().setText("Vries, J. de (Jan) M 01-02-1970 111222333 3118 AB Schiedam")
    seen: dict[str, str] = {}

    def look_and_open() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PasteDialog)
        seen.update({key: edit.text() for key, edit in dialog.inputs.items()})
        seen["status"] = dialog.recognised.text()
        qtbot.keyClick(dialog.inputs["naam"], Qt.Key.Key_Return)  # Enter: the default, open

    QTimer.singleShot(0, look_and_open)
    qtbot.keyClick(
        window,
        Qt.Key.Key_V,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert seen == {
        "bsn": "111222333",
        "naam": "Vries, J. de (Jan)",
        "geboortedatum": "01-02-1970",
        "postcode": "3118 AB",
        "telefoon": "",
        "status": "Herkend. Controleer de gegevens hieronder.",
    }
    assert desktop.patient is not None
    assert desktop.patient.name == "Vries, J. de (Jan)"
    desktop.tasks.wait()
    QApplication.clipboard().clear()


def test_paste_dialog_shows_field_errors(qtbot: QtBot) -> None:
    from gpdesk.ui.paste_dialog import PasteDialog

    dialog = PasteDialog(use_clipboard=False)
    qtbot.addWidget(dialog)
    dialog.inputs["bsn"].setText("123456789")
    dialog.inputs["naam"].setText("J. de Vries")
    dialog.inputs["geboortedatum"].setText("01-02-1970")
    dialog.inputs["postcode"].setText("3118AB")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.context is None
    assert not dialog.errors["bsn"].isHidden()
    assert dialog.errors["postcode"].isHidden()


def test_window_geometry_is_remembered(qtbot: QtBot, desktop: Desktop, demo_home: Home) -> None:
    sign_in(qtbot, desktop)
    qtbot.waitUntil(lambda: desktop.window is not None, timeout=15_000)
    window = desktop.window
    assert window is not None
    # The offscreen screen is 800x600 and restoring clamps to it, so the height tells.
    window.resize(window.width(), 500)
    window.show_area("kaart")
    window.close()
    from PySide6.QtCore import QSettings

    from gpdesk.ui.main_window import MainWindow

    again = MainWindow(
        actor=desktop.session.actor,  # type: ignore[union-attr]
        practice_name="x",
        database_kind="x",
        window_state=QSettings(str(demo_home.window_state_file), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(again)
    assert again.size().height() == 500
    assert again.current_area() == "kaart"


def test_database_failure_shows_blocking_message_and_retry(qtbot: QtBot, home: Home) -> None:
    home.database_file.write_bytes(b"kapot" * 1000)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.retry_button.isVisible(), timeout=15_000)
    assert "beschadigd" in shell.login.message.text()
    assert not shell.login.sign_in_button.isEnabled()
    home.database_file.unlink()
    qtbot.mouseClick(shell.login.retry_button, Qt.MouseButton.LeftButton)
    # An empty database now: the first-run window offers set-up or the demo.
    qtbot.waitUntil(
        lambda: (first := shell.login.findChild(FirstRunDialog)) is not None and first.isVisible(),
        timeout=15_000,
    )
    dispose_desktop(shell)
