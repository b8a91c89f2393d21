"""The e-mail that carries a signal: subject, a short text body, the two attachments.

The subject is ``Signaal SIG-2026-000123`` and nothing else: mail servers, gateways and the
team's inbox list show subjects unprotected, even when the body is S/MIME encrypted. The body
holds no patient data either (the team's mail client may show a preview of it): it points to
the attachments and carries the one-click reply links. The patient's data travel only in the
attachments, the PDF letter and ``signaal.json``, which say the same thing.
"""

from __future__ import annotations

from typing import Final

from gpdesk.letters.pdf import render_pdf
from gpdesk.signals import fhir
from gpdesk.signals.letter import signal_letter
from gpdesk.signals.outgoing import OutgoingSignal
from gpdesk.signals.replies import ReplyStatus, reply_mailto
from gpdesk.transport.message import Attachment, check_subject

__all__ = ["attachments", "letter_filename", "mail_body", "mail_subject"]

PDF: Final = "application/pdf"
JSON: Final = "application/fhir+json"


def mail_subject(signal: OutgoingSignal) -> str:
    """``Signaal SIG-2026-000123``; checked like every subject that leaves (no patient data)."""
    subject = f"Signaal {signal.reference}"
    check_subject(subject)
    return subject


def letter_filename(signal: OutgoingSignal) -> str:
    """The PDF's name in the team's attachment list: the reference, nothing personal."""
    return f"{signal.reference}.pdf"


def mail_body(signal: OutgoingSignal) -> str:
    """The short plain-text body: what is attached, how to answer, whom to call. No patient."""
    practice = signal.practice
    reference = signal.reference
    lines = [f"Beste collega’s van {signal.team.name},", ""]
    if signal.urgent:
        lines += ["URGENT: neem vandaag contact op met de patiënt.", ""]
    lines += [
        f"{practice.name} meldt een patiënt bij u aan. Alles staat in de bijlagen:",
        f"- {letter_filename(signal)}: de brief",
        f"- {fhir.FILENAME}: dezelfde gegevens voor uw systeem (FHIR)",
        "",
        "Laat met één klik weten hoe het gaat (er opent een e-mail aan de praktijk; verstuur die):",
    ]
    lines += [
        f"- {status.value}: {reply_mailto(practice.reply_email, reference, status)}"
        for status in ReplyStatus
    ]
    lines += [
        "",
        f"Een vraag of een brief? Mail naar {practice.reply_email} of bel {practice.phone}, "
        f"en noem het kenmerk {reference}.",
        "",
        "Met vriendelijke groet,",
        f"{signal.requester.gp_name}, huisarts",
        practice.name,
        "",
        "Dit bericht valt onder het medisch beroepsgeheim. Stuur het niet door zonder "
        "toestemming van de patiënt.",
    ]
    return "\n".join(lines) + "\n"


def attachments(signal: OutgoingSignal) -> tuple[Attachment, Attachment]:
    """The PDF letter and ``signaal.json``: the same bytes on every try (fixed dates and ids)."""
    return (
        Attachment(letter_filename(signal), render_pdf(signal_letter(signal)), PDF),
        Attachment(fhir.FILENAME, fhir.signal_json(signal), JSON),
    )
