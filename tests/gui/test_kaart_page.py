"""The Sociale kaart screen driven through real widgets: typing, chips, detail, handout, checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.kaart.schedule import format_date
from gpdesk.kaart.store.queries import assure_service, local_today
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.audit import AuditFilter
from gpdesk.security.audit import page as audit_page
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart.controller import KaartController
from gpdesk.ui.kaart.page import HINT, NO_RESULTS, KaartPage
from tests.conftest import dispose_desktop

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)
STALE_SERVICE = "Valpreventie: In Balans"  # checked over a year before the demo date


def _desktop(qtbot: QtBot, home: Home, user: str) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.kaart is not None, timeout=15_000)
    return shell


@pytest.fixture
def gp(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _desktop(qtbot, demo_home, "bakker")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def assistant(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _desktop(qtbot, demo_home, "jansen")
    yield shell
    dispose_desktop(shell)


def open_kaart(qtbot: QtBot, shell: Desktop) -> tuple[KaartController, KaartPage]:
    """Ctrl+2, as a user would, and wait until the index is built."""
    window, kaart = shell.window, shell.kaart
    assert window is not None and kaart is not None
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a shortcut needs it; on X11 it comes later
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == "kaart"
    qtbot.waitUntil(lambda: kaart.ready, timeout=15_000)
    return kaart, window.kaart_page()


def names(kaart: KaartController) -> list[str]:
    return [line.row.name for line in kaart.model.lines]


def search(qtbot: QtBot, kaart: KaartController, page: KaartPage, text: str) -> None:
    """Retype the search box (select all, type) and wait for the debounced search."""
    page.search.selectAll()
    qtbot.keyClicks(page.search, text)
    qtbot.waitUntil(lambda: not kaart._search_timer.isActive(), timeout=5_000)


def wait_detail(qtbot: QtBot, kaart: KaartController, name: str) -> None:
    qtbot.waitUntil(lambda: kaart.detail is not None and kaart.detail.name == name, timeout=10_000)


def test_typing_finds_services_and_the_chips_filter(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    assert page.message.text() == HINT  # empty box: says what to type
    search(qtbot, kaart, page, "schuldhulp")
    assert names(kaart)[0] == "Schuldhulpverlening Schiedam"
    assert page.count.text() == f"{len(names(kaart))} gevonden"

    search(qtbot, kaart, page, "mantlzorg")  # a typo still finds mantelzorg
    assert {"Mantelzorgsteunpunt Schiedam", "Jonge mantelzorgers"} <= set(names(kaart)[:3])

    qtbot.keyClicks(page.age, "30")  # Jonge mantelzorgers is for 8 to 24
    qtbot.waitUntil(lambda: "Jonge mantelzorgers" not in names(kaart), timeout=5_000)
    assert "Mantelzorgsteunpunt Schiedam" in names(kaart)
    page.age.clear()

    page.search.clear()
    qtbot.waitUntil(lambda: page.message.text() == HINT, timeout=5_000)
    page.choose_theme("ouderen")  # a theme alone lists its services
    qtbot.waitUntil(lambda: "Ouderenadviseur" in names(kaart), timeout=5_000)
    assert page.theme_chip.text() == "&Thema: ouderen ▾"
    assert "Jongerenwerk" not in names(kaart)
    page.choose_theme(None)

    search(qtbot, kaart, page, "xqzwv")
    assert page.list_stack.currentWidget() is page.message_page
    assert page.message.text() == NO_RESULTS


def test_patient_postcode_chip_ranks_the_patients_team_first(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    assert not page.postcode_chip.isEnabled()  # no patient: nothing about a patient shows
    gp.open_patient(PATIENT)
    assert page.postcode_chip.isEnabled() and page.postcode_chip.isChecked()
    assert "3118 (patiënt)" in page.postcode_chip.text()
    assert page.age.text() == str(
        local_today().year - 1970 - ((local_today().month, local_today().day) < (2, 1))
    )
    search(qtbot, kaart, page, "wijkteam")
    assert names(kaart)[0] == "Wijkteam Nieuwland"
    assert "Wijkteam Centrum" not in names(kaart)  # its area does not cover 3118
    assert "verborgen door filters" in page.count.text()  # nobody misses what a chip hides
    qtbot.mouseClick(page.postcode_chip, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wijkteam Centrum" in names(kaart), timeout=5_000)

    page.choose_theme("gezondheid zelf regelen")  # the longest chip text still fits
    assert gp.window is not None
    hint = gp.window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768

    gp.open_patient(None)
    assert not page.postcode_chip.isEnabled() and page.age.text() == ""


def test_detail_shows_fixed_contact_deputy_and_handout_saves_one_page(
    qtbot: QtBot, gp: Desktop, tmp_path: Path
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    search(qtbot, kaart, page, "wijkteam nieuwland")
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")
    body = page.detail.body.toPlainText()
    assert "Onze vaste contactpersoon" in body
    assert "Fatma Kaya" in body and "direct 010-001 14 71" in body
    assert "Vervanger: Jeroen Visser" in body
    assert "Volgende inloop:" in body
    assert page.detail.checked.text().startswith("Gecontroleerd op ")
    assert page.detail.checked_button.isHidden()  # a GP may not edit the kaart

    qtbot.mouseClick(page.detail.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "Fatma Kaya" in copied and "Jeroen Visser" in copied and "010-001 14 71" in copied
    assert "Vries" not in copied

    qtbot.mouseClick(page.detail.print_button, Qt.MouseButton.LeftButton)
    dialog = kaart.handout_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.include_name.isChecked()  # privacy: off by default
    preview = dialog.preview.toPlainText()
    assert "Wijkteam Nieuwland" in preview and "Nieuwlandplein 12" in preview
    assert "Vries" not in preview
    assert "010-001 14 71" not in preview  # the practice's direct line is not for patients

    pdf = kaart.save_handout_pdf(tmp_path / "blad")
    assert pdf == tmp_path / "blad.pdf"
    qtbot.waitUntil(lambda: "Opgeslagen" in dialog.status.text(), timeout=15_000)
    # The page text sits in compressed, glyph-encoded streams: read it as a PDF viewer would,
    # and prove the reading works by finding what must be there before trusting an absence.
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    assert "Wijkteam Nieuwland" in pages[0] and "Nieuwlandplein 12" in pages[0]
    assert "Vries" not in pages[0] and "Voor:" not in pages[0]

    dialog.include_name.setChecked(True)
    assert "Voor: J. de Vries" in dialog.preview.toPlainText()
    named = kaart.save_handout_pdf(tmp_path / "blad-met-naam.pdf")
    assert named is not None
    qtbot.waitUntil(lambda: named.is_file() and "met-naam" in dialog.status.text(), timeout=15_000)
    [page_with_name] = pdf_pages(named)
    assert "Voor: J. de Vries" in page_with_name
    dialog.close()


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a saved PDF, extracted the way a viewer reads it."""
    return [page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages]


