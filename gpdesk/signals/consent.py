"""Consent (toestemming): recording it, finding the one that holds, what it covers, withdrawal.

The law this follows (see PRODUCT.md): nothing leaves the practice without the patient's consent
(Wgbo art. 7:457), given per purpose, per organisation and per kind of data (AVG art. 6, 9),
provable later (art. 7(1)) and withdrawable at any time (art. 7(3)). Who gives it depends on the
patient's age on the day it is given (Wgbo art. 7:450, 7:465): under 12 the parents or another
legal representative, from 12 to 15 the child *and* the parents, from 16 the patient, unless the
patient cannot decide for themselves (then the representative). The Autoriteit Persoonsgegevens
template lets a consent hold one year; that is the default and the longest allowed.

The only way around consent is a GP's recorded decision on a legal ground: a vital interest, or a
legal duty such as the meldcode huiselijk geweld (a report to Veilig Thuis). Only a user with the
GP role may take it, and only with a written reason why it is necessary and proportionate.

The rules themselves (``check_draft``, ``check_giver``, ``covers``, ``check_no_consent``) need no
database; the functions that store and read take the caller's session, so what they write and
its audit entry are committed together or not at all. Reading what a consent *covers*
(``find_valid_consent``, ``check_consent``) decrypts nothing and is audited by the action that
relies on it (a send); reading the whole record (``consents_of``) is audited here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models import (
    Consent,
    ConsentMethod,
    ConsentOrganisation,
    DataItem,
    GpRole,
    NoConsentDecision,
    NoConsentGround,
    Patient,
    Purpose,
    Role,
    User,
    utcnow,
)
from gpdesk.models.consent import ORGANISATION_ID_LENGTH, ORGANISATION_NAME_LENGTH
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, PermissionDeniedError, require
from gpdesk.security.sealed import refuse_unless_current, refusing_tampered, state_of

__all__ = [
    "AffectedSignal",
    "ConsentDraft",
    "ConsentError",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentScope",
    "ConsentState",
    "Coverage",
    "DataItem",
    "GpRole",
    "NoConsentGround",
    "NoConsentRequest",
    "OrganisationRef",
    "Purpose",
    "Representative",
    "Withdrawal",
    "WithdrawalHook",
    "WithdrawnConsent",
    "age_on",
    "check_consent",
    "check_draft",
    "check_giver",
    "check_no_consent",
    "consents_of",
    "covers",
    "find_valid_consent",
    "one_year_after",
    "record_consent",
    "record_without_consent",
    "withdraw_consent",
]

LOCAL: Final = ZoneInfo("Europe/Amsterdam")
"""Consent is given and expires on the practice's calendar days."""
TEXT_VERSION: Final = "ap-2026-1"
"""Which consent text the patient was shown (``gpdesk.signals.consent_text``); stored with it."""
CHILD_AGE: Final = 12
"""Below this the parents or legal representative consent, not the child."""
ADULT_AGE: Final = 16
"""From this age the patient consents alone (Wgbo: medisch meerderjarig)."""
MIN_REASON_LENGTH: Final = 30
"""A reason for sharing without consent is a few sentences, not a word."""
MAX_TEXT_LENGTH: Final = 2000
MAX_REPRESENTATIVE_NAME: Final = 200
MAX_RELATION: Final = 60

# Problem keys, for a form to put each message next to its field.
PURPOSES_FIELD: Final = "doelen"
ORGANISATIONS_FIELD: Final = "organisaties"
ITEMS_FIELD: Final = "gegevens"
METHOD_FIELD: Final = "wijze"
REPRESENTATIVE_FIELD: Final = "vertegenwoordiger"
GIVEN_ON_FIELD: Final = "datum"
VALID_UNTIL_FIELD: Final = "geldig_tot"
GROUND_FIELD: Final = "grond"
REASON_FIELD: Final = "toelichting"
_FORM_ORDER: Final = (
    PURPOSES_FIELD, ORGANISATIONS_FIELD, ITEMS_FIELD, METHOD_FIELD, REPRESENTATIVE_FIELD,
    GIVEN_ON_FIELD, VALID_UNTIL_FIELD,
)  # fmt: skip


