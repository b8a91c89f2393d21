"""Meld correctie: a prepared e-mail to the service when something on the kaart is wrong.

The kaart is only as good as its last check, and the people who know best are the service's
own. So the screen opens the user's mail client with a short Dutch message: what the user says
is wrong, and what the kaart says now, so the service can answer in one go.

The subject is built from the service's name alone, never from what the user typed: subjects
travel unencrypted and show in every mailbox list. A user may still type patient data in the
text; ``patient_data_problem`` catches the worst case (a BSN) so the screen can refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from gpdesk.kaart.schedule import format_date
from gpdesk.kaart.store.queries import ContactRef, ServiceDetail
from gpdesk.patients.validation import passes_elfproef

MAX_TEXT = 1500
"""Longest user text: mail clients refuse very long mailto: links (Windows stops near 2,000)."""

# Eight or nine digits, maybe grouped ("111 222 333"), not part of a longer number (a phone).
_NINE_DIGITS = re.compile(r"(?<!\d)(?<!\d[ .-])\d(?:[ .-]?\d){7,8}(?![ .-]?\d)")
# "geb. 01-02-1970", "geboren 1/2/70", "geboortedatum: 01.02.1970"; a date alone is often about
# the service ("sinds 1-1-2026") and passes.
_DATE_OF_BIRTH = re.compile(
    r"\b(?:geb\.?|geboren|geboortedatum)\s*:?\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", re.I
)


@dataclass(frozen=True)
class CorrectionMail:
    """A prepared message; ``to`` None when the kaart knows no address for the service."""

    to: str | None
    subject: str
    body: str

    def mailto_url(self) -> str:
        """An RFC 6068 ``mailto:`` link (line breaks as CRLF, everything percent-encoded)."""
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        address = quote(self.to or "", safe="@")
        return (
            f"mailto:{address}?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"
        )


def recipient(detail: ServiceDetail) -> str | None:
    """Where a correction goes: the service's address, else its first named contact's."""
    if detail.email:
        return detail.email
    for contact in (*detail.contacts, *detail.fixed_contacts):
        if contact.email:
            return contact.email
    return None


def subject_for(detail: ServiceDetail) -> str:
    """The subject: the kaart's name of the service only (no patient data, ever)."""
    return f"Correctie sociale kaart: {detail.name}"


def patient_data_problem(text: str) -> str | None:
    """A Dutch reason to refuse ``text`` when it looks like patient data, else None.

    Catches a BSN (nine digits passing the 11-proef, also written with spaces or dots) and
    a date announced as a date of birth; names cannot be recognised, so the dialog asks the
    user not to type them.
    """
    for match in _NINE_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if passes_elfproef(digits.zfill(9)):
            return (
                "Er lijkt een BSN in de tekst te staan. Haal dat weg: dit bericht gaat buiten "
                "de praktijk."
            )
    if _DATE_OF_BIRTH.search(text):
        return (
            "Er lijkt een geboortedatum in de tekst te staan. Haal die weg: dit bericht gaat "
            "buiten de praktijk."
        )
    return None


def _contact_line(contact: ContactRef) -> str:
    parts = [contact.name + (f" ({contact.title})" if contact.title else "")]
    if contact.phone:
        parts.append(f"tel. {contact.phone}")
    if contact.email:
        parts.append(contact.email)
    if contact.deputy is not None:
        parts.append(f"vervanger {contact.deputy.name}")
    return ", ".join(parts)


def current_lines(detail: ServiceDetail) -> list[str]:
    """What the kaart says now, as "- field: value" lines (public data only)."""
    lines = [f"- naam: {detail.name} ({detail.organization})"]
    for phone in detail.phones:
        lines.append(f"- telefoon: {phone.number}")
    if detail.email:
        lines.append(f"- e-mail: {detail.email}")
    for location in detail.locations:
        if location.address:
            lines.append(f"- adres: {location.address}")
    for hours in detail.opening_hours:
        lines.append(f"- tijden: {hours}")
    for contact in detail.contacts:
        lines.append(f"- contactpersoon: {_contact_line(contact)}")
    if detail.assured_date is not None:
        checked = format_date(detail.assured_date, year=True)
        by = f" door {detail.assured_by}" if detail.assured_by else ""
        lines.append(f"- laatst gecontroleerd: {checked}{by}")
    return lines


def build_correction(
    detail: ServiceDetail,
    *,
    what_is_wrong: str,
    reporter: str,
    practice_name: str,
    today: date,
) -> CorrectionMail:
    """The prepared message for ``detail``; ``what_is_wrong`` goes in the body only.

    Raises:
        ValueError: the text is empty (the screen says so before calling).
    """
    text = what_is_wrong.strip()[:MAX_TEXT]
    if not text:
        raise ValueError("empty correction")
    body = "\n".join(
        [
            f"Beste collega's van {detail.organization},",
            "",
            f'In de sociale kaart van {practice_name} staat bij "{detail.name}" iets dat niet '
            "(meer) klopt:",
            "",
            text,
            "",
            "Zo staat het nu bij ons:",
            *current_lines(detail),
            "",
            "Wilt u ons laten weten wat de juiste gegevens zijn? Dan passen wij de kaart aan.",
            "",
            "Met vriendelijke groet,",
            "",
            reporter,
            practice_name,
            format_date(today, year=True),
        ]
    )
    return CorrectionMail(to=recipient(detail), subject=subject_for(detail), body=body)
