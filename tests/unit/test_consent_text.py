"""The printable consent text and the HIS notes: what they must say, and never the BSN."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from gpdesk.signals.consent import (
    CheckedConsent,
    ConsentDraft,
    ConsentMethod,
    DataItem,
    GpRole,
    NoConsentGround,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    check_draft,
)
from gpdesk.signals.consent_text import consent_his_note, consent_text, no_consent_his_note

TODAY = date(2026, 5, 3)
WIJKTEAMS = OrganisationRef("Stichting Wijkteams Schiedam", "org-wijk")
BSN = "111222333"


def checked(birth: date = date(1970, 2, 1), **changes: Any) -> CheckedConsent:
    base = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(WIJKTEAMS,),
        items=frozenset({DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION}),
        method=ConsentMethod.ORAL,
    )
    return check_draft(replace(base, **changes), birth, TODAY)


def test_the_printable_text_answers_the_ap_questions() -> None:
    doc = consent_text(
        checked(),
        practice_name="Huisartsenpraktijk De Linde",
        gp_name="H. Bakker",
        practice_phone="010-1234567",
        patient_name="J. de Vries",
        patient_birth_date=date(1970, 2, 1),
    )
    headings = [p.heading for p in doc.paragraphs]
    assert headings == [
        "Waarom vragen wij dit?",
        "Wie vraagt uw toestemming?",
        "Over wie gaat het?",
        "Waarvoor?",
        "Welke gegevens?",
        "Aan wie?",
        "Hoe lang?",
        "Intrekken",
        "Wie geeft toestemming?",
    ]
    text = doc.as_plain_text()
    assert doc.title == "Toestemming om gegevens te delen"
    assert "H. Bakker, huisarts bij Huisartsenpraktijk De Linde." in text
    assert "- Geboortedatum: 01-02-1970" in text
    assert "Uw huisarts meldt u aan bij Stichting Wijkteams Schiedam" in text
    assert "mag uw huisarts laten weten dat zij u helpen" in text
    assert "- uw telefoonnummer" in text and "geboortedatum" not in doc.paragraphs[4].bullets
    assert "geldt van 03-05-2026 tot en met 03-05-2027" in text
    assert "bel de praktijk op 010-1234567" in text
    assert "Uw BSN geven wij nooit door." in text
    assert doc.signatures == ("Datum", "Handtekening patiënt")
    assert "ap-2026-1" in doc.footer


def test_blank_lines_where_the_patient_is_not_filled_in() -> None:
    doc = consent_text(checked(), practice_name="P", gp_name="H. Bakker")
    assert doc.paragraphs[2].bullets == (
        "Naam: ______________________________",
        "Geboortedatum: ____________",
    )
    assert "bel de praktijk." in doc.as_plain_text()


def test_an_informant_gp_informs_rather_than_refers() -> None:
    doc = consent_text(checked(gp_role=GpRole.INFORMANT), practice_name="P", gp_name="G")
    assert doc.paragraphs[3].bullets[0].startswith("Uw huisarts geeft Stichting Wijkteams")


def test_a_child_of_14_and_the_mother_both_sign() -> None:
    terms = checked(date(2012, 1, 1), representative=Representative("P. de Boer", "moeder"))
    doc = consent_text(terms, practice_name="P", gp_name="G")
    assert doc.signatures == ("Datum", "Handtekening patiënt", "Handtekening moeder")
    assert "samen met P. de Boer (moeder)" in doc.as_plain_text()


def test_a_child_under_12_is_signed_for() -> None:
    terms = checked(
        date(2018, 1, 1),
        method=ConsentMethod.REPRESENTATIVE,
        representative=Representative("A. Kaya", "vader"),
    )
    doc = consent_text(terms, practice_name="P", gp_name="G")
    assert doc.signatures == ("Datum", "Handtekening vader")
    assert "A. Kaya (vader) geeft deze toestemming namens de patiënt" in doc.as_plain_text()


def test_the_his_note_proves_who_when_how_what_and_holds_no_bsn() -> None:
    terms = checked(date(2012, 1, 1), representative=Representative("P. de Boer", "moeder"))
    note = consent_his_note(
        terms,
        recorded_by="H. Bakker (huisarts)",
        recorded_at=datetime(2026, 5, 3, 9, tzinfo=UTC),
    )
    assert "\n" not in note
    assert note.startswith(
        "Toestemming gegevensdeling (AVG) vastgelegd in gpdesk op 03-05-2026 door "
        "H. Bakker (huisarts)."
    )
    assert "mondeling in de spreekkamer, door de patiënt en P. de Boer (moeder, wettelijk" in note
    assert "Doel: aanmelding bij het wijkteam; terugkoppeling aan de huisarts." in note
    assert "Organisatie: Stichting Wijkteams Schiedam." in note
    assert "Gegevens: naam, telefoon, postcode, hulpvraag; geen BSN." in note
    assert "Rol huisarts: verwijzer. Geldig tot en met 03-05-2027." in note
    assert BSN not in note and "Ingetrokken" not in note
    withdrawn = consent_his_note(
        terms,
        recorded_by="H. Bakker (huisarts)",
        recorded_at=datetime(2026, 5, 3, 9, tzinfo=UTC),
        withdrawn_at=datetime(2026, 8, 1, 9, tzinfo=UTC),
        withdrawn_by="M. Jansen (doktersassistent)",
    )
    assert withdrawn.endswith("Ingetrokken op 01-08-2026 door M. Jansen (doktersassistent).")


def test_the_his_note_without_consent_holds_ground_and_reasoning() -> None:
    note = no_consent_his_note(
        NoConsentRequest(
            NoConsentGround.LEGAL_DUTY,
            "Zorgen over de veiligheid van de kinderen; meldcode doorlopen.",
            OrganisationRef("Veilig Thuis Maasmond"),
            frozenset({DataItem.NAME, DataItem.QUESTION}),
        ),
        decided_by="H. Bakker (huisarts)",
        decided_at=datetime(2026, 5, 3, 9, tzinfo=UTC),
    )
    assert "zonder toestemming" in note and "meldcode huiselijk geweld" in note
    assert "Met: Veilig Thuis Maasmond." in note
    assert note.endswith("meldcode doorlopen.")