class ConsentError(GpdeskError):
    """What is to be shared is not covered by a valid consent; the message says what is missing."""


class ConsentState(StrEnum):
    """Whether a consent holds at a given moment."""

    VALID = "geldig"
    EXPIRED = "verlopen"
    WITHDRAWN = "ingetrokken"
    NOT_YET = "nog niet ingegaan"


def local_date(moment: datetime) -> date:
    """The practice's calendar day of an aware moment."""
    return moment.astimezone(LOCAL).date()


def dutch_date(day: date) -> str:
    """``03-05-2027``, as the practice writes dates."""
    return day.strftime("%d-%m-%Y")


def one_year_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


# -- what a consent covers ------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRef:
    """An organisation as a consent names it: the kaart id when known, and always the name."""

    name: str
    id: str | None = None

    def same_as(self, other: OrganisationRef) -> bool:
        """The same organisation: by kaart id when both have one, else by name."""
        if self.id and other.id:
            return self.id == other.id
        return _tidy(self.name).casefold() == _tidy(other.name).casefold()


@dataclass(frozen=True)
class ConsentScope:
    """What a consent covers and when it holds; no personal data, so checking needs no key."""

    consent_id: int | None
    purposes: frozenset[Purpose]
    organisations: tuple[OrganisationRef, ...]
    items: frozenset[DataItem]
    given_on: date
    valid_until: date
    withdrawn_at: datetime | None = None

    def state(self, at: datetime) -> ConsentState:
        """Valid, expired, withdrawn or not yet in force at ``at`` (valid through its last day)."""
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return ConsentState.WITHDRAWN
        day = local_date(at)
        if day > self.valid_until:
            return ConsentState.EXPIRED
        if day < self.given_on:
            return ConsentState.NOT_YET
        return ConsentState.VALID

    def covers_organisation(self, organisation: OrganisationRef) -> bool:
        """Whether ``organisation`` is one the patient agreed to."""
        return any(org.same_as(organisation) for org in self.organisations)


@dataclass(frozen=True)
class Coverage:
    """The answer to "may this be shared?": which consent allows it, or what is missing."""

    consent_id: int | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing is missing."""
        return not self.problems

    def __bool__(self) -> bool:
        return self.ok

    @property
    def message(self) -> str:
        """Every problem, as Dutch sentences."""
        return " ".join(self.problems)

    def require(self) -> int:
        """The consent's id, or a ConsentError saying what is missing."""
        if self.problems or self.consent_id is None:
            raise ConsentError(
                self.message or NO_CONSENT,
                hint="Leg een nieuwe toestemming vast die dit dekt, of deel minder gegevens.",
            )
        return self.consent_id


NO_CONSENT: Final = "Er is geen toestemming van de patiënt vastgelegd."


def _quoted(labels: Iterable[str]) -> str:
    parts = [f"'{label}'" for label in labels]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def covers(
    consent: ConsentScope | None,
    purpose: Purpose,
    organisation: OrganisationRef,
    items: Iterable[DataItem],
    at: datetime,
) -> Coverage:
    """Whether ``consent`` allows sharing ``items`` with ``organisation`` for ``purpose`` at ``at``.

    A consent that does not hold (none, withdrawn, expired, not yet) gets that one reason; one
    that holds gets every gap: purpose, organisation, data items.
    """
    if consent is None:
        return Coverage(None, (NO_CONSENT,))
    state = consent.state(at)
    if state is ConsentState.WITHDRAWN:
        assert consent.withdrawn_at is not None
        when = dutch_date(local_date(consent.withdrawn_at))
        return Coverage(consent.consent_id, (f"De toestemming is ingetrokken op {when}.",))
    if state is ConsentState.EXPIRED:
        when = dutch_date(consent.valid_until)
        return Coverage(consent.consent_id, (f"De toestemming is verlopen na {when}.",))
    if state is ConsentState.NOT_YET:
        when = dutch_date(consent.given_on)
        return Coverage(consent.consent_id, (f"De toestemming geldt pas vanaf {when}.",))
    problems = []
    if purpose not in consent.purposes:
        problems.append(f"De toestemming dekt het doel '{purpose.label}' niet.")
    if not consent.covers_organisation(organisation):
        problems.append(f"De toestemming geldt niet voor '{_tidy(organisation.name)}'.")
    wanted = set(items)
    missing = [item for item in DataItem if item in wanted and item not in consent.items]
    if missing:
        problems.append(f"De toestemming dekt {_quoted(i.label for i in missing)} niet.")
    return Coverage(consent.consent_id, tuple(problems))


