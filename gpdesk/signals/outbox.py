"""The durable outbox: every committed message leaves once, survives a crash, and says why not.

``flush`` sends what is due. Per outbox row, in this order:

1. **Prepare** (a short read, then one short transaction). The row is claimed with an UPDATE
   that checks its state (``UPDATE … WHERE id = … AND state …``, rowcount 1), so two workers
   (the window and ``gpdesk outbox flush``, on one computer or two) never take the same row. The
   first time, the message is built from the signal's sealed snapshot (subject, body, the PDF
   letter and ``signaal.json``; or a cancellation or withdrawal notice), signed with the
   practice certificate and enveloped to the team's, and its exact bytes are stored sealed
   (``outbox_message.prepared``). The row is then SENDING, with ``attempts`` + 1 and a lease
   (``next_attempt_at`` = now + ``LEASE``). A signal whose consent was withdrawn, or that was
   cancelled, is not sent: its row is STOPPED.
2. **Send**, outside any transaction: SMTP (``gpdesk.transport.smtp.send``) or the export folder
   (``gpdesk.transport.folder.write``).
3. **Record** (a new transaction): SENT; for the signal's first delivered SIGNAL message also
   the signal's status "verzonden", ``sent_at``, ``expected_by`` from the team's feedback
   agreement, a timeline event and the audit entry "signal.sent". Every delivery is audited.

A failure stores the TransportError's Dutch message (never patient data) and the next try from
the retry policy; after the policy's last try, or a failure that trying again cannot fix, the
row is FAILED ("niet verzonden") until someone presses "Opnieuw" (``retry_now``).

**Never twice, never lost.** A crash between the server's "accepted" and step 3 leaves the row
SENDING with its prepared bytes. When its lease has run out, the next flush sends the *same
bytes with the same Message-ID*: the export folder sees its file and writes none, and a mail
receiver recognises the Message-ID (RFC 5322 3.6.4: mail clients and secure-mail gateways
discard a second message with an ID they have). A worker that finds its row taken over after
its lease ran out (claim token: attempts and time) leaves the outcome to the one that took it.

**Not only signals.** A row may instead carry the answer to a team's information request
(``answer_id``; kinds ANSWER and REFUSAL): its message was composed in full when the GP sent it
(``gpdesk.signals.composed``, ``gpdesk.signals.carried``), so here it only gets its envelope and
S/MIME layers, and goes the same way with the same retries. An answer whose consent was
withdrawn before it left is STOPPED.

No Qt here: the window runs ``flush`` through its background tasks, the command line directly.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from pathlib import Path
from typing import Any, Final

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import DatabaseError, GpdeskError, TransportError
from gpdesk.models.base import utcnow
from gpdesk.models.consent import Consent
from gpdesk.models.kaart_private import FeedbackAgreement
from gpdesk.models.letter import RequestAnswer
from gpdesk.models.patient import Patient
from gpdesk.models.signal import (
    Channel,
    EventSource,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Signal,
    SignalEvent,
    SignalStatus,
)
from gpdesk.models.transport import TeamDelivery, TransportSettings
from gpdesk.models.user import User
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.agreement import expected_by
from gpdesk.signals.carried import Carried, answer_message, carried, signal_message
from gpdesk.signals.consent import local_date
from gpdesk.signals.store.shapes import record_states
from gpdesk.transport import config, folder, smtp
from gpdesk.transport.message import (
    PreparedMessage,
    build_message,
    prepare,
)
from gpdesk.transport.retry import RetryPolicy

__all__ = [
    "LEASE",
    "FlushReport",
    "OutboxCounts",
    "OutboxEntry",
    "Outcome",
    "counts",
    "entries",
    "flush",
    "retry_now",
    "status_text",
]

log = logging.getLogger(__name__)

LEASE: Final = timedelta(minutes=5)
"""How long a claimed row is left to its worker before another may take it over (a crash).
Longer than any one send: every network step has a 30 s timeout."""

SYSTEM: Final = "systeem"
ACTOR_LABEL: Final = "gpdesk (postvak uit)"
"""Who a timeline event names when gpdesk itself moved the signal."""

WITHDRAWN: Final = (
    "Niet verzonden: de patiënt heeft de toestemming ingetrokken. Er is niets naar het team gegaan."
)
CANCELLED: Final = "Niet verzonden: het signaal is geannuleerd. Er is niets naar het team gegaan."
NO_SETTINGS: Final = "De verzendinstellingen van de praktijk ontbreken. Er is niets verzonden."
NO_DELIVERY: Final = "Voor dit team is geen {what} ingesteld. Er is niets verzonden."
UNEXPECTED: Final = (
    "Het bericht kon door een onverwachte fout niet worden klaargemaakt. Er is niets verzonden."
)
_ASK_ADMIN: Final = "Vraag de beheerder om de verzendinstellingen en de bezorging van het team."

_KIND_WORDS: Final = {
    MessageKind.SIGNAL: "signaal",
    MessageKind.CANCELLATION: "annulering",
    MessageKind.WITHDRAWAL: "intrekking toestemming",
    MessageKind.ANSWER: "antwoord op informatieverzoek",
    MessageKind.REFUSAL: "weigering informatieverzoek",
}
_WAITING: Final = (OutboxState.PENDING, OutboxState.SENDING)


# -- Opnieuw --------------------------------------------------------------------------------


def retry_now(
    session: Session, actor: Actor, outbox_id: int, *, now: datetime | None = None
) -> None:
    """Opnieuw: a message that was not sent is tried again at once, with a fresh count.

    Audited: who decided that a message the gateway refused may go after all.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        raise GpdeskError("Dit bericht staat niet (meer) in het postvak uit.")
    if row.state not in (OutboxState.FAILED, OutboxState.PENDING):
        raise GpdeskError(
            f"Dit bericht is {row.state.value}; opnieuw versturen kan alleen bij "
            "'niet verzonden' of 'wachtend'."
        )
    row.state = OutboxState.PENDING
    row.attempts = 0
    row.next_attempt_at = now or utcnow()
    audit.record(
        session, event="outbox.retry", action=audit.Action.UPDATE, actor=actor,
        object_type="outbox_message", object_id=row.id,
        detail=f"{_KIND_WORDS[row.kind]} {carried(row).reference} via {row.channel.label}",
    )  # fmt: skip


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    """What the status bar shows: messages on their way, and messages that did not go."""

    waiting: int
    failed: int


