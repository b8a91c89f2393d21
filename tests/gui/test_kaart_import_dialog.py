"""The import preview dialog: tabs with what changes, problems, apply in the background."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QLabel, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from gpdesk.db import Database, open_database
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.exchange.importing import ImportPlan, list_import_batches, plan_import
from gpdesk.models import Service
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import DEFAULT_PERMISSIONS
from gpdesk.ui.beheer.kaart import import_dialog
from gpdesk.ui.beheer.kaart.import_dialog import (
    ImportPreviewDialog,
    fair_widths,
    plan_in_background,
)
from gpdesk.ui.tasks import BackgroundTasks
from tests.conftest import REPO

EXAMPLE = REPO / "resources" / "kaart" / "voorbeeld-sociale-kaart.csv"

SHEET = (
    "organisatie;naam;telefoon;contactpersoon;inloop\n"
    "Stichting Buurtwerk;Buurtkamer De Vaart;010-003 10 00;Karin de Boer;di 10:00-12:00\n"
    "Stichting Buurtwerk;;010-003 10 01;;\n"
    "Stichting Buurtwerk;Koffieochtend;;;donderdag ochtend\n"
)


def signed(role: Role) -> SignedIn:
    return SignedIn(
        Actor(1, "jansen", "M. Jansen", role, DEFAULT_PERMISSIONS[role]), Vault.create()
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture
def tasks(qtbot: QtBot, tmp_path: Path) -> Iterator[BackgroundTasks]:
    """A real worker thread; Qt garbage of earlier tests is collected here, on the GUI thread,
    so a collection that happens to run on the worker never meets a widget."""
    gc.collect()
    errors: list[BaseException] = []
    runner = BackgroundTasks(errors.append, crash_dir=tmp_path / "crashes")
    yield runner
    runner.wait()
    runner.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    assert not errors


@pytest.fixture
def plan(db: Database, tmp_path: Path) -> ImportPlan:
    path = tmp_path / "kaart.csv"
    path.write_text(SHEET, encoding="utf-8")
    with db.session() as session:
        return plan_import(session, path)


@pytest.fixture
def demo_plan(db: Database, tmp_path: Path) -> ImportPlan:
    """The example template against the demo kaart, plus one row without a name: every tab
    of the preview has rows."""
    with db.session() as session:
        load_demo_kaart(session)
    sheet = tmp_path / EXAMPLE.name
    text = EXAMPLE.read_text(encoding="utf-8-sig")
    columns = text.splitlines()[0].count(";")
    sheet.write_text(text + "Stichting Buurtwerk Schiedam;" + ";" * (columns - 1) + "\n")
    with db.session() as session:
        return plan_import(session, sheet)


def _dialog(
    qtbot: QtBot,
    plan: ImportPlan,
    db: Database,
    tasks: BackgroundTasks,
    role: Role = Role.ASSISTANT,
) -> ImportPreviewDialog:
    dialog = ImportPreviewDialog(plan, db=db, signed=signed(role), tasks=tasks)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _cells(view: QTableView | None) -> list[list[str]]:
    assert view is not None
    model = view.model()
    return [
        [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_preview_shows_new_items_and_problems_with_row_and_field(
    qtbot: QtBot, plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    dialog = _dialog(qtbot, plan, db, tasks)
    tabs = dialog.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        f"Nieuw ({len(plan.added)})",
        "Gewijzigd (0)",
        "Verwijderd (0)",
        "Problemen (2)",
    ]
    assert dialog.summary.text() == plan.summary_nl
    assert "1 rij overgeslagen" in dialog.summary.text()
    added = _cells(dialog.findChild(QTableView, "importAdded"))
    assert ["voorziening", "Buurtkamer De Vaart", "Stichting Buurtwerk"] in added
    problems = _cells(dialog.findChild(QTableView, "importProblems"))
    assert problems[0][:3] == ["kaart.csv", "3", "naam"]
    assert problems[1][:3] == ["kaart.csv", "4", "inloop"]
    assert problems[1][3].startswith("Let op: ")
    notes = dialog.findChild(QLabel, "importNotes")
    assert notes is not None and "niets verwijderd" in notes.text()
    assert dialog.apply_button.isEnabled()


def test_apply_runs_in_the_background_and_names_the_undo(
    qtbot: QtBot, plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    dialog = _dialog(qtbot, plan, db, tasks)
    with qtbot.waitSignal(dialog.applied, timeout=15_000) as applied:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    batch_id = applied.args[0] if applied.args else None
    assert batch_id == dialog.batch_id
    assert "Ongedaan maken kan via Beheer > Sociale kaart" in dialog.status.text()
    assert "1 rij is overgeslagen" in dialog.status.text()
    assert not dialog.apply_button.isEnabled()
    assert dialog.cancel_button.text() == "&Sluiten"
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Service)) == 2
        assert [b.batch_id for b in list_import_batches(session)] == [batch_id]


def test_a_failed_apply_is_reported_and_can_be_retried(
    qtbot: QtBot, plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    first = _dialog(qtbot, plan, db, tasks)
    with qtbot.waitSignal(first.applied, timeout=15_000):
        first.apply()
    second = _dialog(qtbot, plan, db, tasks)  # the same plan again: the kaart has changed
    second.apply()
    qtbot.waitUntil(
        lambda: "gewijzigd sinds de voorvertoning" in second.status.text(), timeout=15_000
    )
    assert second.cancel_button.isEnabled() and second.batch_id is None


def test_without_the_permission_nothing_can_be_applied(
    qtbot: QtBot, plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    dialog = _dialog(qtbot, plan, db, tasks, role=Role.GP)
    assert not dialog.apply_button.isEnabled()
    assert "geen toestemming" in dialog.apply_button.toolTip()


def test_a_plan_without_changes_opens_on_the_problems(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    junk = tmp_path / "services.json"
    junk.write_text("geen json")
    with db.session() as session:
        plan = plan_import(session, junk)
    dialog = _dialog(qtbot, plan, db, tasks)
    assert dialog.tabs.currentIndex() == 3
    assert not dialog.apply_button.isEnabled()
    assert "Er kon niets worden ingelezen" in dialog.summary.text()


def test_planning_happens_off_the_gui_thread(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    path = tmp_path / "kaart.csv"
    path.write_text(SHEET, encoding="utf-8")
    results: list[ImportPlan] = []
    errors: list[BaseException] = []
    plan_in_background(db, str(path), tasks, results.append, errors.append)
    qtbot.waitUntil(lambda: bool(results or errors), timeout=15_000)
    assert not errors
    assert results[0].counts["rows_read"] == 3


def test_the_whole_flow_from_the_file_chooser(
    qtbot: QtBot,
    db: Database,
    tasks: BackgroundTasks,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "kaart.csv"
    path.write_text(SHEET, encoding="utf-8")
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(import_dialog, "choose_source", lambda _parent: str(path))
    dialog = import_dialog.run_import_dialog(
        parent, db=db, signed=signed(Role.ASSISTANT), tasks=tasks
    )
    assert isinstance(dialog, ImportPreviewDialog)
    assert dialog.objectName() == "kaartImportDialog" and dialog.parent() is parent
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=15_000)
    assert dialog.tabs.tabText(3) == "Problemen (2)"
    assert dialog.apply_button.isEnabled()
    with qtbot.waitSignal(dialog.finished, timeout=5_000):
        dialog.reject()
    monkeypatch.setattr(import_dialog, "choose_source", lambda _parent: None)
    assert (
        import_dialog.run_import_dialog(parent, db=db, signed=signed(Role.ASSISTANT), tasks=tasks)
        is None
    )


def test_an_unreadable_path_shows_the_error_in_the_dialog(
    qtbot: QtBot,
    db: Database,
    tasks: BackgroundTasks,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(import_dialog, "choose_source", lambda _parent: str(tmp_path / "weg.zip"))
    dialog = import_dialog.run_import_dialog(
        parent, db=db, signed=signed(Role.ASSISTANT), tasks=tasks
    )
    assert dialog is not None
    qtbot.waitUntil(lambda: "bestaat niet" in dialog.summary.text(), timeout=15_000)
    assert not dialog.apply_button.isEnabled()
    assert dialog.cancel_button.text() == "&Sluiten"
    dialog.reject()


def test_every_tab_of_the_example_against_the_demo_kaart_shows_its_rows(
    qtbot: QtBot, demo_plan: ImportPlan, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    """The Gewijzigd tab once got the wrong rows: every paint raised inside data()."""
    assert demo_plan.added and demo_plan.changed and demo_plan.removed and demo_plan.problems
    dialog = _dialog(qtbot, demo_plan, db, tasks)
    tabs = dialog.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        f"Nieuw ({len(demo_plan.added)})",
        f"Gewijzigd ({len(demo_plan.changed)})",
        f"Verwijderd ({len(demo_plan.removed)})",
        "Problemen (1)",
    ]
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    tabs.currentWidget().setFocus()
    seen: dict[str, list[list[str]]] = {}
    for index in range(tabs.count()):
        assert tabs.currentIndex() == index
        view = tabs.currentWidget()
        assert isinstance(view, QTableView)
        seen[view.objectName()] = _cells(view)  # a raising data() fails here, not in a paint
        assert not dialog.grab().isNull()  # paints every visible cell
        qtbot.keyClick(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert tabs.currentIndex() == 0  # Ctrl+Tab goes round

    assert ["organisatie", "Schuldhulpmaatje Schiedam", ""] in seen["importAdded"]
    changed = seen["importChanged"]
    assert len(changed) == sum(len(item.changes) for item in demo_plan.changed)
    assert [
        "voorziening",
        "Mantelzorgsteunpunt Schiedam",
        "Stichting Welzijn Waterweg",
        "aanmelden",
        "(leeg)",
        "Mantelzorgers kunnen zelf bellen; de huisarts mag ook verwijzen.",
    ] in changed
    assert [
        "telefoonnummer",
        "010-001 14 71",
        "Fatma Kaya",
        "nummer",
        "010-001 11 97",
        "010-001 14 71",
    ] in changed
    removed = seen["importRemoved"]
    assert {row[2] for row in removed} == {"Wijkteam Nieuwland"}
    assert {"GGZ", "mantelzorg", "wonen"} <= {row[1] for row in removed}
    [problem] = seen["importProblems"]
    assert problem[:3] == [EXAMPLE.name, "7", "naam"]


def test_the_preview_uses_the_practice_words_and_shows_whole_names(
    qtbot: QtBot, demo_plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    dialog = _dialog(qtbot, demo_plan, db, tasks)
    cells = {view.objectName(): _cells(view) for view in dialog.views}
    words = {cell for rows in cells.values() for row in rows for cell in row}
    assert not {w for w in words if any(x in w for x in ("koppeling", "locatie", "taxonomie"))}
    assert {row[0] for row in cells["importRemoved"]} == {"thema bij voorziening"}
    assert [
        "vestiging van voorziening",
        "Lange Haven 45, 3111 CD Schiedam",
        "Mantelzorgsteunpunt Schiedam",
        "vestiging",
        "Welzijn Waterweg, hoofdkantoor",
        "Lange Haven 45, 3111 CD Schiedam",
    ] in cells["importChanged"]
    assert ["vestiging", "Vaartweg 3, 3117 EF Schiedam", "Buurtkamer De Vaart"] in cells[
        "importAdded"
    ]

    added = dialog.views[0]
    assert added.textElideMode() == Qt.TextElideMode.ElideMiddle
    model = added.model()
    longest = max(range(model.rowCount()), key=lambda r: len(str(model.index(r, 1).data())))
    name = model.index(longest, 1)
    assert name.data(Qt.ItemDataRole.ToolTipRole) == name.data()  # the whole name, always
    assert added.columnWidth(1) >= added.sizeHintForColumn(1)  # and here it fits
    changed = dialog.views[1]
    dialog.tabs.setCurrentWidget(changed)
    qtbot.waitUntil(lambda: changed.columnWidth(5) > 120)  # was and wordt share the rest
    assert abs(changed.columnWidth(4) - changed.columnWidth(5)) <= 1


def test_a_wider_window_gives_the_names_room_again(
    qtbot: QtBot, demo_plan: ImportPlan, db: Database, tasks: BackgroundTasks
) -> None:
    dialog = _dialog(qtbot, demo_plan, db, tasks)
    dialog.resize(700, 500)
    changed = dialog.views[1]
    dialog.tabs.setCurrentWidget(changed)
    qtbot.waitUntil(lambda: changed.columnWidth(1) < changed.sizeHintForColumn(1))
    dialog.resize(1300, 660)  # maximised on a 1366 px screen
    qtbot.waitUntil(lambda: changed.columnWidth(1) >= changed.sizeHintForColumn(1))
    assert changed.columnWidth(2) >= changed.sizeHintForColumn(2)  # hoort bij: whole too


def test_short_columns_keep_their_width_and_long_ones_share_the_rest() -> None:
    assert fair_widths([185, 230, 230, 95], 700) == [185, 210, 210, 95]
    assert fair_widths([185, 230, 230, 95], 418) == [107, 108, 108, 95]
    assert fair_widths([300, 40], 100) == [60, 40]  # never narrower than 60


def test_the_title_names_the_form_of_an_open_referral_file(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks
) -> None:
    example = Path(__file__).resolve().parents[1] / "data" / "hsds" / "examples"
    with db.session() as session:
        plan = plan_import(session, example / "organization_full.json")
    dialog = _dialog(qtbot, plan, db, tasks)
    title = dialog.title.text()
    assert "één organisatie met haar voorzieningen (organization_full)" in title
    # The long title wraps instead of widening the dialog: it asks for no more than a 1280 px
    # screen has, and it keeps the size it was given for the screen it is on (1300 px on a
    # 1366 px screen, less on a smaller one).
    assert dialog.minimumSizeHint().width() <= 1280
    assert dialog.width() <= min(1300, dialog.screen().availableGeometry().width())
