"""One outgoing signal exactly as the wijkteam receives it, and the one way to make it.

``build`` turns what the form (or ``gpdesk signal send``) holds into an ``OutgoingSignal``:
frozen data from which the letter, the e-mail body, the patient handout and ``signaal.json``
are written, so all four say the same thing. It enforces data minimisation (AVG art. 5(1)(c)):

- only the data items that are ticked go in; the question always does;
- the BSN cannot go: ``OutgoingPatient`` has no field for it, whatever the input patient has;
- the privénotitie is an input only so ``build`` can say it stayed behind (``not_sent``);
  it is never copied into the result;
- every item in the message must be covered by the consent it states (``covers`` from
  ``gpdesk.signals.consent``), or by the GP's decision to share without consent.

Nothing here touches a database, a screen or the network. Bad input raises
``ValidationError`` (keyed by the form's Dutch field names) or ``ConsentError``, in plain Dutch
and without repeating patient data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from gpdesk.errors import ValidationError
from gpdesk.models.consent import (
    GROUND_LABELS,
    ConsentMethod,
    DataItem,
    NoConsentGround,
    Purpose,
)
from gpdesk.patients.context import PatientContext
from gpdesk.patients.validation import (
    PHONE_FIELD,
    normalise_name,
    normalise_phone,
    normalise_postcode,
)
from gpdesk.signals.consent import (
    GROUND_EXPLANATIONS,
    MAX_TEXT_LENGTH,
    ConsentError,
    ConsentScope,
    NoConsentRequest,
    OrganisationRef,
    covers,
)

__all__ = [
    "DEFAULT_ITEMS",
    "EMERGENCY_NOTICE",
    "THEMES",
    "ConsentGiven",
    "ConsentStatement",
    "OutgoingPatient",
    "OutgoingSignal",
    "Practice",
    "Requester",
    "Route",
    "SharedWithoutConsent",
    "Team",
    "Theme",
    "WalkInSlot",
    "build",
    "format_reference",
    "not_sent_line",
    "parse_reference",
    "theme",
]

# -- the reference --------------------------------------------------------------------------

REFERENCE_PREFIX: Final = "SIG"
MAX_REFERENCE_NUMBER: Final = 999_999
REFERENCE_PATTERN: Final = re.compile(r"SIG-(\d{4})-(\d{6})")
"""``SIG-2026-000123``: the year the signal was made and its number in that year."""


def format_reference(year: int, number: int) -> str:
    """The signal's reference, e.g. ``format_reference(2026, 123) == "SIG-2026-000123"``."""
    if not 2000 <= year <= 9999:
        raise ValueError(f"year out of range for a reference: {year}")
    if not 1 <= number <= MAX_REFERENCE_NUMBER:
        raise ValueError(f"number out of range for a reference: {number}")
    return f"{REFERENCE_PREFIX}-{year:04d}-{number:06d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, number) of a reference written exactly as ``format_reference`` writes it."""
    match = REFERENCE_PATTERN.fullmatch(text.strip().upper())
    if match is None or int(match.group(2)) == 0:
        return None
    return int(match.group(1)), int(match.group(2))


