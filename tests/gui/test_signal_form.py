"""The signal form driven as a GP drives it: keys counted, from the banner to a stored signal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.models import OutboxMessage, Signal
from gpdesk.models.consent import DataItem
from gpdesk.signals.outgoing import EMERGENCY_NOTICE, THEMES
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.controller import SignalController
from gpdesk.ui.signals.form import TITLE, SignalForm
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import (
    PATIENT,
    database,
    main_window,
    ready_home,
    shoot,
    signed_in,
)

FORM_SIZE = (940, 688)
"""What ``fit_to_screen`` gives the form on a 1366x768 screen (728 px available, 40 frame)."""

QUESTION = "slaapt slecht door de schulden"


@pytest.fixture
def ready(demo_home: Home) -> Home:
    ready_home(demo_home)
    return demo_home


@pytest.fixture
def gp(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, ready, "bakker")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def poh(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, ready, "visser")
    yield shell
    dispose_desktop(shell)


class Keys:
    """Presses keys and clicks buttons, and counts them: the GP's effort, measured."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot, self.count = qtbot, 0

    def key(
        self,
        widget: QWidget,
        key: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        self.count += 1
        self.qtbot.keyClick(widget, key, modifiers)

    def click(self, widget: QWidget) -> None:
        self.count += 1
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def type(self, widget: QWidget, text: str) -> None:
        """Typing the question is not counted."""
        self.qtbot.keyClicks(widget, text)


def controller(shell: Desktop) -> SignalController:
    assert shell.signals is not None
    return shell.signals


def open_form(qtbot: QtBot, shell: Desktop, keys: Keys | None = None) -> SignalForm:
    """Ctrl+Shift+S in the main window; waits until team and consent are loaded."""
    window = main_window(shell)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # as after a dialog closed: the main window again
    if keys is None:
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    else:
        keys.key(window, Qt.Key.Key_S, CTRL_SHIFT)
    signals = controller(shell)
    qtbot.waitUntil(lambda: signals.form is not None, timeout=5_000)
    form = signals.form
    assert form is not None
    qtbot.waitUntil(lambda: signals.data is not None, timeout=15_000)
    qtbot.waitUntil(lambda: form.send_button.isEnabled(), timeout=5_000)
    return form


CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def record_consent_in_db(shell: Desktop) -> None:
    """The consent a plain signal needs, recorded as the consent dialog would."""
    from gpdesk.signals.consent import ConsentDraft, ConsentMethod, Purpose, record_consent
    from gpdesk.signals.outgoing import DEFAULT_ITEMS

    signals = controller(shell)
    assert signals.data is not None and shell.session is not None and shell.db is not None
    team = signals.data.teams[0]
    draft = ConsentDraft(
        purposes=frozenset(Purpose),
        organisations=(team.organisation,),
        items=DEFAULT_ITEMS,
        method=ConsentMethod.ORAL,
    )
    with shell.db.session() as session:
        record_consent(
            session, shell.session.vault, shell.session.actor, signals.data.patient_id, draft
        )


def stored_signals(home: Home) -> list[tuple[str, bytes]]:
    db = database(home)
    try:
        with db.session() as session:
            rows = session.scalars(select(Signal)).all()
            outbox = session.scalars(select(OutboxMessage)).all()
            assert len(outbox) >= len(rows)
            return [(row.reference, row.content) for row in rows]
    finally:
        db.dispose()


def test_form_opens_with_the_team_for_the_address_and_no_patient_in_the_title(
    qtbot: QtBot, gp: Desktop
) -> None:
    form = open_form(qtbot, gp)
    assert form.windowTitle() == TITLE
    assert PATIENT.name not in form.windowTitle()
    assert "Nieuwland" in form.team.currentText()
    assert form.routes[next(iter(form.routes))].isChecked()  # afspraak, the default
    assert form.emergency.text() == EMERGENCY_NOTICE
    assert form.without_consent is not None  # a GP may share without consent
    assert form.on_behalf is None  # a GP sends their own
    assert "Nog geen geldige toestemming" in form.consent_status.text()
    shoot(qtbot, form, "form-empty", FORM_SIZE)
    assert form.minimumSizeHint().height() <= FORM_SIZE[1]
    assert form.minimumSizeHint().width() <= 910 - 16  # a laptop at 150 %: 910 px wide


def test_shortest_path_with_consent_on_file_is_three_keys(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    """Ctrl+Shift+S, Space on the first theme (its template), type, Ctrl+Enter: stored."""
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=5_000)

    keys = Keys(qtbot)
    form = open_form(qtbot, gp, keys)
    assert "Toestemming gegeven op" in form.consent_status.text()
    first_chip = form.chips[THEMES[0].code]
    assert first_chip.hasFocus()
    keys.key(first_chip, Qt.Key.Key_Space)
    qtbot.waitUntil(form.question.hasFocus, timeout=2_000)
    assert form.question.textCursor().selectedText() == "…"
    keys.type(form.question, QUESTION)
    shoot(qtbot, form, "form-filled", FORM_SIZE)
    keys.key(form.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    assert keys.count == 3
    reference = form.sent_page.reference.text()
    assert reference.startswith("SIG-")
    assert "postvak uit" in form.sent_page.title.text()
    stored = stored_signals(ready)
    assert [ref for ref, _content in stored] == [reference]
    shoot(qtbot, form, "form-sent")


def test_mouse_path_with_consent_recorded_in_the_form_is_five(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    """Banner button, a theme chip, type, Toestemming vastleggen, Opslaan, Verstuur."""
    window = main_window(gp)
    keys = Keys(qtbot)
    keys.click(window.banner.signal_button)
    signals = controller(gp)
    qtbot.waitUntil(lambda: signals.form is not None and signals.data is not None, timeout=15_000)
    form = signals.form
    assert form is not None
    keys.click(form.chips["eenzaamheid"])
    keys.type(form.question, QUESTION)
    keys.click(form.consent_button)
    dialog = signals.consent_dialog
    assert dialog is not None
    keys.click(dialog.save_button)
    qtbot.waitUntil(lambda: signals.consent_dialog is None, timeout=15_000)
    assert "Toestemming gegeven op" in form.consent_status.text()
    keys.click(form.send_button)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    assert keys.count == 5
    assert len(stored_signals(ready)) == 1


def test_without_consent_the_send_is_refused_next_to_the_consent_and_nothing_is_lost(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    form = open_form(qtbot, gp)
    qtbot.mouseClick(form.chips["mantelzorg"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.question, QUESTION)
    form.private_note.setPlainText("alleen voor ons")
    text = form.question.toPlainText()
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    error = form.errors["toestemming"]
    qtbot.waitUntil(error.isVisible, timeout=15_000)
    assert "toestemming" in error.text().lower()
    assert form.question.toPlainText() == text
    assert form.private_note.toPlainText() == "alleen voor ons"
    assert stored_signals(ready) == []


def test_missing_theme_and_question_are_shown_next_to_their_fields(
    qtbot: QtBot, gp: Desktop
) -> None:
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.errors["themas"].isVisible, timeout=15_000)
    assert "thema" in form.errors["themas"].text()
    assert form.errors["vraag"].isVisible()


def test_tab_goes_top_to_bottom(qtbot: QtBot, gp: Desktop) -> None:
    """Tab from the team walks the form as it reads, down to Verstuur."""
    form = open_form(qtbot, gp)
    form.team.setFocus()
    qtbot.waitUntil(form.team.hasFocus)
    order: list[QWidget] = [form.team]
    for _ in range(40):
        qtbot.keyClick(order[-1], Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None and focused is not order[-1]
        order.append(focused)
        if focused is form.send_button:
            break
    named = [w.objectName() for w in order]
    assert named[0] == "signalTeam" and named[-1] == "signalSend"
    expected = ["signalQuestion", "signalRoute_afspraak", "signalUrgent", "signalRecordConsent"]
    expected += ["signalWithoutConsent", "signalPrivateNote", "signalPreview"]
    assert [n for n in named if n in expected] == expected
    assert named[1].startswith("signalTheme_")
    tops = [w.mapTo(form, w.rect().topLeft()).y() for w in order]
    bottoms = [w.mapTo(form, w.rect().bottomLeft()).y() for w in order]
    for n in range(1, len(order)):
        assert bottoms[n] >= tops[n - 1], f"{named[n]} is above {named[n - 1]}"


def test_esc_closes_at_once_when_nothing_was_typed(qtbot: QtBot, gp: Desktop) -> None:
    form = open_form(qtbot, gp)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=2_000)


def test_esc_asks_before_typed_text_is_lost(qtbot: QtBot, gp: Desktop) -> None:
    form = open_form(qtbot, gp)
    qtbot.keyClicks(form.question, QUESTION)
    qtbot.keyClick(form.question, Qt.Key.Key_Escape)
    box = form.discard_box
    assert box is not None and box.isVisible()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # "Terug naar het signaal"
    qtbot.waitUntil(lambda: form.discard_box is None, timeout=2_000)
    assert form.isVisible() and form.question.toPlainText() == QUESTION
    qtbot.keyClick(form.question, Qt.Key.Key_Escape)
    box = form.discard_box
    assert box is not None
    qtbot.mouseClick(
        box.button(box.StandardButton.Yes), Qt.MouseButton.LeftButton
    )  # Sluiten zonder versturen
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=2_000)


def test_a_poh_sees_no_without_consent_and_picks_the_gp(qtbot: QtBot, poh: Desktop) -> None:
    form = open_form(qtbot, poh)
    assert form.without_consent is None
    assert form.findChild(QWidget, "signalWithoutConsent") is None
    assert (
        "zonder toestemming"
        not in " ".join(
            w.text() for w in form.findChildren(QWidget) if hasattr(w, "text") and callable(w.text)
        ).lower()
    )
    assert form.on_behalf is not None
    qtbot.waitUntil(lambda: form.on_behalf is not None and form.on_behalf.count() >= 1)
    assert "Bakker" in form.on_behalf.currentText()
    shoot(qtbot, form, "form-poh", FORM_SIZE)


def test_medical_information_opens_its_own_box(qtbot: QtBot, gp: Desktop) -> None:
    form = open_form(qtbot, gp)
    assert not form.medical.isVisible()
    form.items[DataItem.MEDICAL].setChecked(True)
    assert form.medical.isVisible()


def test_no_patient_says_how_to_open_one(qtbot: QtBot, ready: Home) -> None:
    shell = signed_in(qtbot, ready, "bakker", patient=None)
    try:
        window = main_window(shell)
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
        assert controller(shell).form is None
        assert "Open eerst een patiënt" in window.statusBar().currentMessage()
        assert not window.banner.signal_button.isVisible()
    finally:
        dispose_desktop(shell)
    app = QApplication.instance()
    assert app is not None


def test_the_lock_closes_the_form_and_the_text_comes_back(qtbot: QtBot, gp: Desktop) -> None:
    """Idle lock: the form goes without asking; after unlocking, Ctrl+Shift+S finds the text."""
    from gpdesk.practice.demo import DEMO_PASSWORD

    form = open_form(qtbot, gp)
    qtbot.mouseClick(form.chips["mantelzorg"], Qt.MouseButton.LeftButton)
    form.question.setPlainText(QUESTION)
    form.private_note.setPlainText("alleen voor ons")
    gp.lock()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=2_000)
    assert form.discard_box is None  # nobody is asked over the lock page
    window = main_window(gp)
    window.lock_page.password.setText(DEMO_PASSWORD)
    qtbot.keyClick(window.lock_page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    form = open_form(qtbot, gp)
    assert form.question.toPlainText() == QUESTION
    assert form.private_note.toPlainText() == "alleen voor ons"
    assert form.chips["mantelzorg"].isChecked()


def test_a_gp_sends_without_consent_only_with_a_ground_and_a_reason(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    from gpdesk.models.consent import NoConsentGround

    form = open_form(qtbot, gp)
    qtbot.mouseClick(form.chips["huiselijk_geweld"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.question, QUESTION)
    assert form.without_consent is not None and form.ground is not None and form.reason
    form.without_consent.setChecked(True)
    qtbot.keyClicks(form.reason, "te kort")
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.errors["grond"].isVisible, timeout=15_000)
    assert form.errors["toelichting"].isVisible()
    assert stored_signals(ready) == []
    form.ground.setCurrentIndex(form.ground.findData(NoConsentGround.LEGAL_DUTY.value))
    form.reason.setPlainText(
        "Signalen van huiselijk geweld; de meldcode vraagt overleg met het team, vandaag nog."
    )
    qtbot.mouseClick(form.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    assert len(stored_signals(ready)) == 1


def test_another_team_can_be_chosen_and_the_consent_follows_it(qtbot: QtBot, gp: Desktop) -> None:
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)  # for the wijkteams' organisation only
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=5_000)
    form = open_form(qtbot, gp)
    assert "Toestemming gegeven op" in form.consent_status.text()
    if form.team.count() < 2:
        pytest.skip("the demo kaart offers one team for this address")
    form.team.setFocus()
    qtbot.keyClick(form.team, Qt.Key.Key_Down)  # a closed combo box steps to the next team
    form.team.activated.emit(form.team.currentIndex())
    other = form.current_team()
    assert other is not None and "Nieuwland" not in other.title
    if other.organisation != "Stichting Wijkteams Schiedam":
        assert "Nog geen geldige toestemming" in form.consent_status.text()
        assert other.organisation in form.consent_status.text()


def test_enter_in_the_phone_field_sends(qtbot: QtBot, gp: Desktop, ready: Home) -> None:
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=5_000)
    form = open_form(qtbot, gp)
    qtbot.mouseClick(form.chips["ouderen"], Qt.MouseButton.LeftButton)
    form.question.setPlainText(QUESTION)
    form.phone.setFocus()
    form.phone.clear()
    qtbot.keyClicks(form.phone, "06-87654321")
    qtbot.keyClick(form.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    assert len(stored_signals(ready)) == 1


def test_picking_a_theme_keeps_the_ticks_the_user_changed(qtbot: QtBot, gp: Desktop) -> None:
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=5_000)
    form = open_form(qtbot, gp)
    form.items[DataItem.PHONE].setChecked(False)
    signals = controller(gp)
    before = signals.data
    qtbot.mouseClick(form.chips["verslaving"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: signals.data is not before, timeout=15_000)  # the team asked again
    assert not form.items[DataItem.PHONE].isChecked()


def test_a_poh_sends_on_behalf_of_the_gp(qtbot: QtBot, poh: Desktop, ready: Home) -> None:
    form = open_form(qtbot, poh)
    record_consent_in_db(poh)
    form.reject()
    qtbot.waitUntil(lambda: controller(poh).form is None, timeout=5_000)
    form = open_form(qtbot, poh)
    assert form.on_behalf is not None and form.on_behalf.currentData() == "bakker"
    qtbot.keyClick(form.chips[THEMES[0].code], Qt.Key.Key_Space)
    qtbot.waitUntil(form.question.hasFocus, timeout=2_000)
    qtbot.keyClicks(form.question, QUESTION)
    qtbot.keyClick(form.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    signal = controller(poh).sent
    assert signal is not None
    assert signal.requester.gp_name == "H. Bakker"
    assert signal.requester.prepared_by is not None and "POH-GGZ" in signal.requester.prepared_by
    assert len(stored_signals(ready)) == 1


def test_another_patient_closes_the_form_and_keeps_the_text_for_the_first(
    qtbot: QtBot, gp: Desktop
) -> None:
    from tests.gui.signal_gui_support import CHILD

    form = open_form(qtbot, gp)
    form.question.setPlainText(QUESTION)
    gp.open_patient(CHILD)  # the HIS hands over the next patient
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=2_000)
    assert "vorige patiënt" in main_window(gp).statusBar().currentMessage()
    form = open_form(qtbot, gp)
    assert form.question.toPlainText() == ""  # nothing of the first patient in the second's
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=2_000)
    gp.open_patient(PATIENT)
    assert gp.tasks.wait()
    form = open_form(qtbot, gp)
    assert form.question.toPlainText() == QUESTION


def test_the_outbox_tries_at_once_after_verstuur_and_lives_only_while_unlocked(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    """Verstuur kicks the outbox (no half-minute wait); a lock stops it, an unlock restarts it."""
    from gpdesk.practice.demo import DEMO_PASSWORD

    window = gp.window
    assert window is not None and gp.outbox is not None
    qtbot.waitUntil(lambda: window.outbox_label.text() == "Postvak uit: 0 wachtend", timeout=15_000)
    form = open_form(qtbot, gp)
    record_consent_in_db(gp)
    form.reject()
    qtbot.waitUntil(lambda: controller(gp).form is None, timeout=5_000)
    form = open_form(qtbot, gp)
    qtbot.keyClick(form.chips[THEMES[0].code], Qt.Key.Key_Space)
    qtbot.keyClicks(form.question, QUESTION)
    qtbot.keyClick(form.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    db = database(ready)
    try:

        def attempts() -> list[int]:
            with db.session() as session:
                return list(session.scalars(select(OutboxMessage.attempts)))

        # Nothing listens on the test gateway's port: the first try fails and waits for a retry.
        qtbot.waitUntil(lambda: attempts() == [1], timeout=15_000)
    finally:
        db.dispose()
    qtbot.waitUntil(lambda: window.outbox_label.text() == "Postvak uit: 1 wachtend", timeout=15_000)
    form.close()
    window.lock_action.trigger()
    assert gp.outbox is None  # the worker held the unlocked key
    page = window.lock_page
    qtbot.keyClicks(page.password, DEMO_PASSWORD)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=15_000)
    assert gp.outbox is not None
