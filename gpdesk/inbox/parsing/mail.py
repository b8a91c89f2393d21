"""An RFC 822 message (an .eml file or a message from IMAP) to a ``Parsed``.

Before the standard library's parser sees a byte, a scan of the raw message enforces the limits
it cannot: the header size, and the number of multipart/message containers and boundary lines
(thousands of parts or a very deep nesting would cost the parser memory, time and recursion).
The message is then parsed with the ``compat32`` policy, which never raises on a bad header;
every header is decoded here, leniently, into one clean line.
"""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from gpdesk.inbox.parsing import reasons
from gpdesk.inbox.parsing.files import build_attachment, safe_filename
from gpdesk.inbox.parsing.model import Attachment, Limits, Parsed, Sender, SmimeState
from gpdesk.inbox.parsing.text import (
    decode_bytes,
    decode_header_value,
    html_to_text,
    is_complex_html,
    sanitise_html,
    unescape_surrogates,
)

__all__ = ["looks_like_message", "parse_message"]

_HEADER_END: Final = re.compile(rb"\r?\n\r?\n")
_CONTAINER: Final = re.compile(
    rb"^content-type[ \t]*:[ \t]*(?:\r?\n[ \t]+)?\"?(?:multipart|message)/", re.I | re.M
)
_BOUNDARY: Final = re.compile(
    rb"boundary[ \t]*=[ \t]*(?:\"([^\"\r\n]{1,200})\"|([^;\s\"]{1,200}))", re.I
)
_HEADER_LINE: Final = re.compile(rb"[!-9;-~]{1,76}[ \t]*:")
_KNOWN_HEADERS: Final = frozenset(
    {"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "received",
     "return-path", "sender", "reply-to", "in-reply-to", "references", "cc"}
)  # fmt: skip
_MSG_ID: Final = re.compile(r"<([^<>\s]{1,500})>")
_ADDRESS: Final = re.compile(r"[^@\s<>()\[\],;:\"]{1,128}@[^@\s<>()\[\],;:\"]{1,255}")
_MAX_REFERENCES: Final = 100
_CONTENT_TYPE: Final = re.compile(
    r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}"
)


