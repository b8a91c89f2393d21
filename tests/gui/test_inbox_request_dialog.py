"""Informatieverzoek beantwoorden, by keyboard: the checklist, the answer, the preview, Verstuur.

The dialog alone with a request as the core describes it (with and without consent), then the
whole path against a real SQLite practice: open, Alt+1 … Alt+4, Alt+A and type, Alt+V, the
preview, Enter; the answer is then in the outbox. Screenshots go to /tmp/request-shots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.db import Database, open_database
from gpdesk.inbox.requests import Check, ConsentView, InformationRequest
from gpdesk.inbox.store.detail import LetterDetail, LetterStep
from gpdesk.inbox.store.shapes import ANSWERED_STEP
from gpdesk.models import AnswerKind, LetterSource, LetterState, OutboxMessage, RequestAnswer
from gpdesk.models.consent import DataItem, Purpose
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission
from gpdesk.signals.consent import ConsentScope, Coverage, OrganisationRef
from gpdesk.ui.inbox.letter_actions import ANSWER, action
from gpdesk.ui.inbox.reading_pane import ReadingPane
from gpdesk.ui.inbox.request_dialog import RequestAnswering, RequestDialog
from gpdesk.ui.tasks import BackgroundTasks
from tests.request_support import REQUEST, request_letter
from tests.store_support import ready_practice, signed

ALT = Qt.KeyboardModifier.AltModifier
SHOTS = Path("/tmp/request-shots")
AT = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
ORGANISATION = "Stichting Wijkteams Schiedam"
SCOPE = ConsentScope(
    consent_id=7,
    purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
    organisations=(OrganisationRef(ORGANISATION),),
    items=frozenset({DataItem.NAME, DataItem.PHONE, DataItem.MEDICAL}),
    given_on=date(2026, 12, 7),
    valid_until=date(2027, 12, 7),
)


def _request(*, holds: bool) -> InformationRequest:
    coverage = (
        Coverage(7) if holds else Coverage(7, ("De toestemming dekt 'medische informatie' niet.",))
    )
    return InformationRequest(
        letter_id=1,
        subject="Informatieverzoek SIG-2026-000001",
        text=REQUEST,
        received_at=AT,
        team_name="Wijkteam Nieuwland",
        patient="K. Verhoeven-Smits · 19-07-1963",
        consent=ConsentView(coverage, SCOPE, ORGANISATION),
        problem=None,
        answered=None,
        refusable=True,
    )


def _shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    widget.grab().save(str(SHOTS / name))


@pytest.fixture
def dialog(qtbot: QtBot) -> RequestDialog:
    shown = RequestDialog()
    qtbot.addWidget(shown)
    shown.resize(1280, 680)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow)  # a mnemonic needs it
    return shown


def test_send_waits_for_every_box_and_an_answer_then_asks_for_the_preview(
    qtbot: QtBot, dialog: RequestDialog
) -> None:
    dialog.show_request(_request(holds=True), at=AT)
    assert dialog.windowTitle() == "Informatieverzoek beantwoorden"
    assert "Verhoeven" not in dialog.windowTitle()
    assert "traplift" in dialog.request_text.toPlainText()
    assert "dekt een antwoord met medische informatie" in dialog.consent.text()
    assert not dialog.send_button.isEnabled()
    assert dialog.refuse_button.isVisible()  # also with consent, a refusal is allowed

    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
        qtbot.keyClick(dialog, key, ALT)
    # A mnemonic clicks the box the way a mouse would (Qt animates it for a moment).
    qtbot.waitUntil(lambda: dialog.ticked() == [Check.CONSENT, Check.PURPOSE, Check.FACTUAL])
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)
    assert dialog.answer.hasFocus()
    qtbot.keyClicks(dialog.answer, "Artrose van beide knieen sinds 2019.")
    assert not dialog.send_button.isEnabled()  # one box is still empty
    qtbot.keyClick(dialog, Qt.Key.Key_4, ALT)
    qtbot.waitUntil(dialog.send_button.isEnabled)
    _shot(dialog, "informatieverzoek-beantwoorden.png")

    with qtbot.waitSignal(dialog.send_requested) as sent:
        qtbot.keyClick(dialog, Qt.Key.Key_V, ALT)
    text, checks = sent.args
    assert text == "Artrose van beide knieen sinds 2019." and list(checks) == list(Check)

    qtbot.keyClick(dialog, Qt.Key.Key_2, ALT)  # unticked again: Versturen is off again
    qtbot.waitUntil(lambda: not dialog.send_button.isEnabled())
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_without_consent_only_the_refusal_letter_is_offered(
    qtbot: QtBot, dialog: RequestDialog
) -> None:
    dialog.show_request(_request(holds=False), at=AT)
    assert not dialog.send_button.isVisible() and not dialog.answer.isVisible()
    assert not any(box.isVisible() for box in dialog.checks.values())
    assert dialog.refuse_button.isVisible() and dialog.refuse_button.hasFocus()
    assert "weigeringsbrief" in dialog.consent.text()
    assert "'medische informatie' niet" in dialog.consent.text()
    _shot(dialog, "informatieverzoek-zonder-toestemming.png")
    with qtbot.waitSignal(dialog.refuse_requested):
        qtbot.keyClick(dialog, Qt.Key.Key_W, ALT)
    with qtbot.waitSignal(dialog.refuse_requested):
        qtbot.keyClick(dialog.refuse_button, Qt.Key.Key_Return)


def _letter(kind: str, *, filed: bool = False) -> LetterDetail:
    return LetterDetail(
        id=5, received_at=AT, sent_at=AT, source=LetterSource.IMAP, file_type="e-mail",
        sender="Wijkteam Nieuwland", sender_address="nieuwland@wijkteam.example",
        team_name="Wijkteam Nieuwland", state=LetterState.NEW, kind=kind, kind_confirmed=True,
        urgent=False, signature=None, quarantine_reason=None, signal_reference=None,
        signal_status=None, patient_matched=True, due_on=None, assignee=None,
        filed_at=AT if filed else None, filed_by="M. Jansen" if filed else None,
        forgotten=False, subject="Informatieverzoek", body_text=REQUEST, body_html=None,
        attachments=(), steps=(),
    )  # fmt: skip


def test_the_reading_pane_offers_the_answer_only_for_a_request_and_a_gp(qtbot: QtBot) -> None:
    pane = ReadingPane()
    qtbot.addWidget(pane)
    pane.show()
    request = _letter("informatieverzoek")
    pane.show_letter(request)
    pane.set_permissions(
        frozenset({Permission.LETTER_READ, Permission.LETTER_FILE}), Role.ASSISTANT
    )
    assert pane.next_key != ANSWER  # an assistant files; the GP answers
    assert "geen toestemming" in (action(ANSWER).refused(request, pane.allowed()) or "")
    gp = frozenset({Permission.LETTER_READ, Permission.LETTER_FILE, Permission.LETTER_ANSWER})
    pane.set_permissions(gp, Role.GP)
    assert pane.next_key == ANSWER and pane.primary_button.isVisible()
    assert pane.primary_button.text() == action(ANSWER).plain
    with qtbot.waitSignal(pane.action_requested) as asked:
        pane.trigger(ANSWER)  # the page's Ctrl+Shift+R, the Meer menu and the button come here
    assert asked.args == [ANSWER, 5]
    answered = replace(
        request, steps=(LetterStep(step=ANSWERED_STEP, at=AT, by="H. Bakker", to=None, note=None),)
    )
    for letter in (_letter("voortgang"), _letter("informatieverzoek", filed=True), answered):
        pane.show_letter(letter)
        assert pane.next_key != ANSWER
        assert action(ANSWER).refused(letter, pane.allowed()) is not None


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}")
    ready_practice(db, folder=tmp_path / "export")
    try:
        yield db
    finally:
        db.dispose()


def test_the_whole_path_by_keyboard_queues_the_answer(
    qtbot: QtBot, practice: Database, tmp_path: Path
) -> None:
    bakker = signed(practice, "bakker")
    letter_id = request_letter(practice, bakker, medical_consent=True)
    tasks = BackgroundTasks(lambda exc: None, crash_dir=tmp_path / "crashes")
    answering = RequestAnswering(
        db=practice,
        tasks=tasks,
        signed=lambda: bakker,
        parent_widget=None,
    )
    dialog = answering.open(letter_id)
    assert dialog is not None
    dialog.resize(1280, 680)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.waitUntil(lambda: dialog.request is not None, timeout=15_000)
    assert dialog.request is not None and dialog.request.may_answer
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4):
        qtbot.keyClick(dialog, key, ALT)
    qtbot.waitUntil(lambda: len(dialog.ticked()) == len(Check))
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)
    qtbot.keyClicks(dialog.answer, "Artrose van beide knieen sinds 2019; loopt met een rollator.")
    qtbot.waitUntil(dialog.send_button.isEnabled)
    qtbot.keyClick(dialog, Qt.Key.Key_V, ALT)
    qtbot.waitUntil(
        lambda: answering.preview is not None and answering.preview.isVisible(), timeout=15_000
    )
    preview = answering.preview
    assert preview is not None
    html = preview.letter_html()
    assert "rollator" in html and "Verhoeven" in html and "111222333" not in html
    assert "IV-2026-" in preview.envelope.text()
    preview.resize(900, 700)
    QApplication.processEvents()
    _shot(preview, "informatieverzoek-voorbeeld.png")
    with qtbot.waitSignal(answering.answered, timeout=15_000) as done:
        qtbot.keyClick(preview.send_button, Qt.Key.Key_Return)
    record = done.args[0]
    assert record.kind is AnswerKind.ANSWER
    with practice.session() as session:
        answer = session.scalars(select(RequestAnswer)).one()
        assert answer.letter_id == letter_id
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.answer_id == answer.id)
        ).all()
        assert len(rows) == 2  # mail and export folder, as the team's delivery has both
    qtbot.waitUntil(lambda: not dialog.isVisible())
