"""The signal on paper: the letter the team receives, and the handout the patient takes home.

Both are ``gpdesk.letters`` Documents built from one ``OutgoingSignal``, so the preview
(``to_html``) and the PDF (``render_pdf``) say exactly the same, and neither can show anything
the signal does not hold: no BSN, no privénotitie.

The letter is written for a wijkteam member: who, what question, how the patient comes, on what
consent, and how to answer (the reference, the one-click reply links). The handout is written
for the patient in plain Dutch (B1): where and when, whom they will meet, what to bring. It
never names the theme: a handout that says "huiselijk geweld" or "schulden" may be found by
someone at home.
"""

from __future__ import annotations

from typing import Final

from gpdesk.letters.document import (
    Block,
    Bullets,
    Content,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Marked,
    Notice,
    Paragraph,
    ReplyLinks,
    Strong,
)
from gpdesk.letters.document import dutch_date as letter_date
from gpdesk.models.consent import DataItem, Purpose
from gpdesk.patients.validation import format_birth_date, format_postcode
from gpdesk.signals.consent import local_date
from gpdesk.signals.outgoing import (
    ConsentGiven,
    OutgoingSignal,
    Route,
    SharedWithoutConsent,
)
from gpdesk.signals.replies import reply_links

__all__ = ["consent_sentence", "letter_title", "patient_handout", "route_sentence", "signal_letter"]

CONFIDENTIAL: Final = "Vertrouwelijk: valt onder het medisch beroepsgeheim"
LETTER_BODY_PT: Final = 10.5
"""Small enough that an ordinary signal, urgent notice and all, fits one page; for professionals."""
HANDOUT_BODY_PT: Final = 12.0
"""As the kaart handout: 12 pt is the usual minimum for patient leaflets."""

BRING: Final = (
    "uw legitimatiebewijs (paspoort, ID-kaart of rijbewijs)",
    "brieven of papieren die over uw vraag gaan",
    "dit papier",
)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def _letterhead(signal: OutgoingSignal) -> Letterhead:
    practice = signal.practice
    return Letterhead(
        practice_name=practice.name,
        address_lines=practice.address_lines,
        phone=practice.phone or None,
        email=practice.reply_email,
        agb_code=practice.agb_code,
    )


def letter_title(signal: OutgoingSignal) -> str:
    """The title, e.g. ``Signaal SIG-2026-000123``; also the PDF's, so never patient data."""
    return f"Signaal {signal.reference}"


def _display_phone(number: str) -> str:
    """``06 12 34 56 78`` / ``010 123 45 67`` style, readable on the phone; foreign as given."""
    if number.startswith("+") or len(number) != 10:
        return number
    if number.startswith(("06", "097")):
        return f"{number[:2]} {number[2:4]} {number[4:6]} {number[6:8]} {number[8:]}"
    return f"{number[:3]} {number[3:6]} {number[6:8]} {number[8:]}"


def _organisation_names(consent: ConsentGiven) -> str:
    return _and([org.name for org in consent.organisations])


def consent_sentence(signal: OutgoingSignal) -> str:
    """The consent statement of the letter: who gave it, when, how, for what, how long.

    Or, without consent, the ground and the GP's reasoning, in full.
    """
    consent = signal.consent
    if isinstance(consent, SharedWithoutConsent):
        return (
            "Gedeeld zonder toestemming van de patiënt; de patiënt weet mogelijk niet van dit "
            "signaal. Besluit van "
            f"{consent.decided_by}, op grond van {consent.ground_explanation}. "
            f"Waarom nodig en in verhouding: {consent.reason}"
        )
    if consent.representative_relation:
        who = f"De wettelijk vertegenwoordiger ({consent.representative_relation})"
        how = ""
    else:
        who = "De patiënt"
        how = f" {consent.method.label}"
    items = _and([item.label for item in DataItem if item in consent.items])
    feedback = (
        "U mag de huisarts laten weten dat u de patiënt helpt en hoe het gaat."
        if Purpose.FEEDBACK in consent.purposes
        else "Voor terugkoppeling over de hulp is geen toestemming: bevestig alleen dat u "
        "het signaal hebt ontvangen."
    )
    return (
        f"{who} gaf op {letter_date(consent.given_on)}{how} toestemming om gegevens te delen "
        f"met {_organisation_names(consent)} voor aanmelding bij het wijkteam. De toestemming "
        f"geldt voor {items}, tot en met {letter_date(consent.valid_until)}. {feedback}"
    )


