"""What parsing hands back: a typed, content-free-in-repr result, or a quarantine with a reason.

Everything here crosses the process boundary (see ``wire.py``), so it holds plain values only:
strings, numbers, bytes, aware datetimes and tuples of these. ``repr`` never shows letter
content, so a result that ends up in a log line shows its shape, not a patient's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal, get_args

__all__ = [
    "ATTACHMENT_KINDS",
    "DEFAULT_LIMITS",
    "PARSED_KINDS",
    "Attachment",
    "AttachmentKind",
    "Limits",
    "Parsed",
    "ParsedKind",
    "Quarantined",
    "Sender",
    "SmimeState",
]

_MB = 1024 * 1024

AttachmentKind = Literal[
    "pdf", "text", "html", "image", "edifact", "executable", "macro_document", "archive", "other"
]
"""What an attachment is, decided from its content first and its name second."""

ATTACHMENT_KINDS: tuple[str, ...] = get_args(AttachmentKind)

ParsedKind = Literal["email", "pdf", "text", "edifact", "file"]
"""What the whole item was: a message (RFC 822), a bare PDF, a text or Edifact file, or else."""

PARSED_KINDS: tuple[str, ...] = get_args(ParsedKind)

SmimeState = Literal["encrypted", "signed"]


@dataclass(frozen=True)
class Limits:
    """How much a received item may ask of the practice's computer before it is quarantined.

    Depth counts containers: a leaf inside 20 nested multiparts (or forwarded messages) is at
    depth 20 and allowed, one inside 21 is not. Parts are every MIME entity but the message
    itself. Header bytes count per entity (the message's own headers and each part's).
    """

    max_bytes: int = 25 * _MB
    max_depth: int = 20
    max_parts: int = 100
    max_header_bytes: int = 64 * 1024
    max_text_chars: int = 200_000
    """Body text and each attachment's extracted text are cut here (the data is kept whole)."""
    pdf_max_pages: int = 1_000
    pdf_text_pages: int = 20
    """Text is extracted from the first pages only: enough for matching a reference."""
    pdf_max_objects: int = 250_000
    pdf_max_decoded_bytes: int = 200 * _MB
    """All streams of one PDF together, counted while inflating; a bomb stops at this mark."""
    pdf_max_image_pixels: int = 100_000_000
    timeout_s: float = 30.0
    """Wall-clock time for one item in the child process (its CPU limit follows it)."""
    memory_mb: int = 1024
    """Address-space limit of the child process (Linux; RLIMIT_AS), imports included."""
    defer_pdf_check: bool = False
    """Leave PDFs unchecked (``Attachment.check_pending``): storing a fetch stays fast, and the
    reading pass (``gpdesk.inbox.checking``) checks them right after, before any preview."""


DEFAULT_LIMITS: Final = Limits()


@dataclass(frozen=True)
class Sender:
    """The From header: an address only when it is a plausible one; the name as written."""

    address: str | None
    display_name: str


@dataclass(frozen=True, repr=False)
class Attachment:
    """One file of a letter (or the file itself, for a bare PDF or unknown file).

    ``safe_to_open`` means gpdesk's own viewer for the kind may show it: QtPdf for a PDF, plain
    text for text and Edifact, an image reader for an image, and for HTML only the output of
    ``sanitise_html(data)``. It is never a licence to hand ``data`` to the operating system.
    It is False exactly when ``problem`` says why (in Dutch, for the user and the beheerder).
    ``check_pending``: a PDF read with ``Limits.defer_pdf_check``, not yet checked; then it is
    not safe to open, its problem says it is still being checked, and it has no text.
    """

    filename: str
    content_type: str
    size: int
    sha256: str
    kind: AttachmentKind
    safe_to_open: bool
    text: str
    problem: str | None
    data: bytes = field(compare=False)
    check_pending: bool = False

    def __repr__(self) -> str:
        return (
            f"Attachment(kind={self.kind!r}, size={self.size}, "
            f"safe_to_open={self.safe_to_open}, check_pending={self.check_pending}, "
            f"sha256={self.sha256[:12]}…)"
        )


@dataclass(frozen=True, repr=False)
class Parsed:
    """A received item, read: the envelope, the text to show and match, and the attachments.

    Strings hold no NUL, no other control characters than tab and newline (in texts) and no
    lone surrogates: they fit a PostgreSQL text column and JSON as they are.
    ``problems`` are Dutch notes about things that were wrong but did not stop reading.
    For ``smime == "encrypted"`` (and opaque ``"signed"``) the content is inside
    ``smime_data`` (DER): decrypt or unwrap it and parse the inner MIME again. For a detached
    signature, ``smime_signed_content`` holds the exact bytes that were signed and
    ``smime_data`` the signature; the rest of the result is read from the signed content.
    """

    kind: ParsedKind
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    subject: str | None = None
    sender: Sender | None = None
    sent_at: datetime | None = None
    body_text: str = ""
    body_html_safe: str | None = None
    attachments: tuple[Attachment, ...] = ()
    smime: SmimeState | None = None
    smime_data: bytes | None = field(default=None, compare=False)
    smime_signed_content: bytes | None = field(default=None, compare=False)
    problems: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Parsed(kind={self.kind!r}, attachments={self.attachments!r}, "
            f"smime={self.smime!r}, problems={len(self.problems)})"
        )


@dataclass(frozen=True)
class Quarantined:
    """An item that was kept but not read, with the reason for the beheerder (Dutch).

    ``detail_code`` is stable and English (for filters and tests); the reason names the
    problem, never the content.
    """

    reason: str
    detail_code: str
