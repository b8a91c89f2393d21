"""Triage in the reading pane, by keyboard, against a real database with fictional letters.

Toewijzen (Ctrl+T), Doorsturen naar verwijzer (Ctrl+D), Soort bevestigen (Ctrl+B), Koppelen
(Ctrl+Shift+K) to a suggested patient, Ontkoppelen from the Meer menu (Alt+E), Archiveren
(Ctrl+Shift+A, Enter keeps the letter), a refusal when a colleague filed the letter meanwhile,
and nieuw → toegewezen → overgenomen in HIS with the keyboard only. Screenshots of the pane with
its actions go to /tmp/inbox-triage-shots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QMainWindow, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.inbox.store import Incoming, file_letter, receive
from gpdesk.inbox.store.triage import advice_due_on
from gpdesk.models import Letter, LetterEvent, LetterSource, LetterState, User
from gpdesk.signals.consent import dutch_date
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.controller import InboxController
from gpdesk.ui.inbox.letter_actions import ARCHIVE, ASSIGN, KIND, LINK
from gpdesk.ui.inbox.page import InboxPage
from gpdesk.ui.inbox.triage_dialogs import AssignDialog, ForwardDialog, KindDialog, LinkDialog
from tests.conftest import dispose_desktop
from tests.gui.fit_check import LAPTOP_150, problems
from tests.gui.signal_gui_support import PATIENT, app_style, database, main_window, ready_home
from tests.gui.signal_gui_support import signed_in as sign_in_as
from tests.inbox_letters import TEAM_ADDRESS, SeededInbox, seed_inbox
from tests.store_support import open_patient, signed

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
SHOTS = Path("/tmp/inbox-triage-shots")
D = TypeVar("D", bound=QWidget)
ABOUT_DE_VRIES = (
    "Geachte huisarts,\n\nBetreft: mevrouw J. de Vries, geboren 01-02-1970\n"
    "Wij zijn met mevrouw in gesprek over haar schulden."
)


class Inbox:
    """The seeded letters plus one about a patient that names no signal."""

    def __init__(self, seeded: SeededInbox, about_patient: int) -> None:
        self.seeded = seeded
        self.about_patient = about_patient


@pytest.fixture
def inbox(demo_home: Home) -> Inbox:
    ready_home(demo_home)
    db = database(demo_home)
    try:
        bakker = signed(db, "bakker")
        now = datetime.now(UTC)
        letters = seed_inbox(db, bakker, open_patient(db, bakker, PATIENT), now)
        raw = f"From: <{TEAM_ADDRESS}>\r\nSubject: Over mevrouw\r\n\r\n{ABOUT_DE_VRIES}\r\n"
        incoming = Incoming(
            source=LetterSource.IMAP, raw=raw.encode(), file_type="e-mail",
            message_id="<over-mevrouw@wijkteam.example>", sender_address=TEAM_ADDRESS,
            sender_name="Wijkteam Nieuwland", subject="Over mevrouw", body_text=ABOUT_DE_VRIES,
            kind="voortgang",
        )  # fmt: skip
        with db.session() as session:
            got = receive(
                session, bakker.vault, bakker.actor, incoming, now=now - timedelta(minutes=50)
            )
    finally:
        db.dispose()
    return Inbox(letters, got.letter_id)


def _shell(qtbot: QtBot, home: Home, user: str) -> Desktop:
    return sign_in_as(qtbot, home, user, patient=None)


@pytest.fixture
def assistant(qtbot: QtBot, demo_home: Home, inbox: Inbox) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "jansen")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def poh(qtbot: QtBot, demo_home: Home, inbox: Inbox) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "visser")
    yield shell
    dispose_desktop(shell)


def opened(qtbot: QtBot, shell: Desktop, rows: int = 5) -> InboxPage:
    """Ctrl+3 opens Terugkoppeling at 1366x768; the list loaded, with focus."""
    window = main_window(shell)
    window.resize(1366, 768)
    window.show_area("kaart")
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    page = window.inbox_page()
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)
    page.table.setFocus()
    return page


def read(qtbot: QtBot, page: InboxPage, letter_id: int) -> None:
    """j down to the letter, Enter reads it."""
    table = page.table
    qtbot.keyClick(table, Qt.Key.Key_Home)
    for _ in range(page.model.row_of(letter_id)):
        qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    pane = page.pane
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == letter_id, timeout=10_000)


def dialog_of(qtbot: QtBot, shell: Desktop, kind: type[D]) -> D:
    """The triage dialog on screen, of this kind."""
    found = main_window(shell).findChildren(InboxController)
    assert len(found) == 1
    triage = found[0].triage
    qtbot.waitUntil(lambda: isinstance(triage.dialog, kind) and triage.dialog.isVisible())
    dialog = triage.dialog
    assert isinstance(dialog, kind)
    back_to(qtbot, dialog)  # as a desktop does with a new dialog
    return dialog


def shoot(qtbot: QtBot, widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app_style():
        qtbot.wait(200)
        if widget.isWindow() and not isinstance(widget, QMainWindow):
            widget.adjustSize()  # the program has its style from the start: sized with it
            qtbot.wait(50)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def steps(shell: Desktop, letter_id: int) -> list[str]:
    db = database(shell.home)
    try:
        with db.session() as session:
            return list(
                session.scalars(
                    select(LetterEvent.step)
                    .where(LetterEvent.letter_id == letter_id)
                    .order_by(LetterEvent.id)
                )
            )
    finally:
        db.dispose()


def back_to(qtbot: QtBot, window: QWidget) -> None:
    """The main window active again after a dialog (the offscreen platform does not do it)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def gone(dialog: QWidget) -> bool:
    """Closed (and perhaps already deleted)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def row_state(page: InboxPage, letter_id: int) -> str:
    """The state line of the letter's row (under its link)."""
    text = str(page.model.data(page.model.index(page.model.row_of(letter_id), 3)))
    return text.splitlines()[-1]