def best_coverage(
    scopes: Sequence[ConsentScope],
    purpose: Purpose,
    organisation: OrganisationRef,
    items: Iterable[DataItem],
    at: datetime,
) -> Coverage:
    """Across a patient's consents (newest first): one that allows it, else the nearest miss.

    The nearest miss is the newest consent that holds and names the organisation, else the
    newest that holds, else the newest of all (which says it was withdrawn or expired).
    """
    wanted = tuple(items)
    answers = [(scope, covers(scope, purpose, organisation, wanted, at)) for scope in scopes]
    for _scope, answer in answers:
        if answer.ok:
            return answer
    holding = [(s, a) for s, a in answers if s.state(at) is ConsentState.VALID]
    for scope, answer in holding:
        if scope.covers_organisation(organisation):
            return answer
    if holding:
        return holding[0][1]
    return answers[0][1] if answers else Coverage(None, (NO_CONSENT,))


# -- recording: who gives it, and what ------------------------------------------------------


@dataclass(frozen=True)
class Representative:
    """The legal representative who gave (or co-gave) consent: a parent, guardian or mentor."""

    name: str
    relation: str


@dataclass(frozen=True)
class ConsentDraft:
    """What the form (or a request) says the patient agreed to; checked by ``check_draft``.

    ``given_on`` defaults to today and ``valid_until`` to a year after ``given_on``.
    ``patient_incapable``: the patient cannot decide on this themselves (wilsonbekwaam), so
    the representative consents for them, also from 12 on.
    """

    purposes: frozenset[Purpose]
    organisations: tuple[OrganisationRef, ...]
    items: frozenset[DataItem]
    method: ConsentMethod
    gp_role: GpRole = GpRole.REFERRER
    representative: Representative | None = None
    patient_incapable: bool = False
    given_on: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class CheckedConsent:
    """A draft that passed every rule, normalised, with its dates filled in."""

    scope: ConsentScope
    method: ConsentMethod
    gp_role: GpRole
    representative: Representative | None
    patient_agreed: bool
    patient_incapable: bool


_REPRESENTATIVE_NEEDED = "Vul naam en relatie van de wettelijk vertegenwoordiger in."


def check_giver(
    age: int,
    method: ConsentMethod,
    representative: Representative | None,
    *,
    patient_incapable: bool = False,
) -> dict[str, str]:
    """The Wgbo's rule on who consents, for a patient of ``age``: the problems, by field.

    Under 12 the representative consents. From 12 to 15 the child and the representative both
    consent: ``method`` is how the child did. From 16 the patient consents, and a representative
    only when the patient cannot decide (``patient_incapable``).
    """
    has_representative = representative is not None
    by_representative = method is ConsentMethod.REPRESENTATIVE
    if age < CHILD_AGE:
        rule = (
            "Onder de 12 jaar geven de ouders of de wettelijk vertegenwoordiger toestemming, "
            "niet het kind zelf."
        )
        wrong_method = not by_representative
        fix_method = "Kies 'via wettelijk vertegenwoordiger'."
        wrong_representative = not has_representative
    elif patient_incapable:
        rule = (
            "Als de patiënt hier zelf niet over kan beslissen, geeft de wettelijk "
            "vertegenwoordiger toestemming."
        )
        wrong_method = not by_representative
        fix_method = "Kies 'via wettelijk vertegenwoordiger'."
        wrong_representative = not has_representative
    elif age < ADULT_AGE:
        rule = (
            "Van 12 tot en met 15 jaar geven het kind én de ouders of de wettelijk "
            "vertegenwoordiger toestemming."
        )
        wrong_method = by_representative
        fix_method = "Kies hoe het kind zelf toestemming gaf: mondeling of schriftelijk."
        wrong_representative = not has_representative
    else:
        rule = "Vanaf 16 jaar geeft de patiënt zelf toestemming."
        wrong_method = by_representative
        fix_method = (
            "Kies 'via wettelijk vertegenwoordiger' alleen als de patiënt hier zelf niet over "
            "kan beslissen, en vink dat aan."
        )
        wrong_representative = has_representative and not by_representative
    problems: dict[str, str] = {}
    if wrong_method:
        problems[METHOD_FIELD] = f"{rule} {fix_method}"
    if wrong_representative:
        if age >= ADULT_AGE and not patient_incapable:
            fix = (
                "Laat de vertegenwoordiger leeg, of vink aan dat de patiënt hier zelf niet "
                "over kan beslissen."
            )
        else:
            fix = _REPRESENTATIVE_NEEDED
        problems[REPRESENTATIVE_FIELD] = fix if wrong_method else f"{rule} {fix}"
    return problems