def test_keyboard_only_down_enter_and_escape(qtbot: QtBot, gp: Desktop) -> None:
    kaart, page = open_kaart(qtbot, gp)
    qtbot.waitUntil(page.search.hasFocus, timeout=5_000)  # focus is in the box on opening
    qtbot.keyClicks(page.search, "mantelzorg")
    qtbot.waitUntil(lambda: kaart.model.rowCount() > 2, timeout=5_000)
    assert page.results.currentIndex().row() == 0
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.results.currentIndex().row() == 1
    second = names(kaart)[1]
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    wait_detail(qtbot, kaart, second)
    assert page.detail.body.hasFocus()
    qtbot.keyClick(page.detail.body, Qt.Key.Key_Escape)  # back to the search box
    assert page.search.hasFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Escape)  # clears the search
    assert page.search.text() == ""
    qtbot.keyClick(page.results, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    page.results.setFocus()
    qtbot.keyClick(page.results, Qt.Key.Key_Slash)  # "/" jumps to the box from anywhere
    assert page.search.hasFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Slash)  # ...but in the box it is just a character
    assert page.search.text() == "/"


def test_gecontroleerd_updates_the_date_and_clears_the_warning(
    qtbot: QtBot, assistant: Desktop
) -> None:
    kaart, page = open_kaart(qtbot, assistant)
    search(qtbot, kaart, page, "valpreventie")
    wait_detail(qtbot, kaart, STALE_SERVICE)
    assert page.detail.checked.text().startswith("⚠ Verouderd")
    row = kaart.model.row_at(0)
    assert row is not None and row.stale
    assert not page.detail.checked_button.isHidden()

    qtbot.mouseClick(page.detail.checked_button, Qt.MouseButton.LeftButton)
    today = format_date(local_today(), year=True)
    qtbot.waitUntil(
        lambda: page.detail.checked.text() == f"Gecontroleerd op {today} door M. Jansen",
        timeout=10_000,
    )
    assert "⚠" not in page.detail.checked.text()
    row = kaart.model.row_at(0)
    assert row is not None and not row.stale
    assert "M. Jansen" in page.detail.notice.text()

    assert assistant.db is not None
    with assistant.db.session() as session:
        entries = audit_page(session, AuditFilter(username="jansen"), before_seq=None, limit=10)
    assert any(e.event == "kaart.assured" and e.action == "U" for e in entries)


def test_the_core_refuses_a_check_without_permission(qtbot: QtBot, gp: Desktop) -> None:
    kaart, _page = open_kaart(qtbot, gp)
    assert gp.db is not None and gp.session is not None
    service_id = next(iter(kaart._live.rows))
    with pytest.raises(PermissionDeniedError), gp.db.session() as session:
        assure_service(session, gp.session.actor, service_id)


