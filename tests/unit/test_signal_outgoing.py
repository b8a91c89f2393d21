"""Building an outgoing signal: data minimisation, the BSN and the privénotitie, bad input."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from gpdesk.errors import ValidationError
from gpdesk.models.consent import DataItem, Purpose
from gpdesk.signals.consent import ConsentError, ConsentScope, OrganisationRef
from gpdesk.signals.outgoing import (
    DEFAULT_ITEMS,
    THEMES,
    ConsentGiven,
    OutgoingPatient,
    OutgoingSignal,
    Route,
    format_reference,
    not_sent_line,
    parse_reference,
    theme,
)
from tests.signal_support import (
    BSN,
    CONSENT,
    NO_CONSENT,
    PATIENT,
    PRACTICE,
    PRIVATE_NOTE,
    QUESTION,
    TEAM,
    WALK_IN,
    make_signal,
)


def _all_text(value: object) -> str:
    """Every string reachable from a dataclass tree, joined, to search for what must not be."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return " ".join(_all_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (tuple, list, frozenset, set)):
        return " ".join(_all_text(item) for item in value)
    return str(value)


def test_reference_format_and_parse() -> None:
    assert format_reference(2026, 123) == "SIG-2026-000123"
    assert parse_reference("SIG-2026-000123") == (2026, 123)
    assert parse_reference(" sig-2026-000123 ") == (2026, 123)
    for wrong in ("SIG-2026-123", "SIG-26-000123", "SIG-2026-000000", "XSIG-2026-000123", ""):
        assert parse_reference(wrong) is None
    with pytest.raises(ValueError, match="number"):
        format_reference(2026, 0)
    with pytest.raises(ValueError, match="number"):
        format_reference(2026, 1_000_000)


def test_themes_have_stable_unique_codes_labels_and_templates() -> None:
    codes = [t.code for t in THEMES]
    assert len(codes) == len(set(codes)) == 11
    assert {"wonen_werk_inkomen_schulden", "jeugd_opvoeding", "huiselijk_geweld", "ggz"} <= set(
        codes
    )
    assert all(t.label and t.template for t in THEMES)
    assert theme("ggz").label == "Psychische klachten (GGZ)"
    with pytest.raises(ValidationError) as caught:
        theme("onbekend")
    assert caught.value.problems == {
        "themas": "Dit thema bestaat niet (meer). Kies een thema uit de lijst."
    }


def test_the_outgoing_types_have_no_bsn_field() -> None:
    for cls in (OutgoingPatient, OutgoingSignal):
        assert not any("bsn" in f.name.lower() for f in dataclasses.fields(cls))


def test_defaults_send_name_phone_postcode_and_question_only() -> None:
    signal = make_signal()
    assert signal.items == DEFAULT_ITEMS
    assert signal.patient == OutgoingPatient(
        name="Ayşe Łukasiewicz-Çelik", phone="0612345678", postcode="3118AB", birth_date=None
    )
    assert signal.question == QUESTION
    assert signal.route is Route.APPOINTMENT
    assert signal.not_sent == ("BSN", "geboortedatum", "privénotitie")
    assert not_sent_line(signal) == "Niet meegestuurd: BSN, geboortedatum, privénotitie"


def test_bsn_and_private_note_never_reach_the_outgoing_object() -> None:
    signal = make_signal(items=frozenset(DataItem), medical="Bekend met depressie.")
    text = _all_text(signal)
    assert BSN not in text
    assert PRIVATE_NOTE not in text
    assert "drankgebruik" not in text
    assert "<redacted>" in repr(signal.patient)
    assert repr(signal) == "OutgoingSignal(SIG-2026-000123)"


def test_birth_date_only_when_ticked() -> None:
    assert make_signal().patient.birth_date is None
    ticked = make_signal(items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE})
    assert ticked.patient.birth_date == date(1984, 3, 9)
    assert "geboortedatum" not in ticked.not_sent


def test_unticked_items_stay_out_and_are_listed() -> None:
    signal = make_signal(items={DataItem.NAME}, private_note="  ")
    assert signal.patient == OutgoingPatient(name="Ayşe Łukasiewicz-Çelik")
    assert signal.items == {DataItem.NAME, DataItem.QUESTION}
    assert signal.not_sent == ("BSN", "telefoon", "postcode", "geboortedatum")


def test_medical_information_only_when_ticked() -> None:
    unticked = make_signal(medical="Bekend met depressie.")
    assert unticked.medical is None
    assert "medische informatie" in unticked.not_sent
    ticked = make_signal(items=DEFAULT_ITEMS | {DataItem.MEDICAL}, medical="Bekend met depressie.")
    assert ticked.medical == "Bekend met depressie."
    with pytest.raises(ValidationError) as caught:
        make_signal(items=DEFAULT_ITEMS | {DataItem.MEDICAL}, medical=" ")
    assert set(caught.value.problems) == {"medische_informatie"}


def test_a_phone_typed_in_the_form_replaces_the_patients_and_is_normalised() -> None:
    assert make_signal(phone="+31 6-87654321").patient.phone == "0687654321"


def test_walk_in_needs_a_slot_and_keeps_it() -> None:
    signal = make_signal(route="inloop", walk_in=WALK_IN)
    assert signal.route is Route.WALK_IN
    assert signal.walk_in == WALK_IN
    assert make_signal(walk_in=WALK_IN).walk_in is None  # only kept for the walk-in route
    with pytest.raises(ValidationError) as caught:
        make_signal(route=Route.WALK_IN)
    assert "inloopspreekuur" in caught.value.problems["route"]


