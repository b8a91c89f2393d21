"""Which reader an item goes to: by its content first, its name second; the limits around it."""

from __future__ import annotations

from gpdesk.inbox.parsing import reasons
from gpdesk.inbox.parsing.files import (
    build_attachment,
    classify,
    is_edifact,
    is_pdf,
    make_attachment,
    pending_pdf,
    safe_filename,
    suffix,
)
from gpdesk.inbox.parsing.mail import looks_like_message, parse_message
from gpdesk.inbox.parsing.model import DEFAULT_LIMITS, Limits, Parsed, ParsedKind, Quarantined
from gpdesk.inbox.parsing.reasons import QuarantineError
from gpdesk.inbox.parsing.text import decode_bytes

__all__ = ["parse_in_process", "sniff"]


def sniff(name: str, raw: bytes) -> ParsedKind:
    """What kind of item this is. ``.eml`` is always read as a message, ``.pdf`` as a PDF."""
    ext = suffix(name)
    if ext == "eml":
        return "email"
    if ext == "pdf" or is_pdf(raw):
        return "pdf"
    if is_edifact(raw):
        return "edifact"
    if ext == "txt":
        return "text"
    if looks_like_message(raw):
        return "email"
    return "file"


def parse_in_process(
    name: str, raw: bytes, limits: Limits = DEFAULT_LIMITS
) -> Parsed | Quarantined:
    """Read one item in this process: only for tests, benchmarks and the parsing process itself.

    The app reads untrusted input with ``parse_file`` (a separate, limited process): a parser
    crash or a memory bomb here would take the caller down with it.
    """
    try:
        if len(raw) > limits.max_bytes:
            raise reasons.too_large(limits)
        if not raw:
            raise reasons.empty()
        kind = sniff(name, raw)
        if kind == "email":
            return parse_message(raw, limits)
        if kind == "pdf":
            return _parse_pdf(name, raw, limits)
        if kind in ("text", "edifact"):
            return _parse_text(kind, raw, limits)
        attachment = build_attachment(
            safe_filename(name, "bestand"), "application/octet-stream", raw, limits
        )
        return Parsed(kind="file", attachments=(attachment,))
    except QuarantineError as error:
        return error.as_result()


def _parse_pdf(name: str, raw: bytes, limits: Limits) -> Parsed:
    """A bare PDF is the letter: a problem with it quarantines the item."""
    from gpdesk.inbox.parsing.pdf import check_pdf

    if not is_pdf(raw):
        raise reasons.not_a_pdf()
    filename = safe_filename(name, "brief.pdf")
    kind, problem = classify(filename, "application/pdf", raw)
    if kind != "pdf":  # a program that carries %PDF- in its first kilobyte
        return Parsed(
            kind="file",
            attachments=(
                make_attachment(
                    filename,
                    "application/pdf",
                    raw,
                    kind=kind,
                    problem=problem,
                    text="",
                    limits=limits,
                ),
            ),
        )
    if limits.defer_pdf_check:  # stored now, checked by the reading pass before any preview
        return Parsed(
            kind="pdf", attachments=(pending_pdf(filename, "application/pdf", raw, limits),)
        )
    report = check_pdf(raw, limits)
    if report.problem is not None:
        raise reasons.pdf_quarantine(report.problem, report.code or "pdf_broken")
    attachment = make_attachment(
        filename, "application/pdf", raw, kind="pdf", problem=None, text=report.text, limits=limits
    )
    return Parsed(kind="pdf", attachments=(attachment,))


def _parse_text(kind: ParsedKind, raw: bytes, limits: Limits) -> Parsed:
    """A .txt or Edifact file: its text is the body (UTF-8, else cp1252; never fails).

    An Edifact interchange (MEDVRI "vrij bericht") comes back as ``kind="edifact"`` with its
    text; the MEDVRI reader takes it from there.
    """
    text = decode_bytes(raw)
    problems: tuple[str, ...] = ()
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        problems = (reasons.NOTE_TEXT_CUT,)
    return Parsed(kind=kind, body_text=text, problems=problems)