def _checked_representative(
    given: Representative | None, problems: dict[str, str]
) -> Representative | None:
    if given is None:
        return None
    name, relation = _tidy(given.name), _tidy(given.relation)
    if not name and not relation:
        return None
    if not name or not relation:
        problems[REPRESENTATIVE_FIELD] = _REPRESENTATIVE_NEEDED
    elif len(name) > MAX_REPRESENTATIVE_NAME or len(relation) > MAX_RELATION:
        problems[REPRESENTATIVE_FIELD] = (
            "De naam of de relatie van de vertegenwoordiger is te lang. Kort die in."
        )
    return Representative(name, relation)


def _checked_organisations(
    given: Iterable[OrganisationRef], problems: dict[str, str]
) -> tuple[OrganisationRef, ...]:
    kept: list[OrganisationRef] = []
    for org in given:
        name = _tidy(org.name)
        if not name:
            problems[ORGANISATIONS_FIELD] = "Een organisatie heeft geen naam. Vul die in."
            continue
        if len(name) > ORGANISATION_NAME_LENGTH or len(org.id or "") > ORGANISATION_ID_LENGTH:
            problems[ORGANISATIONS_FIELD] = "De naam van een organisatie is te lang."
            continue
        ref = OrganisationRef(name=name, id=org.id or None)
        if not any(ref.same_as(other) for other in kept):
            kept.append(ref)
    if not kept and ORGANISATIONS_FIELD not in problems:
        problems[ORGANISATIONS_FIELD] = (
            "Kies minstens één organisatie waarvoor de toestemming geldt."
        )
    return tuple(kept)


def _checked_dates(draft: ConsentDraft, today: date, problems: dict[str, str]) -> tuple[date, date]:
    given_on = draft.given_on or today
    longest = one_year_after(given_on)
    valid_until = draft.valid_until or longest
    if given_on > today:
        problems[GIVEN_ON_FIELD] = "De datum van de toestemming ligt in de toekomst."
    if valid_until < given_on:
        problems[VALID_UNTIL_FIELD] = "'Geldig tot' ligt vóór de datum van de toestemming."
    elif valid_until < today:
        problems[VALID_UNTIL_FIELD] = (
            f"Deze toestemming zou al verlopen zijn na {dutch_date(valid_until)}. "
            "Vraag de patiënt opnieuw om toestemming."
        )
    elif valid_until > longest:
        problems[VALID_UNTIL_FIELD] = (
            f"Een toestemming geldt hoogstens een jaar, dus tot en met {dutch_date(longest)}."
        )
    return given_on, valid_until


