"""Build the message that leaves the practice, and wrap it in S/MIME when certificates exist.

The result is a :class:`PreparedMessage`: the exact bytes that go on the wire or into the export
folder. Sending bytes, not an EmailMessage, keeps a signature intact (re-serialising a signed
part may fold a header and break it) and lets both channels write the same thing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from cryptography import x509

from gpdesk.errors import ValidationError
from gpdesk.transport import smime

# Headers that stay outside the S/MIME layers: the mail servers route on them.
_ENVELOPE_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References")

_ID_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DOMAIN = re.compile(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)*")

# What would make a subject carry patient data: a nine-digit number (a BSN), a date, a Dutch
# postcode. The caller builds subjects from the reference only; this is the safety net.
_PATIENT_DATA_IN_SUBJECT = (
    re.compile(r"(?<!\d)\d{9}(?!\d)"),
    re.compile(r"(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d)"),
    re.compile(r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"),
    re.compile(r"(?<![\dA-Za-z])[1-9]\d{3}\s?[A-Za-z]{2}(?![A-Za-z])"),
)


@dataclass(frozen=True)
class Attachment:
    """A file that goes with the message (the PDF letter, signaal.json)."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str  # e.g. "application/pdf"


@dataclass(frozen=True)
class PreparedMessage:
    """A message ready for either channel: envelope addresses and the bytes with CRLF ends."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes = field(repr=False)


def make_message_id(reference: str, domain: str) -> str:
    """A Message-ID that is the same on every try, so a retry is recognisably the same message.

    A second message about the same signal (a cancellation, a withdrawal) passes its own
    reference, e.g. ``"SIG-2026-000123.annulering"``.
    """
    if not _ID_PART.fullmatch(reference):
        raise ValueError(f"reference unfit for a Message-ID: {reference!r}")
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"domain unfit for a Message-ID: {domain!r}")
    return f"<{reference}@{domain.lower()}>"


def check_subject(subject: str) -> None:
    """Refuse a subject that looks like it holds a BSN, a date or a postcode, or a line break."""
    if "\r" in subject or "\n" in subject:
        raise ValidationError({"onderwerp": "Het onderwerp mag geen regelovergang bevatten."})
    if any(pattern.search(subject) for pattern in _PATIENT_DATA_IN_SUBJECT):
        raise ValidationError(
            {
                "onderwerp": "Het onderwerp lijkt patiëntgegevens te bevatten (een BSN, datum "
                "of postcode). Er is niets verzonden. Gebruik alleen het kenmerk in het onderwerp."
            }
        )


def build_message(
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    message_id: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    date: datetime | None = None,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """The plain message: headers, a short text body and the attachments.

    ``in_reply_to`` (a Message-ID) makes it a reply the receiver's mail client threads.
    """
    check_subject(subject)
    if not recipients:
        raise ValueError("a message needs at least one recipient")
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
        )
    return message


def _header_block(message: EmailMessage) -> bytes:
    """The routing headers of ``message`` as wire bytes, without the blank line after them."""
    outer = EmailMessage(policy=policy.SMTP)
    for name in _ENVELOPE_HEADERS:
        value = message[name]
        if value is not None:
            outer[name] = value
    return outer.as_bytes().rstrip(b"\r\n") + b"\r\n"


def _content_entity(message: EmailMessage) -> bytes:
    """The MIME entity S/MIME protects: the body and attachments with their Content-* headers."""
    inner = copy.deepcopy(message)
    for name in (*_ENVELOPE_HEADERS, "MIME-Version"):
        del inner[name]
    return inner.as_bytes(policy=policy.SMTP)


def prepare(
    message: EmailMessage,
    *,
    recipient_certificate: x509.Certificate | None = None,
    signer: smime.SigningIdentity | None = None,
    now: datetime | None = None,
) -> PreparedMessage:
    """The bytes to send: plain, signed, encrypted, or signed and then encrypted.

    Certificates are checked here, before any network call: an expired team certificate
    raises :class:`~gpdesk.transport.errors.CertificateError`.
    """
    if recipient_certificate is not None:
        smime.check_recipient(recipient_certificate, now=now)
    if recipient_certificate is None and signer is None:
        data = message.as_bytes(policy=policy.SMTP)
    else:
        entity = _content_entity(message)
        if signer is not None:
            entity = smime.sign(entity, signer, now=now)
        if recipient_certificate is not None:
            entity = smime.envelope(entity, recipient_certificate, now=now)
        data = _header_block(message) + entity
    sender = getaddresses([str(message["From"])])[0][1]
    recipients = tuple(address for _, address in getaddresses([str(message["To"])]))
    return PreparedMessage(
        message_id=str(message["Message-ID"]),
        sender=sender,
        recipients=recipients,
        data=data,
    )
