"""One signal in full: its timeline, how far each channel got, the question, and what to do next.

The detail shows a ``SignalRecord`` (``store.signal_detail``, read off the GUI thread by the
list controller) and the letters linked to the signal (``inbox.store.by_signal``), merged into
one timeline in time order; each letter has an "Openen" link (Tab reaches it, Enter follows it)
that asks for the letter in Terugkoppeling (``letter_open_requested``).

The status buttons are those ``store.TRANSITIONS`` allows from the current status; reopening
and cancelling ask for a reason first (``ReasonDialog``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.store.by_signal import SignalLetter
from gpdesk.models import Channel, LetterSource, LetterState, MessageKind, OutboxState, SignalStatus
from gpdesk.signals.consent import dutch_date
from gpdesk.signals.store import CLOSED, TRANSITIONS, SignalRecord
from gpdesk.ui.accessible import announce
from gpdesk.ui.flow_layout import FlowLayout
from gpdesk.ui.signals.signal_list import (
    KIND_WORDS,
    NOT_SENT,
    OVERDUE,
    WAITING,
    local_moment,
    status_words,
)
from gpdesk.ui.theme import hex_colour, set_tone


@dataclass(frozen=True)
class StatusAction:
    """One button under the detail: the status it moves to, and whether it asks why."""

    name: str
    text: str
    """With its mnemonic (Alt+letter); none clashes with the menu bar's P, G and H."""
    target: SignalStatus
    reason: str | None = None
    """"heropenen" or "annuleren" when a reason is required, else None."""


PLAIN_ACTIONS: Final = (
    StatusAction("received", "&Ontvangen", SignalStatus.RECEIVED),
    StatusAction("in_progress", "In &behandeling", SignalStatus.IN_PROGRESS),
    StatusAction("completed", "A&fgerond", SignalStatus.COMPLETED),
    StatusAction("rejected", "Ge&weigerd", SignalStatus.REJECTED),
    StatusAction("not_reached", "Niet be&reikt", SignalStatus.NOT_REACHED),
    StatusAction("no_show", "Niet &verschenen", SignalStatus.NO_SHOW),
)
CANCEL: Final = StatusAction("cancel", "&Annuleren…", SignalStatus.CANCELLED, "annuleren")
REOPEN: Final = StatusAction("reopen", "Her&openen…", SignalStatus.IN_PROGRESS, "heropenen")


def actions_for(status: SignalStatus) -> list[StatusAction]:
    """The buttons for a signal with ``status``: only what ``TRANSITIONS`` allows.

    An ended signal (not cancelled) gets one "Heropenen", back to in behandeling (or ontvangen
    when that is all it may go back to); cancelling comes last.
    """
    allowed = TRANSITIONS[status]
    if status in CLOSED:
        for target in (SignalStatus.IN_PROGRESS, SignalStatus.RECEIVED):
            if target in allowed:
                return [replace(REOPEN, target=target)]
        return []
    actions = [a for a in PLAIN_ACTIONS if a.target in allowed]
    if SignalStatus.CANCELLED in allowed:
        actions.append(CANCEL)
    return actions


EMPTY: Final = "Kies een signaal in de lijst (↑ ↓) om het verloop te zien."
FIRST_STEP: Final = "in postvak uit gezet"
"""The timeline's first step (stored as "concept"): Verstuur was pressed, the outbox sends it.

Then "verzonden" when a channel delivered; until then the list says "wacht op verzending".
"""
SENDING_NOW: Final = "wordt nu verzonden"


def step_words(status: SignalStatus) -> str:
    """A timeline step in words: what happened at that moment."""
    return FIRST_STEP if status is SignalStatus.DRAFT else status.value


def channel_line(kind: MessageKind, channel: Channel, state: OutboxState, error: str | None) -> str:
    """``E-mail (signaal): verzonden``, ``… wacht op verzending``, ``… niet verzonden: <reden>``."""
    head = f"{channel.label.capitalize()} ({KIND_WORDS[kind]})"
    if state is OutboxState.FAILED:
        return f"{head}: {NOT_SENT}: {error or 'reden onbekend'}"
    if state is OutboxState.STOPPED:
        return f"{head}: {NOT_SENT} (gestopt)"
    if state is OutboxState.PENDING:
        return f"{head}: {WAITING}"
    if state is OutboxState.SENDING:
        return f"{head}: {SENDING_NOW}"
    return f"{head}: {state.value}"


LETTER_LINK: Final = "letter:"
"""The href of a letter's "Openen" on the timeline: ``letter:<id>``."""
OPEN_LETTER: Final = "Openen"
MAX_SUBJECT_SHOWN: Final = 90


