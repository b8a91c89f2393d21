"""Informatieverzoek beantwoorden: the request beside the LHV checklist, the answer, the preview.

The dialog (``RequestDialog``) lays out; ``RequestAnswering`` reads, previews and sends off the
GUI thread through the ``TaskRunner``, each step in its own short session
(``gpdesk.inbox.requests``). What the GP sees:

- left, the team's request as it came in; right, the consent on record for the team's
  organisation (its scope and date, or what is missing), the four points of the LHV checklist
  (Alt+1 … Alt+4) and the factual answer (Alt+A);
- Versturen (Alt+V) stays off until every box is ticked, the consent holds and there is an
  answer; it opens the preview of exactly what leaves the practice (the signal's preview
  screen), where Verstuur (Enter) queues it in the outbox;
- without a consent that covers it, only "Weigeringsbrief versturen" (Alt+W), with its preview.

Esc closes without sending anything. The window title never names the patient.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.requests import AnswerRecord, Check, InformationRequest, Preview
from gpdesk.models.base import utcnow
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.consent import dutch_date, local_date
from gpdesk.ui.accessible import announce
from gpdesk.ui.signals.preview_dialog import PreviewDialog
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.tasks import TaskRunner
from gpdesk.ui.theme import set_tone

TITLE: Final = "Informatieverzoek beantwoorden"
SEND_TEXT: Final = "&Versturen…"
REFUSE_TEXT: Final = "&Weigeringsbrief versturen…"
LOADING: Final = "Het verzoek wordt geopend…"
UNEXPECTED: Final = "Er ging iets mis; probeer het opnieuw."
ANSWER_HINT: Final = (
    "Alleen feiten die nodig zijn voor het doel van het verzoek; geen oordeel. Alleen wat u hier "
    "typt gaat mee: geen privénotities, niets anders uit het dossier."
)
NO_CONSENT_HINT: Final = (
    "Zonder toestemming die dit verzoek dekt, geeft u geen medische informatie. U kunt het team "
    "wel een beleefde weigeringsbrief sturen: die noemt de patiënt niet, legt uit waarom, en "
    "zegt dat de patiënt toestemming kan geven."
)
SENT_ANSWER: Final = (
    "Het antwoord ({reference}) staat in het postvak uit en gaat beveiligd naar {team}."
)
SENT_REFUSAL: Final = (
    "De weigeringsbrief ({reference}) staat in het postvak uit en gaat beveiligd naar {team}."
)


def _text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.problems.values())
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    set_tone(label, "heading")
    return label


class RequestDialog(QDialog):
    """One information request: the request, the consent, the checklist, the answer."""

    send_requested = Signal(str, object)
    """Versturen: the answer text and the ticked ``Check``s (the preview comes first)."""
    refuse_requested = Signal()
    """Weigeringsbrief versturen (the preview comes first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestDialog")
        self.setWindowTitle(TITLE)  # never the patient's name
        self.setModal(True)
        self.request: InformationRequest | None = None

        self.about = QLabel(LOADING)
        self.about.setObjectName("requestAbout")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)

        request_label = QLabel("&Het verzoek van het team")
        set_tone(request_label, "heading")
        self.request_text = QPlainTextEdit()
        self.request_text.setObjectName("requestText")
        self.request_text.setReadOnly(True)
        self.request_text.setTabChangesFocus(True)
        request_label.setBuddy(self.request_text)

        self.consent = QLabel()
        self.consent.setObjectName("requestConsent")
        self.consent.setWordWrap(True)
        self.consent.setTextFormat(Qt.TextFormat.PlainText)
        # Its wrapped lines keep their height beside the stretch below it.
        self.consent.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        self.checklist_caption = _caption("Checklist van de LHV: vink elk punt aan")
        self.checks: dict[Check, QCheckBox] = {}
        for number, check in enumerate(Check, start=1):
            box = QCheckBox(f"&{number}  {check.text}")
            box.setObjectName(f"requestCheck_{check.value}")
            box.setStyleSheet("QCheckBox { spacing: 8px; }")
            box.toggled.connect(self._update)
            self.checks[check] = box

        self.answer_label = QLabel("&Antwoord aan het team (alleen feiten)")
        set_tone(self.answer_label, "heading")
        self.answer = QPlainTextEdit()
        self.answer.setObjectName("requestAnswer")
        self.answer.setTabChangesFocus(True)
        self.answer.setPlaceholderText("Bijvoorbeeld: diagnose, sinds wanneer, behandeling.")
        self.answer.textChanged.connect(self._update)
        self.answer_label.setBuddy(self.answer)
        self.answer_hint = QLabel(ANSWER_HINT)
        self.answer_hint.setWordWrap(True)
        set_tone(self.answer_hint, "muted")

        self.message = QLabel()
        self.message.setObjectName("requestMessage")
        self.message.setWordWrap(True)
        set_tone(self.message, "error")
        self.message.hide()

        self.refuse_button = QPushButton(REFUSE_TEXT)
        self.refuse_button.setObjectName("requestRefuse")
        self.refuse_button.setAutoDefault(False)
        self.refuse_button.clicked.connect(self.refuse_requested)
        self.cancel_button = QPushButton("Annu&leren")
        self.cancel_button.setObjectName("requestCancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.send_button = QPushButton(SEND_TEXT)
        self.send_button.setObjectName("requestSend")
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Eerst ziet u precies wat de praktijk verlaat")
        self.send_button.clicked.connect(self._send)

        left = QVBoxLayout()
        left.addWidget(request_label)
        left.addWidget(self.request_text, 1)
        right = QVBoxLayout()
        right.addWidget(_caption("Toestemming"))
        right.addWidget(self.consent)
        right.addSpacing(6)
        right.addWidget(self.checklist_caption)
        for box in self.checks.values():
            right.addWidget(box)
        right.addSpacing(6)
        right.addWidget(self.answer_label)
        right.addWidget(self.answer, 1)
        right.addWidget(self.answer_hint)
        right.addStretch(0)  # takes the room only while there is nothing to answer
        self._right = right
        columns = QHBoxLayout()
        columns.addLayout(left, 4)
        columns.addSpacing(12)
        columns.addLayout(right, 5)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refuse_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(columns, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._set_answering(False)
        self.refuse_button.hide()
        fit_to_screen(self, 1100, 680)

    # -- what is shown -------------------------------------------------------------------------

    def show_request(self, request: InformationRequest, *, at: datetime | None = None) -> None:
        """Show the request, the consent and the actions it allows."""
        moment = at or utcnow()
        self.request = request
        parts = [f"Ontvangen op {dutch_date(local_date(request.received_at))}"]
        if request.team_name:
            parts.insert(0, f"Van {request.team_name}")
        if request.patient:
            parts.append(f"Patiënt: {request.patient}")
        self.about.setText(" · ".join(parts))
        subject = request.subject.strip()
        self.request_text.setPlainText(f"{subject}\n\n{request.text}" if subject else request.text)
        answering = request.may_answer
        self._set_answering(answering)
        self.refuse_button.setVisible(request.refusable)
        if request.problem is not None:
            self._show_consent(request.problem, holds=False)
        elif request.consent is not None:
            text = request.consent.describe(moment)
            if not answering:
                text += "\n\n" + NO_CONSENT_HINT
            self._show_consent(text, holds=answering)
        if answering:
            self.checks[Check.CONSENT].setFocus()
        elif request.refusable:
            self.refuse_button.setDefault(True)
            self.refuse_button.setFocus()
        else:
            self.cancel_button.setText("Sluiten")
            self.cancel_button.setDefault(True)
            self.cancel_button.setFocus()
        self._update()

    def show_message(self, text: str) -> None:
        """A refusal from the core (a race, a missing setting): under the answer."""
        announce(self, text)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_consent(self, text: str, *, holds: bool) -> None:
        self.consent.setText(text)
        set_tone(self.consent, "good" if holds else "bad")

    def _set_answering(self, on: bool) -> None:
        widgets: tuple[QWidget, ...] = (
            self.checklist_caption, *self.checks.values(), self.answer_label, self.answer,
            self.answer_hint, self.send_button,
        )  # fmt: skip
        for widget in widgets:
            widget.setVisible(on)
        self._right.setStretch(self._right.count() - 1, 0 if on else 1)

    # -- state ---------------------------------------------------------------------------------

    def ticked(self) -> list[Check]:
        """The points the GP ticked, in checklist order."""
        return [check for check, box in self.checks.items() if box.isChecked()]

    def ready(self) -> bool:
        """Every box ticked, the consent holds, an answer typed: Versturen may be pressed."""
        request = self.request
        return (
            request is not None
            and request.may_answer
            and len(self.ticked()) == len(Check)
            and bool(self.answer.toPlainText().strip())
        )

    def _update(self) -> None:
        self.send_button.setEnabled(self.ready())

    def _send(self) -> None:
        if self.ready():
            self.send_requested.emit(self.answer.toPlainText(), self.ticked())


# -- the work off the GUI thread ---------------------------------------------------------------


def load_request(db: Database, signed: SignedIn, letter_id: int) -> InformationRequest:
    """Worker: the request, whom it is about and the consent; audited as a read."""
    from gpdesk.inbox.requests import open_request

    with db.session() as session:
        return open_request(session, signed.vault, signed.actor, letter_id)


def make_preview(db: Database, signed: SignedIn, letter_id: int, text: str | None) -> Preview:
    """Worker: the answer's preview (``text``), or the refusal's (None)."""
    from gpdesk.inbox.requests import preview_answer, preview_refusal

    with db.session() as session:
        if text is None:
            return preview_refusal(session, signed.vault, signed.actor, letter_id)
        return preview_answer(session, signed.vault, signed.actor, letter_id, text=text)


def send(
    db: Database, signed: SignedIn, letter_id: int, text: str | None, checks: list[Check]
) -> AnswerRecord:
    """Worker: the answer (``text``) or the refusal (None) stored and queued; committed."""
    from gpdesk.inbox.requests import answer_request, refuse_request

    with db.session() as session:
        if text is None:
            return refuse_request(session, signed.vault, signed.actor, letter_id)
        return answer_request(
            session, signed.vault, signed.actor, letter_id, text=text, checks=checks
        )


class RequestAnswering(QObject):
    """Opens the dialog for one letter, shows the preview, and sends from it."""

    answered = Signal(object)
    """An ``AnswerRecord``: the answer or refusal is in the outbox (kick the worker)."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        parent_widget: QWidget | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed, self._parent = db, tasks, signed, parent_widget
        self.dialog: RequestDialog | None = None
        self.preview: PreviewDialog | None = None

    def open(self, letter_id: int) -> RequestDialog | None:
        """Show the dialog at once ("wordt geopend…"); the request follows from the worker."""
        signed = self._signed()
        if signed is None:
            return None
        dialog = RequestDialog(self._parent)
        self.dialog = dialog
        dialog.send_requested.connect(
            lambda text, checks: self._preview(dialog, letter_id, text, list(checks))
        )
        dialog.refuse_requested.connect(lambda: self._preview(dialog, letter_id, None, []))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        dialog.open()
        db = self.db
        self.tasks.run(
            lambda: load_request(db, signed, letter_id),
            dialog.show_request,
            lambda exc: dialog.show_message(_text(exc)),
            owner=dialog,
        )
        return dialog

    def _closed(self, dialog: RequestDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _preview(
        self, dialog: RequestDialog, letter_id: int, text: str | None, checks: list[Check]
    ) -> None:
        signed = self._signed()
        if signed is None:
            return
        db = self.db
        dialog.show_message("")

        def done(shown: Preview) -> None:
            preview = PreviewDialog(dialog)
            preview.setWindowTitle(
                "Voorbeeld weigeringsbrief" if text is None else "Voorbeeld antwoord"
            )
            preview.back_button.setText("&Terug")
            if text is None:
                preview.send_button.setText("&Verstuur weigeringsbrief")
            preview.set_preview(shown)
            preview.send_requested.connect(
                lambda: self._send(dialog, preview, letter_id, text, checks)
            )
            preview.finished.connect(lambda _result: preview.deleteLater())
            self.preview = preview
            preview.open()

        self.tasks.run(
            lambda: make_preview(db, signed, letter_id, text),
            done,
            lambda exc: dialog.show_message(_text(exc)),
            owner=dialog,
        )

    def _send(
        self,
        dialog: RequestDialog,
        preview: PreviewDialog,
        letter_id: int,
        text: str | None,
        checks: list[Check],
    ) -> None:
        signed = self._signed()
        if signed is None:
            return
        db = self.db
        preview.send_button.setEnabled(False)

        def done(record: AnswerRecord) -> None:
            preview.accept()
            dialog.accept()
            self.answered.emit(record)

        def failed(exc: BaseException) -> None:
            preview.reject()
            dialog.show_message(_text(exc))

        self.tasks.run(
            lambda: send(db, signed, letter_id, text, checks), done, failed, owner=dialog
        )


def sent_text(record: AnswerRecord) -> str:
    """What the reading pane says after sending."""
    words = SENT_ANSWER if record.kind.value == "antwoord" else SENT_REFUSAL
    return words.format(reference=record.reference, team=record.team_name)
