"""The kaart screen notices changes made elsewhere, and shows them in 'Wat is er veranderd'."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.kaart import editing
from gpdesk.models import Service
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.accounts import sign_in
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart_digest import ChangeDigestPanel
from gpdesk.ui.tasks import BackgroundTasks
from tests.conftest import dispose_desktop
from tests.gui.test_kaart_page import _desktop, names, open_kaart
from tests.integration.test_kaart_editing import _service_input


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _desktop(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _rename_elsewhere(home: Home, old: str, new: str) -> str:
    """What a colleague at another workstation (or Beheer) does: an edit through the core."""
    db = open_database(f"sqlite:///{home.database_file}")
    try:
        by = sign_in(db, "smit", DEMO_PASSWORD)
        with db.session() as session:
            service_id = session.scalars(select(Service.id).where(Service.name == old)).one()
        with db.session() as session:
            editing.update_service(
                session, by, service_id, _service_input(db, service_id, name=new)
            )
        return service_id
    finally:
        db.dispose()


def test_returning_to_the_kaart_picks_up_an_edit(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    kaart, page = open_kaart(qtbot, manager)
    qtbot.keyClicks(page.search, "oost")
    qtbot.waitUntil(lambda: "Wijkteam Oost" in names(kaart), timeout=5_000)
    _rename_elsewhere(demo_home, "Wijkteam Oost", "Wijkteam Oost-Kethel")
    window = manager.window
    assert window is not None
    window.show_area("signals")
    window.show_area("kaart")
    qtbot.waitUntil(lambda: "Wijkteam Oost-Kethel" in names(kaart), timeout=10_000)
    assert "Wijkteam Oost" not in names(kaart)
    qtbot.waitUntil(lambda: "(" in page.changes_button.text(), timeout=5_000)


def test_digest_lists_the_change_and_opens_the_service(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    service_id = _rename_elsewhere(demo_home, "Wijkteam Oost", "Wijkteam Oost-Kethel")
    kaart, page = open_kaart(qtbot, manager)
    qtbot.mouseClick(page.changes_button, Qt.MouseButton.LeftButton)
    dialog = kaart.changes_dialog
    assert isinstance(dialog, QDialog)
    panel = dialog.findChild(ChangeDigestPanel)
    assert panel is not None
    qtbot.waitUntil(lambda: panel.list.model().rowCount() > 0, timeout=10_000)
    model = panel.list.model()
    lines = [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]
    assert any("Oost-Kethel" in line for line in lines)
    panel.service_requested.emit(service_id)
    qtbot.waitUntil(
        lambda: kaart.detail is not None and kaart.detail.id == service_id, timeout=10_000
    )
    assert kaart.detail is not None and kaart.detail.name == "Wijkteam Oost-Kethel"


def test_closing_the_digest_before_it_has_loaded_is_fine(qtbot: QtBot, manager: Desktop) -> None:
    import threading

    kaart, page = open_kaart(qtbot, manager)
    gate = threading.Event()
    kaart.tasks.run(lambda: gate.wait(10), lambda _v: None)  # the serial worker is busy
    qtbot.mouseClick(page.changes_button, Qt.MouseButton.LeftButton)
    dialog = kaart.changes_dialog
    assert isinstance(dialog, QDialog)
    panel = dialog.findChild(ChangeDigestPanel)
    assert panel is not None and panel.empty.text() == "Wijzigingen worden geladen…"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not _alive(panel), timeout=5_000)
    gate.set()
    tasks = kaart.tasks
    assert isinstance(tasks, BackgroundTasks)
    qtbot.waitUntil(lambda: tasks.wait(100), timeout=10_000)
    qtbot.wait(50)  # the digest arrives after its window is gone: dropped, no error


def _alive(obj: object) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))