def letter_step(letter: SignalLetter) -> str:
    """What came in, as a timeline step: ``Advies ontvangen``, ``Telefonische terugkoppeling``."""
    if letter.source is LetterSource.PHONE:
        kind = f" ({letter.kind})" if letter.kind and letter.kind != "overig" else ""
        return f"Telefonische terugkoppeling{kind}"
    if letter.quarantined:
        return "Bericht ontvangen, in quarantaine"
    return f"{(letter.kind or 'brief').capitalize()} ontvangen"


def letter_state(letter: SignalLetter) -> str:
    """How far the letter got: ``toegewezen aan …``, ``overgenomen in HIS door … op …``."""
    if letter.filed_at is not None:
        who = letter.filed_by or "onbekend"
        filed = f"overgenomen in HIS door {who} op {local_moment(letter.filed_at)}"
        return f"{filed}, gearchiveerd" if letter.state is LetterState.ARCHIVED else filed
    if letter.state is LetterState.ASSIGNED and letter.assignee:
        return f"toegewezen aan {letter.assignee}"
    if letter.state is LetterState.NEW:
        return "nieuw, nog niet toegewezen"
    return letter.state.value


def letter_from(letter: SignalLetter) -> str:
    """Who sent it: the team (and for a call, who called)."""
    if letter.source is LetterSource.PHONE and letter.sender:
        team = f" ({letter.team_name})" if letter.team_name else ""
        return f"{letter.sender}{team} belde"
    return letter.team_name or letter.sender or "afzender onbekend"


def letter_row_html(letter: SignalLetter) -> str:
    """One letter on the timeline, escaped, with its "Openen" link."""
    step = escape(letter_step(letter))
    if letter.urgent:
        step = f"<span style='color:{hex_colour('error')}'>⚠ {step}</span>"
    # A call's subject is gpdesk's own "Telefonische terugkoppeling van …", said above.
    subject = "" if letter.source is LetterSource.PHONE else letter.subject.strip()
    if len(subject) > MAX_SUBJECT_SHOWN:
        subject = subject[: MAX_SUBJECT_SHOWN - 1].rstrip() + "…"
    said = f"<br><i>{escape(subject)}</i>" if subject else ""
    facts = escape(f"{letter_from(letter)} · {letter_state(letter)}")
    link = f"<a href='{LETTER_LINK}{letter.id}'>{OPEN_LETTER}</a>"
    when = local_moment(letter.received_at)
    return (
        "<tr>"
        f"<td style='padding-right:10px; white-space:nowrap'>{when}</td>"
        f"<td style='padding-bottom:4px'><b>{step}</b> · {link}<br>{facts}{said}</td>"
        "</tr>"
    )


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


