"""Patient suggestions for letters without a reference: made-up patients and letters."""

from __future__ import annotations

from datetime import date

import pytest

from gpdesk.inbox.matching import (
    MIN_SCORE,
    LetterFacts,
    PatientFacts,
    PatientMatch,
    extract_facts,
    suggest_patients,
)

TODAY = date(2026, 12, 7)

JAN = PatientFacts(1, "Vries, J. de", date(1951, 11, 2), "9721CD", "0612345678", "999990044")
JANNEKE = PatientFacts(2, "Janneke de Vries", date(1988, 3, 14), "9721CD", None, None)
ANNA = PatientFacts(3, "A.M. de Bakker-de Jong", date(1984, 5, 17), "9711AB", "0501234567")
EMRE = PatientFacts(4, "Emre Öztürk", date(2014, 9, 30), "9722GH", None, "999990032")
PIETER = PatientFacts(5, "P. van den Berg", date(1970, 1, 1), "9712EF", "0509876543")
ALL = [JAN, JANNEKE, ANNA, EMRE, PIETER]


def _ids(matches: list[PatientMatch]) -> list[int | str]:
    return [match.patient_id for match in matches]


@pytest.mark.parametrize(
    "written",
    ["J. de Vries", "Jan de Vries", "Vries, J. de", "de heer J. de Vries", "DE VRIES, J."],
)
def test_dutch_name_forms_with_the_birth_date_find_the_patient(written: str) -> None:
    letter = LetterFacts(names=(written,), birth_dates=(date(1951, 11, 2),))
    matches = suggest_patients(letter, ALL)
    assert _ids(matches) == [1]
    assert matches[0].score == 75
    assert matches[0].reasons == ("naam gelijk", "geboortedatum gelijk")


def test_a_name_alone_is_not_enough() -> None:
    assert suggest_patients(LetterFacts(names=("J. de Vries",)), ALL) == []


def test_a_birth_date_mismatch_caps_the_score() -> None:
    letter = LetterFacts(
        names=("J. de Vries",), birth_dates=(date(1988, 3, 14),), postcodes=("9721CD",)
    )
    matches = suggest_patients(letter, ALL, min_score=0)
    by_id = {m.patient_id: m for m in matches}
    assert by_id[1].score == 40
    assert "geboortedatum verschilt" in by_id[1].reasons
    # Janneke: same surname and initial, same birth date and postcode.
    assert by_id[2].reasons == ("naam gelijk", "geboortedatum gelijk", "postcode gelijk")
    assert by_id[2].score == 90
    assert _ids(suggest_patients(letter, ALL)) == [2]


def test_another_initial_halves_the_name() -> None:
    letter = LetterFacts(names=("K. de Vries",), birth_dates=(date(1951, 11, 2),))
    [match] = suggest_patients(letter, ALL)
    assert match.patient_id == 1
    assert match.reasons == ("naam lijkt op", "voorletter verschilt", "geboortedatum gelijk")
    assert match.score == 55


def test_a_spelling_slip_is_like_not_equal() -> None:
    letter = LetterFacts(names=("E. Ozturk",), birth_dates=(date(2014, 9, 30),))
    [match] = suggest_patients(letter, ALL)
    assert match.patient_id == 4
    assert match.reasons[0] == "naam gelijk"  # accents are folded away
    letter = LetterFacts(names=("E. Östürk",), birth_dates=(date(2014, 9, 30),))
    [match] = suggest_patients(letter, ALL)
    assert match.reasons[0] == "naam lijkt op"


def test_one_part_of_a_double_surname_is_enough() -> None:
    for written in ("mevrouw De Bakker", "A. de Jong", "Bakker-de Jong, A.M. de"):
        letter = LetterFacts(names=(written,), birth_dates=(date(1984, 5, 17),))
        assert _ids(suggest_patients(letter, ALL)) == [3], written


def test_postcode_and_phone_without_a_name() -> None:
    letter = LetterFacts(postcodes=("9712EF",), phones=("0509876543",))
    [match] = suggest_patients(letter, ALL, min_score=30)
    assert (match.patient_id, match.score) == (5, 30)
    assert suggest_patients(letter, ALL) == []  # below the threshold


