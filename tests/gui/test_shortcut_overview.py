"""F1 (Sneltoetsen): every key of Signaleren is listed, as the program has it, on one screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals import form as signal_form
from gpdesk.ui.signals.page import SignalsPage
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import main_window, signed_in


@pytest.fixture
def gp(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, demo_home, "bakker")
    yield shell
    dispose_desktop(shell)


def test_the_overview_lists_the_signal_keys_the_program_uses(gp: Desktop) -> None:
    window = main_window(gp)
    sections = dict(window.shortcut_sections())
    rows = dict(sections["Signaleren"])
    assert rows["Ctrl+Shift+S"].startswith("Signaal wijkteam")
    assert window.signal_action.shortcut() == QKeySequence("Ctrl+Shift+S")
    assert rows["Ctrl+Enter"] == "Versturen"
    assert "Ctrl+Enter" in signal_form.SEND_KEYS
    assert rows["Ctrl+Shift+P"].startswith("Voorbeeld")
    assert rows["Alt+T"] == "Toestemming vastleggen"
    assert rows["Esc"].startswith("Sluiten")
    assert rows["Ctrl+P"].startswith("Print voor patiënt")
    assert rows["Alt+L, D"] == "Alleen open, Alleen deze patiënt"
    assert rows["↑ ↓ (of j k) en Enter"] == "Signaal kiezen en openen"
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    listed = " ".join(text for _keys, text in sections["Signaleren"])
    for button in (*page.detail.buttons.values(), page.detail.retry_button):
        assert button.text().replace("&", "").removesuffix("…") in listed
    assert rows["Alt+E"] == "Opnieuw versturen"
    everywhere = dict(sections["Overal"])
    assert everywhere["Ctrl+L"] == "Vergrendelen"
    assert everywhere["Ctrl+1"] == "Signaleren"


def test_f1_shows_the_overview_on_one_screen_and_enter_closes_it(qtbot: QtBot, gp: Desktop) -> None:
    window = main_window(gp)
    seen: list[tuple[str, int, int]] = []

    def look() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.objectName() == "shortcutOverview"
            ),
            None,
        )
        if box is None or not box.isVisible():
            QTimer.singleShot(20, look)
            return
        seen.append((box.text(), box.width(), box.height()))
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, look)
    qtbot.keyClick(window, Qt.Key.Key_F1)  # the box's exec() returns once Enter closed it
    assert len(seen) == 1
    text, width, height = seen[0]
    for words in ("Signaleren", "Ctrl+Shift+S", "Ctrl+Enter", "Alt+T", "Sociale kaart"):
        assert words in text
    assert width <= 910 and height <= 460  # a laptop at 150 % still shows it whole


def test_every_key_of_the_menus_is_in_the_overview(gp: Desktop) -> None:
    """Generated from the actions: a menu item with a key added later is listed by itself."""
    window = main_window(gp)
    listed = {keys for _title, rows in window.shortcut_sections() for keys, _text in rows}
    words = " | ".join(sorted(listed))
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        for item in menu.actions():
            keys = item.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
            assert not keys or keys in words, f"{item.text()} ({keys}) missing from F1"


def test_f10_opens_the_menu_bar_whose_titles_share_no_alt_letter(qtbot: QtBot, gp: Desktop) -> None:
    """The titles have no Alt letter (a Beheer tab needs nearly every letter); F10 opens them."""
    window = main_window(gp)
    bar = window.menuBar()
    assert all("&" not in action.text() for action in bar.actions())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: bar.activeAction() is not None)
    assert bar.activeAction() is bar.actions()[0]
    menu = bar.activeAction().menu()
    assert isinstance(menu, QMenu)
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not menu.isVisible())
    listed = {keys for _title, rows in window.shortcut_sections() for keys, _text in rows}
    assert "F10" in listed
