from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.patients.validation import (
    format_birth_date,
    format_postcode,
    normalise_name,
    normalise_phone,
    normalise_postcode,
    parse_birth_date,
    passes_elfproef,
    validate_bsn,
)

TODAY = date(2024, 6, 15)


def _problem(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    assert list(exc.value.problems) == [field]
    return exc.value.problems[field]


# --- BSN -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("111222333", "111222333"),
        ("123456782", "123456782"),
        (" 123456782 ", "123456782"),
        ("1112.22.333", "111222333"),
        ("111.222.333", "111222333"),
        ("111-222-333", "111222333"),
        ("111 222 333", "111222333"),
        ("111\u00a0222\u00a0333", "111222333"),
        # 8 digits: a BSN with a leading zero, written without it.
        ("12345672", "012345672"),
        ("012345672", "012345672"),
        ("1234.56.72", "012345672"),
    ],
)
def test_validate_bsn_accepts_and_normalises(value: str, expected: str) -> None:
    assert validate_bsn(value) == expected


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("111222334", "elfproef"),
        ("123456789", "elfproef"),
        ("12345678", "elfproef"),
        ("000000000", "elfproef"),
        ("00000000", "elfproef"),
        ("11122233a", "9 cijfers"),
        ("abcdefghi", "9 cijfers"),
        ("1112223334", "9 cijfers"),
        ("1234567", "9 cijfers"),
        ("111/222/333", "9 cijfers"),
        ("+31111222333", "9 cijfers"),
        ("１１１２２２３３３", "9 cijfers"),  # full-width digits
        ("", "ontbreekt"),
        ("  . - ", "ontbreekt"),
    ],
)
def test_validate_bsn_rejects(value: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_bsn(value)
    assert message_part in _problem(exc, "bsn")


def test_validation_error_is_a_gpdesk_error_with_the_joined_message() -> None:
    with pytest.raises(GpdeskError) as exc:
        validate_bsn("111222334")
    assert isinstance(exc.value, ValidationError)
    assert exc.value.message == exc.value.problems["bsn"]
    assert str(exc.value) == exc.value.message


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("111222333", True),
        ("123456782", True),
        ("012345672", True),
        ("111222334", False),
        ("000000000", False),
        ("12345678", False),
        ("1234567890", False),
        ("11122233x", False),
        ("١١١٢٢٢٣٣٣", False),  # Arabic-Indic digits
    ],
)
def test_passes_elfproef(digits: str, ok: bool) -> None:
    assert passes_elfproef(digits) is ok


