"""The preview: exactly what leaves the practice, and what stays.

The letter's HTML comes from the same ``Document`` as the PDF (``gpdesk.letters.html``), so the
user reads what the team will read. Above it the preview names what is *not* sent (the BSN
always; the privénotitie and every data item left unticked): that line is for the user only and
is not part of the letter, since the team has no business knowing that a private note exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpdesk.letters.document import Document
from gpdesk.letters.html import to_html
from gpdesk.signals import fhir
from gpdesk.signals.letter import signal_letter
from gpdesk.signals.mail import letter_filename, mail_body, mail_subject
from gpdesk.signals.outgoing import OutgoingSignal, not_sent_line

__all__ = ["Preview", "preview"]


@dataclass(frozen=True)
class Preview:
    """What a preview screen shows: envelope, letter, and the "niet meegestuurd" line."""

    subject: str
    body: str
    attachment_names: tuple[str, ...]
    letter: Document
    letter_html: str
    not_sent: str


def preview(signal: OutgoingSignal) -> Preview:
    """Everything the preview shows; cheap (no PDF is rendered)."""
    letter = signal_letter(signal)
    return Preview(
        subject=mail_subject(signal),
        body=mail_body(signal),
        attachment_names=(letter_filename(signal), fhir.FILENAME),
        letter=letter,
        letter_html=to_html(letter),
        not_sent=not_sent_line(signal),
    )
