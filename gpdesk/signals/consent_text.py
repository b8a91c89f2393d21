"""The consent in words: the printable text the patient reads and signs, and the note for the HIS.

The printable text follows the Autoriteit Persoonsgegevens' model for consent: who asks, about
whom, for what purpose, which data, to which organisation, how long, and how to withdraw, in
plain Dutch (B1). It comes as structure (title, paragraphs, lines to sign) so the one PDF
renderer can print it; ``as_plain_text`` is for a preview and for tests. The HIS note is one
paragraph the practice pastes into its own record to prove the consent there (AVG art. 7(1)); it
never holds the BSN, nor the patient's name (it goes into that patient's own record).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from gpdesk.letters.document import (
    Block,
    Bullets,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Strong,
)
from gpdesk.letters.document import Paragraph as LetterParagraph
from gpdesk.signals.consent import (
    GROUND_EXPLANATIONS,
    TEXT_VERSION,
    ConsentMethod,
    ConsentScope,
    DataItem,
    GpRole,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    dutch_date,
    local_date,
)

__all__ = [
    "ConsentTerms",
    "Paragraph",
    "PrintedText",
    "consent_document",
    "consent_his_note",
    "consent_text",
    "no_consent_his_note",
]


class ConsentTerms(Protocol):
    """What the texts need: a stored ``ConsentRecord`` or a ``CheckedConsent`` not yet stored."""

    @property
    def scope(self) -> ConsentScope:
        """Purposes, organisations, data items and dates."""

    @property
    def method(self) -> ConsentMethod:
        """How it was (or will be) given."""

    @property
    def gp_role(self) -> GpRole:
        """Verwijzer or informant."""

    @property
    def representative(self) -> Representative | None:
        """The legal representative, when one consents."""

    @property
    def patient_agreed(self) -> bool:
        """Whether the patient consents themselves."""


@dataclass(frozen=True)
class Paragraph:
    """A heading (may be empty), its text, and an optional list."""

    heading: str
    text: str
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintedText:
    """A document for the PDF renderer: title, paragraphs, the lines to sign, a small footer.

    ``closing`` is a last word to the reader under the lines to sign; ``footer`` is where the
    text comes from (small print, at the foot of the page).
    """

    title: str
    paragraphs: tuple[Paragraph, ...]
    signatures: tuple[str, ...] = ()
    closing: str = ""
    footer: str = ""

    def as_plain_text(self) -> str:
        """The same document as plain text (preview, tests, a fallback for printing)."""
        lines = [self.title, ""]
        for paragraph in self.paragraphs:
            if paragraph.heading:
                lines.append(paragraph.heading)
            if paragraph.text:
                lines.append(paragraph.text)
            lines += [f"- {bullet}" for bullet in paragraph.bullets]
            lines.append("")
        for signature in self.signatures:
            lines += [f"{signature}: ______________________________", ""]
        if self.closing:
            lines += [self.closing, ""]
        if self.footer:
            lines.append(self.footer)
        return "\n".join(lines).rstrip() + "\n"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def _organisations(orgs: Iterable[OrganisationRef]) -> str:
    return _and([org.name for org in orgs])


_ITEM_WORDS = {
    DataItem.NAME: "uw naam",
    DataItem.PHONE: "uw telefoonnummer",
    DataItem.POSTCODE: "uw postcode",
    DataItem.BIRTH_DATE: "uw geboortedatum",
    DataItem.QUESTION: "uw hulpvraag: waar u hulp bij nodig hebt",
    DataItem.MEDICAL: "medische informatie, alleen wat nodig is voor uw hulpvraag",
}


def _purpose_lines(terms: ConsentTerms, who: str) -> list[str]:
    lines = []
    if Purpose.REFERRAL in terms.scope.purposes:
        if terms.gp_role is GpRole.INFORMANT:
            lines.append(f"Uw huisarts geeft {who} informatie, zodat zij u beter kunnen helpen.")
        else:
            lines.append(f"Uw huisarts meldt u aan bij {who}, zodat zij u kunnen helpen.")
    if Purpose.FEEDBACK in terms.scope.purposes:
        lines.append(
            f"{who} mag uw huisarts laten weten dat zij u helpen, en hoe het gaat. "
            "Zo kan uw huisarts u beter begeleiden."
        )
    return lines


def _giver_text(terms: ConsentTerms) -> str:
    rep = terms.representative
    if rep is None:
        return "U geeft deze toestemming zelf."
    who = f"{rep.name} ({rep.relation})"
    if terms.patient_agreed:
        return (
            f"De patiënt geeft deze toestemming samen met {who}, de wettelijk "
            "vertegenwoordiger. Waar 'u' staat, gaat het over de patiënt."
        )
    return (
        f"{who} geeft deze toestemming namens de patiënt, als wettelijk vertegenwoordiger. "
        "Waar 'u' staat, gaat het over de patiënt."
    )


DATE_LINE = "Datum"
"""The first line of the signatures: where the date goes."""


def _signatures(terms: ConsentTerms) -> tuple[str, ...]:
    lines = [DATE_LINE]
    if terms.patient_agreed:
        lines.append("Handtekening patiënt")
    if terms.representative is not None:
        lines.append(f"Handtekening {terms.representative.relation}")
    return tuple(lines)


def consent_text(
    terms: ConsentTerms,
    *,
    practice_name: str,
    gp_name: str,
    practice_phone: str | None = None,
    patient_name: str | None = None,
    patient_birth_date: date | None = None,
) -> PrintedText:
    """The consent as the patient reads and signs it; blank lines where a detail is not given.

    Never the BSN: it is not shared, so it has no place on the form either.
    """
    scope = terms.scope
    who = _organisations(scope.organisations)
    born = dutch_date(patient_birth_date) if patient_birth_date else "____________"
    call = f"bel de praktijk op {practice_phone}" if practice_phone else "bel de praktijk"
    items = [_ITEM_WORDS[item] for item in DataItem if item in scope.items]
    paragraphs = (
        Paragraph(
            "Waarom vragen wij dit?",
            "Wij willen u helpen door samen te werken met " + who + ". Daarvoor geven wij een "
            "paar gegevens van u door. Dat mag alleen als u daar toestemming voor geeft. U "
            "beslist zelf. Zegt u nee, dan blijft uw huisarts u gewoon helpen.",
        ),
        Paragraph("Wie vraagt uw toestemming?", f"{gp_name}, huisarts bij {practice_name}."),
        Paragraph(
            "Over wie gaat het?",
            "",
            (f"Naam: {patient_name or '______________________________'}", f"Geboortedatum: {born}"),
        ),
        Paragraph("Waarvoor?", "", tuple(_purpose_lines(terms, who))),
        Paragraph(
            "Welke gegevens?",
            "Wij geven alleen deze gegevens door. Uw BSN geven wij nooit door.",
            tuple(items),
        ),
        Paragraph(
            "Aan wie?",
            "Alleen aan deze organisatie(s):",
            tuple(org.name for org in scope.organisations),
        ),
        Paragraph(
            "Hoe lang?",
            f"Deze toestemming geldt van {dutch_date(scope.given_on)} tot en met "
            f"{dutch_date(scope.valid_until)}. Daarna delen wij niets meer zonder dat u "
            "opnieuw toestemming geeft.",
        ),
        Paragraph(
            "Intrekken",
            "U mag uw toestemming altijd intrekken. Zeg het tegen uw huisarts of de assistente, "
            f"of {call}. Vanaf dat moment delen wij niets meer. Wat al is doorgegeven, kunnen "
            f"wij niet terughalen. Wij laten {who} wel weten dat u uw toestemming hebt "
            "ingetrokken.",
        ),
        Paragraph("Wie geeft toestemming?", _giver_text(terms)),
    )
    return PrintedText(
        title="Toestemming om gegevens te delen",
        paragraphs=paragraphs,
        signatures=_signatures(terms),
        closing="Bewaar een kopie voor uzelf.",
        footer=f"Naar het model van de Autoriteit Persoonsgegevens. Tekstversie {TEXT_VERSION}.",
    )


def _given_by(terms: ConsentTerms) -> str:
    rep = terms.representative
    if rep is None:
        return "door de patiënt"
    representative = f"{rep.name} ({rep.relation}, wettelijk vertegenwoordiger)"
    if terms.patient_agreed:
        return f"door de patiënt en {representative}"
    return f"door {representative}"


def consent_his_note(
    terms: ConsentTerms,
    *,
    recorded_by: str,
    recorded_at: datetime,
    withdrawn_at: datetime | None = None,
    withdrawn_by: str | None = None,
) -> str:
    """One paragraph for "Kopieer voor HIS": who, when, how, what, to whom, how long. No BSN.

    ``recorded_by`` as ``H. Bakker (huisarts)``. The how says what was explained: the consent
    text and its version.
    """
    scope = terms.scope
    method = (
        "via de wettelijk vertegenwoordiger"
        if terms.method is ConsentMethod.REPRESENTATIVE
        else terms.method.label
    )
    purposes = "; ".join(p.label for p in Purpose if p in scope.purposes)
    items = ", ".join(i.label for i in DataItem if i in scope.items)
    note = (
        f"Toestemming gegevensdeling (AVG) vastgelegd in gpdesk op "
        f"{dutch_date(local_date(recorded_at))} door {recorded_by}. "
        f"Gegeven op {dutch_date(scope.given_on)}, {method}, {_given_by(terms)}. "
        f"Doel: {purposes}. Organisatie: {_organisations(scope.organisations)}. "
        f"Gegevens: {items}; geen BSN. Rol huisarts: {terms.gp_role.label}. "
        f"Geldig tot en met {dutch_date(scope.valid_until)}. "
        f"Uitleg met de toestemmingstekst (versie {TEXT_VERSION}); intrekken kan altijd."
    )
    if withdrawn_at is not None:
        by = f" door {withdrawn_by}" if withdrawn_by else ""
        note += f" Ingetrokken op {dutch_date(local_date(withdrawn_at))}{by}."
    return note


def no_consent_his_note(request: NoConsentRequest, *, decided_by: str, decided_at: datetime) -> str:
    """One paragraph for the HIS on a decision to share without consent, with the reasoning."""
    ground = request.ground
    grounds = GROUND_EXPLANATIONS[ground] if ground is not None else "geen grond gekozen"
    items = ", ".join(i.label for i in DataItem if i in request.items)
    return (
        f"Gegevens gedeeld zonder toestemming van de patiënt, besloten door {decided_by} op "
        f"{dutch_date(local_date(decided_at))}. Grond: {grounds}. "
        f"Met: {request.organisation.name}. Doel: {request.purpose.label}. "
        f"Gegevens: {items}; geen BSN. Waarom nodig en in verhouding: {request.reason}"
    )


SIGN_HERE = "_" * 40
"""A line to sign or write the date on."""
SHORT_TEXT = 160
"""A section this short goes on one line after its bold heading."""
INLINE_ITEMS = 3
"""A list of at most this many short items (no sentences) reads as one line after its heading:
"Over wie gaat het? Naam: …; Geboortedatum: …". Longer lists (the data items) stay a list."""
MAX_FOOTER = 80
"""The renderer's footer line holds this much next to the page number."""