def check_draft(draft: ConsentDraft, birth_date: date, today: date) -> CheckedConsent:
    """Every rule for a new consent at once; a ValidationError names each problem by field."""
    problems: dict[str, str] = {}
    if not draft.purposes:
        problems[PURPOSES_FIELD] = "Kies minstens één doel van de toestemming."
    organisations = _checked_organisations(draft.organisations, problems)
    if not draft.items:
        problems[ITEMS_FIELD] = "Kies minstens één gegeven dat gedeeld mag worden."
    given_on, valid_until = _checked_dates(draft, today, problems)
    representative = _checked_representative(draft.representative, problems)
    if birth_date > given_on:
        problems[GIVEN_ON_FIELD] = (
            "De datum van de toestemming ligt vóór de geboortedatum van de patiënt. "
            "Controleer de datum."
        )
    else:
        giver = check_giver(
            age_on(birth_date, given_on),
            draft.method,
            representative,
            patient_incapable=draft.patient_incapable,
        )
        problems = giver | problems  # a half-filled representative keeps its own message
    if problems:
        raise ValidationError({key: problems[key] for key in _FORM_ORDER if key in problems})
    return CheckedConsent(
        scope=ConsentScope(
            consent_id=None,
            purposes=frozenset(draft.purposes),
            organisations=organisations,
            items=frozenset(draft.items),
            given_on=given_on,
            valid_until=valid_until,
        ),
        method=draft.method,
        gp_role=draft.gp_role,
        representative=representative,
        patient_agreed=draft.method is not ConsentMethod.REPRESENTATIVE,
        patient_incapable=draft.patient_incapable,
    )


# -- storing and reading --------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRecord:
    """A stored consent with everything needed to prove it, decrypted (hand to the UI as is)."""

    scope: ConsentScope
    patient_id: int
    method: ConsentMethod
    gp_role: GpRole
    representative: Representative | None
    patient_agreed: bool
    patient_incapable: bool
    text_version: str
    recorded_by: str
    """Who recorded it, as ``H. Bakker (huisarts)``."""
    recorded_at: datetime
    withdrawn_by: str | None = None
    withdrawal_reason: str | None = None

    @property
    def id(self) -> int:
        """The stored consent's id."""
        assert self.scope.consent_id is not None
        return self.scope.consent_id


def _join(values: Iterable[StrEnum]) -> str:
    return ",".join(sorted(v.value for v in values))


def _purposes(text: str) -> frozenset[Purpose]:
    return frozenset(Purpose(v) for v in text.split(",") if v)


def _items(text: str) -> frozenset[DataItem]:
    return frozenset(DataItem(v) for v in text.split(",") if v)


def _scope(row: Consent) -> ConsentScope:
    return ConsentScope(
        consent_id=row.id,
        purposes=_purposes(row.purposes),
        organisations=tuple(
            OrganisationRef(name=org.name, id=org.organisation_id) for org in row.organisations
        ),
        items=_items(row.data_items),
        given_on=row.given_on,
        valid_until=row.valid_until,
        withdrawn_at=row.withdrawn_at,
    )


