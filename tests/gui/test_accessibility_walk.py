"""Keyboard and screen reader walk: every area, every Beheer tab, the main dialogs.

For each screen: Tab from the first control reaches every visible, enabled control and leaves
every table, list and text box; Shift+Tab goes back the same way; every control Tab lands on has
a name a screen reader can say (see ``focus_walk``). Each screen is built once, so the file stays
quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.about import AboutFacts
from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.kaart.editing.forms import FormChoices, empty_service_form
from gpdesk.kaart.exchange.importing import plan_import
from gpdesk.models import LetterSource, LetterState
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.actor import Actor
from gpdesk.security.check import Report, Section
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import DEFAULT_PERMISSIONS
from gpdesk.transport.config import TeamLine
from gpdesk.ui.about_dialog import AboutDialog
from gpdesk.ui.accessible import LiveLabel
from gpdesk.ui.beheer.check_dialog import CheckReportDialog
from gpdesk.ui.beheer.controller import AddUserDialog
from gpdesk.ui.beheer.kaart.editor import ContactDialog, OrganizationDialog, ServiceDialog
from gpdesk.ui.beheer.kaart.import_dialog import ImportPreviewDialog
from gpdesk.ui.beheer.receiving.source_dialogs import FolderSourceDialog, ImapSourceDialog
from gpdesk.ui.beheer.sending.team_dialog import TeamDeliveryDialog
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.first_run import FirstRunDialog
from gpdesk.ui.inbox.involvement_dialog import InvolvementDialog
from gpdesk.ui.inbox.phone_dialog import PhoneDialog
from gpdesk.ui.inbox.request_dialog import RequestDialog
from gpdesk.ui.inbox.triage_dialogs import (
    AssignDialog,
    EndInvolvementDialog,
    ForwardDialog,
    KindDialog,
    LinkDialog,
)
from gpdesk.ui.kaart.detail import CorrectionDialog
from gpdesk.ui.kaart.handout_dialog import HandoutDialog
from gpdesk.ui.login import LoginDialog
from gpdesk.ui.password_dialog import PasswordChangeDialog
from gpdesk.ui.paste_dialog import PasteDialog
from gpdesk.ui.signals.consent_list import ConsentListDialog
from gpdesk.ui.signals.preview_dialog import PreviewDialog
from gpdesk.ui.signals.timeline import CANCEL, REOPEN, ReasonDialog
from gpdesk.ui.tasks import BackgroundTasks
from tests.conftest import dispose_desktop
from tests.gui.focus_walk import Walk, mnemonic_problems, walk
from tests.gui.signal_gui_support import PATIENT, main_window, ready_home, signed_in

AT = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
WAIT = 15_000


def _letter() -> LetterDetail:
    return LetterDetail(
        id=5, received_at=AT, sent_at=AT, source=LetterSource.IMAP, file_type="e-mail",
        sender="Wijkteam Nieuwland", sender_address="nieuwland@wijkteam.example",
        team_name="Wijkteam Nieuwland", state=LetterState.NEW, kind="terugkoppeling",
        kind_confirmed=True, urgent=False, signature=None, quarantine_reason=None,
        signal_reference="S-2026-0001", signal_status=None, patient_matched=True, due_on=None,
        assignee=None, filed_at=None, filed_by=None, forgotten=False, subject="Terugkoppeling",
        body_text="Mevrouw is bij ons bekend.", body_html=None, attachments=(), steps=(),
    )  # fmt: skip


def _report(walks: list[Walk]) -> list[str]:
    problems = [line for one in walks for line in one.problems()]
    nameless = sum(len(one.nameless) for one in walks)
    trapped = sum(len(one.trapped) + len(one.unreached) for one in walks)
    print("\n".join(problems))
    print(f"walked {len(walks)} screens: {nameless} nameless, {trapped} trapped or unreached")
    return problems


def _walk_dialog(qtbot: QtBot, dialog: QDialog, title: str) -> Walk:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    found = walk(dialog, title)
    found.extra = mnemonic_problems(dialog, title)
    dialog.reject()
    return found


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def test_every_area_and_beheer_tab_is_walked_by_tab_and_named(
    qtbot: QtBot, manager: Desktop
) -> None:
    window = main_window(manager)
    walks: list[Walk] = []
    for key in ("signals", "kaart", "inbox"):
        window.show_area(key)
        assert manager.tasks.wait()
        qtbot.wait(20)
        walks.append(walk(window, key))
        walks[-1].extra = mnemonic_problems(window, key)
    window.show_area("beheer")
    tabs = window.practice_page().tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        assert manager.tasks.wait()
        qtbot.wait(20)
        walks.append(walk(window, f"beheer/{tabs.tabText(index)}"))
        walks[-1].extra = mnemonic_problems(window, f"beheer/{tabs.tabText(index)}")
    assert _report(walks) == []


def test_the_banner_comes_first_then_the_navigation_then_the_page(
    qtbot: QtBot, manager: Desktop
) -> None:
    window = main_window(manager)
    window.show_area("kaart")
    found = walk(window, "kaart")
    order = found.order
    assert window.banner.isAncestorOf(order[0])  # the window's first control
    banner = [i for i, w in enumerate(order) if window.banner.isAncestorOf(w)]
    nav = order.index(window.nav)
    page = [i for i, w in enumerate(order) if window.kaart_page().isAncestorOf(w)]
    assert banner == list(range(len(banner))) and nav == len(banner)
    assert page == list(range(nav + 1, len(order)))
    kaart = window.kaart_page()  # "Wat is er veranderd" sits beside the search box
    assert order.index(kaart.changes_button) == order.index(kaart.search) + 1


def test_the_main_dialogs_are_walked_by_tab_and_named(qtbot: QtBot) -> None:
    walks: list[Walk] = []
    login = LoginDialog()
    login.set_ready("Huisartsenpraktijk De Singel")
    walks.append(_walk_dialog(qtbot, login, "aanmelden"))
    walks.append(_walk_dialog(qtbot, PasswordChangeDialog(), "wachtwoord"))
    walks.append(_walk_dialog(qtbot, PasteDialog(use_clipboard=False), "plak uit HIS"))
    handout = HandoutDialog(patient_available=True)
    handout.set_html("<h1>Buurtteam Noord</h1><p>Inloop op dinsdag.</p>")
    walks.append(_walk_dialog(qtbot, handout, "print voor patiënt"))
    walks.append(_walk_dialog(qtbot, AddUserDialog(), "gebruiker toevoegen"))
    choices = FormChoices((), (), ())
    service = ServiceDialog(empty_service_form(), choices)
    qtbot.addWidget(service)
    service.show()
    for index in range(service.tabs.count()):
        service.tabs.setCurrentIndex(index)
        tab = f"kaart bewerken/{service.tabs.tabText(index)}"
        walks.append(walk(service, tab))
        walks[-1].extra = mnemonic_problems(service, tab)
    service.reject()
    walks.append(_walk_dialog(qtbot, OrganizationDialog(), "organisatie"))
    walks.append(
        _walk_dialog(qtbot, ContactDialog(team="Buurtteam Noord", colleagues=()), "contact")
    )
    letter = _letter()
    for dialog_type in (AssignDialog, ForwardDialog, KindDialog):
        walks.append(_walk_dialog(qtbot, dialog_type(letter), dialog_type.__name__))
    link = LinkDialog(letter, may_open_patients=True)
    walks.append(_walk_dialog(qtbot, link, "koppelen"))
    walks.append(_walk_dialog(qtbot, PhoneDialog(None, patient=PATIENT), "telefoon"))
    walks.append(_walk_dialog(qtbot, RequestDialog(), "informatieverzoek"))
    parent = QWidget()
    qtbot.addWidget(parent)
    involvement = InvolvementDialog(parent, letter, today=date(2026, 12, 7))
    walks.append(_walk_dialog(qtbot, involvement, "betrokkenheid"))
    walks.append(_walk_dialog(qtbot, ImapSourceDialog(), "imap-postvak"))
    walks.append(_walk_dialog(qtbot, FolderSourceDialog(), "ontvangstmap"))
    line = TeamLine(
        team_id="t1", name="Wijkteam Nieuwland", organisation="Stichting Wijkteams Schiedam",
        kind="wijkteam", status="actief", delivery=None,
    )  # fmt: skip
    walks.append(_walk_dialog(qtbot, TeamDeliveryDialog(line), "bezorging"))
    walks.append(_walk_dialog(qtbot, PreviewDialog(), "voorbeeld"))
    correction = CorrectionDialog(
        None, service="Buurtteam Noord", recipient="noord@example.nl", check=lambda _text: None
    )
    walks.append(_walk_dialog(qtbot, correction, "meld correctie"))
    walks.append(_walk_dialog(qtbot, FirstRunDialog(), "eerste start"))
    about = AboutDialog(AboutFacts("0.1.0", "0013", "0013", "/h", "SQLite: /h/gpdesk.sqlite3"))
    walks.append(_walk_dialog(qtbot, about, "over gpdesk"))
    consents = ConsentListDialog(None, patient_line="J. de Vries · 01-02-1970")
    walks.append(_walk_dialog(qtbot, consents, "toestemmingen"))
    report = Report((Section("audit", "Logboek", 12, "regels"),))
    walks.append(_walk_dialog(qtbot, CheckReportDialog(report), "database controleren"))
    for status_action in (CANCEL, REOPEN):
        reason = ReasonDialog(parent, action=status_action, reference="SIG-2026-000001", sent=True)
        walks.append(_walk_dialog(qtbot, reason, f"signaal {status_action.reason}"))
    assert _report(walks) == []


def test_a_live_label_says_a_new_text_once(qtbot: QtBot) -> None:
    label = LiveLabel()
    qtbot.addWidget(label)
    label.setText("3 signalen")
    assert label.last_announced == "3 signalen"
    label.last_announced = ""
    label.setText("3 signalen")  # unchanged: nothing new to say
    assert label.last_announced == ""
    label.setText("4 signalen")
    assert label.last_announced == "4 signalen"


def test_a_gp_with_a_patient_walks_the_areas_the_signal_form_and_consent(
    qtbot: QtBot, demo_home: Home
) -> None:
    """The banner's buttons, the patient's signals, a kaart result's detail; then the form."""
    ready_home(demo_home)
    shell = signed_in(qtbot, demo_home, "bakker")
    try:
        window = main_window(shell)
        walks: list[Walk] = []
        for key in ("signals", "inbox"):
            window.show_area(key)
            assert shell.tasks.wait()
            qtbot.wait(20)
            walks.append(walk(window, f"huisarts/{key}"))
            count = getattr(window.pages[key], "count", None)
            assert isinstance(count, LiveLabel) and count.last_announced  # the count is said
            walks[-1].extra = mnemonic_problems(window, f"huisarts/{key}")
        kaart = shell.kaart
        assert kaart is not None
        window.show_area("kaart")
        qtbot.waitUntil(lambda: kaart.ready, timeout=WAIT)
        page = window.kaart_page()
        qtbot.keyClicks(page.search, "schuldhulp")
        qtbot.waitUntil(lambda: kaart.detail is not None, timeout=WAIT)
        qtbot.wait(20)
        walks.append(walk(window, "huisarts/kaart"))
        walks[-1].extra = mnemonic_problems(window, "huisarts/kaart")
        signals = shell.signals
        assert signals is not None
        main_window(shell).signal_action.trigger()
        qtbot.waitUntil(lambda: signals.form is not None and signals.data is not None, timeout=WAIT)
        form = signals.form
        assert form is not None
        qtbot.waitUntil(lambda: form.send_button.isEnabled(), timeout=WAIT)
        walks.append(walk(form, "signaal"))
        walks[-1].extra = mnemonic_problems(form, "signaal")
        qtbot.keyClick(form, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(lambda: signals.consent_dialog is not None, timeout=WAIT)
        consent = signals.consent_dialog
        assert consent is not None
        walks.append(walk(consent, "toestemming"))
        walks[-1].extra = mnemonic_problems(consent, "toestemming")
        consent.reject()
        form.reject()
        QApplication.processEvents()
        assert _report(walks) == []
    finally:
        dispose_desktop(shell)


def test_the_kaart_import_preview_is_walked_on_every_tab(qtbot: QtBot, tmp_path: Path) -> None:
    """The preview's tables let Tab go on to Toepassen and Annuleren (they kept it before)."""
    db = open_database(f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}")
    runner = BackgroundTasks(lambda exc: None, crash_dir=tmp_path / "crashes")
    try:
        sheet = tmp_path / "kaart.csv"
        sheet.write_text(
            "organisatie;naam;telefoon\nStichting Buurtwerk;Buurtkamer De Vaart;010-003 10 00\n"
            "Stichting Buurtwerk;;010-003 10 01\n",
            encoding="utf-8",
        )
        with db.session() as session:
            plan = plan_import(session, sheet)
        actor = Actor(1, "jansen", "M. Jansen", Role.ASSISTANT, DEFAULT_PERMISSIONS[Role.ASSISTANT])
        dialog = ImportPreviewDialog(
            plan, db=db, signed=SignedIn(actor, Vault.create()), tasks=runner
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        walks: list[Walk] = []
        for index in range(dialog.tabs.count()):
            dialog.tabs.setCurrentIndex(index)
            title = f"import/{dialog.tabs.tabText(index)}"
            walks.append(walk(dialog, title))
            walks[-1].extra = mnemonic_problems(dialog, title)
        dialog.reject()
        assert _report(walks) == []
    finally:
        runner.wait()
        runner.deleteLater()
        db.dispose()


def test_the_reading_pane_with_a_letter_open_and_the_lock_are_walked(
    qtbot: QtBot, demo_home: Home
) -> None:
    """A letter open in Terugkoppeling (its actions, attachments list, text), then the lock."""
    from tests.gui.test_involvement_gui import _closing

    ready_home(demo_home)
    letter_id = _closing(demo_home)  # a closing letter: the pane also offers ending
    shell = signed_in(qtbot, demo_home, "jansen")
    try:
        window = main_window(shell)
        window.show_area("inbox")
        page = window.inbox_page()
        qtbot.waitUntil(lambda: page.model.row_of(letter_id) >= 0, timeout=WAIT)
        page.table.selectRow(page.model.row_of(letter_id))
        pane = page.pane
        qtbot.waitUntil(
            lambda: pane.letter is not None and pane.letter.id == letter_id, timeout=WAIT
        )
        assert shell.tasks.wait()
        qtbot.wait(20)
        walks = [walk(window, "terugkoppeling/brief")]
        walks[-1].extra = mnemonic_problems(window, "terugkoppeling/brief")
        letter = pane.letter
        assert letter is not None and letter.ending is not None
        walks.append(_walk_dialog(qtbot, EndInvolvementDialog(letter), "betrokkenheid beëindigen"))
        window.lock_action.trigger()
        qtbot.waitUntil(lambda: window.lock_page.isVisible(), timeout=WAIT)
        walks.append(walk(window, "vergrendeld"))
        walks[-1].extra = mnemonic_problems(window, "vergrendeld")
        assert _report(walks) == []
    finally:
        dispose_desktop(shell)
