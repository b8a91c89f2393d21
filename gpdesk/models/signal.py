"""A signal to the wijkteam, its status timeline, its yearly reference counter, and the outbox.

A signal is stored, with its audit entry, before anything goes on the network; the outbox
holds one row per message and channel (the team's mail address, its export folder), so a
worker can send, retry and resume after a crash without ever making a second message: the
Message-ID is fixed when the row is made, and the exact bytes are stored once they are prepared.

What says something about the patient is AES-GCM ciphertext under the practice data key,
bound to its table, column and record (``gpdesk.security.crypto``): the message as it leaves
(``content``, the ``OutgoingSignal`` as JSON), the privénotitie, a status change's reason and
the prepared message bytes. What is plain (status, team, dates, theme codes) identifies no one
and lets lists be sorted and counted without unlocking anything.

The team is a loose reference by kaart id and name, as in a consent: a kaart import may remove
a team and an undo bring it back, and the record of where a signal went must survive both.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gpdesk.models.base import Base, utcnow

if TYPE_CHECKING:
    from gpdesk.models.letter import RequestAnswer

TEAM_ID_LENGTH = 64
"""As ``gpdesk.models.kaart.ID_LENGTH`` (HSDS string ids)."""
TEAM_NAME_LENGTH = 300
"""As ``gpdesk.models.kaart.NAME_LENGTH``."""
REFERENCE_LENGTH = 32
"""``SIG-2026-000123`` with room to spare."""
MESSAGE_ID_LENGTH = 255


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class SignalStatus(enum.StrEnum):
    """Where a signal stands; the FHIR Task status it maps to is in ``gpdesk.signals``."""

    DRAFT = "concept"
    SENT = "verzonden"
    RECEIVED = "ontvangen"
    IN_PROGRESS = "in behandeling"
    COMPLETED = "afgerond"
    REJECTED = "geweigerd"
    CANCELLED = "geannuleerd"
    NOT_REACHED = "niet bereikt"
    NO_SHOW = "niet verschenen"


class EventSource(enum.StrEnum):
    """Who moved a signal: a user, the team (a reply link or a letter), or gpdesk itself."""

    USER = "gebruiker"
    REPLY = "antwoordlink"
    LETTER = "terugkoppeling"
    SYSTEM = "gpdesk"


class Signal(Base):
    """One signal of one patient to one team; cancelled or closed, never deleted.

    ``status`` is the latest event's status, kept here so lists need no join. ``requester``
    is the GP the signal is sent for; ``prepared_by`` the POH-GGZ or assistant who filled it
    in on that GP's behalf (NEN 7513 "namens"), or None. Exactly one of ``consent_id`` and
    ``no_consent_id`` is set. ``expected_by`` comes from the team's feedback agreement
    (working days after sending); "verlopen" is derived from it, never stored.
    """

    __tablename__ = "signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(REFERENCE_LENGTH), unique=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[str] = mapped_column(String(TEAM_ID_LENGTH), index=True)
    team_name: Mapped[str] = mapped_column(String(TEAM_NAME_LENGTH))
    themes: Mapped[str] = mapped_column(String(300))
    """Theme codes separated by commas."""
    route: Mapped[str] = mapped_column(String(16))
    """A ``gpdesk.signals.outgoing.Route`` value: afspraak, inloop, warm, bellen."""
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SignalStatus] = mapped_column(_enum(SignalStatus), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id"), default=None)
    no_consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("no_consent_decision.id"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    expected_by: Mapped[date | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    """The ``OutgoingSignal`` as JSON, sealed: exactly what the team received."""
    private_note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The privénotitie, sealed; it never enters an outgoing message."""

    events: Mapped[list[SignalEvent]] = relationship(
        back_populates="signal",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SignalEvent.id",
    )


class SignalEvent(Base):
    """One step on a signal's timeline: the status it went to, who, when, and why.

    ``actor_id`` is set for a user; ``actor_label`` names anyone else in plain words ("wijkteam
    via antwoordlink"). ``reason`` is sealed: a reason may say something about the patient.
    """

    __tablename__ = "signal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id", ondelete="CASCADE"), index=True)
    status: Mapped[SignalStatus] = mapped_column(_enum(SignalStatus))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[EventSource] = mapped_column(_enum(EventSource))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    actor_label: Mapped[str | None] = mapped_column(String(200), default=None)
    reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    signal: Mapped[Signal] = relationship(back_populates="events")


class SignalCounter(Base):
    """The last reference number given out in a year: ``SIG-<year>-<number>``, never reused.

    Taken in the signal's own transaction, so a signal that is not stored gives its number back.
    """

    __tablename__ = "signal_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class MessageKind(enum.StrEnum):
    """What an outbox message carries."""

    SIGNAL = "signaal"
    CANCELLATION = "annulering"
    WITHDRAWAL = "intrekking"
    ANSWER = "antwoord"
    """The GP's answer to a team's information request (``request_answer``), not a signal."""
    REFUSAL = "weigering"
    """The letter that refuses an information request (no consent, or a question of judgement)."""


class Channel(enum.StrEnum):
    """Where a message goes: the team's mail address, or its export folder."""

    SMTP = "smtp"
    FOLDER = "map"

    @property
    def label(self) -> str:
        """The word the outbox, the timeline and the command line use."""
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {Channel.SMTP: "e-mail", Channel.FOLDER: "exportmap"}


class OutboxState(enum.StrEnum):
    """An outbox row's state; ``FAILED`` is "niet verzonden": retries stopped, "Opnieuw" shown."""

    PENDING = "wachtend"
    SENDING = "bezig"
    SENT = "verzonden"
    FAILED = "niet verzonden"
    STOPPED = "gestopt"
    """Not sent, on purpose: the consent was withdrawn or the signal cancelled before it left."""


class OutboxMessage(Base):
    """One message on one channel, from committed to sent.

    ``message_id`` is fixed when the row is made and the same on every attempt, so a retry
    after a crash is recognised by the receiver (and by the export folder, whose file name comes
    from it). ``prepared`` holds the exact bytes once built (S/MIME when the team has a
    certificate), sealed, so every attempt sends the same thing. ``last_error`` is the Dutch
    message of the last failure; it never names the patient. ``state`` SENDING marks an attempt
    that started: one found at start-up was interrupted and is tried again with the same bytes.

    A row carries a signal (or a notice about it) or, exactly otherwise, the answer to a team's
    information request (``answer_id``, kinds ANSWER and REFUSAL).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("message_id", "channel"),
        CheckConstraint("(signal_id IS NULL) <> (answer_id IS NULL)", name="carries_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal.id", ondelete="CASCADE"), index=True, default=None
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_answer.id", ondelete="CASCADE"), index=True, default=None
    )
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LENGTH))
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    prepared: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    signal: Mapped[Signal | None] = relationship()
    answer: Mapped[RequestAnswer | None] = relationship()
