"""``signaal.json``: the signal as a FHIR R4 Bundle, for a team whose system reads FHIR.

Built and validated with ``fhir.resources`` (its ``R4B`` package: R4B changed none of the
resources used here, so the JSON is valid R4), never as hand-written dicts.

Bundle type ``collection``, not ``message``: a message bundle needs a MessageHeader naming a
source and destination *endpoint* and an event, and promises FHIR messaging (a response message
back). Neither side has a FHIR endpoint: the bundle travels as an e-mail attachment beside the
PDF, and the team answers by mail (``gpdesk.signals.replies``). A collection is a
self-contained set of resources that a receiving system may import as it likes; the Task in it
carries the workflow (status ``requested``, owner the team).

What is in it:

- ``Task`` (intent order, status requested, code fulfill): focus the ServiceRequest, owner the
  team as a HealthcareService, requester the GP;
- ``ServiceRequest``: the question (note), one category per theme (local CodeSystem), the route
  (orderDetail; the walk-in hour as occurrencePeriod), priority routine or urgent,
  supportingInfo the Consent;
- ``Patient``: name, phone, postal code, birth date only when ticked, and **no identifier**:
  never the BSN;
- ``Consent`` (scope patient-privacy, LOINC 59284-0, policyRule OPTIN, provision permit for the
  team's organisation, the purposes and data items, the validity period);
- the practice (Organization with AGB), the GP (Practitioner), the team (HealthcareService and
  its Organization), and a Provenance naming who prepared it when that was not the GP (NEN 7513
  "namens": agent enterer on behalf of the author).

Shared without consent: there is no Consent resource to point at, because there is none. The
ServiceRequest states it instead: ``reasonCode`` carries the ground as a code of a local
CodeSystem (machine-readable) and a note says it in words with the GP's reasoning, exactly as
the letter does.

The bytes are deterministic: ids are UUIDv5 of the reference, keys are sorted and nothing reads
the clock, so a retry sends an identical attachment.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from html import escape
from typing import Final

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.consent import Consent, ConsentProvision, ConsentProvisionActor
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.narrative import Narrative
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.provenance import Provenance, ProvenanceAgent
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from gpdesk.models.consent import DataItem, Purpose
from gpdesk.signals.letter import consent_sentence
from gpdesk.signals.outgoing import ConsentGiven, OutgoingSignal, SharedWithoutConsent

__all__ = ["FILENAME", "read_bundle", "signal_bundle", "signal_json"]

FILENAME: Final = "signaal.json"

NAMESPACE: Final = "urn:gpdesk:fhir"
"""Root of gpdesk's own code systems and identifier systems. A URN, not an http URL: gpdesk
owns no web address to publish them under, and a URL would suggest one resolves. Changing it
changes every ``signaal.json``; do it once, when there is a published home."""
THEME_SYSTEM: Final = f"{NAMESPACE}:CodeSystem:signaal-thema"
ROUTE_SYSTEM: Final = f"{NAMESPACE}:CodeSystem:signaal-route"
DATA_ITEM_SYSTEM: Final = f"{NAMESPACE}:CodeSystem:gegeven"
PURPOSE_SYSTEM: Final = f"{NAMESPACE}:CodeSystem:toestemming-doel"
GROUND_SYSTEM: Final = f"{NAMESPACE}:CodeSystem:zonder-toestemming-grond"
REFERENCE_SYSTEM: Final = f"{NAMESPACE}:NamingSystem:signaal-kenmerk"
KAART_SYSTEM: Final = f"{NAMESPACE}:NamingSystem:sociale-kaart"
"""The ids of services and organisations in the practice's sociale kaart (HSDS ids)."""

AGB_SYSTEM: Final = "http://fhir.nl/fhir/NamingSystem/agb-z"
SNOMED: Final = "http://snomed.info/sct"
LOINC: Final = "http://loinc.org"
CONSENT_SCOPE: Final = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION: Final = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_ROLE: Final = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
TASK_CODE: Final = "http://hl7.org/fhir/CodeSystem/task-code"

_ID_ROOT: Final = uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}:signaal")


def _uuid(reference: str, part: str) -> str:
    """A fixed id per signal and resource, so the same signal always gives the same bytes."""
    return str(uuid.uuid5(_ID_ROOT, f"{reference}/{part}"))


def _ref(resource: DomainResource) -> Reference:
    return Reference(reference=f"urn:uuid:{resource.id}")


def _coding(system: str, code: str, display: str) -> Coding:
    return Coding(system=system, code=code, display=display)


