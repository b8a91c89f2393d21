"""The feedback inbox: letters that came in, their parts and steps, and where they come from.

A letter is anything that came in from a wijkteam: an e-mail, a file from the drop folder, a
file dragged onto the inbox, or feedback by phone written down by whoever took the call. It is
stored once (``message_id`` and ``content_hash`` are unique, so a second fetch of the same
message, or two workstations fetching at once, cannot store it twice), sealed, with its audit
entry, before the source is told it may forget it.

What may say something about the patient is AES-GCM ciphertext under the practice data key,
bound to its table, column and record (``gpdesk.security.crypto``): the received bytes, the
subject, the text, the sanitised HTML, each part's name, bytes and text, and a step's note.
What is plain identifies no one and lets the inbox be listed, filtered and counted without
unlocking anything: when and how it came, its size and hash, the sending team's address, its
state and kind, links to signal, patient and users, and a quarantine reason (gpdesk's own
words about what is wrong with the file, never its content).

After filing and the practice's retention period the content is forgotten: the sealed columns
are emptied and the parts deleted; the row stays as a stub (date, team, kind, signal, who
filed when) with its steps and the audit trail.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gpdesk.models.base import Base, utcnow
from gpdesk.models.signal import MESSAGE_ID_LENGTH, TEAM_ID_LENGTH, TEAM_NAME_LENGTH

HASH_LENGTH = 64
"""SHA-256 as hex."""


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class LetterState(enum.StrEnum):
    """Triage: nieuw → toegewezen → overgenomen in HIS → gearchiveerd."""

    NEW = "nieuw"
    ASSIGNED = "toegewezen"
    FILED = "overgenomen in HIS"
    ARCHIVED = "gearchiveerd"


class LetterSource(enum.StrEnum):
    """How a letter came in."""

    IMAP = "e-mail"
    FOLDER = "map"
    DROPPED = "gesleept"
    IMPORTED = "bestand"
    PHONE = "telefoon"


class SourceKind(enum.StrEnum):
    """A source gpdesk fetches from by itself."""

    IMAP = "imap"
    FOLDER = "map"


class Letter(Base):
    """One thing that came in, from received to filed and, after retention, forgotten.

    ``quarantine_reason`` is set when the file could not be read safely: it is kept (``raw``)
    but never opened or previewed, and the beheerder sees the reason. ``kind`` is gpdesk's
    suggestion until ``kind_confirmed``; ``patient_id`` likewise until ``match_confirmed``
    (a reference found in the letter links ``signal_id`` and confirms at once).
    """

    __tablename__ = "letter"
    __table_args__ = (
        # The inbox's first page: "nieuw" first, newest first, per state.
        Index("ix_letter_state_received", "state", "received_at"),
        # The team filter's list of teams, from the index alone.
        Index("ix_letter_team", "team_id", "team_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    source: Mapped[LetterSource] = mapped_column(_enum(LetterSource))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_source.id", ondelete="SET NULL"), default=None
    )
    message_id: Mapped[str | None] = mapped_column(
        String(MESSAGE_ID_LENGTH), unique=True, default=None
    )
    content_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH), unique=True, default=None)
    """SHA-256 of the bytes as received; None for phone feedback, which has none."""
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    file_type: Mapped[str] = mapped_column(String(32))
    """What the bytes were: e-mail, pdf, tekst, edifact, telefoon, onbekend."""
    sender_address: Mapped[str | None] = mapped_column(String(255), default=None)
    sender_name: Mapped[str | None] = mapped_column(String(200), default=None)
    """The team or team member as the letter names them; never the patient."""
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    state: Mapped[LetterState] = mapped_column(_enum(LetterState), index=True)
    kind: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    """A ``gpdesk.inbox.kinds.LetterKind`` value."""
    kind_confirmed: Mapped[bool] = mapped_column(default=False)
    urgent: Mapped[bool] = mapped_column(default=False)
    signature: Mapped[str | None] = mapped_column(String(32), default=None)
    """S/MIME: versleuteld, geverifieerd, niet geverifieerd, ongeldig; None when plain."""
    quarantine_reason: Mapped[str | None] = mapped_column(Text, default=None)
    quarantine_code: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    """Set exactly when ``quarantine_reason`` is: the quarantine filter reads this index."""
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signal.id", ondelete="SET NULL"), default=None, index=True
    )
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id", ondelete="SET NULL"), default=None, index=True
    )
    match_confirmed: Mapped[bool] = mapped_column(default=False)
    team_id: Mapped[str | None] = mapped_column(String(TEAM_ID_LENGTH), default=None, index=True)
    team_name: Mapped[str | None] = mapped_column(String(TEAM_NAME_LENGTH), default=None)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), default=None, index=True
    )
    assignee_role: Mapped[str | None] = mapped_column(String(32), default=None)
    due_on: Mapped[date | None] = mapped_column(default=None)
    """An advice letter is a task for the GP: decide by this day."""
    filed_at: Mapped[datetime | None] = mapped_column(default=None)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    forgotten_at: Mapped[datetime | None] = mapped_column(default=None)
    subject: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    body_text: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    body_html: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """Sanitised HTML (no scripts, nothing remote), sealed."""
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The bytes exactly as received, sealed; the letter itself is never altered. Last in the
    row (as ``data`` of a part): a list reading the subject never reads through it."""

    parts: Mapped[list[LetterPart]] = relationship(
        back_populates="letter",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LetterPart.position",
    )
    events: Mapped[list[LetterEvent]] = relationship(
        back_populates="letter",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LetterEvent.id",
    )