def counts(session: Session) -> OutboxCounts:
    """Waiting (PENDING and SENDING) and failed rows, in one query."""
    rows = session.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.state.in_((*_WAITING, OutboxState.FAILED)))
        .group_by(OutboxMessage.state)
    ).all()
    by_state = {state: number for state, number in rows}
    waiting = sum(by_state.get(state, 0) for state in _WAITING)
    return OutboxCounts(waiting=waiting, failed=by_state.get(OutboxState.FAILED, 0))


def status_text(numbers: OutboxCounts) -> str:
    """``Postvak uit: 0 wachtend``, and ``, 1 niet verzonden`` when something did not go."""
    text = f"Postvak uit: {numbers.waiting} wachtend"
    if numbers.failed:
        text += f", {numbers.failed} niet verzonden"
    return text


@dataclass(frozen=True)
class OutboxEntry:
    """One row as a list shows it: no patient data, only the reference and the state."""

    id: int
    reference: str
    kind: MessageKind
    channel: Channel
    state: OutboxState
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    def as_json(self) -> dict[str, Any]:
        """For ``gpdesk outbox list --json``."""
        return {
            "id": self.id,
            "reference": self.reference,
            "kind": self.kind.value,
            "channel": self.channel.value,
            "state": self.state.value,
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at),
            "sent_at": _iso(self.sent_at),
            "error": self.last_error,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def entries(session: Session, *, signal_id: int | None = None) -> list[OutboxEntry]:
    """Every outbox row (or one signal's), newest first."""
    query = (
        select(OutboxMessage, Signal.reference, RequestAnswer.reference)
        .outerjoin(Signal, OutboxMessage.signal_id == Signal.id)
        .outerjoin(RequestAnswer, OutboxMessage.answer_id == RequestAnswer.id)
    )
    if signal_id is not None:
        query = query.where(OutboxMessage.signal_id == signal_id)
    rows = session.execute(query.order_by(OutboxMessage.id.desc())).all()
    return [
        OutboxEntry(
            id=row.id,
            reference=signal_reference or answer_reference or f"IV-{row.answer_id}",
            kind=row.kind,
            channel=row.channel,
            state=row.state,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
        for row, signal_reference, answer_reference in rows
    ]


# -- flushing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt did to one row."""

    outbox_id: int
    reference: str
    kind: MessageKind
    channel: Channel
    state: OutboxState
    """The row's state afterwards: SENT, PENDING (a retry is planned), FAILED or STOPPED."""
    error: str | None = None


@dataclass(frozen=True)
class FlushReport:
    """Every row ``flush`` tried, and how it ended."""

    outcomes: tuple[Outcome, ...] = ()

    def _count(self, state: OutboxState) -> int:
        return sum(1 for outcome in self.outcomes if outcome.state is state)

    @property
    def sent(self) -> int:
        """Delivered now."""
        return self._count(OutboxState.SENT)

    @property
    def retrying(self) -> int:
        """Failed now, tried again later."""
        return self._count(OutboxState.PENDING)

    @property
    def failed(self) -> int:
        """Failed now and not retried: "niet verzonden"."""
        return self._count(OutboxState.FAILED)

    @property
    def stopped(self) -> int:
        """Not sent on purpose (consent withdrawn, signal cancelled)."""
        return self._count(OutboxState.STOPPED)


def _due(now: datetime) -> Any:
    """Rows to take: waiting and due, or claimed by a worker whose lease ran out (a crash)."""
    return or_(
        and_(
            OutboxMessage.state == OutboxState.PENDING,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(
            OutboxMessage.state == OutboxState.SENDING,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
    )


def due_ids(session: Session, now: datetime) -> list[int]:
    """The rows ``flush`` would take now, oldest first."""
    return list(
        session.scalars(select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id))
    )


def flush(
    db: Database,
    vault: Vault,
    *,
    now: datetime | None = None,
    policy: RetryPolicy | None = None,
) -> FlushReport:
    """Send every due message, one after another; each row's outcome in the report.

    ``now`` fixes the clock (tests, and a command that must see a row's lease as run out);
    without it every step reads the clock when it happens.
    """
    chosen = policy or RetryPolicy()
    with db.session() as session:
        ids = due_ids(session, now or utcnow())
    outcomes = []
    for outbox_id in ids:
        outcome = _attempt(db, vault, outbox_id, now, chosen)
        if outcome is not None:
            outcomes.append(outcome)
    return FlushReport(tuple(outcomes))


@dataclass(frozen=True)
class _Claim:
    """A row this worker holds: its token, what to send, and where."""

    outbox_id: int
    reference: str
    kind: MessageKind
    channel: Channel
    attempts: int
    claimed_at: datetime
    message: PreparedMessage
    settings: smtp.TransportSettings | None
    folder: Path | None


def _attempt(
    db: Database, vault: Vault, outbox_id: int, fixed_now: datetime | None, policy: RetryPolicy
) -> Outcome | None:
    now = fixed_now or utcnow()
    try:
        with db.session() as session:
            built = _build_if_needed(session, vault, outbox_id, now)
        with db.session() as session:
            claimed = _claim(session, vault, outbox_id, now=now, built=built, policy=policy)
    except DatabaseError:
        raise  # the database is away or busy: nothing was claimed, the next flush tries again
    except Exception as error:  # every other failure becomes the row's reason
        return _fail_unclaimed(db, outbox_id, now, policy, _as_transport_error(outbox_id, error))
    if not isinstance(claimed, _Claim):
        return claimed
    try:
        if claimed.channel is Channel.SMTP:
            assert claimed.settings is not None
            smtp.send(claimed.settings, claimed.message)
        else:
            assert claimed.folder is not None
            folder.write(claimed.folder, claimed.message)
    except TransportError as error:
        return _record_failure(db, claimed, policy, error)
    except OSError as error:
        log.error("outbox %s: %s while sending", outbox_id, type(error).__name__)
        return _record_failure(
            db, claimed, policy, TransportError(UNEXPECTED, hint=_ASK_ADMIN, temporary=True)
        )
    with db.session() as session:
        return _record_success(session, vault, claimed, fixed_now or utcnow())


def _permanent(message: str, hint: str = "") -> TransportError:
    return TransportError(message, hint=hint, temporary=False)


def _as_transport_error(outbox_id: int, error: Exception) -> TransportError:
    """What the row says when preparing failed: the Dutch message, or a bug named as one."""
    if isinstance(error, TransportError):
        return error
    if isinstance(error, GpdeskError):  # a tampered snapshot, a subject that looks personal
        return _permanent(error.message, error.hint)
    # A bug. Its text may quote data, so only its type is logged; the row says what to do.
    log.error("outbox %s: %s while preparing", outbox_id, type(error).__name__)
    return _permanent(UNEXPECTED, _ASK_ADMIN)


# -- 1. prepare -----------------------------------------------------------------------------


def _stop_reason(session: Session, row: OutboxMessage, now: datetime) -> str | None:
    """Why a signal or an answer must not leave after all; notices and refusals always may."""
    if row.kind not in (MessageKind.SIGNAL, MessageKind.ANSWER):
        return None
    if row.signal is not None and row.signal.status is SignalStatus.CANCELLED:
        return CANCELLED
    consent_id = carried(row).consent_id
    if consent_id is not None:
        consent = session.get(Consent, consent_id)
        if consent is not None and consent.withdrawn_at is not None and consent.withdrawn_at <= now:
            return WITHDRAWN
    return None


def _build_if_needed(
    session: Session, vault: Vault, outbox_id: int, now: datetime
) -> PreparedMessage | None:
    """The message's bytes when the row has none yet and is due; a read, nothing written."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None or row.prepared is not None:
        return None
    if _stop_reason(session, row, now) is not None:
        return None
    return _build(session, vault, row, now)


def _build(session: Session, vault: Vault, row: OutboxMessage, now: datetime) -> PreparedMessage:
    about = carried(row)
    delivery = session.get(TeamDelivery, about.team_id)
    settings = session.get(TransportSettings, config.SETTINGS_ID)
    if row.channel is Channel.SMTP:
        if settings is None:
            raise _permanent(NO_SETTINGS, _ASK_ADMIN)
        if delivery is None or delivery.email is None:
            raise _permanent(NO_DELIVERY.format(what="e-mailadres"), _ASK_ADMIN)
    elif delivery is None or delivery.export_folder is None:
        raise _permanent(NO_DELIVERY.format(what="exportmap"), _ASK_ADMIN)
    if row.answer is not None:
        if settings is None:
            raise _permanent(NO_SETTINGS, _ASK_ADMIN)
        composed, practice_name = answer_message(session, vault, row.answer)
        address = settings.from_address
    else:
        assert row.signal is not None
        composed, practice_name, reply = signal_message(vault, row, row.signal)
        address = settings.from_address if settings is not None else reply
    message = build_message(
        sender=formataddr((practice_name, address)),
        recipients=[delivery.email or address],
        subject=composed.subject,
        message_id=row.message_id,
        body=composed.body,
        attachments=composed.attachments,
        date=now,
        in_reply_to=composed.in_reply_to,
    )
    return prepare(
        message,
        recipient_certificate=config.team_certificate(session, about.team_id),
        signer=config.signing_identity(session, vault),
        now=now,
    )


def _dumps(message: PreparedMessage) -> str:
    return json.dumps(
        {
            "message_id": message.message_id,
            "sender": message.sender,
            "recipients": list(message.recipients),
            "data": base64.b64encode(message.data).decode("ascii"),
        },
        separators=(",", ":"),
    )


def _loads(text: str) -> PreparedMessage:
    data = json.loads(text)
    return PreparedMessage(
        message_id=data["message_id"],
        sender=data["sender"],
        recipients=tuple(data["recipients"]),
        data=base64.b64decode(data["data"]),
    )


def _outbox_records(session: Session, about: Carried) -> list[tuple[str, int]]:
    """Every outbox row of a signal (or an answer), for an audit entry's state.

    A row whose state no entry recorded yet (a notice queued since) is recorded with the next.
    """
    table, record_id = about.record
    column = OutboxMessage.signal_id if table == "signal" else OutboxMessage.answer_id
    ids = session.scalars(select(OutboxMessage.id).where(column == record_id))
    return [("outbox_message", outbox_id) for outbox_id in ids]


def _patient_ref(session: Session, about: Carried) -> str | None:
    patient = None if about.patient_id is None else session.get(Patient, about.patient_id)
    return None if patient is None else patient.bsn_index.hex()


def _requester(session: Session, about: Carried) -> str | None:
    return session.scalar(select(User.username).where(User.id == about.sender_id))


def _stored_message(
    session: Session,
    vault: Vault,
    row: OutboxMessage,
    about: Carried,
    *,
    now: datetime,
    built: PreparedMessage | None,
) -> PreparedMessage:
    """The row's bytes: stored (sealed, audited) the first time, read back on every retry."""
    if row.prepared is not None:
        return _loads(vault.open("outbox_message", "prepared", row.id, bytes(row.prepared)))
    message = built if built is not None else _build(session, vault, row, now)
    row.prepared = vault.seal("outbox_message", "prepared", row.id, _dumps(message))
    audit.record(
        session, event="outbox.prepare", action=audit.Action.READ, username=SYSTEM,
        on_behalf_of=_requester(session, about), patient_ref=_patient_ref(session, about),
        object_type="outbox_message", object_id=row.id,
        detail=f"{_KIND_WORDS[row.kind]} {about.reference} via {row.channel.label}",
        vault=vault, state=record_states(session, vault, _outbox_records(session, about)),
    )  # fmt: skip
    return message


def _claim(
    session: Session,
    vault: Vault,
    outbox_id: int,
    *,
    now: datetime,
    built: PreparedMessage | None,
    policy: RetryPolicy,
) -> _Claim | Outcome | None:
    """Take the row (or find another worker has), store its bytes once, hand over what to send."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, _due(now))
        .values(
            state=OutboxState.SENDING,
            attempts=OutboxMessage.attempts + 1,
            last_attempt_at=now,
            next_attempt_at=now + LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    if not (isinstance(result, CursorResult) and result.rowcount == 1):
        return None  # another worker has it, or it is no longer due
    row = session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    about = carried(row)
    stop = _stop_reason(session, row, now)
    if stop is not None:
        row.state, row.last_error, row.next_attempt_at = OutboxState.STOPPED, stop, None
        return _row_outcome(row, about.reference, OutboxState.STOPPED, stop)
    try:
        message = _stored_message(session, vault, row, about, now=now, built=built)
        settings = export = None
        if row.channel is Channel.SMTP:
            settings = config.load_transport(session, vault)
            if settings is None:
                raise _permanent(NO_SETTINGS, _ASK_ADMIN)
        else:
            delivery = session.get(TeamDelivery, about.team_id)
            if delivery is None or delivery.export_folder is None:
                raise _permanent(NO_DELIVERY.format(what="exportmap"), _ASK_ADMIN)
            export = Path(delivery.export_folder)
    except TransportError as error:
        return _fail_claimed(row, about.reference, policy, error, now)
    return _Claim(
        outbox_id=row.id, reference=about.reference, kind=row.kind, channel=row.channel,
        attempts=row.attempts, claimed_at=now, message=message, settings=settings, folder=export,
    )  # fmt: skip


def _row_outcome(
    row: OutboxMessage, reference: str, state: OutboxState, error: str | None = None
) -> Outcome:
    return Outcome(row.id, reference, row.kind, row.channel, state, error)


def _fail_claimed(
    row: OutboxMessage, reference: str, policy: RetryPolicy, error: TransportError, now: datetime
) -> Outcome:
    """Preparing failed after the claim (a setting went missing, a certificate expired)."""
    state = _apply_failure(row, policy, error, now)
    return _row_outcome(row, reference, state, row.last_error)


# -- failures -------------------------------------------------------------------------------


GAVE_UP: Final = (
    "gpdesk probeert het niet meer vanzelf. Kies 'Opnieuw' zodra het probleem is verholpen, of "
    "vraag de beheerder van de praktijk."
)
"""Said instead of "gpdesk probeert het later opnieuw" once the retries are used up."""


def _apply_failure(
    row: OutboxMessage, policy: RetryPolicy, error: TransportError, now: datetime
) -> OutboxState:
    decision = policy.after_failure(max(row.attempts, 1), now, temporary=error.temporary)
    row.last_error = error.user_text()
    if decision.gave_up and error.temporary:
        # The error's own hint promises another try; the worker has stopped trying.
        row.last_error = f"{error.message} {GAVE_UP}"
    if decision.gave_up:
        row.state, row.next_attempt_at = OutboxState.FAILED, None
    else:
        row.state, row.next_attempt_at = OutboxState.PENDING, decision.next_attempt
    return row.state


def _fail_unclaimed(
    db: Database, outbox_id: int, now: datetime, policy: RetryPolicy, error: TransportError
) -> Outcome | None:
    """Building failed (a certificate, a setting): the row counts it as an attempt, if still due."""
    with db.session() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, _due(now))
            .values(attempts=OutboxMessage.attempts + 1, last_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if not (isinstance(result, CursorResult) and result.rowcount == 1):
            return None
        row = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.id == outbox_id)
            .execution_options(populate_existing=True)
        ).scalar_one()
        state = _apply_failure(row, policy, error, now)
        log.info("outbox %s not prepared: %s", outbox_id, error.message)
        reference = carried(row).reference
        return Outcome(row.id, reference, row.kind, row.channel, state, row.last_error)


def _still_mine(session: Session, claim: _Claim) -> OutboxMessage | None:
    """The row, if this worker's claim still holds (no one took it over after the lease)."""
    row = session.execute(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == claim.outbox_id,
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.attempts == claim.attempts,
            OutboxMessage.last_attempt_at == claim.claimed_at,
        )
        .with_for_update()
    ).scalar_one_or_none()
    return row


def _record_failure(
    db: Database, claim: _Claim, policy: RetryPolicy, error: TransportError
) -> Outcome | None:
    now = claim.claimed_at
    with db.session() as session:
        row = _still_mine(session, claim)
        if row is None:
            return None
        state = _apply_failure(row, policy, error, now)
        # The message and hint are Dutch and name no patient: safe for the log.
        log.info("outbox %s (%s) not sent: %s", claim.outbox_id, claim.reference, error.message)
        return Outcome(row.id, claim.reference, row.kind, row.channel, state, row.last_error)


# -- 3. record ------------------------------------------------------------------------------


def _expected(session: Session, signal: Signal, sent_at: datetime) -> Any:
    days = session.scalar(
        select(FeedbackAgreement.confirm_within_working_days).where(
            FeedbackAgreement.service_id == signal.team_id
        )
    )
    return None if days is None else expected_by(local_date(sent_at), days)


def _record_success(session: Session, vault: Vault, claim: _Claim, now: datetime) -> Outcome | None:
    row = _still_mine(session, claim)
    if row is None:
        log.info("outbox %s: sent, and taken over by another worker meanwhile", claim.outbox_id)
        return None
    row.state, row.sent_at, row.next_attempt_at = OutboxState.SENT, now, None
    row.last_error = None
    about = carried(row)
    if row.signal is None:
        _record_answer_sent(session, vault, row, about)
        return Outcome(row.id, claim.reference, row.kind, row.channel, OutboxState.SENT)
    signal = row.signal
    records: list[tuple[str, int]] = []
    first = False
    if row.kind is MessageKind.SIGNAL:
        marked = session.execute(
            update(Signal)
            .where(Signal.id == signal.id, Signal.sent_at.is_(None))
            .values(sent_at=now, expected_by=_expected(session, signal, now))
            .execution_options(synchronize_session=False)
        )
        first = isinstance(marked, CursorResult) and marked.rowcount == 1
    if first:
        session.refresh(signal)
        records.append(("signal", signal.id))
        if signal.status is SignalStatus.DRAFT:
            signal.status = SignalStatus.SENT
            event = SignalEvent(
                signal=signal, status=SignalStatus.SENT, at=now, source=EventSource.SYSTEM,
                actor_label=ACTOR_LABEL,
            )  # fmt: skip
            session.add(event)
            session.flush()
            records.append(("signal_event", event.id))
    records += _outbox_records(session, about)
    channel = row.channel.label
    detail = f"{_KIND_WORDS[row.kind]} {signal.reference} aan {signal.team_name} via {channel}"
    consent = signal.consent_id is not None
    audit.record(
        session, event="signal.sent" if first else "outbox.sent", action=audit.Action.EXPORT,
        username=SYSTEM, on_behalf_of=_requester(session, about),
        patient_ref=_patient_ref(session, about), object_type="signal", object_id=signal.id,
        checks=audit.Checks(treatment_relationship=True, consent=consent), detail=detail,
        vault=vault, state=record_states(session, vault, records),
    )  # fmt: skip
    return Outcome(row.id, claim.reference, row.kind, row.channel, OutboxState.SENT)


def _record_answer_sent(session: Session, vault: Vault, row: OutboxMessage, about: Carried) -> None:
    """An answer (or refusal) delivered on one channel: audited, as an export of patient data."""
    kind, record_id = about.record
    detail = (
        f"{_KIND_WORDS[row.kind]} {about.reference} aan {about.team_name} via {row.channel.label}"
    )
    audit.record(
        session, event="answer.sent", action=audit.Action.EXPORT, username=SYSTEM,
        on_behalf_of=_requester(session, about), patient_ref=_patient_ref(session, about),
        object_type=kind, object_id=record_id,
        checks=audit.Checks(treatment_relationship=True, consent=about.consent_id is not None),
        detail=detail, vault=vault,
        state=record_states(session, vault, _outbox_records(session, about)),
    )  # fmt: skip
