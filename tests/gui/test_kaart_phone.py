"""The kaart answers the questions asked at the phone: a postcode, filters that empty the list.

Real widgets, the demo practice, keyboard first: a postcode typed in the search box shows the
responsible team with the practice's fixed contact; a postcode of another town says its own
municipality is responsible; filters that empty the list say so and clear with Alt+W.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.kaart.routing import OUTSIDE_TEXT
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart.controller import KaartController
from gpdesk.ui.kaart.page import NO_RESULTS, KaartPage
from tests.conftest import dispose_desktop
from tests.gui.test_kaart_page import PATIENT, _desktop, names, open_kaart, search, wait_detail


@pytest.fixture
def gp(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _desktop(qtbot, demo_home, "bakker")
    yield shell
    dispose_desktop(shell)


def wait_answer(qtbot: QtBot, kaart: KaartController, postcode: str) -> None:
    qtbot.waitUntil(
        lambda: kaart.routing is not None and kaart.routing.postcode == postcode, timeout=10_000
    )


def answer_text(page: KaartPage) -> str:
    """The answer panel as the user reads it (tags dropped)."""
    from html import unescape
    from re import sub

    return unescape(sub(r"<[^>]+>", "", page.answer.text()))


@pytest.mark.parametrize("typed", ["3118 AB", "3118ab", "3118"])
def test_a_typed_postcode_shows_the_team_and_the_fixed_contact(
    qtbot: QtBot, gp: Desktop, typed: str
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    assert not page.postcode_chip.isEnabled()  # no patient in context
    search(qtbot, kaart, page, typed)
    wait_answer(qtbot, kaart, typed.replace(" ", "").upper())
    assert page.answer.isVisible()
    text = answer_text(page)
    assert text.startswith(f"Postcode {'3118 AB' if len(typed) > 4 else '3118'} valt onder:")
    assert "Wijkteam Nieuwland" in text
    assert "Vaste contactpersoon: Fatma Kaya" in text
    assert "Vervanger: Jeroen Visser" in text
    assert "Volgend inloopspreekuur:" in text
    # The usual results too, the responsible team first and open in the detail pane.
    qtbot.waitUntil(lambda: names(kaart)[:1] == ["Wijkteam Nieuwland"], timeout=5_000)
    assert len(names(kaart)) > 1
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")

    qtbot.keyClick(page.search, Qt.Key.Key_Escape)  # Esc clears: the answer goes too
    qtbot.waitUntil(lambda: not page.answer.isVisible(), timeout=5_000)
    assert kaart.routing is None


def test_the_answer_links_open_the_team_by_keyboard_and_mail_by_click(
    qtbot: QtBot, gp: Desktop
) -> None:
    opened: list[QUrl] = []

    def record(url: QUrl) -> bool:
        opened.append(url)
        return True

    kaart, page = open_kaart(qtbot, gp)
    kaart.open_url = record
    search(qtbot, kaart, page, "3120")
    wait_answer(qtbot, kaart, "3120")
    assert answer_text(page).startswith("Postcode 3120 valt buiten de wijkteams.")
    wait_detail(qtbot, kaart, "Sociale Plein (Wmo-loket)")
    search(qtbot, kaart, page, "schulden")  # another service in the detail pane
    assert not page.answer.isVisible()
    search(qtbot, kaart, page, "3120")
    wait_answer(qtbot, kaart, "3120")
    search(qtbot, kaart, page, "schuldhulpverlening")
    wait_detail(qtbot, kaart, "Schuldhulpverlening Schiedam")
    search(qtbot, kaart, page, "3120")
    wait_answer(qtbot, kaart, "3120")
    wait_detail(qtbot, kaart, "Sociale Plein (Wmo-loket)")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)  # read another service in the list
    qtbot.waitUntil(
        lambda: kaart.detail is not None and kaart.detail.name != "Sociale Plein (Wmo-loket)",
        timeout=10_000,
    )
    page.only_open_chip.setFocus()
    qtbot.keyClick(page.only_open_chip, Qt.Key.Key_Tab)  # the answer follows the chips
    assert page.answer.hasFocus()
    qtbot.keyClick(page.answer, Qt.Key.Key_Tab)  # to its first link: the desk's name
    with qtbot.waitSignal(page.answer.service_requested, timeout=5_000):
        qtbot.keyClick(page.answer, Qt.Key.Key_Return)
    wait_detail(qtbot, kaart, "Sociale Plein (Wmo-loket)")
    page.answer.linkActivated.emit("mailto:ellen.dekker@voorbeeld-schiedam.nl")
    assert [u.toString() for u in opened] == ["mailto:ellen.dekker@voorbeeld-schiedam.nl"]


def test_a_postcode_of_another_town_names_its_own_municipality(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    search(qtbot, kaart, page, "1012 AB")
    wait_answer(qtbot, kaart, "1012AB")
    assert kaart.routing is not None and kaart.routing.outside
    assert answer_text(page) == f"Postcode 1012 AB: {OUTSIDE_TEXT}"
    assert "Sociale Plein" not in answer_text(page)  # not this town's desk
    assert page.answer.property("outside") is True
    assert page.list_stack.currentWidget() is page.message_page
    assert page.message.text() == "Geen voorzieningen van deze sociale kaart voor postcode 1012 AB."


def test_filters_that_empty_the_list_say_so_and_clear_with_alt_w(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    search(qtbot, kaart, page, "alzheimer")
    assert names(kaart) == ["Alzheimer Café Schiedam"]
    qtbot.keyClick(page.search, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # Plek &vrij
    qtbot.waitUntil(lambda: page.list_stack.currentWidget() is page.message_page, timeout=5_000)
    assert page.capacity_chip.isChecked()
    assert page.message.text() == (
        "Geen resultaten met deze filters (Plek vrij). Zonder filters: 1 resultaat."
    )
    assert "woord" not in page.message.text()  # not the advice for words
    assert page.clear_filters_button.isVisible()
    qtbot.keyClick(page.search, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Filters &wissen
    qtbot.waitUntil(lambda: names(kaart) == ["Alzheimer Café Schiedam"], timeout=5_000)
    assert not page.capacity_chip.isChecked()
    assert page.search.hasFocus() and page.search.text() == "alzheimer"
    assert not page.clear_filters_button.isVisible()

    page.search.clear()  # a filter without words that empties the list
    page.choose_theme("verslaving")
    qtbot.mouseClick(page.capacity_chip, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.list_stack.currentWidget() is page.message_page, timeout=5_000)
    assert page.message.text() == "Geen resultaten met deze filters (Thema: verslaving, Plek vrij)."
    page.clear_filters_button.setFocus()
    qtbot.keyClick(page.clear_filters_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.theme() is None and not page.capacity_chip.isChecked())

    search(qtbot, kaart, page, "xqzwv")  # the words, not the filters: no button
    page.capacity_chip.setChecked(True)
    qtbot.waitUntil(lambda: not kaart._search_timer.isActive(), timeout=5_000)
    kaart.run_search()
    assert page.message.text() == NO_RESULTS
    assert not page.clear_filters_button.isVisible()


def test_filters_hiding_some_results_offer_to_clear_them(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    search(qtbot, kaart, page, "wijkteam")
    assert "Wijkteam Centrum" not in names(kaart)
    assert " verborgen door filters" in page.count.text()
    assert page.count_clear_button.isVisible()
    qtbot.mouseClick(page.count_clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wijkteam Centrum" in names(kaart), timeout=5_000)
    assert not page.postcode_chip.isChecked() and page.age.text() == ""
    assert page.count.text() == f"{len(names(kaart))} gevonden"
    assert not page.count_clear_button.isVisible()


def test_a_capped_list_says_how_many_more(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    search(qtbot, kaart, page, "schiedam")
    everything = len(names(kaart))
    assert page.count.text() == f"{everything} gevonden"
    kaart.result_limit = 5
    search(qtbot, kaart, page, "schiedam ")
    assert len(names(kaart)) == 5
    assert page.count.text() == f"5 getoond, en nog {everything - 5}"


def test_the_clock_refreshes_the_answer_without_moving_the_selection(
    qtbot: QtBot, gp: Desktop
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    search(qtbot, kaart, page, "3118 AB")
    wait_answer(qtbot, kaart, "3118AB")
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    chosen = page.results.currentIndex().row()
    assert chosen == 1
    before = kaart.routing
    kaart.refresh_live()  # what the five-minute timer does
    qtbot.waitUntil(
        lambda: kaart.routing is not None and kaart.routing is not before, timeout=10_000
    )
    assert page.answer.isVisible() and "Fatma Kaya" in answer_text(page)
    assert page.results.currentIndex().row() == chosen