# -- themes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A convenant theme, as the form offers it and signaal.json codes it.

    ``code`` is stable (stored, sent); ``label`` is what screen and paper show; ``template``
    starts the question when the theme is chosen.
    """

    code: str
    label: str
    template: str = ""


THEMES: Final = (
    Theme(
        "wonen_werk_inkomen_schulden",
        "Wonen, werk, inkomen en schulden",
        "Patiënt heeft zorgen over geld, werk of wonen: … Vraag aan het team: meekijken naar "
        "de situatie en helpen met de volgende stap.",
    ),
    Theme(
        "jeugd_opvoeding",
        "Jeugd en opvoeding",
        "Zorgen over het kind of over de opvoeding: … Ouders willen hulp bij: …",
    ),
    Theme(
        "verslaving",
        "Verslaving",
        "Patiënt wil hulp bij gebruik van …. Al geprobeerd: …",
    ),
    Theme(
        "sociaal_netwerk",
        "Sociaal netwerk",
        "Patiënt heeft weinig mensen om zich heen om op terug te vallen. Vraag: hulp bij …",
    ),
    Theme(
        "eigen_gezondheid",
        "Eigen regie over gezondheid",
        "Patiënt wil beter voor de eigen gezondheid zorgen (bewegen, eten, dagritme). Vraag: …",
    ),
    Theme(
        "eenzaamheid",
        "Eenzaamheid",
        "Patiënt voelt zich eenzaam en wil graag meer contact met anderen. Interesses: …",
    ),
    Theme(
        "mantelzorg",
        "Mantelzorg",
        "Patiënt zorgt voor … en raakt overbelast. Vraag: ondersteuning of respijtzorg.",
    ),
    Theme(
        "ouderen",
        "Ouderen",
        "Oudere patiënt redt het thuis steeds minder goed: … Vraag: kijken wat nodig is om "
        "thuis te kunnen blijven wonen.",
    ),
    Theme(
        "huiselijk_geweld",
        "Huiselijk geweld",
        "Zorgen over de veiligheid thuis: … Wie woont er in huis: … Vraag: …",
    ),
    Theme(
        "multiproblematiek",
        "Meerdere problemen tegelijk",
        "Problemen op meerdere gebieden: … Vraag: één plan en één vast aanspreekpunt.",
    ),
    Theme(
        "ggz",
        "Psychische klachten (GGZ)",
        "Patiënt heeft psychische klachten: … Vraag: hulp in de wijk naast de zorg van de "
        "huisarts.",
    ),
)
"""The convenant list (Schiedam GP–WOT convenant, LHV/VNG themes), in the form's order. A
practice may configure its own list in Beheer later; the codes here stay stable."""

THEME_FIELD: Final = "themas"
QUESTION_FIELD: Final = "vraag"
ROUTE_FIELD: Final = "route"
TEAM_FIELD: Final = "team"
ITEMS_FIELD: Final = "gegevens"
NAME_FIELD: Final = "naam"
REQUESTER_FIELD: Final = "namens"
PRACTICE_FIELD: Final = "praktijk"
PRIVATE_NOTE_FIELD: Final = "privenotitie"
MEDICAL_FIELD: Final = "medische_informatie"
MAX_QUESTION_LENGTH: Final = MAX_TEXT_LENGTH
MAX_PRIVATE_NOTE_LENGTH: Final = 4000


_UNKNOWN_THEME: Final = "Dit thema bestaat niet (meer). Kies een thema uit de lijst."


def theme(code: str, catalogue: Sequence[Theme] = THEMES) -> Theme:
    """The theme with ``code``; an unknown code is a ValidationError for the form."""
    for known in catalogue:
        if known.code == code:
            return known
    raise ValidationError(
        {THEME_FIELD: "Dit thema bestaat niet (meer). Kies een thema uit de lijst."}
    )


# -- routes ---------------------------------------------------------------------------------


class Route(StrEnum):
    """How the patient meets the team; the value is what a request and signaal.json say."""

    APPOINTMENT = "afspraak"
    WALK_IN = "inloop"
    WARM_HANDOVER = "warm"
    TEAM_CALLS = "bellen"

    @property
    def label(self) -> str:
        """The words on the form and in the letter."""
        return ROUTE_LABELS[self]


ROUTE_LABELS: Final = {
    Route.APPOINTMENT: "afspraak",
    Route.WALK_IN: "inloopspreekuur",
    Route.WARM_HANDOVER: "warme overdracht nu",
    Route.TEAM_CALLS: "het team belt de patiënt",
}

EMERGENCY_NOTICE: Final = (
    "Een signaal is niet voor spoed. Bij acuut gevaar of een crisis belt u zelf: 112, de "
    "crisisdienst of Veilig Thuis (0800 2000)."
)
"""Shown next to "urgent" on the form and printed on an urgent letter."""


# -- the parts of a signal ------------------------------------------------------------------


@dataclass(frozen=True)
class Practice:
    """The sending practice as the letterhead and the reply links name it."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    reply_email: str
    """Where the team's one-click answers go (the inbox reads them)."""
    agb_code: str | None = None


@dataclass(frozen=True)
class Requester:
    """The GP who sends the signal, and who prepared it when that was someone else (NEN 7513)."""

    gp_name: str
    prepared_by: str | None = None
    """E.g. ``"M. Jansen (POH-GGZ)"``: who filled in the form on the GP's behalf."""


@dataclass(frozen=True)
class Team:
    """The receiving team: kaart service id and name, its organisation, named people if known.

    ``organisation`` is what the consent must name. ``phone`` and ``visit_address`` go on the
    patient handout.
    """

    id: str
    name: str
    organisation: OrganisationRef
    contact: str | None = None
    deputy: str | None = None
    phone: str | None = None
    visit_address: str | None = None