def _who(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return None if user is None else f"{user.display_name} ({user.role.label})"


def _record(session: Session, vault: Vault, row: Consent) -> ConsentRecord:
    representative = None
    if row.representative_name is not None and row.representative_relation is not None:
        representative = Representative(
            name=vault.open("consent", "representative_name", row.id, row.representative_name),
            relation=vault.open(
                "consent", "representative_relation", row.id, row.representative_relation
            ),
        )
    return ConsentRecord(
        scope=_scope(row),
        patient_id=row.patient_id,
        method=row.method,
        gp_role=row.gp_role,
        representative=representative,
        patient_agreed=row.patient_agreed,
        patient_incapable=row.patient_incapable,
        text_version=row.text_version,
        recorded_by=_who(session, row.recorded_by_id) or "?",
        recorded_at=row.recorded_at,
        withdrawn_by=_who(session, row.withdrawn_by_id),
        withdrawal_reason=(
            None
            if row.withdrawal_reason is None
            else vault.open("consent", "withdrawal_reason", row.id, row.withdrawal_reason)
        ),
    )


def _patient(session: Session, vault: Vault, patient_id: int) -> tuple[Patient, date]:
    """The patient row and birth date; a patient that is not there is a plain refusal."""
    row = session.get(Patient, patient_id)
    if row is None:
        raise GpdeskError(
            "Deze patiënt staat niet (meer) in gpdesk.",
            hint="Open de patiënt opnieuw vanuit het HIS.",
        )
    birth_date = date.fromisoformat(vault.open("patient", "birth_date", row.id, row.birth_date))
    refuse_unless_current(session, vault, "patient", row.id, row.bsn_index.hex())
    return row, birth_date


def _may_record(actor: Actor) -> None:
    """Recording consent belongs to preparing a signal: the GP's own or on a GP's behalf."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    if not (actor.may(Permission.SIGNAL_SEND) or actor.may(Permission.SIGNAL_SEND_ON_BEHALF)):
        require(actor.permissions, Permission.SIGNAL_SEND)


def _scope_detail(scope: ConsentScope) -> str:
    """The audit entry's own words: no patient data (organisations are the kaart's names)."""
    purposes = " en ".join(p.value for p in Purpose if p in scope.purposes)
    organisations = ", ".join(org.name for org in scope.organisations)
    return f"{purposes}; {organisations}; geldig t/m {dutch_date(scope.valid_until)}"


def record_consent(
    session: Session,
    vault: Vault,
    actor: Actor,
    patient_id: int,
    draft: ConsentDraft,
    *,
    now: datetime | None = None,
    on_behalf_of: str | None = None,
) -> ConsentRecord:
    """Check ``draft`` against the patient's age and store it with its audit entry."""
    _may_record(actor)
    moment = now or utcnow()
    with refusing_tampered(session, actor=actor, vault=vault):
        patient, birth_date = _patient(session, vault, patient_id)
    checked = check_draft(draft, birth_date, local_date(moment))
    scope = checked.scope
    representative = checked.representative
    row = Consent(
        patient_id=patient_id,
        purposes=_join(scope.purposes),
        data_items=_join(scope.items),
        method=checked.method,
        patient_agreed=checked.patient_agreed,
        patient_incapable=checked.patient_incapable,
        gp_role=checked.gp_role,
        text_version=TEXT_VERSION,
        given_on=scope.given_on,
        valid_until=scope.valid_until,
        recorded_by_id=actor.user_id,
        recorded_at=moment,
        organisations=[
            ConsentOrganisation(position=n, organisation_id=org.id, name=org.name)
            for n, org in enumerate(scope.organisations)
        ],
    )
    session.add(row)
    session.flush()  # the id first: the representative is sealed for this record
    if representative is not None:
        row.representative_name = vault.seal(
            "consent", "representative_name", row.id, representative.name
        )
        row.representative_relation = vault.seal(
            "consent", "representative_relation", row.id, representative.relation
        )
    audit.record(
        session, event="consent.record", action=audit.Action.CREATE, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="consent", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True, consent=True),
        detail=_scope_detail(scope), on_behalf_of=on_behalf_of, vault=vault,
        state=state_of(session, vault, "consent", row.id),
    )  # fmt: skip
    return _record(session, vault, row)


def _rows(session: Session, patient_id: int) -> list[Consent]:
    """A patient's consents, newest first."""
    query = (
        select(Consent)
        .where(Consent.patient_id == patient_id)
        .options(selectinload(Consent.organisations))
        .order_by(Consent.given_on.desc(), Consent.id.desc())
    )
    return list(session.scalars(query))


def consents_of(
    session: Session, vault: Vault, patient_id: int, *, actor: Actor
) -> list[ConsentRecord]:
    """Every consent of a patient, newest first, withdrawn and expired ones included (audited)."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    with refusing_tampered(session, actor=actor, vault=vault):
        patient, _birth_date = _patient(session, vault, patient_id)
        rows = _rows(session, patient_id)
        for row in rows:
            refuse_unless_current(session, vault, "consent", row.id, patient.bsn_index.hex())
        records = [_record(session, vault, row) for row in rows]
    audit.record(
        session, event="consent.read", action=audit.Action.READ, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="patient", object_id=patient_id,
        vault=vault,
    )  # fmt: skip
    return records


def find_valid_consent(
    session: Session,
    patient_id: int,
    *,
    at: datetime | None = None,
    organisation: OrganisationRef | None = None,
) -> ConsentScope | None:
    """The newest consent that holds at ``at`` (for ``organisation``, when given), or None.

    For prefilling a form's ticks; what it covers is plain data, so nothing is decrypted.
    """
    moment = at or utcnow()
    for row in _rows(session, patient_id):
        scope = _scope(row)
        if scope.state(moment) is not ConsentState.VALID:
            continue
        if organisation is None or scope.covers_organisation(organisation):
            return scope
    return None


def check_consent(
    session: Session,
    patient_id: int,
    purpose: Purpose,
    organisation: OrganisationRef,
    items: Iterable[DataItem],
    *,
    at: datetime | None = None,
) -> Coverage:
    """Whether any of the patient's consents allows this, or what is missing (``covers``)."""
    scopes = [_scope(row) for row in _rows(session, patient_id)]
    return best_coverage(scopes, purpose, organisation, items, at or utcnow())


