"""What an outbox row carries: a signal (or a notice about it), or the answer to a request.

The outbox (``gpdesk.signals.outbox``) treats both alike: a reference, a team, a patient, the GP
it is sent for, the consent it rests on, and the message. A signal's message is built from its
sealed snapshot; an answer's was composed in full when the GP sent it
(``gpdesk.signals.composed``) and is opened from ``request_answer.content``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.models.letter import RequestAnswer
from gpdesk.models.practice import Practice
from gpdesk.models.signal import MessageKind, OutboxMessage, Signal
from gpdesk.security.crypto import Vault
from gpdesk.signals import mail, notices, snapshot
from gpdesk.signals.composed import ComposedMessage
from gpdesk.signals.outgoing import OutgoingSignal
from gpdesk.transport.message import Attachment

__all__ = ["Carried", "answer_message", "carried", "signal_message"]


@dataclass(frozen=True)
class Carried:
    """What a row is about, whichever it carries: a signal (or a notice about it), or an answer."""

    reference: str
    team_id: str
    team_name: str
    patient_id: int | None
    sender_id: int
    """The GP it is sent for: the signal's requester, or the GP who answered."""
    consent_id: int | None
    record: tuple[str, int]
    """("signal", id) or ("request_answer", id): what the audit entry names."""


def carried(row: OutboxMessage) -> Carried:
    """The row's answer or signal, in the words the outbox uses."""
    answer = row.answer
    if answer is not None:
        return Carried(
            reference=answer.reference or f"IV-{answer.id}", team_id=answer.team_id,
            team_name=answer.team_name, patient_id=answer.patient_id,
            sender_id=answer.answered_by_id, consent_id=answer.consent_id,
            record=("request_answer", answer.id),
        )  # fmt: skip
    signal = row.signal
    assert signal is not None  # the check constraint: a row carries one of the two
    return Carried(
        reference=signal.reference, team_id=signal.team_id, team_name=signal.team_name,
        patient_id=signal.patient_id, sender_id=signal.requester_id,
        consent_id=signal.consent_id, record=("signal", signal.id),
    )  # fmt: skip


def _open_snapshot(vault: Vault, signal: Signal) -> OutgoingSignal:
    return snapshot.loads(vault.open("signal", "content", signal.id, bytes(signal.content)))


def signal_message(
    vault: Vault, row: OutboxMessage, signal: Signal
) -> tuple[ComposedMessage, str, str]:
    """A signal's mail (or a notice about it) from its sealed snapshot.

    With the practice's name and reply address as the snapshot has them.
    """
    outgoing = _open_snapshot(vault, signal)
    if row.kind is MessageKind.SIGNAL:
        subject, body = mail.mail_subject(outgoing), mail.mail_body(outgoing)
        attachments: Sequence[Attachment] = mail.attachments(outgoing)
    elif row.kind is MessageKind.CANCELLATION:
        subject = notices.cancellation_subject(outgoing.reference)
        body, attachments = notices.cancellation_body(outgoing), ()
    else:
        subject = notices.withdrawal_subject(outgoing.reference)
        body, attachments = notices.withdrawal_body(outgoing), ()
    practice = outgoing.practice
    return ComposedMessage(subject, body, tuple(attachments)), practice.name, practice.reply_email


def answer_message(
    session: Session, vault: Vault, answer: RequestAnswer
) -> tuple[ComposedMessage, str]:
    """An answer's mail as the GP saw it in the preview; and the practice."""
    if answer.content is None:  # sealed in the transaction that made the row: never seen
        raise GpdeskError(
            "Het antwoord is leeg opgeslagen en kan niet worden verzonden.",
            hint="Vraag de beheerder; beantwoord het verzoek zo nodig opnieuw.",
        )
    text = vault.open("request_answer", "content", answer.id, bytes(answer.content))
    return ComposedMessage.loads(text), session.scalar(select(Practice.name).limit(1)) or ""