def _concept(system: str, code: str, display: str, text: str | None = None) -> CodeableConcept:
    return CodeableConcept(coding=[_coding(system, code, display)], text=text)


def _instant(moment: datetime) -> datetime:
    """Whole seconds: the same moment always writes the same text."""
    return moment.replace(microsecond=0)


def _days(first: date, last: date) -> Period:
    """A period of whole days: FHIR dateTime allows a date, the typed constructor does not."""
    return Period.model_validate({"start": first.isoformat(), "end": last.isoformat()})


def _narrative(text: str) -> Narrative:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.split("\n") if line)
    return Narrative(
        status="generated", div=f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>'
    )


def _practice(signal: OutgoingSignal) -> Organization:
    practice = signal.practice
    telecom = [ContactPoint(system="email", value=practice.reply_email, use="work")]
    if practice.phone:
        telecom.insert(0, ContactPoint(system="phone", value=practice.phone, use="work"))
    return Organization(
        id=_uuid(signal.reference, "praktijk"),
        identifier=(
            [Identifier(system=AGB_SYSTEM, value=practice.agb_code)] if practice.agb_code else None
        ),
        name=practice.name,
        telecom=telecom,
        address=[Address(line=list(practice.address_lines))] if practice.address_lines else None,
    )


def _person(signal: OutgoingSignal, part: str, name: str) -> Practitioner:
    return Practitioner(id=_uuid(signal.reference, part), name=[HumanName(text=name)])


def _team(signal: OutgoingSignal) -> tuple[Organization, HealthcareService]:
    team = signal.team
    org = team.organisation
    organisation = Organization(
        id=_uuid(signal.reference, "team-organisatie"),
        identifier=[Identifier(system=KAART_SYSTEM, value=org.id)] if org.id else None,
        name=org.name,
    )
    service = HealthcareService(
        id=_uuid(signal.reference, "team"),
        identifier=[Identifier(system=KAART_SYSTEM, value=team.id)],
        providedBy=_ref(organisation),
        name=team.name,
        telecom=[ContactPoint(system="phone", value=team.phone)] if team.phone else None,
    )
    return organisation, service


def _patient(signal: OutgoingSignal) -> Patient:
    """Name, phone, postal code, birth date when ticked. No identifier: never the BSN."""
    patient = signal.patient
    return Patient(
        id=_uuid(signal.reference, "patient"),
        name=[HumanName(text=patient.name)],
        telecom=[ContactPoint(system="phone", value=patient.phone)] if patient.phone else None,
        address=(
            [Address(postalCode=patient.postcode, country="NL")] if patient.postcode else None
        ),
        birthDate=patient.birth_date,
    )


def _consent(
    signal: OutgoingSignal,
    consent: ConsentGiven,
    patient: Patient,
    practice: Organization,
    team_organisation: Organization,
) -> tuple[Consent, RelatedPerson | None]:
    representative = None
    performers = [_ref(patient)]
    if consent.representative_relation:
        # The representative's relation, not their name: the team does not need it.
        representative = RelatedPerson(
            id=_uuid(signal.reference, "vertegenwoordiger"),
            patient=_ref(patient),
            relationship=[CodeableConcept(text=consent.representative_relation)],
        )
        performers = [_ref(representative)]
    provision = ConsentProvision(
        type="permit",
        period=_days(consent.given_on, consent.valid_until),
        actor=[
            ConsentProvisionActor(
                role=_concept(PARTICIPATION, "IRCP", "information recipient"),
                reference=_ref(team_organisation),
            )
        ],
        purpose=[
            _coding(PURPOSE_SYSTEM, purpose.value, purpose.label)
            for purpose in Purpose
            if purpose in consent.purposes
        ],
        code=[
            _concept(DATA_ITEM_SYSTEM, item.value, item.label)
            for item in DataItem
            if item in consent.items
        ],
    )
    # Through model_validate: a date is a valid FHIR dateTime, but the typed constructor wants
    # a datetime, and midnight would claim a moment nobody recorded.
    resource = Consent.model_validate(
        {
            "id": _uuid(signal.reference, "toestemming"),
            "text": _narrative(consent_sentence(signal)),
            "status": "active",
            "scope": _concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
            "category": [_concept(LOINC, "59284-0", "Patient Consent", text=consent.method.label)],
            "patient": _ref(patient),
            "dateTime": consent.given_on.isoformat(),
            "performer": performers,
            "organization": [_ref(practice)],
            "policyRule": _concept(ACT_CODE, "OPTIN", "opt-in"),
            "provision": provision,
        }
    )
    return resource, representative


