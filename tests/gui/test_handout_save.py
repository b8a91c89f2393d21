"""Opslaan als PDF: starts in Documenten, named after the service; the saved file is right.

The PDF is rendered and written in the background by the one letter renderer; what it says
is read back with pypdf, as a PDF viewer would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from gpdesk.config import Home
from gpdesk.kaart.handout import public_phone
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart.controller import KaartController
from gpdesk.ui.kaart.handout_dialog import HandoutDialog, pdf_save_path
from tests.conftest import dispose_desktop
from tests.gui.test_kaart_page import PATIENT, _desktop, open_kaart, search, wait_detail


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of our own, with no XDG user-dirs file unless a test writes one."""
    home = tmp_path / "gebruiker"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def test_starts_in_documents_when_it_exists(user_home: Path) -> None:
    (user_home / "Documents").mkdir()
    assert pdf_save_path("wijkteam.pdf") == user_home / "Documents" / "wijkteam.pdf"


def test_starts_in_the_dutch_documenten_folder(user_home: Path) -> None:
    (user_home / ".config" / "user-dirs.dirs").write_text(
        'XDG_DOCUMENTS_DIR="$HOME/Documenten"\n', encoding="utf-8"
    )
    (user_home / "Documenten").mkdir()
    assert pdf_save_path("wijkteam.pdf") == user_home / "Documenten" / "wijkteam.pdf"


def test_starts_at_home_when_there_is_no_documents_folder(user_home: Path) -> None:
    assert pdf_save_path("wijkteam.pdf") == user_home / "wijkteam.pdf"


@pytest.fixture
def gp(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _desktop(qtbot, demo_home, "bakker")
    yield shell
    dispose_desktop(shell)


def test_save_dialog_proposes_documents_and_the_service_name(
    qtbot: QtBot, gp: Desktop, user_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_home / "Documents").mkdir()
    proposed: list[str] = []

    def choose(_parent: object, caption: str, start: str, _filter: str) -> tuple[str, str]:
        proposed.append(start)
        assert caption == "Opslaan als PDF"
        return "", ""  # the user cancels

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    search(qtbot, kaart, page, "wijkteam nieuwland")
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")
    dialog = kaart.open_handout()
    assert dialog is not None
    dialog.include_name.setChecked(True)  # even with the name on the sheet: not in the file name
    dialog.save_button.click()
    assert proposed == [str(user_home / "Documents" / "wijkteam-nieuwland.pdf")]
    assert "Vries" not in proposed[0]
    dialog.reject()


def _handout_for_patient(qtbot: QtBot, gp: Desktop) -> tuple[KaartController, HandoutDialog]:
    kaart, page = open_kaart(qtbot, gp)
    gp.open_patient(PATIENT)
    search(qtbot, kaart, page, "wijkteam nieuwland")
    wait_detail(qtbot, kaart, "Wijkteam Nieuwland")
    dialog = kaart.open_handout()
    assert dialog is not None
    return kaart, dialog


def test_the_saved_pdf_says_what_the_preview_says_and_its_title_names_no_patient(
    qtbot: QtBot, gp: Desktop, tmp_path: Path
) -> None:
    kaart, dialog = _handout_for_patient(qtbot, gp)
    assert kaart.detail is not None
    phone = public_phone(kaart.detail)
    assert phone
    dialog.include_name.setChecked(True)  # the name on the sheet, so it must stay on the sheet
    folder = tmp_path / "uit"
    folder.mkdir()
    target = kaart.save_handout_pdf(folder / "wijkteam-nieuwland.pdf")
    assert target == folder / "wijkteam-nieuwland.pdf"
    qtbot.waitUntil(lambda: "Opgeslagen" in dialog.status.text(), timeout=15_000)
    assert dialog.save_button.isEnabled()
    assert "Opgeslagen" in kaart.page.detail.notice.text()
    reader = PdfReader(BytesIO(target.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Wijkteam Nieuwland" in text
    assert phone in text
    assert "Meegegeven door" in text
    assert "Voor: J. de Vries" in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Informatie Wijkteam Nieuwland"
    assert "Vries" not in str(dict(reader.metadata))
    assert [p.name for p in folder.iterdir()] == ["wijkteam-nieuwland.pdf"]  # no half file
    dialog.reject()


def test_a_folder_that_is_gone_gets_a_clear_message_and_no_file(
    qtbot: QtBot, gp: Desktop, tmp_path: Path
) -> None:
    kaart, dialog = _handout_for_patient(qtbot, gp)
    kaart.save_handout_pdf(tmp_path / "weg" / "blad.pdf")  # a network share that went away
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=15_000)
    assert dialog.status.text() == (
        "Het PDF-bestand is niet opgeslagen: de map bestaat niet (meer). Er is geen half "
        "bestand achtergebleven. Kies een andere map."
    )
    assert kaart.page.detail.notice.text() == dialog.status.text()
    assert not (tmp_path / "weg").exists()
    dialog.reject()


def test_a_dialog_closed_while_saving_is_not_called_back(
    qtbot: QtBot, gp: Desktop, tmp_path: Path
) -> None:
    kaart, dialog = _handout_for_patient(qtbot, gp)
    assert gp.tasks is not None
    busy = threading.Event()
    gp.tasks.run(busy.wait, lambda _done: None)  # the serial worker is busy: the save waits
    target = kaart.save_handout_pdf(tmp_path / "blad.pdf")
    assert target is not None
    assert not dialog.save_button.isEnabled() and dialog.status.text() == "Bezig met opslaan…"
    dialog.reject()
    assert kaart.handout_dialog is None
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=5_000)  # deleted later, as closed
    busy.set()
    assert gp.tasks.wait()
    qtbot.waitUntil(target.is_file, timeout=15_000)  # the file the user asked for is written
    qtbot.wait(50)  # the result arrives on the GUI thread and is dropped there
    assert "Opgeslagen" not in kaart.page.detail.notice.text()
