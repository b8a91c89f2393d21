"""Qt's own dialogs, dates and numbers speak Dutch once the application is created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from gpdesk.ui.app import QT_TRANSLATOR_NAME, create_application
from gpdesk.ui.theme import THEME_NAME, Theme


@pytest.fixture
def dutch_app(qapp: QApplication) -> Iterator[QApplication]:
    """create_application() on the test's QApplication, undone afterwards for other tests."""
    locale, style, palette = QLocale(), qapp.styleSheet(), qapp.palette()
    app = create_application()
    yield app
    for translator in app.findChildren(QTranslator, QT_TRANSLATOR_NAME):
        app.removeTranslator(translator)
        translator.setParent(None)
        translator.deleteLater()
    QLocale.setDefault(locale)
    theme = app.findChild(Theme, THEME_NAME)
    if theme is not None:
        theme.remove()
    app.setStyleSheet(style)
    app.setPalette(palette)


def _texts(buttons: QDialogButtonBox) -> list[str]:
    return [button.text().replace("&", "") for button in buttons.buttons()]


def test_message_box_says_ja_and_nee(qtbot: QtBot, dutch_app: QApplication) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Wachtwoord opnieuw instellen",
        "Nieuw wachtwoord voor deze gebruiker?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(box)
    yes = box.button(QMessageBox.StandardButton.Yes)
    no = box.button(QMessageBox.StandardButton.No)
    assert yes.text().replace("&", "") == "Ja"
    assert no.text().replace("&", "") == "Nee"


def test_button_box_says_opslaan_and_annuleren(qtbot: QtBot, dutch_app: QApplication) -> None:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    assert sorted(_texts(buttons)) == ["Annuleren", "Opslaan"]


def test_dates_and_numbers_are_dutch(dutch_app: QApplication) -> None:
    locale = QLocale()
    assert locale.language() == QLocale.Language.Dutch
    assert locale.toString(QDate(2024, 3, 1), "d MMMM yyyy") == "1 maart 2024"
    assert locale.toString(2.5) == "2,5"


def test_creating_the_application_twice_installs_one_translator(
    dutch_app: QApplication,
) -> None:
    create_application()
    assert len(dutch_app.findChildren(QTranslator, QT_TRANSLATOR_NAME)) == 1
