"""The answer to an information request, and the refusal: the mail and the PDF letter.

Like a signal's mail, the subject is the reference and nothing else, and the body names no
patient (the team's mail client may show a preview of it): the answer travels in the PDF
attachment, under the S/MIME envelope. The refusal names no patient anywhere: without consent
the practice does not even confirm whom the request is about. It says politely why, and what
the team can do (ask the patient for consent, ask only factual questions).

Pure: the preview (``preview``) and the message the outbox sends (``compose``) come from the
same ``Document``, so the GP reads exactly what leaves the practice. The GP's text is put in
as written, and nothing else of the practice's records is: no privénotitie, no BSN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from gpdesk.letters.document import (
    Block,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Paragraph,
)
from gpdesk.letters.html import to_html
from gpdesk.models.letter import AnswerKind
from gpdesk.signals.composed import ComposedMessage
from gpdesk.signals.consent import dutch_date, local_date
from gpdesk.signals.preview import Preview
from gpdesk.transport.message import Attachment, check_subject

__all__ = [
    "Preview",
    "RequestFacts",
    "compose",
    "letter_filename",
    "mail_body",
    "mail_subject",
    "preview",
    "request_letter",
]

PDF: Final = "application/pdf"
CONFIDENTIAL: Final = "Valt onder het medisch beroepsgeheim"
BODY_PT: Final = 10.5

NOT_SENT_ANSWER: Final = (
    "Niet meegestuurd: BSN, geboortedatum, privénotities, en niets uit het dossier dat u niet "
    "zelf in het antwoord hebt getypt"
)
NOT_SENT_REFUSAL: Final = (
    "Niet meegestuurd: naam, geboortedatum, BSN en elke medische informatie; de brief noemt "
    "de patiënt niet"
)

REFUSAL_REASON: Final = (
    "Wij kunnen uw verzoek helaas niet beantwoorden. Een huisarts geeft medische informatie "
    "alleen met toestemming van de patiënt (Wet op de geneeskundige behandelingsovereenkomst, "
    "artikel 7:457 van het Burgerlijk Wetboek), en dan alleen feiten die nodig zijn voor het "
    "doel van het verzoek. Vragen die om een oordeel vragen, beantwoordt de huisarts niet; "
    "dat oordeel is aan u of aan een onafhankelijk arts."
)
REFUSAL_NEXT: Final = (
    "Wat u kunt doen: vraag de patiënt (of de wettelijk vertegenwoordiger) om toestemming om "
    "medische informatie met u te delen, en laat de patiënt die aan de praktijk geven. Stuur "
    "uw verzoek daarna opnieuw, met het doel erbij en met alleen feitelijke vragen."
)
ANSWER_BASIS: Final = (
    "De patiënt gaf op {given_on} toestemming om medische informatie met {organisation} te "
    "delen. Wij geven alleen feiten die nodig zijn voor het doel van uw verzoek. Vragen die om "
    "een oordeel vragen, beantwoorden wij niet (richtlijn van de LHV)."
)


@dataclass(frozen=True)
class RequestFacts:
    """What an answer or refusal says besides the GP's own text; plain values, nothing sealed.

    ``patient_name`` only for an answer (a refusal names no one; the birth date is not sent:
    the answer replies to the team's own request, which names the patient);
    ``consent_given_on`` the day of the consent an answer rests on.
    """

    reference: str
    team_name: str
    organisation: str
    received_on: date
    letterhead: Letterhead
    gp_name: str
    written_at: datetime
    in_reply_to: str | None = None
    patient_name: str | None = None
    consent_given_on: date | None = None


def mail_subject(kind: AnswerKind, reference: str) -> str:
    """``Antwoord informatieverzoek IV-2026-000012``; the reference only, checked."""
    words = (
        "Antwoord informatieverzoek"
        if kind is AnswerKind.ANSWER
        else "Reactie op informatieverzoek"
    )
    subject = f"{words} {reference}"
    check_subject(subject)
    return subject


def letter_filename(reference: str) -> str:
    """The PDF's name in the team's attachment list: the reference, nothing personal."""
    return f"{reference}.pdf"


def _contact(facts: RequestFacts) -> str:
    head = facts.letterhead
    phone = f" of bel {head.phone}" if head.phone else ""
    return f"Een vraag? Mail naar {head.email}{phone}, en noem het kenmerk {facts.reference}."


def _greeting(facts: RequestFacts) -> str:
    return f"Met vriendelijke groet,\n{facts.gp_name}, huisarts\n{facts.letterhead.practice_name}"


def mail_body(kind: AnswerKind, facts: RequestFacts) -> str:
    """The short plain-text body: what is attached, whom to ask. No patient."""
    what = "ons antwoord op" if kind is AnswerKind.ANSWER else "onze reactie op"
    lines = [
        f"Beste collega’s van {facts.team_name},",
        "",
        f"In de bijlage {letter_filename(facts.reference)} staat {what} uw informatieverzoek "
        f"van {dutch_date(facts.received_on)}.",
        "",
        _contact(facts),
        "",
        *_greeting(facts).splitlines(),
        "",
        "Dit bericht valt onder het medisch beroepsgeheim. Stuur het niet door zonder "
        "toestemming van de patiënt.",
    ]
    return "\n".join(lines) + "\n"


def _recipient(facts: RequestFacts) -> tuple[str, ...]:
    lines = [facts.team_name]
    if facts.organisation.casefold() != facts.team_name.casefold():
        lines.append(facts.organisation)
    return tuple(lines)


def request_letter(kind: AnswerKind, facts: RequestFacts, text: str = "") -> Document:
    """The PDF letter (and the preview): the answer with the GP's ``text``, or the refusal."""
    received = dutch_date(facts.received_on)
    blocks: list[Block]
    if kind is AnswerKind.ANSWER:
        assert facts.patient_name is not None
        assert facts.consent_given_on is not None
        title = f"Antwoord informatieverzoek {facts.reference}"
        subtitle = "Medische informatie, met toestemming van de patiënt"
        blocks = [
            Paragraph(
                f"Beste collega’s, hierbij ons antwoord op uw informatieverzoek van {received}."
            ),
            Heading("Patiënt"),
            Fields((Field("Naam", facts.patient_name),)),
            Heading("Antwoord"),
            Paragraph(text),
            Heading("Waarop dit antwoord rust"),
            Paragraph(
                ANSWER_BASIS.format(
                    given_on=dutch_date(facts.consent_given_on), organisation=facts.organisation
                )
            ),
        ]
    else:
        title = f"Informatieverzoek {facts.reference}"
        subtitle = "Reactie van de huisarts"
        blocks = [
            Paragraph(
                f"Beste collega’s, op {received} ontvingen wij uw verzoek om medische informatie."
            ),
            Paragraph(REFUSAL_REASON),
            Paragraph(REFUSAL_NEXT),
        ]
    blocks += [Paragraph(_contact(facts), muted=True), Paragraph(_greeting(facts))]
    return Document(
        letterhead=facts.letterhead,
        title=title,
        subtitle=subtitle,
        blocks=tuple(blocks),
        date=local_date(facts.written_at),
        recipient=_recipient(facts),
        footer=f"{title} · {CONFIDENTIAL}",
        metadata_title=title,
        body_pt=BODY_PT,
        created_at=facts.written_at,
    )


def preview(kind: AnswerKind, facts: RequestFacts, text: str = "") -> Preview:
    """Everything the preview shows, in the signal preview's shape; cheap (no PDF rendered)."""
    letter = request_letter(kind, facts, text)
    return Preview(
        subject=mail_subject(kind, facts.reference),
        body=mail_body(kind, facts),
        attachment_names=(letter_filename(facts.reference),),
        letter=letter,
        letter_html=to_html(letter),
        not_sent=NOT_SENT_ANSWER if kind is AnswerKind.ANSWER else NOT_SENT_REFUSAL,
    )


def compose(kind: AnswerKind, facts: RequestFacts, text: str = "") -> ComposedMessage:
    """The message the outbox sends: the preview's subject and body, the letter as PDF."""
    from gpdesk.letters.pdf import render_pdf  # reportlab: only when a letter is sent

    pdf = render_pdf(request_letter(kind, facts, text))
    return ComposedMessage(
        subject=mail_subject(kind, facts.reference),
        body=mail_body(kind, facts),
        attachments=(Attachment(letter_filename(facts.reference), pdf, PDF),),
        in_reply_to=facts.in_reply_to,
    )
