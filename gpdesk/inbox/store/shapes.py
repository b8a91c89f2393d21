"""What the inbox store takes in and gives back: plain, typed, free of the database session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from gpdesk.models import LetterSource, LetterState

MAX_SUBJECT = 998
"""RFC 5322's line limit: a longer subject is cut, the received bytes keep the whole one."""
ANSWERED_STEP = "beantwoord"
REFUSED_STEP = "weigeringsbrief verstuurd"
"""The steps an information request gets when the GP answered it, or refused with a letter."""


@dataclass(frozen=True)
class IncomingPart:
    """An attachment as the parser left it: kept whole, opened only when ``safe_to_open``."""

    filename: str
    content_type: str
    data: bytes
    sha256: str
    part_kind: str
    safe_to_open: bool
    problem: str | None = None
    text: str | None = None
    check_pending: bool = False
    """A PDF stored before its check (``gpdesk.inbox.checking`` checks it right after)."""


@dataclass(frozen=True)
class Quarantine:
    """Why a received file is kept but never opened: gpdesk's words, never the content."""

    reason: str
    code: str


@dataclass(frozen=True)
class Incoming:
    """One received file or message, parsed (or quarantined), ready to be stored once.

    ``raw`` is exactly what came in; everything else is what the parser read from it.
    ``references`` are the signal references found anywhere in it (subject first);
    ``reply_status`` is the word of a one-click answer (``gpdesk.signals.replies``).
    """

    source: LetterSource
    raw: bytes
    file_type: str
    source_id: int | None = None
    message_id: str | None = None
    sender_address: str | None = None
    sender_name: str | None = None
    sent_at: datetime | None = None
    subject: str = ""
    body_text: str = ""
    body_html: str | None = None
    signature: str | None = None
    parts: tuple[IncomingPart, ...] = ()
    quarantine: Quarantine | None = None
    references: tuple[str, ...] = ()
    reply_status: str | None = None
    kind: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Received:
    """What ``receive`` did: stored as a new letter, or found to be one already stored."""

    letter_id: int
    duplicate: bool
    signal_reference: str | None = None
    status_changed: bool = False
    """A one-click answer moved the signal's status."""
    quarantined: bool = False
    """Stored now, in quarantine (a duplicate says nothing about it)."""


@dataclass(frozen=True)
class LetterSummary:
    """A row of the inbox list: plain columns, and the subject opened for this user."""

    id: int
    state: LetterState
    kind: str | None
    source: LetterSource
    received_at: datetime
    subject: str
    sender: str | None
    signal_reference: str | None
    patient_matched: bool
    quarantine_reason: str | None
    urgent: bool = False
    due_on: date | None = None
    filed_at: datetime | None = None
    filed_by: str | None = None
    forgotten: bool = False
    parts: tuple[str, ...] = field(default=())
