"""Toestemmingen: the banner patient's consents, and withdrawing one, by keyboard and for real.

The demo practice with ``seed_signals``: ``PATIENT`` has a consent (40 days old) with four
signals on it (three the team had, one the outbox could not send), plus here an older
withdrawn consent and an expired one. The withdrawal goes through the same core call and
hook as ``gpdesk consent withdraw``; the checks read the database it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.models import (
    AuditEntry,
    Consent,
    MessageKind,
    OutboxMessage,
    Signal,
    SignalEvent,
    SignalStatus,
)
from gpdesk.signals.consent import withdraw_consent
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.consent_list import ConsentListDialog, WithdrawDialog
from gpdesk.ui.signals.consents import ConsentListController
from gpdesk.ui.signals.page import SignalsPage
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import (
    PATIENT,
    SHOTS,
    app_style,
    database,
    main_window,
    ready_home,
    shoot,
    signed_in,
)
from tests.gui.signal_list_support import OTHER, Seeded, seed_signals
from tests.store_support import consented, open_patient, signed

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
OLD_REASON = "Patiënt wilde eerst zelf bellen."


def _more_consents(home: Home) -> None:
    """An expired consent and one withdrawn long ago, next to the seeded valid one."""
    db = database(home)
    try:
        bakker = signed(db, "bakker")
        patient = open_patient(db, bakker, PATIENT)
        now = datetime.now(UTC)
        consented(db, bakker, patient, at=now - timedelta(days=400))
        withdrawn = consented(db, bakker, patient, at=now - timedelta(days=200))
        with db.session() as session:
            withdraw_consent(
                session, bakker.vault, bakker.actor, withdrawn.id, reason=OLD_REASON,
                at=now - timedelta(days=150),
            )  # fmt: skip
    finally:
        db.dispose()


@pytest.fixture
def seeded(demo_home: Home) -> tuple[Home, Seeded]:
    ready_home(demo_home)
    refs = seed_signals(demo_home)
    _more_consents(demo_home)
    return demo_home, refs


@pytest.fixture
def gp(qtbot: QtBot, seeded: tuple[Home, Seeded]) -> Iterator[Desktop]:
    shell = signed_in(qtbot, seeded[0], "bakker")
    yield shell
    dispose_desktop(shell)


def controller(shell: Desktop) -> ConsentListController:
    found = main_window(shell).findChildren(ConsentListController)
    assert len(found) == 1
    return found[0]


def open_list(qtbot: QtBot, shell: Desktop, rows: int = 3) -> ConsentListDialog:
    """Ctrl+Shift+T from the main window; the list loaded with ``rows`` consents."""
    qtbot.keyClick(main_window(shell), Qt.Key.Key_T, CTRL_SHIFT)
    consents = controller(shell)
    qtbot.waitUntil(lambda: consents.dialog is not None, timeout=2_000)
    dialog = consents.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == rows, timeout=10_000)
    qtbot.waitUntil(dialog.isActiveWindow)  # its keys need it
    return dialog


def confirmation(qtbot: QtBot, shell: Desktop) -> WithdrawDialog:
    consents = controller(shell)
    qtbot.waitUntil(
        lambda: consents.confirmation is not None and consents.confirmation.isVisible(),
        timeout=10_000,
    )
    dialog = consents.confirmation
    assert dialog is not None
    qtbot.waitUntil(dialog.isActiveWindow)  # it takes the keyboard when it opens
    return dialog


def screen(qtbot: QtBot, shell: Desktop, dialog: QWidget, name: str) -> Path:
    """The main window at 1366x768 with ``dialog`` centred over it, as a GP would see it."""
    window = main_window(shell)
    with app_style():
        window.resize(1366, 768)
        qtbot.wait(80)
        picture = window.grab()
        top = dialog.grab()
        painter = QPainter(picture)
        left = (picture.width() - top.width()) // 2
        upper = (picture.height() - top.height()) // 2
        painter.drawPixmap(left, upper, top)
        painter.setPen(QColor("#6b7780"))  # the frame a window manager would draw
        painter.drawRect(left - 1, upper - 1, top.width() + 1, top.height() + 1)
        painter.end()
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    picture.save(str(path))
    return path


def _stored(shell: Desktop) -> list[Consent]:
    db = database(shell.home)
    try:
        with db.session() as session:
            rows = list(session.scalars(select(Consent).order_by(Consent.given_on.desc())))
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def _events(shell: Desktop, event: str) -> list[AuditEntry]:
    db = database(shell.home)
    try:
        with db.session() as session:
            rows = list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def test_the_shortcut_shows_every_consent_newest_first_and_the_chosen_one_in_full(
    qtbot: QtBot, gp: Desktop
) -> None:
    dialog = open_list(qtbot, gp)
    assert dialog.windowTitle() == "Toestemmingen"  # never the patient's name
    assert PATIENT.name not in dialog.windowTitle()
    model = dialog.model
    assert [model.index(r, 0).data() for r in range(3)] == ["geldig", "ingetrokken", "verlopen"]
    assert model.index(0, 3).data() == "Stichting Wijkteams Schiedam"
    assert model.index(0, 4).data() == "–" and model.index(1, 4).data() != "–"
    assert QApplication.focusWidget() is dialog.table
    detail = dialog.detail.values
    assert detail["purposes"].text() == (
        "aanmelding bij het wijkteam; terugkoppeling aan de huisarts"
    )
    assert "naam" in detail["items"].text() and "nooit het BSN" in detail["items"].text()
    assert detail["given"].text() == "mondeling in de spreekkamer, door de patiënt"
    assert "H. Bakker (huisarts)" in detail["recorded"].text()
    assert detail["withdrawn"].text() == "–"
    assert dialog.withdraw_button.isEnabled()
    assert len(_events(gp, "consent.read")) == 1  # reading the whole record is audited
    screen(qtbot, gp, dialog, "consent-list-1366x768")

    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)  # the withdrawn one
    assert detail["state"].text() == "ingetrokken"
    assert "door H. Bakker (huisarts)" in detail["withdrawn"].text()
    assert OLD_REASON in detail["withdrawn"].text()
    assert not dialog.withdraw_button.isEnabled()  # once is enough
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(dialog.table, Qt.Key.Key_K, ALT)  # &Kopieer voor HIS (a click after 100 ms)
    qtbot.waitUntil(lambda: bool(QGuiApplication.clipboard().text()), timeout=2_000)
    note = QGuiApplication.clipboard().text()
    assert note.startswith("Toestemming gegevensdeling (AVG)") and "Ingetrokken op" in note
    assert PATIENT.bsn not in note and PATIENT.name not in note
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: controller(gp).dialog is None, timeout=2_000)


def test_withdraw_by_keyboard_esc_goes_back_enter_withdraws(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded]
) -> None:
    refs = seeded[1]
    dialog = open_list(qtbot, gp)
    qtbot.keyClick(dialog.table, Qt.Key.Key_I, ALT)  # &Intrekken…
    asked = confirmation(qtbot, gp)
    assert asked.windowTitle() == "Toestemming intrekken"
    effects = asked.effects.text()
    assert f"wordt gestopt: {refs.urgent_waiting} (Wijkteam Nieuwland)" in effects
    assert "Wijkteam Nieuwland had het signaal al" in effects
    for reference in (refs.completed, refs.overdue, refs.recent):
        assert reference in effects
    assert "korte melding" in effects and "geen naam en geen reden" in effects
    assert QApplication.focusWidget() is asked.reason
    shoot(qtbot, asked, "consent-withdraw-confirm")
    qtbot.keyClick(asked.reason, Qt.Key.Key_Escape)  # Esc: back, nothing withdrawn
    qtbot.waitUntil(lambda: controller(gp).confirmation is None, timeout=2_000)
    assert _stored(gp)[0].withdrawn_at is None
    qtbot.waitUntil(dialog.isActiveWindow)  # the keyboard is back in the list
    assert QApplication.focusWidget() is dialog.table

    qtbot.keyClick(dialog.table, Qt.Key.Key_I, ALT)
    asked = confirmation(qtbot, gp)
    qtbot.keyClicks(asked.reason, "Patient regelt het zelf")
    qtbot.keyClick(asked.reason, Qt.Key.Key_Return)  # Enter: Intrekken
    qtbot.waitUntil(lambda: "is ingetrokken" in dialog.status.text(), timeout=15_000)
    qtbot.waitUntil(lambda: dialog.model.index(0, 0).data() == "ingetrokken", timeout=10_000)
    assert controller(gp).confirmation is None
    assert f"{refs.urgent_waiting}: verzenden gestopt." in dialog.status.text()
    assert f"{refs.recent}: intrekking gemeld aan het team." in dialog.status.text()
    assert not dialog.withdraw_button.isEnabled()
    assert "Patient regelt het zelf" in dialog.detail.values["withdrawn"].text()
    shoot(qtbot, dialog, "consent-list-withdrawn")

    newest = _stored(gp)[0]
    assert newest.withdrawn_at is not None and newest.withdrawal_reason is not None
    [entry] = [e for e in _events(gp, "consent.withdraw") if e.object_id == str(newest.id)]
    assert entry.detail is not None and entry.detail.endswith("4 signalen geraakt")
    db = database(gp.home)
    try:
        with db.session() as session:
            notices = session.scalars(
                select(Signal.reference)
                .join(OutboxMessage, OutboxMessage.signal_id == Signal.id)
                .where(OutboxMessage.kind == MessageKind.WITHDRAWAL)
            ).all()
            stopped = session.scalars(
                select(Signal).where(Signal.reference == refs.urgent_waiting)
            ).one()
            steps = session.scalars(
                select(SignalEvent).where(SignalEvent.signal_id == stopped.id)
            ).all()
            assert stopped.status is SignalStatus.CANCELLED  # it never left
            assert len(steps) == 2  # concept, then geannuleerd: written on its timeline
    finally:
        db.dispose()
    assert set(notices) == {refs.completed, refs.overdue, refs.recent}


def test_another_patient_closes_the_list_and_without_one_it_does_not_open(
    qtbot: QtBot, gp: Desktop
) -> None:
    dialog = open_list(qtbot, gp)
    line = dialog.findChild(QLabel, "consentListPatient")
    assert isinstance(line, QLabel) and PATIENT.name in line.text()  # the right patient
    gp.open_patient(OTHER)
    qtbot.waitUntil(lambda: controller(gp).dialog is None, timeout=5_000)
    gp.open_patient(None)
    window = main_window(gp)
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    assert not page.consents_button.isEnabled()
    assert not window.consents_action.isEnabled()
    controller(gp).open(None)  # as the action would, were it reached
    assert controller(gp).dialog is None
    assert "Open eerst een patiënt" in window.statusBar().currentMessage()


def test_the_signaleren_button_opens_it_and_the_lock_closes_it(qtbot: QtBot, gp: Desktop) -> None:
    window = main_window(gp)
    window.show_area("signals")
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    assert page.consents_button.isEnabled()
    assert "Ctrl+Shift+T" in page.consents_button.toolTip()
    shoot(qtbot, window, "signaleren-1366x768", (1366, 768))
    qtbot.mouseClick(page.consents_button, Qt.MouseButton.LeftButton)
    consents = controller(gp)
    qtbot.waitUntil(lambda: consents.dialog is not None, timeout=2_000)
    gp.lock()
    qtbot.waitUntil(lambda: consents.dialog is None, timeout=2_000)
