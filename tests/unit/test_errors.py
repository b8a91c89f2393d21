"""Several problems read as one Dutch message, for a dialog or a one-line CLI error."""

from __future__ import annotations

import pytest

from gpdesk.errors import ValidationError, join_problems

BAD_BSN = "Dit BSN klopt niet (de elfproef faalt). Controleer de cijfers in het HIS."
BAD_POSTCODE = "De postcode moet bestaan uit 4 cijfers en 2 letters. Controleer de postcode."
BAD_PHONE = (
    "Het telefoonnummer in de geplakte tekst is niet herkend. Controleer het nummer in het HIS."
)


def test_one_problem_is_its_own_message() -> None:
    assert join_problems([BAD_BSN]) == BAD_BSN
    assert ValidationError({"bsn": BAD_BSN}).message == BAD_BSN


def test_no_problem_is_no_message() -> None:
    assert join_problems([]) == ""


def test_two_problems_make_one_sentence_and_one_advice() -> None:
    assert join_problems([BAD_BSN, BAD_POSTCODE]) == (
        "Dit BSN klopt niet (de elfproef faalt) en de postcode moet bestaan uit 4 cijfers en "
        "2 letters. Controleer de cijfers in het HIS en de postcode."
    )


def test_three_problems_are_listed_with_commas_and_en() -> None:
    future = "De geboortedatum ligt in de toekomst. Controleer de datum."
    assert join_problems([BAD_BSN, future, BAD_POSTCODE]) == (
        "Dit BSN klopt niet (de elfproef faalt), de geboortedatum ligt in de toekomst en de "
        "postcode moet bestaan uit 4 cijfers en 2 letters. "
        "Controleer de cijfers in het HIS, de datum en de postcode."
    )


def test_missing_fields_are_named_once() -> None:
    problems = {
        "bsn": "Het BSN ontbreekt.",
        "naam": "De naam ontbreekt.",
        "geboortedatum": "De geboortedatum ontbreekt.",
        "postcode": "De postcode ontbreekt.",
    }
    assert ValidationError(problems).message == (
        "Het BSN, de naam, de geboortedatum en de postcode ontbreken."
    )
    assert join_problems(["Het BSN ontbreekt.", "De naam ontbreekt."]) == (
        "Het BSN en de naam ontbreken."
    )


def test_missing_and_wrong_fields_together() -> None:
    assert join_problems(["Het BSN ontbreekt.", BAD_POSTCODE, "De naam ontbreekt."]) == (
        "Het BSN en de naam ontbreken en de postcode moet bestaan uit 4 cijfers en 2 letters. "
        "Controleer de postcode."
    )


def test_paste_problems_share_their_ending_and_their_advice() -> None:
    assert join_problems(
        [
            "Het BSN is niet gevonden in de geplakte tekst.",
            "De postcode is niet gevonden in de geplakte tekst.",
            BAD_PHONE,
        ]
    ) == (
        "Het BSN en de postcode zijn niet gevonden in de geplakte tekst en het telefoonnummer "
        "in de geplakte tekst is niet herkend. Controleer het nummer in het HIS."
    )
    assert join_problems([BAD_BSN, BAD_PHONE]).endswith(
        "Controleer de cijfers en het nummer in het HIS."
    )


@pytest.mark.parametrize(
    "instruction",
    ["Vul de naam van de voorziening in.", "Regel 2: de eindtijd moet na de begintijd liggen."],
)
def test_instructions_stay_sentences_of_their_own(instruction: str) -> None:
    email = "Dit e-mailadres klopt niet. Schrijf het als naam@voorbeeld.nl."
    assert join_problems([instruction, email]) == (
        f"Dit e-mailadres klopt niet. {instruction} Schrijf het als naam@voorbeeld.nl."
    )


def test_the_same_advice_is_given_once() -> None:
    first = "De begintijd klopt niet. Schrijf tijden als 09:00."
    second = "De eindtijd klopt niet. Schrijf tijden als 09:00."
    assert join_problems([first, second]) == (
        "De begintijd en de eindtijd kloppen niet. Schrijf tijden als 09:00."
    )


def test_a_message_without_a_full_stop_still_ends_its_sentence() -> None:
    assert join_problems(["Regel 3: onbekende kolom", "De naam ontbreekt."]) == (
        "De naam ontbreekt. Regel 3: onbekende kolom."
    )
