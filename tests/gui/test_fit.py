"""The main window fits the screens practices have: 1280×720, and 1366×768 at 150 % scaling.

Every state a user meets is checked at both sizes: no patient, a patient with a long name, the
kaart with a theme and the patient's postcode and age as filters and a service open (as a GP and
as an assistant who may mark it checked), a verouderd service, every area, every Beheer tab, and
the locked window. The style sheet is applied, as in the program, because it sets the fonts.
Screenshots of each area at both sizes are written under ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart.page import KaartPage
from gpdesk.ui.main_window import MainWindow
from gpdesk.ui.theme import style_sheet
from tests.conftest import REPO, dispose_desktop
from tests.gui.fit_check import LAPTOP_14PT, LAPTOP_150, LARGE, problems, settle

SIZES = (LARGE, LAPTOP_150)
LONG_NAME = PatientContext(
    bsn="628194821",
    name="A.B.C. van den Bergh-Oudshoorn de Wit-Zwanenburg",
    birth_date=date(1946, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)


@pytest.fixture
def styled() -> Iterator[None]:
    """The program's style sheet (fonts, paddings) for the duration of one test."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    app.setStyleSheet(style_sheet())
    yield
    app.setStyleSheet(before)


def _signed_in(qtbot: QtBot, home: Home, user: str) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    shell.login.sign_in_button.click()
    qtbot.waitUntil(lambda: shell.window is not None and shell.kaart is not None, timeout=15_000)
    assert shell.window is not None
    shell.window.show()
    qtbot.waitExposed(shell.window)
    return shell