def test_team_calls_needs_the_phone() -> None:
    with pytest.raises(ValidationError) as caught:
        make_signal(route=Route.TEAM_CALLS, items={DataItem.NAME, DataItem.POSTCODE})
    assert caught.value.problems["telefoon"] == "Het team belt de patiënt: vink telefoon aan."
    no_phone = dataclasses.replace(PATIENT, phone=None)
    with pytest.raises(ValidationError) as caught:
        make_signal(route=Route.TEAM_CALLS, patient=no_phone)
    assert "vul het telefoonnummer in" in caught.value.problems["telefoon"]


def test_bad_input_is_reported_at_once_in_dutch_without_patient_data() -> None:
    bad_patient = dataclasses.replace(PATIENT, postcode="0123 AB")
    with pytest.raises(ValidationError) as caught:
        make_signal(
            patient=bad_patient,
            phone="06-123",
            themes=[],
            question="   ",
            route="per post",
            private_note="x" * 5000,
        )
    problems = caught.value.problems
    assert set(problems) == {"telefoon", "postcode", "themas", "vraag", "route", "privenotitie"}
    assert "10 cijfers" in problems["telefoon"]
    assert "begint nooit met een 0" in problems["postcode"]
    assert problems["themas"] == "Kies minstens één thema."
    assert "hulpvraag" in problems["vraag"]
    message = caught.value.message
    assert "0123" not in message and "06-123" not in message


def test_unknown_theme_and_too_long_question() -> None:
    with pytest.raises(ValidationError) as caught:
        make_signal(themes=["astrologie"], question="x" * 2001)
    assert set(caught.value.problems) == {"themas", "vraag"}


def test_practice_needs_a_reply_address() -> None:
    for address in ("", "praktijk", "praktijk@", "a b@c.nl", "x@y.nl?subject=z"):
        with pytest.raises(ValidationError) as caught:
            make_signal(practice=dataclasses.replace(PRACTICE, reply_email=address))
        assert "Beheer > Verzenden" in caught.value.problems["praktijk"]


def test_practice_needs_name_and_phone() -> None:
    with pytest.raises(ValidationError) as caught:
        make_signal(practice=dataclasses.replace(PRACTICE, phone=" "))
    assert "telefoonnummer van de praktijk" in caught.value.problems["praktijk"]


def test_question_keeps_its_line_breaks_but_not_its_ragged_spaces() -> None:
    signal = make_signal(question="  Eerste  regel \n\n\n\n tweede   regel  ")
    assert signal.question == "Eerste regel\n\ntweede regel"


def test_themes_come_in_catalogue_order_without_duplicates() -> None:
    signal = make_signal(themes=["ggz", "eenzaamheid", "ggz"])
    assert [t.code for t in signal.themes] == ["eenzaamheid", "ggz"]


def test_consent_must_cover_every_item_in_the_message() -> None:
    narrow = dataclasses.replace(CONSENT, items=frozenset({DataItem.NAME, DataItem.QUESTION}))
    with pytest.raises(ConsentError) as caught:
        make_signal(consent=narrow)
    assert "'telefoon' en 'postcode'" in caught.value.message
    # Ticking less is the way out.
    assert make_signal(consent=narrow, items={DataItem.NAME}).items == {
        DataItem.NAME,
        DataItem.QUESTION,
    }


def test_consent_for_another_organisation_or_expired_or_without_purpose() -> None:
    other = dataclasses.replace(CONSENT, organisations=(OrganisationRef("GGZ Waterweg", "ggz"),))
    with pytest.raises(ConsentError, match="Stichting Wijkteams Schiedam"):
        make_signal(consent=other)
    expired = dataclasses.replace(
        CONSENT, given_on=date(2025, 1, 1), valid_until=date(2025, 12, 31)
    )
    with pytest.raises(ConsentError, match="verlopen"):
        make_signal(consent=expired)
    feedback_only = dataclasses.replace(CONSENT, purposes=frozenset({Purpose.FEEDBACK}))
    with pytest.raises(ConsentError, match="aanmelding"):
        make_signal(consent=feedback_only)


def test_consent_from_a_scope() -> None:
    scope = ConsentScope(
        consent_id=7,
        purposes=CONSENT.purposes,
        organisations=CONSENT.organisations,
        items=CONSENT.items,
        given_on=CONSENT.given_on,
        valid_until=CONSENT.valid_until,
    )
    assert ConsentGiven.from_scope(scope, CONSENT.method) == CONSENT


def test_without_consent_the_decision_must_cover_the_items() -> None:
    signal = make_signal(consent=NO_CONSENT)
    assert signal.consent == NO_CONSENT
    with pytest.raises(ValidationError) as caught:
        make_signal(consent=NO_CONSENT, items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE})
    assert "geboortedatum" in caught.value.problems["gegevens"]


def test_team_matches_consent_by_organisation_id() -> None:
    renamed = dataclasses.replace(
        TEAM, organisation=OrganisationRef("Wijkteams Schiedam (nieuwe naam)", "org-wijk")
    )
    assert make_signal(team=renamed).team == renamed


def test_naive_created_at_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        make_signal(created_at=datetime(2026, 12, 7, 9, 0))
