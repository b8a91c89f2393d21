"""The short messages that follow a signal: a cancellation, and a withdrawn consent.

Like the signal's own mail, subject and body name the reference and nothing else: no patient,
no reason (a reason may say something about the patient, and a mail preview shows the body).
The team looks the reference up in its own system; a question goes to the practice by phone
or mail, quoting the reference.
"""

from __future__ import annotations

from gpdesk.signals.outgoing import OutgoingSignal
from gpdesk.transport.message import check_subject

__all__ = ["cancellation_body", "cancellation_subject", "withdrawal_body", "withdrawal_subject"]


def cancellation_subject(reference: str) -> str:
    """``Annulering SIG-2026-000123``."""
    subject = f"Annulering {reference}"
    check_subject(subject)
    return subject


def withdrawal_subject(reference: str) -> str:
    """``Intrekking toestemming SIG-2026-000123``."""
    subject = f"Intrekking toestemming {reference}"
    check_subject(subject)
    return subject


def _closing(signal: OutgoingSignal) -> list[str]:
    practice = signal.practice
    return [
        f"Een vraag? Mail naar {practice.reply_email} of bel {practice.phone}, en noem het "
        f"kenmerk {signal.reference}.",
        "",
        "Met vriendelijke groet,",
        f"{signal.requester.gp_name}, huisarts",
        practice.name,
        "",
        "Dit bericht valt onder het medisch beroepsgeheim.",
    ]


def cancellation_body(signal: OutgoingSignal) -> str:
    """The team is asked to stop: the signal is cancelled by the practice."""
    lines = [
        f"Beste collega’s van {signal.team.name},",
        "",
        f"{signal.practice.name} trekt het signaal met kenmerk {signal.reference} in. "
        "Wilt u er niets meer mee doen?",
        "Heeft u al contact gehad met de patiënt, laat het ons dan weten.",
        "",
        *_closing(signal),
    ]
    return "\n".join(lines) + "\n"


def withdrawal_body(signal: OutgoingSignal) -> str:
    """The patient withdrew consent: stop, and remove what you received (AVG art. 7(3), 17)."""
    lines = [
        f"Beste collega’s van {signal.team.name},",
        "",
        f"De patiënt van het signaal met kenmerk {signal.reference} heeft de toestemming "
        f"ingetrokken om gegevens te delen met {signal.team.organisation.name}.",
        "Wilt u het signaal niet verder behandelen en de gegevens die u van ons kreeg "
        "verwijderen, voor zover de wet dat toelaat?",
        "",
        *_closing(signal),
    ]
    return "\n".join(lines) + "\n"