def nav_is(shell: Desktop, text: str) -> Callable[[], bool]:
    item = main_window(shell).nav.item(2)
    assert item is not None
    return lambda: item.text() == text


def test_assign_by_keyboard_with_a_note(qtbot: QtBot, assistant: Desktop, inbox: Inbox) -> None:
    page = opened(qtbot, assistant)
    # Three letters for nobody; the reply with a reference went to the team's feedback contact.
    qtbot.waitUntil(nav_is(assistant, "Terugkoppeling  3"), timeout=10_000)
    letters = inbox.seeded
    read(qtbot, page, letters.linked)
    pane = page.pane
    assert pane.next_key == KIND  # linked, but the kind is gpdesk's suggestion
    assert pane.primary_button.isVisible() and pane.primary_button.text() == "Soort bevestigen…"
    shoot(qtbot, main_window(assistant), "venster-brief-gekozen")
    shoot(qtbot, pane, "leespaneel-acties")
    # The assistant is no feedback contact: Ctrl+D says why instead of doing nothing.
    qtbot.keyClick(page.table, Qt.Key.Key_D, CTRL)
    assert pane.message.isVisible()
    assert "geen toestemming voor: terugkoppeling doorsturen" in pane.message.text()

    qtbot.keyClick(page.table, Qt.Key.Key_T, CTRL)
    dialog = dialog_of(qtbot, assistant, AssignDialog)
    qtbot.waitUntil(dialog.to.isEnabled, timeout=10_000)
    assert dialog.to.currentIndex() == -1  # nobody guessed
    labels = [dialog.to.itemText(i) for i in range(dialog.to.count())]
    assert labels[0] == "mij (M. Jansen)" and "H. Bakker (huisarts)" in labels
    assert not any("praktijkmanager" in label for label in labels)  # reads no letters
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)  # nobody chosen: told, not sent
    assert dialog.isVisible() and "Kies aan wie" in dialog.problem.text()
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)
    assert dialog.focusWidget() is dialog.to
    while dialog.to.currentText() != "H. Bakker (huisarts)":
        qtbot.keyClick(dialog.to, Qt.Key.Key_Down)
    qtbot.keyClick(dialog, Qt.Key.Key_N, ALT)
    assert dialog.focusWidget() is dialog.note
    qtbot.keyClicks(dialog.note, "Graag bekijken voor vrijdag.")
    shoot(qtbot, dialog, "toewijzen")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Toegewezen aan H. Bakker." in pane.message.text())
    assert pane.letter is not None and pane.letter.state is LetterState.ASSIGNED
    assert gone(dialog)
    assert "Graag bekijken voor vrijdag. (M. Jansen" in pane.facts.text()
    assert row_state(page, letters.linked) == "toegewezen: H. Bakker"
    qtbot.waitUntil(nav_is(assistant, "Terugkoppeling  3"), timeout=10_000)  # neither was mine
    assert main_window(assistant).focusWidget() is page.table  # j/k go on from here
    assert steps(assistant, letters.linked)[-1] == "toegewezen"