# -- withdrawal -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawnConsent:
    """What a withdrawal hook is told: which consent, of which patient, covering what."""

    consent_id: int
    patient_id: int
    scope: ConsentScope
    withdrawn_at: datetime
    withdrawn_by: Actor


@dataclass(frozen=True)
class AffectedSignal:
    """A signal a withdrawal touched, and what was done about it (in Dutch, for the user)."""

    reference: str
    outcome: str
    """E.g. "verzenden gestopt" or "intrekking gemeld aan het team"."""


WithdrawalHook = Callable[[Session, WithdrawnConsent], Iterable[AffectedSignal]]
"""Called inside the withdrawal's transaction: stops pending sends, queues withdrawal notices
for signals already sent, and says which signals it touched. Raising undoes the withdrawal."""


@dataclass(frozen=True)
class Withdrawal:
    """The outcome of ``withdraw_consent``: the consent as it is now and the signals it touched."""

    consent: WithdrawnConsent
    affected: tuple[AffectedSignal, ...] = field(default=())


def withdraw_consent(
    session: Session,
    vault: Vault,
    actor: Actor,
    consent_id: int,
    *,
    reason: str = "",
    at: datetime | None = None,
    hooks: Sequence[WithdrawalHook] = (),
) -> Withdrawal:
    """Withdraw a consent from ``at`` on (default now), run ``hooks``, audit it, all at once.

    Withdrawing is as easy as giving (AVG art. 7(3)): anyone who may open the patient may record
    it, and no reason is needed. A consent that was already withdrawn is refused plainly.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    moment = at or utcnow()
    row = session.scalar(
        select(Consent).where(Consent.id == consent_id).options(selectinload(Consent.organisations))
    )
    if row is None:
        raise GpdeskError(
            "Deze toestemming bestaat niet.", hint="Open de patiënt opnieuw en kies de toestemming."
        )
    if row.withdrawn_at is not None:
        raise GpdeskError(
            f"Deze toestemming is al ingetrokken op {dutch_date(local_date(row.withdrawn_at))}.",
        )
    text = _tidy(reason)
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError({REASON_FIELD: "De reden is te lang. Kort die in."})
    patient = session.get(Patient, row.patient_id)
    assert patient is not None  # the foreign key holds it
    with refusing_tampered(session, actor=actor, vault=vault):
        refuse_unless_current(session, vault, "consent", row.id, patient.bsn_index.hex())
    row.withdrawn_at = moment
    row.withdrawn_by_id = actor.user_id
    row.withdrawal_reason = (
        vault.seal("consent", "withdrawal_reason", row.id, text) if text else None
    )
    session.flush()
    withdrawn = WithdrawnConsent(
        consent_id=row.id,
        patient_id=row.patient_id,
        scope=_scope(row),
        withdrawn_at=moment,
        withdrawn_by=actor,
    )
    affected = tuple(signal for hook in hooks for signal in hook(session, withdrawn))
    detail = f"toestemming van {dutch_date(row.given_on)}"
    if affected:
        detail += f"; {len(affected)} {'signaal' if len(affected) == 1 else 'signalen'} geraakt"
    audit.record(
        session, event="consent.withdraw", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="consent", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True), detail=detail, vault=vault,
        state=state_of(session, vault, "consent", row.id),
    )  # fmt: skip
    return Withdrawal(withdrawn, affected)


# -- without consent ------------------------------------------------------------------------


GROUND_EXPLANATIONS: Final = {
    NoConsentGround.VITAL_INTEREST: (
        "vitaal belang: zonder delen dreigt ernstige schade voor de patiënt of een ander, en "
        "toestemming vragen kan niet of maakt het erger"
    ),
    NoConsentGround.LEGAL_DUTY: (
        "wettelijke plicht, bijvoorbeeld de meldcode huiselijk geweld en kindermishandeling "
        "(melding aan Veilig Thuis)"
    ),
}
"""What each ground means, for the form and the printed record."""


@dataclass(frozen=True)
class NoConsentRequest:
    """A GP's decision to share without consent: the ground, the reasoning, with whom, what."""

    ground: NoConsentGround | None
    reason: str
    organisation: OrganisationRef
    items: frozenset[DataItem]
    purpose: Purpose = Purpose.REFERRAL


