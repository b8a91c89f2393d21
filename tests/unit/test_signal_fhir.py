"""signaal.json: a valid FHIR R4 collection Bundle, minimal, without the BSN, byte-stable."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from gpdesk.models.consent import DataItem
from gpdesk.signals.fhir import (
    GROUND_SYSTEM,
    REFERENCE_SYSTEM,
    THEME_SYSTEM,
    read_bundle,
    signal_bundle,
    signal_json,
)
from gpdesk.signals.outgoing import DEFAULT_ITEMS, Requester, Route
from tests.signal_support import (
    BSN,
    CONSENT,
    NO_CONSENT,
    PRIVATE_NOTE,
    REFERENCE,
    WALK_IN,
    make_signal,
)


def _resources(data: bytes) -> dict[str, list[dict[str, Any]]]:
    bundle = json.loads(data)
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        found.setdefault(resource["resourceType"], []).append(resource)
    return found


def _one(data: bytes, kind: str) -> dict[str, Any]:
    [resource] = _resources(data)[kind]
    return resource


def _target(data: bytes, reference: dict[str, str]) -> dict[str, Any]:
    by_url: dict[str, dict[str, Any]] = {
        e["fullUrl"]: e["resource"] for e in json.loads(data)["entry"]
    }
    return by_url[reference["reference"]]


def test_bundle_validates_and_round_trips_byte_for_byte() -> None:
    data = signal_json(make_signal())
    bundle = read_bundle(data)
    assert isinstance(bundle, Bundle)
    assert bundle.type == "collection"
    assert bundle.identifier is not None and bundle.identifier.value == REFERENCE
    assert bundle.identifier.system == REFERENCE_SYSTEM
    again = json.dumps(json.loads(bundle.model_dump_json()), ensure_ascii=False, sort_keys=True)
    assert json.loads(again) == json.loads(data)
    for entry in bundle.entry or []:
        assert entry.resource is not None


def test_each_resource_validates_on_its_own() -> None:
    data = signal_json(make_signal())
    for kind, model in (
        ("Task", Task),
        ("ServiceRequest", ServiceRequest),
        ("Patient", Patient),
        ("Consent", Consent),
    ):
        model.model_validate(_one(data, kind))


def test_output_is_deterministic_sorted_and_utf8() -> None:
    first, second = signal_json(make_signal()), signal_json(make_signal())
    assert first == second
    text = first.decode("utf-8")
    assert "Ayşe Łukasiewicz-Çelik" in text  # not \\u escapes
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    other = signal_json(make_signal(reference="SIG-2026-000124"))
    assert set(_resources(first)) == set(_resources(other))
    assert _one(first, "Task")["id"] != _one(other, "Task")["id"]


def test_task_points_at_request_team_and_gp() -> None:
    data = signal_json(make_signal())
    task = _one(data, "Task")
    assert (task["status"], task["intent"], task["priority"]) == ("requested", "order", "routine")
    assert task["identifier"] == [{"system": REFERENCE_SYSTEM, "value": REFERENCE}]
    assert _target(data, task["focus"])["resourceType"] == "ServiceRequest"
    owner = _target(data, task["owner"])
    assert owner["resourceType"] == "HealthcareService"
    assert owner["name"] == "Wijkteam Nieuwland"
    assert owner["identifier"][0]["value"] == "team-nieuwland"
    assert _target(data, owner["providedBy"])["name"] == "Stichting Wijkteams Schiedam"
    requester = _target(data, task["requester"])
    assert requester["resourceType"] == "Practitioner"
    assert requester["name"] == [{"text": "dr. H. Bakker"}]
    assert _target(data, task["for"])["resourceType"] == "Patient"
    assert task["authoredOn"] == "2026-12-07T09:41:12Z"


def test_service_request_has_themes_priority_route_question_and_consent() -> None:
    signal = make_signal(themes=["ggz", "eenzaamheid"], urgent=True)
    data = signal_json(signal)
    request = _one(data, "ServiceRequest")
    assert request["priority"] == "urgent"
    assert _one(data, "Task")["priority"] == "urgent"
    assert [c["coding"][0]["code"] for c in request["category"]] == ["eenzaamheid", "ggz"]
    assert {c["coding"][0]["system"] for c in request["category"]} == {THEME_SYSTEM}
    assert request["orderDetail"][0]["coding"][0]["code"] == "afspraak"
    assert request["note"][0]["text"] == signal.question
    [consent] = request["supportingInfo"]
    assert _target(data, consent)["resourceType"] == "Consent"
    assert "reasonCode" not in request


def test_walk_in_slot_is_the_occurrence_period() -> None:
    request = _one(signal_json(make_signal(route=Route.WALK_IN, walk_in=WALK_IN)), "ServiceRequest")
    assert request["orderDetail"][0]["coding"][0]["code"] == "inloop"
    assert request["occurrencePeriod"] == {
        "start": "2026-12-10T08:00:00Z",
        "end": "2026-12-10T10:00:00Z",
    }


def test_consent_resource() -> None:
    data = signal_json(make_signal())
    consent = _one(data, "Consent")
    assert consent["status"] == "active"
    assert consent["scope"]["coding"][0]["code"] == "patient-privacy"
    assert consent["category"][0]["coding"][0] == {
        "code": "59284-0",
        "display": "Patient Consent",
        "system": "http://loinc.org",
    }
    assert consent["dateTime"] == "2026-12-07"
    assert consent["policyRule"]["coding"][0]["code"] == "OPTIN"
    assert _target(data, consent["patient"])["resourceType"] == "Patient"
    assert _target(data, consent["performer"][0])["resourceType"] == "Patient"
    assert _target(data, consent["organization"][0])["name"] == "Huisartsenpraktijk De Singel"
    provision = consent["provision"]
    assert provision["type"] == "permit"
    assert provision["period"] == {"start": "2026-12-07", "end": "2027-12-07"}
    assert _target(data, provision["actor"][0]["reference"])["name"] == (
        "Stichting Wijkteams Schiedam"
    )
    assert [p["code"] for p in provision["purpose"]] == ["aanmelding", "terugkoppeling"]
    assert [c["coding"][0]["code"] for c in provision["code"]] == [i.value for i in DataItem]
    assert "mondeling" in consent["text"]["div"]


def test_representative_gives_relation_not_name() -> None:
    signal = make_signal(consent=replace(CONSENT, representative_relation="moeder"))
    data = signal_json(signal)
    performer = _target(data, _one(data, "Consent")["performer"][0])
    assert performer["resourceType"] == "RelatedPerson"
    assert performer["relationship"] == [{"text": "moeder"}]
    assert "name" not in performer


def test_patient_is_minimal_and_has_no_identifier() -> None:
    patient = _one(signal_json(make_signal()), "Patient")
    assert set(patient) == {"resourceType", "id", "name", "telecom", "address"}
    assert patient["name"] == [{"text": "Ayşe Łukasiewicz-Çelik"}]
    assert patient["telecom"] == [{"system": "phone", "value": "0612345678"}]
    assert patient["address"] == [{"postalCode": "3118AB", "country": "NL"}]


def test_birth_date_only_when_ticked() -> None:
    assert "birthDate" not in _one(signal_json(make_signal()), "Patient")
    ticked = make_signal(items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE})
    assert _one(signal_json(ticked), "Patient")["birthDate"] == "1984-03-09"
    only_name = _one(signal_json(make_signal(items={DataItem.NAME})), "Patient")
    assert set(only_name) == {"resourceType", "id", "name"}


@pytest.mark.parametrize("items", [DEFAULT_ITEMS, frozenset(DataItem)])
def test_bsn_and_private_note_are_nowhere_in_the_json(items: frozenset[DataItem]) -> None:
    text = signal_json(make_signal(items=items, medical="Slaapt slecht.")).decode()
    assert BSN not in text
    assert PRIVATE_NOTE not in text and "drankgebruik" not in text
    assert "bsn" not in text.lower()
    assert "2.16.840.1.113883.2.4.6.3" not in text  # the BSN's OID


def test_without_consent_the_ground_is_stated_and_there_is_no_consent() -> None:
    data = signal_json(make_signal(consent=NO_CONSENT))
    resources = _resources(data)
    assert "Consent" not in resources
    request = _one(data, "ServiceRequest")
    assert "supportingInfo" not in request
    [reason] = request["reasonCode"]
    assert reason["coding"][0] == {
        "code": "wettelijke_plicht",
        "display": "wettelijke plicht",
        "system": GROUND_SYSTEM,
    }
    assert any("de meldcode vraagt om overleg" in note["text"] for note in request["note"])
    read_bundle(data)


def test_prepared_on_behalf_is_a_provenance() -> None:
    signal = make_signal(requester=Requester("dr. H. Bakker", "M. Jansen (POH-GGZ)"))
    data = signal_json(signal)
    provenance = _one(data, "Provenance")
    author, enterer = provenance["agent"]
    assert author["type"]["coding"][0]["code"] == "author"
    assert _target(data, author["who"])["name"] == [{"text": "dr. H. Bakker"}]
    assert enterer["type"]["coding"][0]["code"] == "enterer"
    assert _target(data, enterer["who"])["name"] == [{"text": "M. Jansen (POH-GGZ)"}]
    assert enterer["onBehalfOf"] == author["who"]
    assert "Provenance" not in _resources(signal_json(make_signal()))


def test_medical_information_only_when_ticked() -> None:
    unticked = signal_json(make_signal(medical="Slaapt slecht."))
    assert b"Slaapt slecht" not in unticked
    ticked = make_signal(items=DEFAULT_ITEMS | {DataItem.MEDICAL}, medical="Slaapt slecht.")
    notes = _one(signal_json(ticked), "ServiceRequest")["note"]
    assert notes[1]["text"] == "Medische informatie: Slaapt slecht."


def test_bundle_object_matches_the_bytes() -> None:
    signal = make_signal()
    bundle = signal_bundle(signal)
    assert json.loads(bundle.model_dump_json()) == json.loads(signal_json(signal))