# --- postcode --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["1234 AB", "1234AB", "1234ab", "1234 ab", " 1234  AB ", "1234\tAB", "1234aB"],
)
def test_normalise_postcode(value: str) -> None:
    assert normalise_postcode(value) == "1234AB"


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("0123 AB", "begint nooit met een 0"),
        ("1234 SA", "SA, SD of SS"),
        ("1234 sd", "SA, SD of SS"),
        ("1234SS", "SA, SD of SS"),
        ("123 AB", "4 cijfers en 2 letters"),
        ("12345 AB", "4 cijfers en 2 letters"),
        ("1234 A", "4 cijfers en 2 letters"),
        ("1234 ABC", "4 cijfers en 2 letters"),
        ("AB 1234", "4 cijfers en 2 letters"),
        ("1234-AB", "4 cijfers en 2 letters"),
        ("1234 ÄB", "4 cijfers en 2 letters"),
        ("12 34 AB", "4 cijfers en 2 letters"),
        ("", "ontbreekt"),
        ("   ", "ontbreekt"),
    ],
)
def test_normalise_postcode_rejects(value: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalise_postcode(value)
    assert message_part in _problem(exc, "postcode")


@pytest.mark.parametrize("value", ["3118AB", "3118 ab", " 3118  AB "])
def test_format_postcode(value: str) -> None:
    assert format_postcode(value) == "3118 AB"


def test_format_postcode_rejects_invalid_input() -> None:
    with pytest.raises(ValidationError):
        format_postcode("0118 AB")


# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("06-12345678", "0612345678"),
        ("06 1234 5678", "0612345678"),
        ("0612345678", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("06/12345678", "0612345678"),
        ("06\u00a012345678", "0612345678"),
        ("+31 6 12345678", "0612345678"),
        ("+31612345678", "0612345678"),
        ("+31 06 12345678", "0612345678"),
        ("0031612345678", "0612345678"),
        ("0031 (0)6 12345678", "0612345678"),
        ("010-1234567", "0101234567"),
        ("(010) 123 45 67", "0101234567"),
        ("+31 (0)10 1234567", "0101234567"),
        (" 010 - 123 45 67 ", "0101234567"),
        ("+32 2 123 45 67", "+3221234567"),
        ("0049 30 1234567", "+49301234567"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+1 212 555 0100", "+12125550100"),
        ("+49 1234 5678901", "+4912345678901"),
    ],
)
def test_normalise_phone(value: str, expected: str) -> None:
    assert normalise_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("06-1234567", "10 cijfers"),
        ("061234567890", "10 cijfers"),
        ("612345678", "10 cijfers"),
        ("1234567890", "10 cijfers"),
        ("0800-1234", "10 cijfers"),
        ("+31 6 1234567", "10 cijfers"),
        ("06-12345678 / 010-1234567", "10 cijfers"),
        ("+32 1234", "8 tot 15 cijfers"),
        ("+1234567890123456", "8 tot 15 cijfers"),
        ("+0612345678", "8 tot 15 cijfers"),
        ("06-1234567a", "alleen cijfers"),
        ("tel 0612345678", "alleen cijfers"),
        ("0612+345678", "alleen cijfers"),
        ("++31612345678", "alleen cijfers"),
        ("((010)) 1234567", "alleen cijfers"),
        ("(010 1234567", "alleen cijfers"),
        ("０６１２３４５６７８", "alleen cijfers"),  # full-width digits
        ("+", "alleen cijfers"),
        ("", "ontbreekt"),
        ("  ", "ontbreekt"),
    ],
)
def test_normalise_phone_rejects(value: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalise_phone(value)
    assert message_part in _problem(exc, "telefoon")


# --- birth date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1970-02-01",
        "01-02-1970",
        "1-2-1970",
        "01/02/1970",
        "01.02.1970",
        "1.2.1970",
        "19700201",
        "01021970",
        "1970/02/01",
        "  01-02-1970 ",
    ],
)
def test_parse_birth_date(value: str) -> None:
    assert parse_birth_date(value, today=TODAY) == date(1970, 2, 1)


def test_parse_birth_date_accepts_today_and_exactly_130_years() -> None:
    assert parse_birth_date("15-06-2024", today=TODAY) == TODAY
    assert parse_birth_date("15-06-1894", today=TODAY) == date(1894, 6, 15)


def test_parse_birth_date_on_leap_day() -> None:
    leap_day = date(2024, 2, 29)
    assert parse_birth_date("29-02-1972", today=leap_day) == date(1972, 2, 29)
    assert parse_birth_date("28-02-1894", today=leap_day) == date(1894, 2, 28)
    with pytest.raises(ValidationError):
        parse_birth_date("27-02-1894", today=leap_day)