def check_no_consent(actor: Actor, request: NoConsentRequest) -> NoConsentRequest:
    """Only a GP, only with a ground and a written reason; the request normalised, or a refusal.

    The role is checked, not a permission a practice could grant: the Wgbo puts this decision
    with the doctor, and nobody can take it on a GP's behalf.
    """
    if actor.role is not Role.GP:
        raise PermissionDeniedError(
            "Alleen een huisarts kan besluiten gegevens te delen zonder toestemming.",
            hint="Vraag de huisarts om dit te beslissen en vast te leggen.",
        )
    require(actor.permissions, Permission.PATIENT_OPEN)
    problems: dict[str, str] = {}
    if request.ground is None:
        problems[GROUND_FIELD] = (
            "Kies de grond om zonder toestemming te delen: vitaal belang of wettelijke plicht."
        )
    reason = " ".join(request.reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        problems[REASON_FIELD] = (
            "Schrijf op waarom delen zonder toestemming nodig is en in verhouding staat "
            f"(minstens {MIN_REASON_LENGTH} tekens)."
        )
    elif len(reason) > MAX_TEXT_LENGTH:
        problems[REASON_FIELD] = "De toelichting is te lang. Kort die in."
    kept = _checked_organisations([request.organisation], problems)
    organisation = kept[0] if kept else request.organisation
    if not request.items:
        problems[ITEMS_FIELD] = "Kies welke gegevens gedeeld worden; zo weinig als nodig."
    if problems:
        raise ValidationError(problems)
    return NoConsentRequest(request.ground, reason, organisation, request.items, request.purpose)


def record_without_consent(
    session: Session,
    vault: Vault,
    actor: Actor,
    patient_id: int,
    request: NoConsentRequest,
    *,
    now: datetime | None = None,
) -> int:
    """Store a GP's decision to share without consent, audited with that check; its id.

    The audit entry says consent did not apply (``consent=False``) and, for a vital interest,
    that it was an emergency; its detail names the ground and the organisation.
    """
    checked = check_no_consent(actor, request)
    assert checked.ground is not None
    with refusing_tampered(session, actor=actor, vault=vault):
        patient, _birth_date = _patient(session, vault, patient_id)
    row = NoConsentDecision(
        patient_id=patient_id,
        ground=checked.ground,
        reason=b"",  # sealed below, for the id the flush gives it
        purpose=checked.purpose,
        organisation_id=checked.organisation.id,
        organisation_name=checked.organisation.name,
        data_items=_join(checked.items),
        decided_by_id=actor.user_id,
        decided_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    row.reason = vault.seal("no_consent_decision", "reason", row.id, checked.reason)
    emergency = checked.ground is NoConsentGround.VITAL_INTEREST
    audit.record(
        session, event="consent.none", action=audit.Action.CREATE, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="no_consent_decision",
        object_id=row.id,
        checks=audit.Checks(treatment_relationship=True, consent=False, emergency=emergency),
        detail=f"grond {checked.ground.label}; met {checked.organisation.name}", vault=vault,
        state=state_of(session, vault, "no_consent_decision", row.id),
    )  # fmt: skip
    return row.id
