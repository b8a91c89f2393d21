"""Finding the signal a letter answers: its reference (``SIG-2026-000123``) wherever it is.

A team quotes the reference in the subject, in the body or in an attached letter, and a reply
from a mail client carries the Message-ID of the signal's mail in In-Reply-To and References
(``<SIG-2026-000123@praktijk.example>``, or ``<SIG-2026-000123.annulering@…>`` for a notice;
see ``gpdesk.transport.message.make_message_id``). Another team that took over after a transfer
quotes the same reference, so a reference links whoever sends it.

What counts as a reference (decided here, tested in ``tests/unit/test_inbox_references.py``):

- ``SIG``, a year and a number, in any letter case: ``SIG-2026-000123``, ``sig-2026-000123``;
- between the parts a hyphen or dash, underscore, dot, slash or white space, including a line
  break where a mail client wrapped the text, or nothing: ``SIG 2026 000123``, ``SIG-2026-``
  at a line end with ``000123`` on the next line, ``SIG2026000123``;
- the number with or without its leading zeros: ``SIG 2026 123`` is ``SIG-2026-000123``
  (people retype a reference that way); at most six digits, and not followed by another digit;
- not glued to a word before it (``XSIG-…`` is not one); the year 2000–2099, number not 0;
- not: white space inside the year or the number (``SIG-2026-012 345``): a short number
  followed by more digits is not read at all, since it is too easily the wrong signal.

Every reference comes back in its one written form (``format_reference``), in the order found:
the texts in the order given (pass the subject first), then by position; each reference once.
"""

from __future__ import annotations

import re
from typing import Final

from gpdesk.signals.outgoing import format_reference

__all__ = ["find_references", "reference_of_message_id"]

_SEPARATOR = r"[\s\-‐‑‒–—_./]{0,3}"
# A six-digit number, or a shorter one that no digit follows (also not after a space).
_NUMBER = r"(?P<number>\d{6}|\d{1,5}(?![ \t]*\d))(?!\d)"
_REFERENCE: Final = re.compile(
    rf"(?<![A-Za-z0-9])SIG{_SEPARATOR}(?P<year>20\d\d){_SEPARATOR}{_NUMBER}", re.IGNORECASE
)
_MESSAGE_ID: Final = re.compile(
    r"<?\s*(?P<reference>SIG-20\d\d-\d{6})(?:\.[a-z]+)?@[^>\s]+\s*>?", re.IGNORECASE
)


def _written_form(year: str, number: str) -> str | None:
    value = int(number)
    return format_reference(int(year), value) if value else None


def find_references(*texts: str) -> list[str]:
    """Every signal reference in ``texts`` (subject, body, attachment text, headers), once each.

    Pass In-Reply-To and References as they are: the Message-IDs gpdesk gave its mails hold
    the reference and are found like any other text.
    """
    found: dict[str, None] = {}
    for text in texts:
        for match in _REFERENCE.finditer(text):
            reference = _written_form(match.group("year"), match.group("number"))
            if reference is not None:
                found.setdefault(reference)
    return list(found)


def reference_of_message_id(message_id: str) -> str | None:
    """The reference of a Message-ID that gpdesk made for a signal's mail or notice, or None.

    Strict: only the exact form ``make_message_id`` writes (``<SIG-2026-000123@domain>``,
    with an optional ``.kind`` suffix), so a reply's In-Reply-To maps back to its signal even
    when nothing else in the reply names it.
    """
    match = _MESSAGE_ID.fullmatch(message_id.strip())
    if match is None:
        return None
    year, number = match.group("reference").split("-")[1:]
    return _written_form(year, number)