def test_the_feedback_contact_forwards_to_the_referrer(
    qtbot: QtBot, poh: Desktop, inbox: Inbox
) -> None:
    page = opened(qtbot, poh)
    letters = inbox.seeded
    read(qtbot, page, letters.advice)  # no signal: forwarding is not offered
    pane = page.pane
    assert not pane.menu_actions["forward"].isEnabled()
    assert "Koppel hem eerst aan een signaal" in pane.menu_actions["forward"].toolTip()
    page.table.setFocus()
    read(qtbot, page, letters.linked)
    assert pane.menu_actions["forward"].isEnabled()
    qtbot.keyClick(page.table, Qt.Key.Key_D, CTRL)
    dialog = dialog_of(qtbot, poh, ForwardDialog)
    assert letters.reference in dialog.to.text()
    assert dialog.focusWidget() is dialog.note
    qtbot.keyClicks(dialog.note, "Mevrouw wil graag een afspraak.")
    shoot(qtbot, dialog, "doorsturen")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.assignee == "H. Bakker")
    assert "Doorgestuurd naar H. Bakker" in pane.message.text()
    assert "Mevrouw wil graag een afspraak." in pane.facts.text()
    assert steps(poh, letters.linked)[-1] == "doorgestuurd"


def test_confirming_advies_shows_its_due_date_and_escalatie_its_urgency(
    qtbot: QtBot, assistant: Desktop, inbox: Inbox
) -> None:
    page = opened(qtbot, assistant)
    letters = inbox.seeded
    read(qtbot, page, letters.advice)
    pane = page.pane
    assert pane.next_key == LINK  # not linked yet: that comes first
    qtbot.keyClick(page.table, Qt.Key.Key_B, CTRL)
    dialog = dialog_of(qtbot, assistant, KindDialog)
    advice = dialog.radios[next(k for k in dialog.radios if k.value == "advies")]
    assert advice.isChecked() and "voorstel van gpdesk" in advice.text()
    assert pane.letter is not None
    due = dutch_date(advice_due_on(pane.letter.received_at))
    assert f"beslissen vóór {due}" in dialog.effect.text()
    assert "de rol huisarts" in dialog.effect.text()  # no signal, so no named GP
    qtbot.keyClick(dialog, Qt.Key.Key_E, ALT)  # the radio's Alt letter clicks it (animated)
    qtbot.waitUntil(lambda: "urgent" in dialog.effect.text())
    assert "⚠" in dialog.effect.text()
    shoot(qtbot, dialog, "soort-escalatie")
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(advice.isChecked)
    shoot(qtbot, dialog, "soort-advies")
    qtbot.keyClick(advice, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.kind_confirmed)
    letter = pane.letter
    assert letter is not None and letter.due_on is not None and not letter.urgent
    assert f"Beslissen vóór</td><td>{due}" in pane.facts.text().replace(" style=''", "")
    assert letter.state is LetterState.ASSIGNED and letter.assignee == "huisarts"
    assert f"De huisarts beslist vóór {due}" in pane.message.text()