@pytest.fixture
def assistant(qtbot: QtBot, demo_home: Home, styled: None) -> Iterator[Desktop]:
    """May open patients and mark the kaart checked: the most buttons on the kaart."""
    shell = _signed_in(qtbot, demo_home, "jansen")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home, styled: None) -> Iterator[Desktop]:
    """Sees every Beheer tab."""
    shell = _signed_in(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _window(shell: Desktop) -> MainWindow:
    assert shell.window is not None
    return shell.window


def _assert_fits(window: MainWindow, state: str, shots: Path | None = None) -> None:
    for size in SIZES:
        found = problems(window, size)
        if shots is not None:
            window.grab().save(str(shots / f"{state}-{size.width()}x{size.height()}.png"))
        assert not found, f"{state} at {size.width()}x{size.height()}: {found}"


def _open_service(qtbot: QtBot, shell: Desktop, query: str, *, stale: bool = False) -> KaartPage:
    window, kaart = _window(shell), shell.kaart
    assert kaart is not None
    window.show_area("kaart")
    qtbot.waitUntil(lambda: kaart.ready, timeout=15_000)
    page = window.kaart_page()
    page.search.setText(query)
    kaart.run_search()
    qtbot.waitUntil(
        lambda: kaart.detail is not None and (kaart.detail.stale or not stale), timeout=10_000
    )
    return page


def test_every_area_fits_without_and_with_a_long_named_patient(
    qtbot: QtBot, assistant: Desktop, tmp_path: Path
) -> None:
    window = _window(assistant)
    for area in ("signals", "kaart", "inbox", "beheer"):
        window.show_area(area)
        _assert_fits(window, f"{area}-zonder-patient", tmp_path)
    assistant.open_patient(LONG_NAME)
    assert window.banner.close_button.isVisible()
    for area in ("signals", "inbox"):
        window.show_area(area)
        _assert_fits(window, f"{area}-lange-naam", tmp_path)
    # The name wraps rather than pushing the banner's buttons away, and is never shortened.
    settle(window, LAPTOP_150)
    assert window.banner.text.text().startswith(LONG_NAME.name)
    assert window.banner.text.height() > 1.5 * window.banner.text.fontMetrics().height()
    assert len(list(tmp_path.glob("*.png"))) == 12


def test_kaart_with_theme_and_patient_filters_and_a_service_fits(
    qtbot: QtBot, assistant: Desktop, tmp_path: Path
) -> None:
    assistant.open_patient(LONG_NAME)
    page = _open_service(qtbot, assistant, "schuld")
    themes = [a.data() for a in page.theme_group.actions() if isinstance(a.data(), str)]
    page.choose_theme(max(themes, key=len))  # the longest name on the chip
    kaart = assistant.kaart
    assert kaart is not None
    qtbot.waitUntil(lambda: kaart.detail is not None, timeout=10_000)
    assert page.postcode_chip.isChecked() and page.age.text()  # both patient filters on
    assert page.detail.checked_button.isVisible()
    _assert_fits(_window(assistant), "sociale-kaart-filters", tmp_path)


def test_a_verouderd_service_fits(qtbot: QtBot, assistant: Desktop, tmp_path: Path) -> None:
    page = _open_service(qtbot, assistant, "valpreventie", stale=True)
    assert page.detail.checked.text().startswith("⚠ Verouderd")
    _assert_fits(_window(assistant), "sociale-kaart-verouderd", tmp_path)


def test_a_typed_postcode_with_its_answer_fits(
    qtbot: QtBot, assistant: Desktop, tmp_path: Path
) -> None:
    page = _open_service(qtbot, assistant, "3118 AB")
    kaart = assistant.kaart
    assert kaart is not None
    qtbot.waitUntil(lambda: kaart.routing is not None, timeout=10_000)
    assert page.answer.isVisible()
    _assert_fits(_window(assistant), "sociale-kaart-postcode", tmp_path)


def test_filters_that_empty_the_list_fit(qtbot: QtBot, assistant: Desktop, tmp_path: Path) -> None:
    page = _open_service(qtbot, assistant, "alzheimer")
    page.capacity_chip.click()  # Plek vrij: nothing left, and a button to clear the filters
    qtbot.waitUntil(lambda: page.clear_filters_button.isVisible(), timeout=10_000)
    _assert_fits(_window(assistant), "sociale-kaart-leeg-door-filters", tmp_path)


def test_kaart_detail_uses_one_column_and_no_key_hints_on_a_small_screen(
    qtbot: QtBot, assistant: Desktop
) -> None:
    page = _open_service(qtbot, assistant, "schuldhulp")
    window = _window(assistant)
    settle(window, LARGE)
    assert page.detail.columns == 2
    assert page.keys.isVisible()
    settle(window, LAPTOP_150)
    assert page.detail.columns == 1  # two columns of three words each are hard to read
    assert not page.keys.isVisible()  # the detail gets the line; F1 lists the keys
    settle(window, LARGE)
    assert page.detail.columns == 2 and page.keys.isVisible()


def test_every_beheer_tab_fits(qtbot: QtBot, manager: Desktop, tmp_path: Path) -> None:
    window = _window(manager)
    window.show_area("beheer")
    page = window.practice_page()
    qtbot.waitUntil(lambda: page.users.model.rowCount() > 0, timeout=15_000)
    for index in range(page.tabs.count()):
        assert page.tabs.isTabVisible(index)
        page.tabs.setCurrentIndex(index)
        if page.tabs.currentWidget() is page.kaart:
            qtbot.waitUntil(lambda: page.kaart.model.rowCount() > 0, timeout=15_000)
            page.kaart.view.selectRow(0)  # every button enabled
        _assert_fits(window, f"beheer-{index}", tmp_path)


def test_the_locked_window_fits(qtbot: QtBot, manager: Desktop, tmp_path: Path) -> None:
    window = _window(manager)
    window.lock_action.trigger()
    assert window.is_locked
    _assert_fits(window, "vergrendeld", tmp_path)
    qtbot.mouseClick(window.lock_page.switch_button, Qt.MouseButton.LeftButton)
    _assert_fits(window, "vergrendeld-andere-gebruiker", tmp_path)


def test_the_sign_in_window_fits(qtbot: QtBot, demo_home: Home, styled: None) -> None:
    shell = Desktop(demo_home)
    shell.start()
    try:
        qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
        shell.login.show_error(
            "Onjuiste gebruikersnaam of onjuist wachtwoord. Probeer het opnieuw."
        )
        hint = shell.login.minimumSizeHint().expandedTo(shell.login.minimumSize())
        assert hint.width() <= LAPTOP_150.width() and hint.height() <= LAPTOP_150.height()
    finally:
        dispose_desktop(shell)


def test_at_150_percent_in_a_real_process(tmp_path: Path) -> None:
    """Qt itself scaled by 1.5 on a 1366×768 screen, as Windows does at 150 %."""
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "Laptop",
                        "x": 0,
                        "y": 0,
                        "width": 1366,
                        "height": 768,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1.0,
                    }
                ]
            }
        )
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    environment.update(
        QT_QPA_PLATFORM=f"offscreen:configfile={screen}",
        QT_SCALE_FACTOR="1.5",
        GPDESK_HOME=str(tmp_path / "home"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.fit_probe", str(tmp_path)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["screen"] == [911, 512]
    assert report["dpr"] == 1.5
    assert report["problems"] == {}, report["problems"]
    assert sorted(p.name for p in tmp_path.glob("scaled-*.png")) == sorted(
        f"scaled-{state}.png" for state in report["states"]
    )


def test_tab_goes_from_the_results_through_the_detail_buttons_in_screen_order(
    qtbot: QtBot, assistant: Desktop
) -> None:
    page = _open_service(qtbot, assistant, "schuldhulp")
    window = _window(assistant)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    page.results.setFocus()
    detail = page.detail
    order = (detail.checked_button, detail.print_button, detail.copy_button)
    for button in (*order, detail.correction_button):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is button


@pytest.fixture
def large_font(styled: None) -> Iterator[float]:
    """A 14 pt system font, followed as gpdesk's theme follows it: the sheet scaled to it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    font = QFont(before)
    font.setPointSizeF(14)
    app.setFont(font)
    app.setStyleSheet(style_sheet())
    yield 14.0
    app.setFont(before)
    app.setStyleSheet(style_sheet())


def test_every_area_fits_1366x768_at_a_14_pt_font(
    qtbot: QtBot, demo_home: Home, large_font: float, tmp_path: Path
) -> None:
    shell = _signed_in(qtbot, demo_home, "smit")  # the most areas and Beheer tabs
    try:
        window = _window(shell)
        body = window.kaart_page().search.font().pointSizeF()
        assert body == pytest.approx(13 * large_font / 10.5, abs=0.05)  # the sheet scaled
        shell.open_patient(LONG_NAME)
        for area in ("signals", "kaart", "inbox", "beheer"):
            window.show_area(area)
            found = problems(window, LAPTOP_14PT)
            window.grab().save(str(tmp_path / f"{area}-14pt.png"))
            assert not found, f"{area} at 14 pt: {found}"
        page = window.practice_page()
        for index in range(page.tabs.count()):
            page.tabs.setCurrentIndex(index)
            found = problems(window, LAPTOP_14PT)
            assert not found, f"Beheer tab {index} at 14 pt: {found}"
        assert window.banner.text.font().pointSizeF() > large_font  # the banner grew too
    finally:
        dispose_desktop(shell)


def test_the_sign_in_window_shows_the_whole_practice_name_at_14_pt(
    qtbot: QtBot, demo_home: Home, large_font: float
) -> None:
    shell = Desktop(demo_home)
    shell.start()
    try:
        login = shell.login
        qtbot.waitUntil(lambda: login.sign_in_button.isEnabled(), timeout=15_000)
        login.show()
        qtbot.waitExposed(login)
        settle(login)
        label = login.practice_label
        assert label.font().pointSizeF() > large_font
        lines = label.heightForWidth(label.width()) // label.fontMetrics().lineSpacing()
        width = label.fontMetrics().horizontalAdvance(label.text())
        assert width <= label.width() * max(lines, 1)  # wrapped, never cut off
        assert label.height() >= label.heightForWidth(label.width())
    finally:
        dispose_desktop(shell)