def test_parse_birth_date_defaults_to_the_real_today() -> None:
    assert parse_birth_date("01-02-1970") == date(1970, 2, 1)
    with pytest.raises(ValidationError):
        parse_birth_date(f"01-01-{date.today().year + 1}")


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("31-02-1970", "bestaat niet"),
        ("29-02-1971", "bestaat niet"),
        ("01-13-1970", "bestaat niet"),
        ("00-01-1970", "bestaat niet"),
        ("19701301", "bestaat niet"),
        ("16-06-2024", "toekomst"),
        ("2030-01-01", "toekomst"),
        ("14-06-1894", "130 jaar"),
        ("01-01-1800", "130 jaar"),
        ("01-02-70", "4 cijfers"),
        ("01-02/1970", "niet herkend"),
        ("1 februari 1970", "niet herkend"),
        ("1970-2", "niet herkend"),
        ("0102197", "niet herkend"),
        ("abc", "niet herkend"),
        ("", "ontbreekt"),
        ("  ", "ontbreekt"),
    ],
)
def test_parse_birth_date_rejects(value: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_birth_date(value, today=TODAY)
    assert message_part in _problem(exc, "geboortedatum")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(1970, 2, 1), "01-02-1970"),
        (date(2001, 12, 31), "31-12-2001"),
        (date(5, 1, 2), "02-01-0005"),
    ],
)
def test_format_birth_date(value: date, expected: str) -> None:
    assert format_birth_date(value) == expected


def test_format_and_parse_birth_date_round_trip() -> None:
    day = date(1985, 11, 3)
    assert parse_birth_date(format_birth_date(day), today=TODAY) == day


# --- name ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("J. de Vries", "J. de Vries"),
        ("  J.   de\tVries \n", "J. de Vries"),
        ("de Vries, J.", "de Vries, J."),
        ("José Müller-Lüdenscheidt", "José Müller-Lüdenscheidt"),
        ("Jose\u0301", "José"),  # decomposed accent is composed (NFC)
        ("J.\u00a0de Vries", "J. de Vries"),
        ("'t Hart", "'t Hart"),
        ("X", "X"),
    ],
)
def test_normalise_name(value: str, expected: str) -> None:
    assert normalise_name(value) == expected


def test_normalise_name_length_limit() -> None:
    assert normalise_name("a" * 200) == "a" * 200
    with pytest.raises(ValidationError) as exc:
        normalise_name("a" * 201)
    assert "200" in _problem(exc, "naam")


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        ("J.\x00 de Vries", "tekens"),
        ("J. de\x1b Vries", "tekens"),
        ("J. de\u200b Vries", "tekens"),  # zero-width space
        ("J. de \u202eseirV", "tekens"),  # right-to-left override
        ("J. de\x85Vries", "tekens"),  # NEL, a control character Python calls whitespace
        ("J. de\x1fVries", "tekens"),
        ("123", "letter"),
        ("., -", "letter"),
        ("", "ontbreekt"),
        (" \t\n ", "ontbreekt"),
    ],
)
def test_normalise_name_rejects(value: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        normalise_name(value)
    assert message_part in _problem(exc, "naam")


# --- messages never contain the value --------------------------------------------------------


@pytest.mark.parametrize(
    ("validate", "value"),
    [
        (validate_bsn, "111222334"),
        (validate_bsn, "1112.22.334"),
        (validate_bsn, "12345678"),
        (validate_bsn, "1112223334"),
        (validate_bsn, "11122233a"),
        (normalise_postcode, "3118 SA"),
        (normalise_postcode, "0118 AB"),
        (normalise_postcode, "31180 AB"),
        (normalise_phone, "06-1234567"),
        (normalise_phone, "+32 1234"),
        (normalise_phone, "06-CALL-ME"),
        (lambda v: parse_birth_date(v, today=TODAY), "31-02-1970"),
        (lambda v: parse_birth_date(v, today=TODAY), "16-06-2024"),
        (lambda v: parse_birth_date(v, today=TODAY), "01-01-1850"),
        (lambda v: parse_birth_date(v, today=TODAY), "1 februari 1970"),
        (normalise_name, "Jan\x00Jansen"),
        (normalise_name, "Jansen" * 40),
    ],
)
def test_error_messages_never_contain_the_value(
    validate: Callable[[str], object], value: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        validate(value)
    texts = [str(exc.value), exc.value.message, exc.value.hint, *exc.value.problems.values()]
    compact = "".join(ch for ch in value if ch.isalnum())
    for text in texts:
        assert value.strip() not in text
        assert compact not in text.replace(" ", "")