def test_link_to_a_suggested_patient_then_unlink_from_the_meer_menu(
    qtbot: QtBot, assistant: Desktop, inbox: Inbox
) -> None:
    page = opened(qtbot, assistant)
    read(qtbot, page, inbox.about_patient)
    pane = page.pane
    assert pane.next_key == LINK and pane.primary_button.text() == "Koppelen…"
    qtbot.keyClick(page.table, Qt.Key.Key_K, CTRL | SHIFT)
    dialog = dialog_of(qtbot, assistant, LinkDialog)
    qtbot.waitUntil(lambda: dialog.patients.count() > 0, timeout=10_000)
    first = dialog.patients.item(0)
    assert first is not None
    text = first.text()
    assert text.startswith("J. de Vries · 01-02-1970 · ") and "geboortedatum gelijk" in text
    for never in ("111222333", "3118", "0612345678"):  # BSN, postcode, phone stay out
        assert never not in text
    if dialog.patients.count() > 1:  # a namesake born the same day: the end of the BSN
        assert "BSN eindigt op 333" in text or "BSN eindigt op" in text
    qtbot.keyClick(dialog, Qt.Key.Key_P, ALT)
    assert dialog.focusWidget() is dialog.patients
    qtbot.keyClick(dialog.patients, Qt.Key.Key_Down)
    if not dialog.patients.selectedItems():
        qtbot.keyClick(dialog.patients, Qt.Key.Key_Space)
    assert dialog.chosen_patient() is not None
    shoot(qtbot, dialog, "koppelen")
    qtbot.keyClick(dialog.patients, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.patient_matched)
    assert "gekoppeld aan een patiënt" in pane.facts.text()
    assert row_state(page, inbox.about_patient) == "nieuw"
    link_line = str(page.model.data(page.model.index(page.model.row_of(inbox.about_patient), 3)))
    assert link_line.splitlines()[0] == "patiënt gekoppeld"

    # Ontkoppelen has no key of its own: Alt+E opens Meer, O picks it.
    menu = pane.more_menu
    picked: list[bool] = []

    def pick() -> None:
        if picked:
            return
        if not menu.isVisible():
            QTimer.singleShot(20, pick)
            return
        picked.append(True)
        qtbot.keyClick(menu, Qt.Key.Key_O)

    back_to(qtbot, main_window(assistant))
    QTimer.singleShot(0, pick)
    qtbot.keyClick(page.table, Qt.Key.Key_E, ALT)
    qtbot.waitUntil(lambda: bool(picked), timeout=5_000)
    qtbot.waitUntil(lambda: pane.letter is not None and not pane.letter.patient_matched)
    assert "Ontkoppeld" in pane.message.text()
    assert steps(assistant, inbox.about_patient)[-2:] == ["gekoppeld", "ontkoppeld"]


def test_archiving_asks_first_and_enter_keeps_the_letter(
    qtbot: QtBot, assistant: Desktop, inbox: Inbox
) -> None:
    page = opened(qtbot, assistant)
    page.state.setCurrentIndex(3)  # Overgenomen in HIS
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    page.table.setFocus()
    filed = inbox.seeded.filed
    read(qtbot, page, filed)
    pane = page.pane
    assert pane.primary_button.text() == "Archiveren…"
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL | SHIFT)
    assert pane.archive_confirm.isVisible() and pane.archive_no.hasFocus()
    shoot(qtbot, pane, "archiveren-vraag")
    qtbot.keyClick(pane.archive_no, Qt.Key.Key_Return)  # the default: keep it
    assert not pane.archive_confirm.isVisible()
    qtbot.wait(100)
    assert pane.letter is not None and pane.letter.state is LetterState.FILED
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.keyClick(pane.archive_no, Qt.Key.Key_Escape)
    assert not pane.archive_confirm.isVisible()
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.keyClick(pane.archive_no, Qt.Key.Key_R, ALT)  # Ja, archiveren
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.state is LetterState.ARCHIVED)
    assert "Gearchiveerd" in pane.message.text()
    assert row_state(page, filed) == "gearchiveerd"
    assert not pane.primary_button.isVisible() and not pane.more_button.isVisible()


