"""Beheer > Verzenden: "Terugkoppeling gaat naar" in a team's dialog, by keyboard.

Alt+T reaches the field, the arrow keys choose the role, Enter saves the delivery and the
feedback contact together (audited); a role that may not read letters is refused at the field
and nothing is saved. The dialog is saved as /tmp/inbox-shots/team-terugkoppeling.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.inbox.store.routing import CONTACT_FIELD
from gpdesk.models import AuditEntry
from gpdesk.roles import Role
from gpdesk.transport import config
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import app_style
from tests.gui.test_beheer_sending import WAIT, _open_dialog, _retype, _sending, _shell

ALT = Qt.KeyboardModifier.AltModifier
SHOTS = Path("/tmp/inbox-shots")


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    with app_style():
        shell = _shell(qtbot, demo_home, "smit")
        yield shell
        dispose_desktop(shell)


@pytest.fixture
def database(demo_home: Home) -> Iterator[Database]:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    yield db
    db.dispose()


def _contact_entries(db: Database) -> list[str]:
    with db.session() as session:
        return [
            entry.detail or ""
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.event == "team.feedback_contact")
            )
        ]


def test_the_feedback_contact_is_chosen_by_keyboard_and_stored_with_the_delivery(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, ctrl = _sending(qtbot, manager)
    dialog = _open_dialog(qtbot, tab, ctrl)
    team_id = dialog.line.team_id
    assert dialog.contact.currentText() == "POH-GGZ"  # the default, nothing set yet
    assert [dialog.contact.itemText(i) for i in range(dialog.contact.count())] == [
        "POH-GGZ", "huisarts", "doktersassistent", "praktijkmanager",
    ]  # fmt: skip
    qtbot.keyClick(dialog, Qt.Key.Key_T, ALT)  # &Terugkoppeling gaat naar
    assert dialog.contact.hasFocus()
    qtbot.keyClick(dialog.contact, Qt.Key.Key_Down)
    assert dialog.chosen_contact() is Role.GP
    qtbot.keyClick(dialog, Qt.Key.Key_E, ALT)  # &E-mailadres
    _retype(qtbot, dialog.email, "wijkteam@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app_style():
        qtbot.wait(50)
        dialog.grab().save(str(SHOTS / "team-terugkoppeling.png"))
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)  # Enter = Opslaan
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
    with database.session() as session:
        view = config.get_team_delivery(session, team_id)
    assert view is not None and view.email == "wijkteam@example.org"
    assert view.feedback_contact is Role.GP
    [detail] = _contact_entries(database)
    assert detail.endswith("terugkoppeling gaat naar huisarts (was POH-GGZ)")
    model = tab.teams.model
    qtbot.waitUntil(
        lambda: any(
            model.index(row, model.CONTACT).data() == "huisarts" for row in range(model.rowCount())
        ),
        timeout=WAIT,
    )  # the team list says it too
    window = tab.window()
    with app_style():
        qtbot.wait(50)
        window.grab().save(str(SHOTS / "beheer-verzenden-terugkoppeling.png"))

    # Opened again: it shows the choice; a role that reads no letters is refused at the field.
    dialog = _open_dialog(qtbot, tab, ctrl)
    assert dialog.contact.currentText() == "huisarts"
    qtbot.keyClick(dialog, Qt.Key.Key_T, ALT)
    qtbot.keyClick(dialog.contact, Qt.Key.Key_End)
    assert dialog.chosen_contact() is Role.PRACTICE_MANAGER
    _retype(qtbot, dialog.email, "ander@example.org")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.text(CONTACT_FIELD) != "", timeout=WAIT)
    assert "De rol praktijkmanager mag geen terugkoppelingen lezen" in dialog.errors.text(
        CONTACT_FIELD
    )
    assert dialog.isVisible() and dialog.email.text() == "ander@example.org"
    with app_style():
        qtbot.wait(50)
        dialog.grab().save(str(SHOTS / "team-terugkoppeling-geweigerd.png"))
    with database.session() as session:
        kept = config.get_team_delivery(session, team_id)
    assert kept == view  # both or neither: the e-mail address was not saved either
    assert len(_contact_entries(database)) == 1