def _signature_row(line: str) -> Field:
    """A line to sign gets an empty line above it to write in; the date does not need one."""
    if line == DATE_LINE:
        return Field(line, SIGN_HERE)
    return Field(f"\n{line}", f"\n{SIGN_HERE}")


def _one_line(paragraph: Paragraph) -> str | None:
    """The section as one line after its heading, when that reads as clearly; else None.

    A short text, or a short list of a few items that are not sentences (the patient's name
    and birth date, the organisations): items are separated by semicolons, because an
    organisation's name may hold a comma ("Gemeente Schiedam, Sociaal Domein").
    """
    if not paragraph.heading:
        return None
    if not paragraph.bullets:
        return paragraph.text if len(paragraph.text) <= SHORT_TEXT else None
    if len(paragraph.bullets) > INLINE_ITEMS or any(b.endswith(".") for b in paragraph.bullets):
        return None
    line = " ".join(part for part in (paragraph.text, "; ".join(paragraph.bullets)) if part)
    return line if len(line) <= SHORT_TEXT else None


def consent_document(
    text: PrintedText, *, practice_name: str, today: date, practice_phone: str | None = None
) -> Document:
    """The printable consent as a letter ``Document``, for the one renderer (PDF and print).

    The lines to sign become label/value rows with a blank line to write on. The metadata
    title names no patient: it shows in print queues and PDF viewers.
    """
    blocks: list[Block] = []
    for paragraph in text.paragraphs:
        line = _one_line(paragraph)
        if line is not None:  # one line instead of two or three: the consent fits one sheet
            blocks.append(LetterParagraph((Strong(paragraph.heading), " ", line)))
            continue
        if paragraph.heading:
            blocks.append(Heading(paragraph.heading))
        if paragraph.text:
            blocks.append(LetterParagraph(paragraph.text))
        if paragraph.bullets:
            blocks.append(Bullets(paragraph.bullets))
    if text.signatures:
        blocks.append(Heading("Ondertekening"))
        blocks.append(Fields(tuple(_signature_row(line) for line in text.signatures)))
    if text.closing:
        blocks.append(LetterParagraph(text.closing))
    footer = text.footer
    if len(footer) > MAX_FOOTER:
        blocks.append(LetterParagraph(footer, muted=True))  # whole, not cut off at the edge
        footer = ""
    return Document(
        letterhead=Letterhead(practice_name, phone=practice_phone),
        title=text.title,
        blocks=tuple(blocks),
        date=today,
        footer=footer or None,
        metadata_title=text.title,
    )