def test_a_letter_filed_by_someone_else_meanwhile_is_refused_and_the_note_kept(
    qtbot: QtBot, assistant: Desktop, inbox: Inbox
) -> None:
    page = opened(qtbot, assistant)
    letters = inbox.seeded
    read(qtbot, page, letters.linked)
    pane = page.pane
    qtbot.keyClick(page.table, Qt.Key.Key_T, CTRL)
    dialog = dialog_of(qtbot, assistant, AssignDialog)
    qtbot.waitUntil(dialog.to.isEnabled, timeout=10_000)
    dialog.to.setCurrentIndex(0)
    qtbot.keyClicks(dialog.note, "Bel mevrouw terug.")
    db = database(assistant.home)
    try:
        bakker = signed(db, "bakker")
        with db.session() as session:
            file_letter(session, bakker.vault, bakker.actor, letters.linked)
    finally:
        db.dispose()
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.filed_at is not None)
    qtbot.waitUntil(pane.message.isVisible)
    message = pane.message.text()
    assert "al overgenomen in het HIS" in message and "H. Bakker" in message
    assert "Uw notitie is niet opgeslagen" in message and "“Bel mevrouw terug.”" in message
    assert gone(dialog)
    shoot(qtbot, pane, "geweigerd")
    assert row_state(page, letters.linked) == "overgenomen in HIS"
    # Now the pane knows: toewijzen is no longer offered, the key says why.
    assert not pane.menu_actions[ASSIGN].isEnabled()
    qtbot.keyClick(page.table, Qt.Key.Key_T, CTRL)
    assert "al overgenomen in het HIS" in pane.message.text()
    db = database(assistant.home)
    try:
        with db.session() as session:
            row = session.get(Letter, letters.linked)
            assert row is not None and row.assignee_id is None  # nothing half done
    finally:
        db.dispose()


def test_nieuw_toegewezen_overgenomen_in_his_by_keyboard_only(
    qtbot: QtBot, assistant: Desktop, inbox: Inbox
) -> None:
    window = main_window(assistant)
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    page = window.inbox_page()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    table, pane = page.table, page.pane
    assert QApplication.focusWidget() is table
    about = inbox.about_patient
    for _ in range(page.model.row_of(about)):
        qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == about, timeout=10_000)
    assert pane.letter is not None and pane.letter.state is LetterState.NEW
    assert not problems(window, LAPTOP_150), problems(window, LAPTOP_150)  # fits, letter chosen
    window.resize(1366, 768)

    qtbot.keyClick(table, Qt.Key.Key_T, CTRL)
    dialog = dialog_of(qtbot, assistant, AssignDialog)
    qtbot.waitUntil(dialog.to.isEnabled, timeout=10_000)
    qtbot.keyClick(dialog.to, Qt.Key.Key_Down)  # mij (M. Jansen)
    assert dialog.to.currentText() == "mij (M. Jansen)"
    qtbot.keyClick(dialog.to, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.state is LetterState.ASSIGNED)
    assert pane.letter is not None and pane.letter.assignee == "M. Jansen"
    assert window.focusWidget() is table
    back_to(qtbot, window)

    qtbot.keyClick(table, Qt.Key.Key_H, CTRL)
    assert pane.confirm_yes.hasFocus()
    qtbot.keyClick(pane.confirm_yes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.filed_at is not None)
    assert pane.next_key == ARCHIVE
    assert steps(assistant, about) == ["ontvangen", "toegewezen", "overgenomen in HIS"]
    db = database(assistant.home)
    try:
        with db.session() as session:
            row = session.get(Letter, about)
            assert row is not None and row.state is LetterState.FILED
            who = session.get(User, row.filed_by_id)
            assert who is not None and who.username == "jansen"
            assert row.assignee_id == who.id
    finally:
        db.dispose()


def test_the_letter_keys_clash_with_nothing_and_are_in_the_overview(assistant: Desktop) -> None:
    window = main_window(assistant)
    sections = dict(window.shortcut_sections())
    everywhere = [keys for keys, _what in sections["Overal"]]
    inbox = [keys for keys, _what in sections["Terugkoppeling"] if keys]
    assert len(set(inbox)) == len(inbox), inbox
    assert not set(everywhere) & set(inbox)
    page = window.inbox_page()
    listed = " ".join(text for _keys, text in sections["Terugkoppeling"])
    for key, shortcut in page.action_shortcuts.items():
        assert shortcut.key().toString() in inbox, key
    assert "Toewijzen" in listed and "Archiveren" in listed
    # The Alt letters on the page: the filters, the pane's buttons, Meer: each once.
    letters = [
        QKeySequence.mnemonic(b.text()).toString()
        for b in page.findChildren(QAbstractButton)
        if QKeySequence.mnemonic(b.text()).toString()
        and b.objectName() not in ("letterFileYes", "letterArchiveYes", "letterHisCopy")
    ]
    assert len(set(letters)) == len(letters), letters