def route_sentence(signal: OutgoingSignal) -> Content:
    """What the team is asked to do to meet the patient."""
    if signal.route is Route.WALK_IN:
        slot = signal.walk_in
        assert slot is not None  # build requires it
        where = (
            " in de praktijk" if slot.in_practice else (f" naar {slot.place}" if slot.place else "")
        )
        return (
            "Inloopspreekuur: de patiënt komt ",
            Marked(slot.label),
            f"{where}. Komt de patiënt niet, belt u dan de patiënt?",
        )
    if signal.route is Route.WARM_HANDOVER:
        return (
            "Warme overdracht: de huisarts stelt de patiënt nu persoonlijk aan u voor "
            "(in de praktijk of aan de telefoon)."
        )
    if signal.route is Route.TEAM_CALLS:
        return "Het team belt de patiënt, op het telefoonnummer hierboven."
    return (
        "Afspraak: wilt u contact opnemen met de patiënt om een afspraak te maken? "
        "De patiënt verwacht dat."
    )


def _patient_fields(signal: OutgoingSignal) -> Fields:
    patient = signal.patient
    rows = [Field("Naam", Strong(patient.name))]
    if patient.phone:
        rows.append(Field("Telefoon", _display_phone(patient.phone), prominent=True))
    if patient.postcode:
        rows.append(Field("Postcode", format_postcode(patient.postcode)))
    if patient.birth_date:
        rows.append(Field("Geboortedatum", format_birth_date(patient.birth_date)))
    return Fields(tuple(rows))


def _recipient(signal: OutgoingSignal) -> tuple[str, ...]:
    team = signal.team
    lines = [team.name]
    if team.organisation.name.casefold() != team.name.casefold():
        lines.append(team.organisation.name)
    if team.contact:
        lines.append(
            f"t.a.v. {team.contact}" + (f" (vervanger: {team.deputy})" if team.deputy else "")
        )
    return tuple(lines)


def _sender(signal: OutgoingSignal) -> str:
    requester = signal.requester
    text = f"{requester.gp_name}, huisarts"
    if requester.prepared_by:
        text += f" (voorbereid door {requester.prepared_by})"
    return text


def signal_letter(signal: OutgoingSignal) -> Document:
    """The letter (PDF and preview) the team receives; title and PDF metadata hold no patient.

    In the order a team member reads it: who, what, how the patient comes, the one-click
    answers; then the consent it rests on. One page for an ordinary question.
    """
    reference = signal.reference
    practice = signal.practice
    blocks: list[Block] = []
    if signal.urgent:
        blocks.append(Notice((Strong("Urgent: "), "neem vandaag nog contact op met de patiënt.")))
    blocks += [
        Paragraph(
            f"Beste collega’s, wij melden deze patiënt bij u aan. Verwijzer: {_sender(signal)}. "
            f"Noem in elk antwoord het kenmerk {reference}."
        ),
        Heading("Patiënt"),
        _patient_fields(signal),
        Heading("Vraag aan het team"),
        Fields(
            (
                Field("Thema", "; ".join(theme.label for theme in signal.themes)),
                Field("Hulpvraag", signal.question),
                Field("Route", route_sentence(signal)),
            )
        ),
    ]
    if signal.medical:
        blocks += [Heading("Medische informatie"), Paragraph(signal.medical)]
    blocks += [
        Heading("Antwoorden"),
        ReplyLinks(
            "Laat met één klik weten hoe het gaat. Er opent een e-mail aan de praktijk met het "
            "kenmerk erin; verstuur die.",
            reply_links(practice.reply_email, reference),
        ),
        Paragraph(
            f"Een brief of een vraag? Mail naar {practice.reply_email} of bel {practice.phone}.",
            muted=True,
        ),
        Heading("Toestemming"),
        # Without consent the team must not miss it: the patient may not know of this signal.
        Notice(consent_sentence(signal))
        if isinstance(signal.consent, SharedWithoutConsent)
        else Paragraph(consent_sentence(signal)),
    ]
    title = letter_title(signal)
    return Document(
        letterhead=_letterhead(signal),
        title=title,
        subtitle="Aanmelding bij het wijkteam" + (" · urgent" if signal.urgent else ""),
        blocks=tuple(blocks),
        date=local_date(signal.created_at),
        recipient=_recipient(signal),
        footer=f"{title} · {CONFIDENTIAL}",
        metadata_title=title,
        body_pt=LETTER_BODY_PT,
        created_at=signal.created_at,
    )


