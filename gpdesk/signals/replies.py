"""The team's one-click answer ("like a like"): ``mailto:`` links out, their subjects back in.

A team member confirms a signal from any mail client by clicking a link in the letter or the
e-mail: it opens a message to the practice's reply address whose subject is the reference and
one word (``SIG-2026-000123 ontvangen``). No account, no portal. The inbox reads such a subject
back with ``parse_reply_subject`` and turns it into a status update of that signal.

The subject carries the reference and the word only, never patient data, like every subject
that leaves the practice.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final
from urllib.parse import quote

from gpdesk.letters.document import Link

__all__ = ["ReplyStatus", "parse_reply_subject", "reply_link", "reply_links", "reply_mailto"]


class ReplyStatus(StrEnum):
    """The words a team can answer with; ``fhir_status`` is the Task status it stands for."""

    RECEIVED = "ontvangen"
    IN_PROGRESS = "in behandeling"
    COMPLETED = "afgerond"
    NOT_REACHED = "niet bereikt"

    @property
    def fhir_status(self) -> str:
        """FHIR Task.status, as GLOSSARY.md maps the signal statuses."""
        return _FHIR_STATUS[self]


_FHIR_STATUS: Final = {
    ReplyStatus.RECEIVED: "received",
    ReplyStatus.IN_PROGRESS: "in-progress",
    ReplyStatus.COMPLETED: "completed",
    ReplyStatus.NOT_REACHED: "failed",
}


def reply_subject(reference: str, status: ReplyStatus) -> str:
    """``SIG-2026-000123 ontvangen``."""
    return f"{reference} {status.value}"


def reply_mailto(address: str, reference: str, status: ReplyStatus) -> str:
    """A ``mailto:`` URL (RFC 6068) with the subject and a two-line body, percent-encoded.

    Spaces become ``%20`` (not ``+``, which mail clients show as a plus sign) and ``&``, ``=``
    and non-ASCII letters are escaped, so every client reads the same subject.
    """
    body = f"Kenmerk: {reference}\r\nStatus: {status.value}\r\n"
    return (
        f"mailto:{quote(address, safe='@')}"
        f"?subject={quote(reply_subject(reference, status), safe='')}"
        f"&body={quote(body, safe='')}"
    )


def reply_link(address: str, reference: str, status: ReplyStatus) -> Link:
    """One answer as a link for a letter: the word, pointing at its ``mailto:``."""
    return Link(status.value, reply_mailto(address, reference, status))


def reply_links(address: str, reference: str) -> tuple[Link, ...]:
    """Every answer, in the order a signal goes through them."""
    return tuple(reply_link(address, reference, status) for status in ReplyStatus)


# Reply and forward prefixes of common mail clients, in Dutch, English and German.
_PREFIXES = re.compile(
    r"^\s*(?:(?:re|aw|antw|antwoord|wg|fw|fwd|doorst|tr)\s*(?:\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)
_REPLY = re.compile(
    r"(?:signaal\s*:?\s*)?"
    r"(?P<reference>SIG-\d{4}-\d{6})"
    r"\s*[:\-–—]?\s*"
    r"(?P<status>ontvangen|in\s+behandeling|afgerond|niet\s+bereikt)"
    r"[\s.!]*",
    re.IGNORECASE,
)


def parse_reply_subject(subject: str) -> tuple[str, ReplyStatus] | None:
    """(reference, status) of a one-click answer's subject, or None for any other subject.

    Tolerates what mail clients and people do to a subject: "Re:", "Antw:" and "Fwd:" in
    front, "Signaal" before the reference, other letter case, extra spaces, a colon or dash
    between reference and word, a full stop at the end. ``subject`` must be decoded already
    (``email.policy.default`` gives a decoded ``str``).
    """
    text = " ".join(_PREFIXES.sub("", subject).split())
    match = _REPLY.fullmatch(text)
    if match is None:
        return None
    status = ReplyStatus(" ".join(match.group("status").lower().split()))
    return match.group("reference").upper(), status