class LetterPart(Base):
    """An attachment, kept whole; opened only when ``safe_to_open`` (never a program or macro).

    ``check_pending``: a PDF stored unchecked (a fetch stores first and reads PDFs right after,
    ``gpdesk.inbox.checking``); never safe to open while it is set.
    """

    __tablename__ = "letter_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(HASH_LENGTH))
    part_kind: Mapped[str] = mapped_column(String(32))
    """pdf, text, html, image, executable, macro_document, archive, other."""
    safe_to_open: Mapped[bool] = mapped_column(default=False)
    problem: Mapped[str | None] = mapped_column(Text, default=None)
    """gpdesk's words about what is wrong with it (encrypted PDF, JavaScript), never content."""
    check_pending: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    filename: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    text: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    letter: Mapped[Letter] = relationship(back_populates="parts")


class LetterEvent(Base):
    """One step of a letter: received, linked, assigned, forwarded, filed, archived, forgotten.

    ``actor_id`` is set for a user, ``actor_label`` names anyone else ("gpdesk"). ``note`` is
    sealed: a forwarding note or what was agreed by phone may say something about the patient.
    """

    __tablename__ = "letter_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    actor_label: Mapped[str | None] = mapped_column(String(200), default=None)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    note: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    letter: Mapped[Letter] = relationship(back_populates="events")


class AnswerKind(enum.StrEnum):
    """What the practice sent back to a team's information request."""

    ANSWER = "antwoord"
    REFUSAL = "weigering"


class RequestAnswer(Base):
    """The practice's reply to one information request (Wmo, Jeugd): an answer or a refusal.

    One per request letter (``letter_id`` is unique): a request is answered once. ``checks``
    holds the LHV checklist as the GP confirmed it (``gpdesk.inbox.requests.checklist.Check``
    values, comma-separated; empty for a refusal); ``consent_id`` the consent an answer rests
    on. ``content`` is the whole message as composed and shown in the preview, sealed: subject,
    body and the PDF letter (``gpdesk.signals.composed.ComposedMessage`` as JSON). What is plain
    identifies no one: the team, when, who, what kind.
    """

    __tablename__ = "request_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    """``IV-2026-000012``: set once the row has its id; the team quotes it."""
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[AnswerKind] = mapped_column(_enum(AnswerKind))
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), default=None, index=True
    )
    team_id: Mapped[str] = mapped_column(String(TEAM_ID_LENGTH))
    team_name: Mapped[str] = mapped_column(String(TEAM_NAME_LENGTH))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id"), default=None)
    checks: Mapped[str] = mapped_column(String(200), default="")
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class InboxSource(Base):
    """A mailbox or drop folder gpdesk fetches letters from.

    IMAP: only TLS or STARTTLS with certificate checks; the password is sealed
    (``inbox_source.password``). ``uidvalidity`` and ``last_uid`` mark how far it was fetched:
    only later messages are asked for, and a message is marked done at the server only after
    it was stored here.
    """

    __tablename__ = "inbox_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind))
    enabled: Mapped[bool] = mapped_column(default=True)
    host: Mapped[str | None] = mapped_column(String(255), default=None)
    port: Mapped[int | None] = mapped_column(default=None)
    security: Mapped[str | None] = mapped_column(String(16), default=None)
    """tls or starttls; never plain."""
    username: Mapped[str | None] = mapped_column(String(255), default=None)
    password: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    folder: Mapped[str | None] = mapped_column(String(255), default=None)
    """The IMAP folder to read (INBOX when None)."""
    ca_file: Mapped[str | None] = mapped_column(Text, default=None)
    move_to: Mapped[str | None] = mapped_column(String(255), default=None)
    """IMAP: move a stored message to this folder; None leaves it (marked as read)."""
    path: Mapped[str | None] = mapped_column(Text, default=None)
    """The drop folder."""
    interval_minutes: Mapped[int] = mapped_column(default=5)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_uid: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_fetch_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    """The Dutch message of the last failed fetch; never names a patient or a password."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