class SignalDetail(QWidget):
    """Kenmerk, team, status; the timeline; per channel the outbox state; the question; actions."""

    action_requested = Signal(object)
    """A ``StatusAction`` the user chose."""
    retry_requested = Signal()
    """Opnieuw: put what was not sent back in the outbox."""
    letter_open_requested = Signal(int)
    """"Openen" on a letter of the timeline: show this letter id in Terugkoppeling."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signalDetail")
        self.record: SignalRecord | None = None
        self.letters: tuple[SignalLetter, ...] = ()
        """The letters linked to the signal on screen, oldest first."""
        self.busy = False
        """A status change or Opnieuw is being stored."""
        self.heading = QLabel(EMPTY)
        self.heading.setObjectName("signalDetailHeading")
        self.heading.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.timeline = QLabel()
        self.timeline.setObjectName("signalTimeline")
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        self.timeline.setWordWrap(True)
        self.timeline.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.timeline.setAccessibleName("Verloop en terugkoppelingen")
        self.timeline.linkActivated.connect(self._link_activated)
        self.channels = QLabel()
        self.channels.setObjectName("signalChannels")
        self.channels.setTextFormat(Qt.TextFormat.RichText)
        self.channels.setWordWrap(True)
        self.question = QLabel()
        self.question.setObjectName("signalQuestion")
        self.question.setWordWrap(True)
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_box = QFrame()
        self.note_box.setObjectName("privateNoteBox")
        self.note = QLabel()
        self.note.setObjectName("signalDetailNote")
        self.note.setWordWrap(True)
        note_layout = QVBoxLayout(self.note_box)
        note_layout.setContentsMargins(8, 6, 8, 6)
        note_layout.addWidget(QLabel("Privénotitie (blijft in de praktijk)"))
        note_layout.addWidget(self.note)

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 6, 0)
        self.sections = [_section("Verloop"), _section("Verzending"), _section("Hulpvraag")]
        body.addWidget(self.status)
        body.addWidget(self.sections[0])
        body.addWidget(self.timeline)
        body.addWidget(self.sections[1])
        body.addWidget(self.channels)
        self.retry_button = QPushButton("Opni&euw versturen")
        self.retry_button.setObjectName("signalRetry")
        self.retry_button.setAutoDefault(False)
        self.retry_button.setToolTip("Zet wat niet verzonden is weer klaar in postvak uit")
        self.retry_button.clicked.connect(self.retry_requested)
        body.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.sections[2])
        body.addWidget(self.question)
        body.addWidget(self.note_box)
        body.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidget(content)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.buttons: dict[str, QPushButton] = {}
        self.actions_row = QWidget()
        self._flow = FlowLayout(self.actions_row)
        for action in (*PLAIN_ACTIONS, REOPEN, CANCEL):
            button = QPushButton(action.text)
            button.setObjectName(f"signalAction_{action.name}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=action.name: self._chosen(n))
            self.buttons[action.name] = button
            self._flow.addWidget(button)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.actions_row)
        layout.addWidget(self.message)
        self._actions: dict[str, StatusAction] = {}
        self.show_record(None)

    # -- showing ---------------------------------------------------------------------------------

    def show_record(
        self,
        record: SignalRecord | None,
        *,
        busy: str = "",
        keep: bool = False,
        letters: Sequence[SignalLetter] | None = None,
    ) -> None:
        """Show ``record`` (None: the empty state, or ``busy`` while it loads).

        ``keep``: the same signal read again (the outbox sent it meanwhile): the message under
        the buttons and the scroll position stay. ``letters``: the letters linked to it; None
        keeps those on screen when it is the same signal (a status change reads no letters).
        """
        same = record is not None and self.record is not None and record.id == self.record.id
        if letters is not None:
            self.letters = tuple(letters)
        elif not same:
            self.letters = ()
        self.record = record
        self.busy = False
        scroll = self.scroller.verticalScrollBar().value()
        if not keep:
            self.message.clear()
        present = record is not None
        for widget in (self.status, self.timeline, self.channels, self.question, *self.sections):
            widget.setVisible(present)
        self.note_box.setVisible(present and bool(record and record.private_note))
        self.actions_row.setVisible(present)
        self.retry_button.setVisible(
            record is not None
            and any(state.state is OutboxState.FAILED for state in record.outbox)
            and record.status is not SignalStatus.CANCELLED
        )
        self.retry_button.setEnabled(True)
        if record is None:
            self.heading.setText(busy or EMPTY)
            self._set_actions([])
            return
        self.heading.setText(f"<b>{record.reference}</b> · {escape(record.team_name)}")
        self.status.setText(self._status_text(record))
        self.timeline.setText(self._timeline_html(record, self.letters))
        self.channels.setText(self._channels_html(record))
        signal = record.signal
        themes = ", ".join(t.label for t in signal.themes)
        route = signal.route.label + (" · urgent" if signal.urgent else "")
        self.question.setText(f"{themes}\n{signal.question}\nRoute: {route}")
        self.note.setText(record.private_note or "")
        self._set_actions(actions_for(record.status))
        if keep:
            self.scroller.verticalScrollBar().setValue(scroll)

    def show_message(self, text: str, *, info: bool = False) -> None:
        """A refusal or a failure (red) or what just happened (``info``) under the buttons."""
        announce(self, text, urgent=not info)
        set_tone(self.message, "info" if info else "")
        self.message.setText(text)

    def focus_actions(self) -> bool:
        """Focus the first action (Enter on the list); False when there is none."""
        for button in self.buttons.values():
            if button.isVisible() and button.isEnabled():
                button.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        return False

    def set_busy(self, busy: bool) -> None:
        """While a status change is stored, the buttons wait (until the next ``show_record``)."""
        self.busy = busy
        for button in (*self.buttons.values(), self.retry_button):
            button.setEnabled(not busy)

    def visible_actions(self) -> list[str]:
        """The names of the actions on screen, for tests and the screenshot check."""
        return [name for name, button in self.buttons.items() if not button.isHidden()]

    def _set_actions(self, actions: list[StatusAction]) -> None:
        self._actions = {a.name: a for a in actions}
        for name, button in self.buttons.items():
            button.setVisible(name in self._actions)
            button.setEnabled(True)
            if name in self._actions:
                button.setText(self._actions[name].text)

    def _chosen(self, name: str) -> None:
        action = self._actions.get(name)
        if action is not None and self.record is not None:
            self.message.clear()
            self.action_requested.emit(action)

    @staticmethod
    def _status_text(record: SignalRecord) -> str:
        failed = {c.kind for c in record.outbox if c.state is OutboxState.FAILED}
        parts = [f"Status: <b>{escape(status_words(record.status, failed))}</b>"]
        if record.overdue:
            parts.append(f'<span style="color:{hex_colour("error")}"><b>{OVERDUE}</b></span>')
        if record.expected_by is not None and record.status is SignalStatus.SENT:
            parts.append(f"antwoord verwacht voor {dutch_date(record.expected_by)}")
        if record.signal.urgent:
            parts.append("<b>urgent</b>")
        return " · ".join(parts)

    def letter_links(self) -> list[int]:
        """The letter ids with an "Openen" on the timeline, in order (for tests)."""
        return [letter.id for letter in self.letters] if self.record is not None else []

    def _link_activated(self, href: str) -> None:
        if href.startswith(LETTER_LINK) and href[len(LETTER_LINK) :].isdigit():
            self.letter_open_requested.emit(int(href[len(LETTER_LINK) :]))

    @staticmethod
    def _timeline_html(record: SignalRecord, letters: Sequence[SignalLetter] = ()) -> str:
        """The status steps and the letters, in time order (a step before a letter at a tie)."""
        rows: list[tuple[float, int, str]] = []
        for entry in record.timeline:  # who under what: the pane is narrow at 1366 px
            reason = f"<br><i>{escape(entry.reason)}</i>" if entry.reason else ""
            step = escape(step_words(entry.status))
            rows.append(
                (
                    entry.at.timestamp(),
                    0,
                    "<tr>"
                    f"<td style='padding-right:10px; white-space:nowrap'>{local_moment(entry.at)}"
                    f"</td><td style='padding-bottom:4px'><b>{step}</b><br>{escape(entry.who)}"
                    f"{reason}</td></tr>",
                )
            )
        rows += [(letter.received_at.timestamp(), 1, letter_row_html(letter)) for letter in letters]
        rows.sort(key=lambda row: (row[0], row[1]))
        return "<table cellspacing='2'>" + "".join(html for _, _, html in rows) + "</table>"

    @staticmethod
    def _channels_html(record: SignalRecord) -> str:
        if not record.outbox:
            return "Nog niets in postvak uit."
        lines = []
        for state in record.outbox:
            text = escape(channel_line(state.kind, state.channel, state.state, state.last_error))
            if state.state is OutboxState.FAILED:
                text = f"<span style='color:{hex_colour('error')}'>{text}</span>"
            elif state.sent_at is not None:
                text += f" ({local_moment(state.sent_at)})"
            lines.append(text)
        return "<br>".join(lines)


class ReasonDialog(QDialog):
    """Why a signal is reopened or cancelled: the reason is required; Esc goes back."""

    def __init__(
        self, parent: QWidget, *, action: StatusAction, reference: str, sent: bool
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signalReasonDialog")
        verb = action.reason or ""
        self.setWindowTitle(f"Signaal {verb}")  # the reference only: never patient data
        self.action = action
        intro = QLabel(f"Waarom wilt u signaal {reference} {verb}?")
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("signalReason")
        self.reason.setMaxLength(2000)
        self.reason.setPlaceholderText("Reden (verplicht)")
        self.reason.setAccessibleName("Reden")
        notice = QLabel()
        notice.setWordWrap(True)
        if action.target is SignalStatus.CANCELLED:
            notice.setText(
                "Het team krijgt een bericht dat het signaal is geannuleerd."
                if sent
                else "Het signaal is nog niet verstuurd; het wordt niet meer verstuurd."
            )
        else:
            notice.setText(f"Het signaal gaat terug naar '{action.target.value}'.")
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox()
        confirm_text = (
            "Signaal &annuleren" if action.target is SignalStatus.CANCELLED else "Her&openen"
        )
        self.confirm = buttons.addButton(confirm_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setDefault(True)
        self.back = buttons.addButton("&Terug", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(notice)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def text(self) -> str:
        """The reason as typed, spaces tidied."""
        return " ".join(self.reason.text().split())

    def accept(self) -> None:
        """Only with a reason."""
        if not self.text():
            self.error.setText(f"Schrijf op waarom u het signaal wilt {self.action.reason}.")
            self.reason.setFocus()
            return
        super().accept()