class _Policy(Compat32):
    """compat32, but 8-bit header bytes come back as text (UTF-8, else cp1252), not as U+FFFD."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return unescape_surrogates(value)


_POLICY: Final = _Policy()


def looks_like_message(raw: bytes) -> bool:
    """Starts with a header line and has at least one header every message has."""
    head = raw[:8192]
    if not _HEADER_LINE.match(head.lstrip(b"\r\n")):
        return False
    block = _HEADER_END.split(head, maxsplit=1)[0]
    names = {line.split(b":", 1)[0].strip().lower() for line in block.splitlines() if b":" in line}
    return any(name.decode("ascii", "replace") in _KNOWN_HEADERS for name in names)


def _prescan(raw: bytes, limits: Limits) -> None:
    """The limits checked on the raw bytes, before the parser builds anything."""
    end = _HEADER_END.search(raw, 0, limits.max_header_bytes + 4)
    header_size = end.start() if end else len(raw)
    if header_size > limits.max_header_bytes:
        raise reasons.headers_too_large(limits)
    allowed_containers = limits.max_parts + 1
    for containers, _ in enumerate(_CONTAINER.finditer(raw), start=1):
        if containers > allowed_containers:
            raise reasons.too_many_parts(limits)
    boundaries: set[bytes] = set()
    for match in _BOUNDARY.finditer(raw):
        boundaries.add(match.group(1) or match.group(2))
        if len(boundaries) > 2 * allowed_containers:
            raise reasons.too_many_parts(limits)
    # Every part starts with a delimiter line and every multipart ends with one.
    allowed_lines = 2 * allowed_containers + limits.max_parts
    lines = 0
    for boundary in boundaries:
        lines += raw.count(b"\n--" + boundary) + raw.startswith(b"--" + boundary)
        if lines > allowed_lines:
            raise reasons.too_many_parts(limits)


def _entities(message: Message, limits: Limits) -> list[tuple[Message, int, bool]]:
    """Every entity with its depth and whether it sits inside a forwarded message."""
    found: list[tuple[Message, int, bool]] = []
    stack: list[tuple[Message, int, bool]] = [(message, 0, False)]
    while stack:
        entity, depth, nested = stack.pop()
        if depth > limits.max_depth:
            raise reasons.too_deep(limits)
        if _header_bytes(entity) > limits.max_header_bytes:
            raise reasons.headers_too_large(limits)
        found.append((entity, depth, nested))
        if len(found) > limits.max_parts + 1:
            raise reasons.too_many_parts(limits)
        if entity.is_multipart():
            payload = entity.get_payload()
            children = payload if isinstance(payload, list) else []
            inner_nested = nested or entity.get_content_maintype() == "message"
            stack.extend(
                (child, depth + 1, inner_nested)
                for child in reversed(children)
                if isinstance(child, Message)
            )
    return found


def _header_bytes(entity: Message) -> int:
    return sum(len(name) + len(str(value)) + 4 for name, value in entity.raw_items())


def _first(message: Message, name: str) -> str | None:
    values = message.get_all(name)
    if not values:
        return None
    return str(values[0])


def _message_ids(value: str | None, limit: int) -> list[str]:
    if not value:
        return []
    return [
        f"<{found}>" for found in _MSG_ID.findall(decode_header_value(value, max_chars=60_000))
    ][:limit]


def _sender(value: str | None) -> Sender | None:
    if value is None:
        return None
    try:
        pairs = getaddresses([value])
    except Exception:  # hostile address lists have raised several kinds in the email package
        pairs = []
    name, address = pairs[0] if pairs else ("", "")
    address = decode_header_value(address, max_chars=400)
    display = decode_header_value(name, max_chars=400) if name else ""
    if not _ADDRESS.fullmatch(address):
        if not display:
            display = decode_header_value(value, max_chars=400)
        return Sender(address=None, display_name=display)
    return Sender(address=address, display_name=display)


def _sent_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(decode_header_value(value, max_chars=200))
    except Exception:  # ValueError, TypeError, IndexError, OverflowError on garbage dates
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _content_type(entity: Message) -> str:
    value = entity.get_content_type().lower()
    return value if _CONTENT_TYPE.fullmatch(value) else "application/octet-stream"


def _payload(entity: Message) -> bytes:
    try:
        data = entity.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep what was there
        data = None
    if isinstance(data, bytes):
        return data
    raw = entity.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(entity: Message) -> str | None:
    try:
        name = entity.get_filename()
    except Exception:  # a broken RFC 2231 parameter
        return None
    return decode_header_value(name, max_chars=500) if name else None


def _charset(entity: Message) -> str | None:
    try:
        return entity.get_content_charset()
    except Exception:
        return None


def _smime_kind(entity: Message) -> SmimeState | None:
    content_type = _content_type(entity)
    if content_type in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        smime_type = str(entity.get_param("smime-type", "") or "").lower()
        if smime_type == "certs-only":
            return None  # a certificate being sent: an ordinary attachment
        return "signed" if "signed" in smime_type else "encrypted"  # absent: an envelope
    if content_type == "multipart/signed":
        protocol = str(entity.get_param("protocol", "") or "").lower()
        if "pkcs7-signature" in protocol:
            return "signed"
    return None


def _signed_content(raw: bytes, boundary: str | None) -> bytes | None:
    """The exact bytes of the first part of a multipart/signed (RFC 1847), as signed."""
    if not boundary:
        return None
    end = _HEADER_END.search(raw)
    if end is None:
        return None
    body = raw[end.end() :]
    delimiter = b"--" + boundary.encode("ascii", "replace")
    first = 0 if body.startswith(delimiter) else body.find(b"\n" + delimiter)
    if first < 0:
        return None
    start = body.find(b"\n", first + 1)
    if start < 0:
        return None
    stop = body.find(b"\n" + delimiter, start)
    if stop < 0:
        return None
    content = body[start + 1 : stop]
    return content[:-1] if content.endswith(b"\r") else content  # its CRLF belongs to the delimiter


def parse_message(raw: bytes, limits: Limits) -> Parsed:
    """The message's envelope, body and checked attachments; raises ``QuarantineError``."""
    _prescan(raw, limits)
    message = email.message_from_bytes(raw, policy=_POLICY)
    if not any(name.lower() in _KNOWN_HEADERS for name in message):
        raise reasons.not_a_message()
    entities = _entities(message, limits)
    problems: list[str] = []
    if any(entity.defects for entity, _, _ in entities):
        problems.append(reasons.NOTE_DEFECTS)

    smime = _smime_kind(message)
    smime_data: bytes | None = None
    signed_content: bytes | None = None
    if smime is not None and message.get_content_maintype() == "application":
        smime_data = _payload(message)
        problems.append(
            reasons.NOTE_SMIME_ENCRYPTED if smime == "encrypted" else reasons.NOTE_SMIME_OPAQUE
        )
        entities = []
    elif smime == "signed":
        parts = message.get_payload()
        if isinstance(parts, list) and len(parts) >= 2 and isinstance(parts[1], Message):
            signature = parts[1]
            smime_data = _payload(signature)
            signed_content = _signed_content(raw, message.get_boundary())
            entities = [item for item in entities if item[0] is not signature]

    body_parts: list[str] = []
    html: str | None = None
    attachments: list[Attachment] = []
    for entity, _depth, nested in entities:
        if entity.is_multipart():
            continue
        content_type = _content_type(entity)
        filename = _filename(entity)
        inline = entity.get_content_disposition() != "attachment" and filename is None
        data = _payload(entity)
        if inline and not nested and content_type == "text/plain":
            body_parts.append(decode_bytes(data, _charset(entity)))
            continue
        if inline and not nested and content_type == "text/html" and html is None:
            html = decode_bytes(data, _charset(entity))
            continue
        number = len(attachments) + 1
        attachments.append(
            build_attachment(
                safe_filename(filename, _fallback_name(number, content_type)),
                content_type,
                data,
                limits,
                charset=_charset(entity),
            )
        )

    body_html_safe = sanitise_html(html).strip() if html is not None else None
    if html is not None and is_complex_html(html):
        problems.append(reasons.NOTE_HTML_AS_TEXT)
    body_text = "\n\n".join(part.strip("\n") for part in body_parts if part.strip())
    if not body_text and html is not None:
        body_text = html_to_text(html)
    if len(body_text) > limits.max_text_chars:
        body_text = body_text[: limits.max_text_chars]
        problems.append(reasons.NOTE_TEXT_CUT)

    message_ids = _message_ids(_first(message, "Message-ID"), 1)
    in_reply_to = _message_ids(_first(message, "In-Reply-To"), 1)
    subject = _first(message, "Subject")
    return Parsed(
        kind="email",
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(_message_ids(_first(message, "References"), _MAX_REFERENCES)),
        subject=decode_header_value(subject, max_chars=1_000) if subject is not None else None,
        sender=_sender(_first(message, "From")),
        sent_at=_sent_at(_first(message, "Date")),
        body_text=body_text,
        body_html_safe=body_html_safe,
        attachments=tuple(attachments),
        smime=smime,
        smime_data=smime_data,
        smime_signed_content=signed_content,
        problems=tuple(dict.fromkeys(problems)),
    )


_EXTENSIONS: Final = {
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/html": "html",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "message/rfc822": "eml",
}


def _fallback_name(number: int, content_type: str) -> str:
    ext = _EXTENSIONS.get(content_type, "bin")
    return f"bijlage-{number}.{ext}"
