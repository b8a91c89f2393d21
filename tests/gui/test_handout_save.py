"""Opslaan als PDF starts in the user's Documenten (else at home), named after the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart.handout_dialog import pdf_save_path
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