@dataclass(frozen=True)
class WalkInSlot:
    """The team's next walk-in hour; ``in_practice`` when the team sits in the practice then."""

    start: datetime
    end: datetime
    label: str
    """As ``gpdesk.kaart.schedule.slot_label`` writes it: "donderdag 26 november 09:00–11:00"."""
    place: str | None = None
    in_practice: bool = False


@dataclass(frozen=True, repr=False)
class OutgoingPatient:
    """What the team learns about the patient; there is no BSN field, on purpose.

    Each field other than the name is None unless its item was ticked.
    """

    name: str
    phone: str | None = None
    postcode: str | None = None
    birth_date: date | None = None

    def __repr__(self) -> str:
        # A repr ends up in logs and tracebacks.
        return "OutgoingPatient(<redacted>)"


@dataclass(frozen=True)
class ConsentGiven:
    """The patient's consent the message rests on (from a stored consent record).

    ``representative_relation`` ("moeder", "mentor") when a legal representative gave or
    co-gave it; their name stays in the practice.
    """

    method: ConsentMethod
    given_on: date
    valid_until: date
    purposes: frozenset[Purpose]
    items: frozenset[DataItem]
    organisations: tuple[OrganisationRef, ...]
    representative_relation: str | None = None

    @classmethod
    def from_scope(
        cls,
        scope: ConsentScope,
        method: ConsentMethod,
        representative_relation: str | None = None,
    ) -> ConsentGiven:
        """From what a consent covers (``find_valid_consent``, a ``ConsentRecord.scope``)."""
        return cls(
            method=method,
            given_on=scope.given_on,
            valid_until=scope.valid_until,
            purposes=scope.purposes,
            items=scope.items,
            organisations=scope.organisations,
            representative_relation=representative_relation,
        )

    def scope(self) -> ConsentScope:
        """As the consent core's scope, for ``covers``."""
        return ConsentScope(
            consent_id=None,
            purposes=self.purposes,
            organisations=self.organisations,
            items=self.items,
            given_on=self.given_on,
            valid_until=self.valid_until,
        )


@dataclass(frozen=True)
class SharedWithoutConsent:
    """A GP's recorded decision to share without consent: the ground and why (stated in full)."""

    ground: NoConsentGround
    reason: str
    items: frozenset[DataItem]
    decided_by: str

    @classmethod
    def from_request(cls, request: NoConsentRequest, decided_by: str) -> SharedWithoutConsent:
        """From a request that ``check_no_consent`` accepted."""
        if request.ground is None:
            raise ValueError("a decision without a ground cannot be stated")
        return cls(request.ground, request.reason, frozenset(request.items), decided_by)

    @property
    def ground_label(self) -> str:
        """The ground in words: vitaal belang, or wettelijke plicht."""
        return GROUND_LABELS[self.ground]

    @property
    def ground_explanation(self) -> str:
        """What the ground means, in a sentence fragment."""
        return GROUND_EXPLANATIONS[self.ground]


ConsentStatement = ConsentGiven | SharedWithoutConsent


@dataclass(frozen=True, repr=False)
class OutgoingSignal:
    """Everything that leaves the practice with one signal, and nothing else.

    ``items`` are the data items in the message (always the name and the question);
    ``not_sent`` names, in Dutch, what the practice holds but did not send, for the preview's
    "Niet meegestuurd: …" line. ``medical`` is only set when medische informatie was ticked.
    """

    reference: str
    created_at: datetime
    practice: Practice
    requester: Requester
    team: Team
    patient: OutgoingPatient
    themes: tuple[Theme, ...]
    question: str
    route: Route
    walk_in: WalkInSlot | None
    urgent: bool
    consent: ConsentStatement
    items: frozenset[DataItem]
    not_sent: tuple[str, ...]
    medical: str | None = None

    def __repr__(self) -> str:
        return f"OutgoingSignal({self.reference})"


# -- building -------------------------------------------------------------------------------

DEFAULT_ITEMS: Final = frozenset(
    {DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION}
)
"""What the form ticks by default: what the Schiedam pilot found the team needs."""

NOT_SENT_BSN: Final = "BSN"
NOT_SENT_PRIVATE_NOTE: Final = "privénotitie"
_EMAIL = re.compile(
    r"[A-Za-z0-9._+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
)
"""A plain address, nothing a ``mailto:`` link or a mail header would need to escape."""