def test_meld_correctie_opens_mail_without_patient_data_in_the_subject(
    qtbot: QtBot, gp: Desktop
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    opened: list[QUrl] = []

    def record(url: QUrl) -> bool:
        opened.append(url)
        return True

    kaart.open_url = record
    search(qtbot, kaart, page, "schuldhulp")
    wait_detail(qtbot, kaart, "Schuldhulpverlening Schiedam")

    assert not kaart.send_correction("Patiënt met BSN 111222333 kon niet terecht")
    assert opened == [] and "BSN" in page.detail.notice.text()

    assert kaart.send_correction("Het algemene nummer werkt niet meer.")
    url = urlsplit(opened[0].toString(QUrl.ComponentFormattingOption.FullyEncoded))
    assert url.scheme == "mailto"
    assert unquote(url.path) == "schuldhulp@gemeente.voorbeeld-schiedam.nl"
    query = parse_qs(url.query)
    assert query["subject"] == ["Correctie sociale kaart: Schuldhulpverlening Schiedam"]
    assert "Het algemene nummer werkt niet meer." in query["body"][0]
    assert "Vries" not in query["body"][0]


def test_lock_drops_the_key_and_closes_a_handout_with_the_patients_name(
    qtbot: QtBot, gp: Desktop
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    search(qtbot, kaart, page, "schuldhulp")
    wait_detail(qtbot, kaart, "Schuldhulpverlening Schiedam")
    dialog = kaart.open_handout()
    assert dialog is not None
    dialog.include_name.setChecked(True)
    assert gp.window is not None
    gp.window.lock_action.trigger()
    assert kaart.signed is None
    assert not dialog.isVisible() and kaart.handout_dialog is None


def test_a_closed_service_is_listed_last_labelled_and_alleen_open_hides_it(
    qtbot: QtBot, gp: Desktop
) -> None:
    from gpdesk.ui.kaart.models import CLOSED_ROLE, WALK_IN_ROLE

    kaart, page = open_kaart(qtbot, gp)
    search(qtbot, kaart, page, "buurthuis")
    assert names(kaart) == ["Buurthuis Oost", "Buurthuis De Poort"]
    closed = kaart.model.index(1, 0)
    assert closed.data(CLOSED_ROLE) is True
    assert str(closed.data(WALK_IN_ROLE)).startswith("⚠ Tijdelijk gesloten · Dicht wegens")
    assert "Tijdelijk gesloten" in str(closed.data(Qt.ItemDataRole.ToolTipRole))
    assert page.count.text() == "2 gevonden"
    # The detail says it before anything else; the hours do not count while closed.
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    wait_detail(qtbot, kaart, "Buurthuis De Poort")
    html = page.detail.body.toHtml()
    assert "Tijdelijk gesloten: Dicht wegens verbouwing" in html
    assert "deze tijden gelden nu niet" in html
    assert page.detail.subtitle.text().endswith("· tijdelijk gesloten")
    # "Alleen open" (Alt+A) leaves it out, and the count says the filter hides one.
    qtbot.keyClick(page.search, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: names(kaart) == ["Buurthuis Oost"], timeout=5_000)
    assert page.only_open_chip.isChecked()
    assert page.count.text() == "1 gevonden · 1 verborgen door filters"
    page.clear_filters()
    assert not page.only_open_chip.isChecked()
    # "Nu open" never shows it, whatever its hours say.
    page.open_chip.setChecked(True)
    qtbot.waitUntil(lambda: not kaart._search_timer.isActive(), timeout=5_000)
    assert "Buurthuis De Poort" not in names(kaart)


def test_the_detail_shows_who_left_struck_through_and_the_new_facts(
    qtbot: QtBot, gp: Desktop
) -> None:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(None)  # no patient: no age or postcode filter
    search(qtbot, kaart, page, "wijkteam groenoord")
    wait_detail(qtbot, kaart, "Wijkteam Groenoord")
    html = page.detail.body.toHtml()
    assert "Peter van Leeuwen" in html and "vertrokken; vervanger:" in html
    assert "line-through" in html  # struck through
    search(qtbot, kaart, page, "basis ggz jeugd")
    wait_detail(qtbot, kaart, "Basis-GGZ jeugd")
    html = page.detail.body.toHtml()
    assert "Voor wie (verwijscriteria)" in html and "Aanmelden en daarna" in html
    assert "Wachttijd: Intake na ongeveer 10 weken" in html
    assert "Gecontracteerd door de gemeente" in html
    assert "Centrum voor Jeugd en Gezin Schiedam" in html
    search(qtbot, kaart, page, "wot")  # an earlier name finds the team
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")
    assert "Vroeger: WOT Nieuwland" in page.detail.body.toHtml()