# -- the patient's handout ------------------------------------------------------------------


def _who_you_meet(signal: OutgoingSignal) -> str:
    team = signal.team
    if not team.contact:
        return f"U spreekt met een medewerker van {team.name}."
    text = f"U spreekt met {team.contact} van {team.name}."
    if team.deputy:
        text += f" Is {team.contact} er niet, dan helpt {team.deputy} u."
    return text


def _what_happens(signal: OutgoingSignal) -> list[Block]:
    team = signal.team
    call_yourself = (
        " Hebt u na een week nog niets gehoord? Bel dan zelf het team; het nummer staat hieronder."
        if team.phone
        else " Hebt u na een week nog niets gehoord? Bel dan de praktijk."
    )
    if signal.route is Route.WALK_IN:
        slot = signal.walk_in
        assert slot is not None
        if slot.in_practice:
            place = "hier in de praktijk" + (f" ({slot.place})" if slot.place else "")
        else:
            place = slot.place or team.visit_address or f"bij {team.name}"
        return [
            Paragraph("Ga naar het inloopspreekuur. U hoeft geen afspraak te maken."),
            Fields((Field("Wanneer", Marked(slot.label)), Field("Waar", place))),
            Paragraph("Het team weet dat u komt. Kunt u niet? Bel het team of de praktijk."),
        ]
    if signal.route is Route.WARM_HANDOVER:
        return [Paragraph("Uw huisarts stelt u vandaag persoonlijk voor aan het team.")]
    if signal.route is Route.TEAM_CALLS:
        return [
            Paragraph(
                f"{team.name} belt u. Neem op, ook als u het nummer niet kent." + call_yourself
            )
        ]
    visit = (
        [Fields((Field("Adres van het team", team.visit_address),))]
        if team.visit_address is not None
        else []
    )
    return [
        Paragraph(f"{team.name} neemt contact met u op om een afspraak te maken." + call_yourself),
        *visit,
    ]


def patient_handout(signal: OutgoingSignal, *, with_name: bool = False) -> Document:
    """The patient's printout at send time; their name on it only when asked (``with_name``)."""
    team = signal.team
    contact: list[Field] = []
    if team.phone:
        contact.append(Field("Telefoon", _display_phone(team.phone), prominent=True))
    contact.append(Field("Kenmerk", signal.reference))
    blocks: list[Block] = []
    if with_name:
        blocks.append(Paragraph(("Voor: ", Strong(signal.patient.name))))
    blocks += [
        Paragraph(
            f"Uw huisarts heeft u aangemeld bij {team.name}. Zij helpen mensen in de wijk met "
            "vragen over hun leven thuis, werk, geld, zorg en contact met anderen."
        ),
        Heading("Wat gebeurt er nu?"),
        *_what_happens(signal),
        Heading("Met wie?"),
        Paragraph(_who_you_meet(signal)),
        Heading("Neem mee"),
        Bullets(BRING),
        Heading(f"Contact met {team.name}"),
        Fields(tuple(contact)),
        Paragraph("Noem het kenmerk als u belt. Dan weten zij meteen over wie het gaat."),
        Notice(
            "Bij spoed of als u zich niet veilig voelt: bel 112. Vragen over uw gezondheid: "
            f"bel de praktijk, {signal.practice.phone}."
        ),
    ]
    return Document(
        letterhead=_letterhead(signal),
        title=f"Uw aanmelding bij {team.name}",
        blocks=tuple(blocks),
        date=local_date(signal.created_at),
        footer=f"{signal.practice.name} · {signal.practice.phone}",
        metadata_title=f"Uw aanmelding bij {team.name}",
        body_pt=HANDOUT_BODY_PT,
        created_at=signal.created_at,
    )