def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def _text_block(text: str | None) -> str:
    """Trim each line and drop runs of blank lines, but keep the line breaks of a question."""
    lines = [" ".join(line.split()) for line in (text or "").strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _checked_themes(
    codes: Iterable[str], catalogue: Sequence[Theme], problems: dict[str, str]
) -> tuple[Theme, ...]:
    wanted = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not wanted:
        problems[THEME_FIELD] = "Kies minstens één thema."
        return ()
    known = {t.code: t for t in catalogue}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        problems[THEME_FIELD] = _UNKNOWN_THEME
        return ()
    return tuple(t for t in catalogue if t.code in wanted)


def _checked_patient(
    patient: PatientContext,
    ticked: frozenset[DataItem],
    phone: str | None,
    route: Route | None,
    problems: dict[str, str],
) -> OutgoingPatient:
    name = ""
    try:
        name = normalise_name(patient.name)
    except ValidationError as exc:
        problems.update(exc.problems)
    number: str | None = None
    if DataItem.PHONE in ticked:
        raw = phone if phone is not None and phone.strip() else patient.phone
        if raw is None or not raw.strip():
            problems[PHONE_FIELD] = (
                "Het telefoonnummer ontbreekt. Vul het in, of vink telefoon uit."
                if route is not Route.TEAM_CALLS
                else "Het team belt de patiënt: vul het telefoonnummer in."
            )
        else:
            try:
                number = normalise_phone(raw)
            except ValidationError as exc:
                problems.update(exc.problems)
    elif route is Route.TEAM_CALLS:
        problems[PHONE_FIELD] = "Het team belt de patiënt: vink telefoon aan."
    postcode: str | None = None
    if DataItem.POSTCODE in ticked:
        try:
            postcode = normalise_postcode(patient.postcode)
        except ValidationError as exc:
            problems.update(exc.problems)
    birth_date = patient.birth_date if DataItem.BIRTH_DATE in ticked else None
    return OutgoingPatient(name=name, phone=number, postcode=postcode, birth_date=birth_date)


def _not_sent(
    patient: PatientContext,
    items: frozenset[DataItem],
    private_note: str,
    medical: str,
) -> tuple[str, ...]:
    """What the practice holds and left out, in the order of the form."""
    left: list[str] = [NOT_SENT_BSN]
    held = {
        DataItem.PHONE: bool(patient.phone),
        DataItem.POSTCODE: bool(patient.postcode),
        DataItem.BIRTH_DATE: True,
        DataItem.MEDICAL: bool(medical),
    }
    left += [item.label for item, has in held.items() if has and item not in items]
    if private_note:
        left.append(NOT_SENT_PRIVATE_NOTE)
    return tuple(left)


def _check_consent(
    consent: ConsentStatement,
    team: Team,
    items: frozenset[DataItem],
    at: datetime,
) -> None:
    """Every item must be covered; raises ConsentError (or ValidationError) saying what is not."""
    if isinstance(consent, ConsentGiven):
        coverage = covers(consent.scope(), Purpose.REFERRAL, team.organisation, items, at)
        if not coverage.ok:
            raise ConsentError(
                coverage.message,
                hint="Leg een nieuwe toestemming vast die dit dekt, of vink gegevens uit.",
            )
        return
    missing = [item for item in DataItem if item in items and item not in consent.items]
    if missing:
        labels = ", ".join(item.label for item in missing)
        raise ValidationError(
            {
                ITEMS_FIELD: "Het besluit om zonder toestemming te delen dekt niet: "
                f"{labels}. Vink die gegevens uit, of leg het besluit opnieuw vast."
            }
        )


def _checked_texts(
    question: str,
    medical: str | None,
    private_note: str | None,
    ticked: frozenset[DataItem],
    problems: dict[str, str],
) -> tuple[str, str, str]:
    """The question, the medical information and the private note, tidied and measured."""
    text = _text_block(question)
    if not text:
        problems[QUESTION_FIELD] = "Vul de hulpvraag in: wat moet het team weten of doen?"
    elif len(text) > MAX_QUESTION_LENGTH:
        problems[QUESTION_FIELD] = (
            f"De hulpvraag is te lang (hoogstens {MAX_QUESTION_LENGTH} tekens). Kort die in."
        )
    medical_text = _text_block(medical)
    if DataItem.MEDICAL in ticked and not medical_text:
        problems[MEDICAL_FIELD] = (
            "Medische informatie is aangevinkt maar leeg. Vul in wat het team moet weten, "
            "of vink het uit."
        )
    elif len(medical_text) > MAX_TEXT_LENGTH:
        problems[MEDICAL_FIELD] = "De medische informatie is te lang. Kort die in."
    note = (private_note or "").strip()
    if len(note) > MAX_PRIVATE_NOTE_LENGTH:
        problems[PRIVATE_NOTE_FIELD] = "De privénotitie is te lang. Kort die in."
    return text, medical_text, note


def build(
    *,
    reference: str,
    created_at: datetime,
    practice: Practice,
    requester: Requester,
    team: Team,
    patient: PatientContext,
    items: Iterable[DataItem],
    themes: Iterable[str],
    question: str,
    route: Route | str = Route.APPOINTMENT,
    consent: ConsentStatement,
    urgent: bool = False,
    walk_in: WalkInSlot | None = None,
    phone: str | None = None,
    medical: str | None = None,
    private_note: str | None = None,
    catalogue: Sequence[Theme] = THEMES,
) -> OutgoingSignal:
    """Check the form's input and keep only what may leave; every problem at once.

    ``items`` are the ticked data items; the name and the question go always. ``phone``
    replaces the patient's number when the form holds a newer one. ``private_note`` is read
    only to report it in ``not_sent``. ``created_at`` must be aware (the practice's clock).

    Raises:
        ValidationError: bad input, keyed by the form's field names.
        ConsentError: the consent does not hold, or does not cover an item in the message.
    """
    if created_at.tzinfo is None:
        raise ValueError("created_at must be aware")
    problems: dict[str, str] = {}
    parsed = parse_reference(reference)
    if parsed is None:
        raise ValueError(f"not a signal reference: {reference!r}")
    ticked = frozenset(items) | {DataItem.NAME, DataItem.QUESTION}
    try:
        chosen_route = Route(route)
    except ValueError:
        problems[ROUTE_FIELD] = "Kies een route: afspraak, inloop, warme overdracht of bellen."
        chosen_route = None
    chosen_themes = _checked_themes(themes, catalogue, problems)
    outgoing_patient = _checked_patient(patient, ticked, phone, chosen_route, problems)
    text, medical_text, note = _checked_texts(question, medical, private_note, ticked, problems)
    if chosen_route is Route.WALK_IN and walk_in is None:
        problems[ROUTE_FIELD] = (
            "Er is geen volgend inloopspreekuur van dit team bekend. Kies 'afspraak'."
        )
    if not _tidy(team.name) or not _tidy(team.organisation.name):
        problems[TEAM_FIELD] = "Kies het team dat het signaal krijgt."
    if not _tidy(requester.gp_name):
        problems[REQUESTER_FIELD] = "Kies de huisarts namens wie het signaal gaat."
    if not _tidy(practice.name) or not _tidy(practice.phone):
        problems[PRACTICE_FIELD] = (
            "De naam of het telefoonnummer van de praktijk ontbreekt. De beheerder vult die in bij "
            "Beheer > Verzenden > Briefhoofd."
        )
    elif not _EMAIL.fullmatch(practice.reply_email.strip()):
        problems[PRACTICE_FIELD] = (
            "Het e-mailadres van de praktijk voor antwoorden ontbreekt of klopt niet. "
            "De beheerder stelt het in bij Beheer > Verzenden."
        )
    if problems:
        raise ValidationError(problems)
    assert chosen_route is not None
    sent_items = frozenset(ticked)
    _check_consent(consent, team, sent_items, created_at)
    return OutgoingSignal(
        reference=reference,
        created_at=created_at,
        practice=Practice(
            name=_tidy(practice.name),
            address_lines=tuple(_tidy(line) for line in practice.address_lines if _tidy(line)),
            phone=_tidy(practice.phone),
            reply_email=practice.reply_email.strip(),
            agb_code=_tidy(practice.agb_code) or None,
        ),
        requester=Requester(
            gp_name=_tidy(requester.gp_name), prepared_by=_tidy(requester.prepared_by) or None
        ),
        team=team,
        patient=outgoing_patient,
        themes=chosen_themes,
        question=text,
        route=chosen_route,
        walk_in=walk_in if chosen_route is Route.WALK_IN else None,
        urgent=urgent,
        consent=consent,
        items=sent_items,
        not_sent=_not_sent(patient, sent_items, note, medical_text),
        medical=medical_text if DataItem.MEDICAL in sent_items else None,
    )


def not_sent_line(signal: OutgoingSignal) -> str:
    """The preview's line: "Niet meegestuurd: BSN, geboortedatum, privénotitie"."""
    return "Niet meegestuurd: " + ", ".join(signal.not_sent)
