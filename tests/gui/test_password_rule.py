"""The password rule in the dialogs: said while typing, enforced on OK, all by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gpdesk.security.passwords import own_words
from gpdesk.ui.first_run import FirstRunDialog
from gpdesk.ui.login import DEMO_NOTE, LoginDialog
from gpdesk.ui.password_dialog import PasswordChangeDialog
from gpdesk.ui.password_hint import RULE, STRONG, PasswordHint
from tests.conftest import PASSPHRASE

VISSER = own_words(
    username="visser", display_name="S. Visser", practice_name="Huisartsenpraktijk De Singel"
)


def _verdict(hint: PasswordHint) -> str:
    return str(hint.property("verdict"))


def test_password_dialog_says_why_while_typing(qtbot: QtBot) -> None:
    dialog = PasswordChangeDialog(forced=True, words=VISSER)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.hint.text() == RULE
    qtbot.keyClicks(dialog.first, "visser")
    assert _verdict(dialog.hint) == "rule"  # not judged before ten characters
    qtbot.keyClicks(dialog.first, "2026!!")
    qtbot.waitUntil(lambda: _verdict(dialog.hint) == "weak")  # after a pause in typing
    assert "uw naam" in dialog.hint.text()
    assert "vier of vijf losse woorden" in dialog.hint.text()
    dialog.first.clear()
    qtbot.keyClicks(dialog.first, PASSPHRASE)
    qtbot.waitUntil(lambda: _verdict(dialog.hint) == "strong")
    assert dialog.hint.text() == STRONG


def test_password_dialog_refuses_on_enter_then_accepts_a_pass_phrase(qtbot: QtBot) -> None:
    dialog = PasswordChangeDialog(words=VISSER)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.first, "huisarts2026")
    qtbot.keyClick(dialog.first, Qt.Key.Key_Return)  # on to "Nogmaals"
    qtbot.keyClicks(dialog.second, "huisarts2026")
    qtbot.keyClick(dialog.second, Qt.Key.Key_Return)
    assert dialog.isVisible()  # refused at once, without waiting for the pause
    assert _verdict(dialog.hint) == "weak"
    assert "uw naam, de naam van de praktijk" in dialog.hint.text()
    assert dialog.focusWidget() is dialog.first
    assert dialog.first.selectedText() == "huisarts2026"  # typing replaces it
    assert dialog.second.text() == ""

    qtbot.keyClicks(dialog.first, PASSPHRASE)
    qtbot.keyClick(dialog.first, Qt.Key.Key_Return)
    assert dialog.focusWidget() is dialog.second
    qtbot.keyClicks(dialog.second, PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog.second, Qt.Key.Key_Return)
    assert dialog.new_password == PASSPHRASE


def test_password_dialog_esc_cancels_with_a_refusal_showing(qtbot: QtBot) -> None:
    dialog = PasswordChangeDialog(words=VISSER)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.first, "Welkom2026!")
    qtbot.keyClicks(dialog.second, "Welkom2026!")
    qtbot.keyClick(dialog.second, Qt.Key.Key_Return)
    assert "veelgebruikt wachtwoord" in dialog.hint.text()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog.first, Qt.Key.Key_Escape)
    assert dialog.new_password == ""


def test_first_run_form_judges_against_the_names_typed_above(qtbot: QtBot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    requested: list[tuple[str, ...]] = []
    dialog.set_up_requested.connect(lambda *args: requested.append(args))
    qtbot.keyClick(dialog.new_button, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.practice_name, "Praktijk De Linde")
    qtbot.keyClicks(dialog.username, "jansen")
    qtbot.keyClicks(dialog.full_name, "A. Jansen")
    assert dialog.password_hint.text() == RULE
    # Strong to zxcvbn alone (four pieces), but made of this practice's own words.
    qtbot.keyClicks(dialog.password, "linde-jansen-2026")
    qtbot.keyClicks(dialog.repeat, "linde-jansen-2026")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert requested == []
    assert "uw naam, de naam van de praktijk" in dialog.password_hint.text()
    assert dialog.focusWidget() is dialog.password
    assert dialog.repeat.text() == ""
    assert dialog.current_page() == "form"

    qtbot.keyClicks(dialog.password, PASSPHRASE)  # replaces the selected weak one
    qtbot.keyClicks(dialog.repeat, PASSPHRASE)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert requested == [("Praktijk De Linde", "jansen", "A. Jansen", PASSPHRASE)]


def test_demo_login_says_the_data_is_made_up(qtbot: QtBot) -> None:
    login = LoginDialog()
    qtbot.addWidget(login)
    login.show()
    login.set_ready("Huisartsenpraktijk De Singel (demo)", "bakker", demo=True)
    assert login.demo_note.isVisible()
    assert login.demo_note.text() == DEMO_NOTE
    assert "verzonnen" in DEMO_NOTE
    login.set_ready("Huisartsenpraktijk De Linde", "bakker")
    assert not login.demo_note.isVisible()