def _notes(signal: OutgoingSignal) -> list[Annotation]:
    notes = [Annotation(text=signal.question)]
    if signal.medical:
        notes.append(Annotation(text=f"Medische informatie: {signal.medical}"))
    if isinstance(signal.consent, SharedWithoutConsent):
        notes.append(Annotation(text=consent_sentence(signal)))
    return notes


def signal_bundle(signal: OutgoingSignal) -> Bundle:
    """The whole signal as a validated R4 ``collection`` Bundle."""
    reference = signal.reference
    moment = _instant(signal.created_at)
    identifier = Identifier(system=REFERENCE_SYSTEM, value=reference)
    practice = _practice(signal)
    gp = _person(signal, "huisarts", signal.requester.gp_name)
    team_organisation, team = _team(signal)
    patient = _patient(signal)
    consent: Consent | None = None
    representative: RelatedPerson | None = None
    reason: list[CodeableConcept] | None = None
    if isinstance(signal.consent, ConsentGiven):
        consent, representative = _consent(
            signal, signal.consent, patient, practice, team_organisation
        )
    else:
        ground = signal.consent
        reason = [
            _concept(
                GROUND_SYSTEM,
                ground.ground.value,
                ground.ground_label,
                text=f"Zonder toestemming van de patiënt: {ground.ground_label}",
            )
        ]
    priority = "urgent" if signal.urgent else "routine"
    walk_in = signal.walk_in
    request = ServiceRequest(
        id=_uuid(reference, "aanvraag"),
        identifier=[identifier],
        status="active",
        intent="order",
        category=[
            _concept(THEME_SYSTEM, theme.code, theme.label, text=theme.label)
            for theme in signal.themes
        ],
        code=CodeableConcept(
            coding=[_coding(SNOMED, "3457005", "Patient referral")],
            text="Aanmelding bij het wijkteam",
        ),
        orderDetail=[_concept(ROUTE_SYSTEM, signal.route.value, signal.route.label)],
        priority=priority,
        subject=_ref(patient),
        occurrencePeriod=(
            Period(start=_instant(walk_in.start), end=_instant(walk_in.end)) if walk_in else None
        ),
        authoredOn=moment,
        requester=_ref(gp),
        performer=[_ref(team)],
        reasonCode=reason,
        supportingInfo=[_ref(consent)] if consent is not None else None,
        note=_notes(signal),
    )
    task = Task(
        id=_uuid(reference, "taak"),
        identifier=[identifier],
        status="requested",
        intent="order",
        priority=priority,
        code=_concept(TASK_CODE, "fulfill", "Fulfill the focal request"),
        focus=_ref(request),
        authoredOn=moment,
        requester=_ref(gp),
        owner=_ref(team),
    )
    task.for_fhir = _ref(patient)  # "for" is a Python keyword
    resources: list[DomainResource] = [task, request, patient]
    if consent is not None:
        resources.append(consent)
    if representative is not None:
        resources.append(representative)
    resources += [gp, practice, team, team_organisation]
    prepared_by = signal.requester.prepared_by
    if prepared_by:
        preparer = _person(signal, "voorbereider", prepared_by)
        provenance = Provenance(
            id=_uuid(reference, "herkomst"),
            target=[_ref(request), _ref(task)],
            recorded=moment,
            agent=[
                ProvenanceAgent(type=_concept(PROVENANCE_ROLE, "author", "Author"), who=_ref(gp)),
                ProvenanceAgent(
                    type=_concept(PROVENANCE_ROLE, "enterer", "Enterer"),
                    who=_ref(preparer),
                    onBehalfOf=_ref(gp),
                ),
            ],
        )
        resources += [preparer, provenance]
    return Bundle(
        id=_uuid(reference, "bundel"),
        identifier=identifier,
        type="collection",
        timestamp=moment,
        entry=[
            BundleEntry(fullUrl=f"urn:uuid:{resource.id}", resource=resource)
            for resource in resources
        ],
    )


def _canonical(bundle: Bundle) -> bytes:
    data = json.loads(bundle.model_dump_json())
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def signal_json(signal: OutgoingSignal) -> bytes:
    """``signaal.json`` as UTF-8 bytes: sorted keys, fixed ids, the same for the same signal."""
    return _canonical(signal_bundle(signal))


def read_bundle(data: bytes) -> Bundle:
    """Parse and validate a ``signaal.json`` (a test, or a copy read back from the outbox)."""
    return Bundle.model_validate_json(data)