def test_an_equal_bsn_decides_unless_the_birth_date_contradicts() -> None:
    assert suggest_patients(LetterFacts(bsns=("999990032",)), ALL) == [
        PatientMatch(4, 100, ("BSN gelijk",))
    ]
    contradicted = LetterFacts(bsns=("999990032",), birth_dates=(date(2015, 1, 1),))
    assert suggest_patients(contradicted, ALL) == []


def test_a_different_bsn_rules_a_namesake_out() -> None:
    letter = LetterFacts(
        names=("J. de Vries",), birth_dates=(date(1951, 11, 2),), bsns=("999990019",)
    )
    assert suggest_patients(letter, ALL) == []


def test_the_order_is_fixed_score_then_id() -> None:
    twin_a = PatientFacts("b", "K. Jansen", date(2000, 1, 1), "9711AB")
    twin_b = PatientFacts("a", "K. Jansen", date(2000, 1, 1), "9711AB")
    letter = LetterFacts(names=("K. Jansen",), birth_dates=(date(2000, 1, 1),))
    assert _ids(suggest_patients(letter, [twin_a, twin_b])) == ["a", "b"]


def test_nothing_known_suggests_nothing() -> None:
    assert LetterFacts().empty
    assert suggest_patients(LetterFacts(), ALL) == []
    assert MIN_SCORE == 50


def test_reprs_name_no_patient() -> None:
    assert "Vries" not in repr(JAN)
    assert "Vries" not in repr(LetterFacts(names=("J. de Vries",)))


# -- facts from text ----------------------------------------------------------------------------

LETTER = """Geachte collega,

Betreft: mevrouw A.M. de Bakker, geboren 17-05-1984
Adres: Lindelaan 27a, 9721 CD Voorbeeldstad
Telefoon: 06-12345678

Op 1 december 2026 hebben wij mevrouw gesproken. Het volgende gesprek is op 15-12-2026.
Haar zoon (geb. 3 maart 2012) gaat naar school in 2026 en volgend jaar verder.
BSN: 999990019

Met vriendelijke groet,
Wijkteam Noord, 050 - 123 45 67
"""


def test_facts_from_a_letter() -> None:
    facts = extract_facts(LETTER, today=TODAY)
    assert facts.names == ("mevrouw A.M. de Bakker",)
    assert facts.birth_dates == (date(1984, 5, 17), date(2012, 3, 3))
    assert facts.postcodes == ("9721CD",)
    assert facts.phones == ("0612345678", "0501234567")
    assert facts.bsns == ("999990019",)


@pytest.mark.parametrize(
    ("line", "name", "birth"),
    [
        ("Naam: Vries, J. de", "Vries, J. de", None),
        ("Cliënt: Emre Öztürk (30-09-2014)", "Emre Öztürk", date(2014, 9, 30)),
        ("Patiënt: P. van den Berg, geb. 01-01-1970", "P. van den Berg", date(1970, 1, 1)),
        ("Inzake: Jansen, Kees, wonende te Groningen", "Jansen", None),
        ("betreft: dhr. K. Jansen 12-03-1960", "dhr. K. Jansen", date(1960, 3, 12)),
    ],
)
def test_labelled_lines(line: str, name: str, birth: date | None) -> None:
    facts = extract_facts(f"Beste dokter,\n{line}\nGroet", today=TODAY)
    assert facts.names == (name,)
    assert facts.birth_dates == ((birth,) if birth else ())


def test_unlabelled_dates_and_numbers_are_not_patient_facts() -> None:
    text = "Afspraak op 15-12-2026 om 10.00 uur. Factuur 123456789. Sinds 2026 en 2027."
    facts = extract_facts(text, today=TODAY)
    assert facts.empty


def test_a_bsn_that_fails_the_elfproef_is_ignored() -> None:
    assert extract_facts("BSN 123456789", today=TODAY).bsns == ()
    assert extract_facts("BSN: 9999.90.019", today=TODAY).bsns == ("999990019",)


def test_extracted_facts_feed_the_suggestions() -> None:
    facts = extract_facts(LETTER, today=TODAY)
    [match] = suggest_patients(facts, ALL)
    assert match.patient_id == 3
    assert match.score >= 75
