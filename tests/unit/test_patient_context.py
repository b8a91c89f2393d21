from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from gpdesk.errors import ValidationError
from gpdesk.patients.context import (
    MAX_URL_LENGTH,
    PatientContext,
    parse_patient_url,
)
from gpdesk.patients.his_line import parse_his_line, read_his_line

TODAY = date(2024, 6, 15)

VALID_FIELDS: dict[str, str | None] = {
    "bsn": "111 222 333",
    "naam": "  J.  de Vries ",
    "geboortedatum": "01-02-1970",
    "postcode": "3118 ab",
    "telefoon": "06-12345678",
}

EXPECTED = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)

URL = (
    "gpdesk://patient?bsn=111222333&naam=J.%20de%20Vries&geboortedatum=1970-02-01"
    "&postcode=3118AB&telefoon=0612345678"
)


def _assert_clean(exc: ValidationError, *values: str) -> None:
    """No patient value may appear in what an error shows or logs."""
    texts = [str(exc), exc.message, exc.hint, *exc.problems.values()]
    for value in values:
        for text in texts:
            assert value not in text


# --- PatientContext --------------------------------------------------------------------------


def test_from_fields_validates_and_normalises() -> None:
    assert PatientContext.from_fields(VALID_FIELDS, today=TODAY) == EXPECTED


@pytest.mark.parametrize("phone", [None, "", "   "])
def test_from_fields_phone_is_optional(phone: str | None) -> None:
    ctx = PatientContext.from_fields({**VALID_FIELDS, "telefoon": phone}, today=TODAY)
    assert ctx.phone is None
    assert "telefoon" not in ctx.to_dict()


def test_from_fields_without_phone_key() -> None:
    fields = {k: v for k, v in VALID_FIELDS.items() if k != "telefoon"}
    assert PatientContext.from_fields(fields, today=TODAY).phone is None


def test_from_fields_ignores_unknown_keys() -> None:
    fields = {**VALID_FIELDS, "huisarts": "dr. Jansen", "BSN": "kapot", "extra": None}
    assert PatientContext.from_fields(fields, today=TODAY) == EXPECTED


def test_from_fields_reports_every_missing_field() -> None:
    with pytest.raises(ValidationError) as exc:
        PatientContext.from_fields({"naam": "   ", "postcode": None, "telefoon": None})
    assert exc.value.problems == {
        "bsn": "Het BSN ontbreekt.",
        "naam": "De naam ontbreekt.",
        "geboortedatum": "De geboortedatum ontbreekt.",
        "postcode": "De postcode ontbreekt.",
    }
    assert exc.value.message == "Het BSN, de naam, de geboortedatum en de postcode ontbreken."


def test_from_fields_reports_every_invalid_field_at_once() -> None:
    fields = {
        "bsn": "111222334",
        "naam": "Piet\x00Puk",
        "geboortedatum": "31-02-1970",
        "postcode": "3118 SS",
        "telefoon": "06-123",
    }
    with pytest.raises(ValidationError) as exc:
        PatientContext.from_fields(fields, today=TODAY)
    assert list(exc.value.problems) == ["bsn", "naam", "geboortedatum", "postcode", "telefoon"]
    assert "elfproef" in exc.value.problems["bsn"]
    _assert_clean(exc.value, *(v for v in fields.values() if v), "Piet", "Puk", "111222334")


def test_from_fields_uses_today_for_the_age_checks() -> None:
    fields = {**VALID_FIELDS, "geboortedatum": "01-01-2025"}
    with pytest.raises(ValidationError) as exc:
        PatientContext.from_fields(fields, today=TODAY)
    assert list(exc.value.problems) == ["geboortedatum"]
    ctx = PatientContext.from_fields(fields, today=date(2025, 1, 1))
    assert ctx.birth_date == date(2025, 1, 1)


def test_banner_text_has_no_bsn() -> None:
    assert EXPECTED.banner_text() == "J. de Vries · 01-02-1970 · 3118 AB"
    assert "111222333" not in EXPECTED.banner_text()


def test_banner_text_tolerates_an_unnormalised_postcode() -> None:
    ctx = dataclasses.replace(EXPECTED, postcode="onbekend")
    assert ctx.banner_text() == "J. de Vries · 01-02-1970 · onbekend"


def test_to_dict_uses_dutch_keys_and_round_trips() -> None:
    data = EXPECTED.to_dict()
    assert data == {
        "bsn": "111222333",
        "naam": "J. de Vries",
        "geboortedatum": "1970-02-01",
        "postcode": "3118AB",
        "telefoon": "0612345678",
    }
    assert PatientContext.from_fields(dict(data), today=TODAY) == EXPECTED


def test_patient_context_is_frozen_and_its_repr_hides_patient_data() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EXPECTED.bsn = "123456782"  # type: ignore[misc]
    for text in (repr(EXPECTED), str(EXPECTED), f"{EXPECTED}"):
        assert "111222333" not in text
        assert "Vries" not in text
        assert "3118" not in text


# --- gpdesk:// links -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        URL,
        URL.replace("gpdesk://", "GPDESK://"),
        URL.replace("gpdesk://", "GpDesk://"),
        URL.replace("gpdesk://patient", "gpdesk:patient"),
        URL.replace("gpdesk://patient", "gpdesk://patient/"),
        URL.replace("gpdesk://patient", "gpdesk://PATIENT"),
        URL.replace("%20", "+"),
        URL.replace("bsn=", "BSN="),
        URL + "#fragment",
        URL + "&versie=2&his=medicom",
        "  " + URL + "\n",
    ],
)
def test_parse_patient_url(url: str) -> None:
    assert parse_patient_url(url, today=TODAY) == EXPECTED


def test_parse_patient_url_decodes_percent_encoding() -> None:
    url = (
        "gpdesk://patient?bsn=1112%2E22%2E333&naam=Jos%C3%A9%20M%C3%BCller%2C%20J.%20%26%20Co"
        "&geboortedatum=01%2D02%2D1970&postcode=3118%20ab&telefoon=%2B31%20(0)10%201234567"
    )
    ctx = parse_patient_url(url, today=TODAY)
    assert ctx.bsn == "111222333"
    assert ctx.name == "José Müller, J. & Co"
    assert ctx.birth_date == date(1970, 2, 1)
    assert ctx.postcode == "3118AB"
    assert ctx.phone == "0101234567"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+31612345678", "0612345678"),
        ("+31+6+12345678", "0612345678"),
        ("%2B32+2+123+45+67", "+3221234567"),
        ("06+12345678", "0612345678"),
    ],
)
def test_parse_patient_url_phone_plus_signs(raw: str, expected: str) -> None:
    url = URL.replace("telefoon=0612345678", f"telefoon={raw}")
    assert parse_patient_url(url, today=TODAY).phone == expected


def test_parse_patient_url_without_phone() -> None:
    url = URL.replace("&telefoon=0612345678", "")
    assert parse_patient_url(url, today=TODAY).phone is None
    assert parse_patient_url(url + "&telefoon=", today=TODAY).phone is None


@pytest.mark.parametrize(
    "url",
    [
        URL.replace("gpdesk://", "https://"),
        URL.replace("gpdesk://", "gpdesks://"),
        URL.replace("gpdesk://patient", "gpdesk://patienten"),
        URL.replace("gpdesk://patient", "gpdesk://patient/extra"),
        URL.replace("gpdesk://patient", "gpdesk://patient:8080"),
        URL.replace("gpdesk://patient", "gpdesk://user@patient"),
        URL.replace("gpdesk://patient", "gpdesk:///patient"),
        URL.replace("gpdesk://patient", "gpdesk:"),
        URL.replace("gpdesk://", ""),
        "",
        "gpdesk",
        "http://[::1",
    ],
)
def test_parse_patient_url_rejects_other_links(url: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(url, today=TODAY)
    assert exc.value.problems == {"url": "Deze link is geen gpdesk-patiëntlink."}
    _assert_clean(exc.value, "111222333", "Vries")


def test_parse_patient_url_rejects_repeated_keys() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(URL + "&bsn=123456782", today=TODAY)
    assert list(exc.value.problems) == ["url"]
    assert "meer dan één keer" in exc.value.problems["url"]
    _assert_clean(exc.value, "111222333", "123456782")


def test_parse_patient_url_ignores_repeated_unknown_keys() -> None:
    assert parse_patient_url(URL + "&x=1&x=2", today=TODAY) == EXPECTED


def test_parse_patient_url_length_cap() -> None:
    padding = "&opvulling=" + "x" * (MAX_URL_LENGTH - len(URL) - len("&opvulling="))
    assert len(URL + padding) == MAX_URL_LENGTH
    assert parse_patient_url(URL + padding, today=TODAY) == EXPECTED
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(URL + padding + "x", today=TODAY)
    assert list(exc.value.problems) == ["url"]
    assert "te lang" in exc.value.problems["url"]


def test_parse_patient_url_rejects_undecodable_percent_encoding() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(URL.replace("J.%20de", "J.%FF%20de"), today=TODAY)
    assert list(exc.value.problems) == ["url"]


@pytest.mark.parametrize("url", ["gpdesk://patient", "gpdesk://patient?", "gpdesk:patient?&&"])
def test_parse_patient_url_without_fields(url: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(url, today=TODAY)
    assert list(exc.value.problems) == ["bsn", "naam", "geboortedatum", "postcode"]
    assert all(message.endswith("ontbreekt.") for message in exc.value.problems.values())


def test_parse_patient_url_reports_missing_and_invalid_fields() -> None:
    url = "gpdesk://patient?bsn=111222334&naam=&geboortedatum=2030-01-01&telefoon=06-CALL-ME"
    with pytest.raises(ValidationError) as exc:
        parse_patient_url(url, today=TODAY)
    problems = exc.value.problems
    assert list(problems) == ["bsn", "naam", "geboortedatum", "postcode", "telefoon"]
    assert "elfproef" in problems["bsn"]
    assert problems["naam"] == "De naam ontbreekt."
    assert "toekomst" in problems["geboortedatum"]
    assert problems["postcode"] == "De postcode ontbreekt."
    _assert_clean(exc.value, "111222334", "2030", "CALL")


# --- "Plak uit HIS" --------------------------------------------------------------------------

HIS_FORMS = {
    "comma": (
        "J. de Vries, 01-02-1970, BSN 111222333, 3118 AB Schiedam, tel. 06-12345678",
        "J. de Vries",
        "0612345678",
    ),
    "surname first": (
        "de Vries, J. (M) 01-02-1970 BSN: 111222333 Dorpsstraat 12 3118AB Schiedam 010-1234567",
        "de Vries, J.",
        "0101234567",
    ),
    "tabs": (
        "111222333\tJ. de Vries\t1970-02-01\t3118AB\t0612345678",
        "J. de Vries",
        "0612345678",
    ),
    "labels": (
        "Naam: J. de Vries\nGeboortedatum: 01-02-1970\nBSN: 111222333\nAdres: Dorpsstraat 12\n"
        "Postcode: 3118 AB\nWoonplaats: Schiedam\nTelefoon: 06 12345678",
        "J. de Vries",
        "0612345678",
    ),
}


@pytest.mark.parametrize(("text", "name", "phone"), HIS_FORMS.values(), ids=HIS_FORMS.keys())
def test_parse_his_line_forms(text: str, name: str, phone: str) -> None:
    ctx = parse_his_line(text, today=TODAY)
    assert ctx == PatientContext(
        bsn="111222333", name=name, birth_date=date(1970, 2, 1), postcode="3118AB", phone=phone
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # BSN written in groups
        ("J. de Vries, 01-02-1970, BSN 1112.22.333, 3118AB", "J. de Vries"),
        ("J. de Vries, 01-02-1970, 111 222 333, 3118AB", "J. de Vries"),
        ("J. de Vries, 01-02-1970, 111.222.333, 3118AB", "J. de Vries"),
        ("J. de Vries, 01-02-1970, BSN-nummer: 111-222-333, 3118AB", "J. de Vries"),
        # other date forms and labels
        ("J. de Vries, geb. 1-2-1970, 111222333, 3118AB", "J. de Vries"),
        ("J. de Vries, Geb.datum: 01.02.1970, 111222333, 3118AB", "J. de Vries"),
        ("J. de Vries 01/02/1970 111222333 3118AB", "J. de Vries"),
        ("111222333;J. de Vries;19700201;3118AB", "J. de Vries"),
        ("J. de Vries | 1970-02-01 | 111222333 | 3118 AB", "J. de Vries"),
        # gender marks and words
        ("de Vries, J. (V), 01-02-1970, 111222333, 3118AB", "de Vries, J."),
        ("de Vries, J. ( x ) 01-02-1970 111222333 3118AB", "de Vries, J."),
        ("de Vries, J., M, 01-02-1970, 111222333, 3118AB", "de Vries, J."),
        (
            "Vries, J. de (V)\t1.2.1970\t111222333\tDorpsstraat 12\t3118 AB\tSchiedam",
            "Vries, J. de",
        ),
        # address before or inside the name part, towns of several words
        ("Dorpsstraat 12, 3118 AB Schiedam, J. de Vries, 01-02-1970, 111222333", "J. de Vries"),
        ("J. de Vries Dorpsstraat 12 3118AB Schiedam 01-02-1970 111222333", "J. de Vries"),
        ("J. de Vries, Kerkweg 3a, 2901 AB Capelle aan den IJssel, 01-02-1970, 111222333", None),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB 's-Hertogenbosch", "J. de Vries"),
        # labels for the name
        ("Patiënt: J. de Vries, 01-02-1970, BSN 111222333, 3118AB", "J. de Vries"),
        ("Naam patiënt: J. de Vries\nGeb: 01-02-1970\nBSN: 111222333\nPostcode: 3118AB", None),
        ("BSN: 111222333\r\nNaam: J. de Vries\r\nGeboren op: 01-02-1970\r\nPostcode: 3118AB", None),
        # non-breaking spaces from a web-based HIS
        ("J.\u00a0de\u00a0Vries, 01-02-1970, 111\u00a0222\u00a0333, 3118\u00a0AB", "J. de Vries"),
    ],
)
def test_parse_his_line_variants(text: str, name: str | None) -> None:
    ctx = parse_his_line(text, today=TODAY)
    assert ctx.bsn == "111222333"
    assert ctx.name == (name or "J. de Vries")
    assert ctx.birth_date == date(1970, 2, 1)
    assert ctx.postcode in ("3118AB", "2901AB")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # the sex letter after the name (man, vrouw, onbekend) is not part of the name
        ("Vries, J. de (Jan) M 01-02-1970 111222333 3118 AB", "Vries, J. de (Jan)"),
        ("Vries, J. de (Jan) M, 01-02-1970, 111222333, 3118AB Schiedam", "Vries, J. de (Jan)"),
        ("Vries, J. de V 01-02-1970 111222333 3118AB", "Vries, J. de"),
        ("Vries, J. de O	01-02-1970	111222333	3118AB", "Vries, J. de"),
        (
            "Vries-Bakker, A.M. de (Anna) V 01-02-1970 111222333 3118AB",
            "Vries-Bakker, A.M. de (Anna)",
        ),
        ("J. de Vries M, 01-02-1970, 111222333, 3118AB", "J. de Vries"),
        ("Jansen, Piet m 01-02-1970 111222333 3118AB", "Jansen, Piet"),
        (
            "Naam: Vries, J. de (Jan) M\nGeboortedatum: 01-02-1970\nBSN: 111222333\n"
            "Postcode: 3118AB",
            "Vries, J. de (Jan)",
        ),
        # without a sex letter nothing is taken off
        ("Vries, J. de (Jan) 01-02-1970 111222333 3118AB", "Vries, J. de (Jan)"),
        ("Vries, J. de 01-02-1970 111222333 3118AB", "Vries, J. de"),
        # initials stay: with dots, glued, or written without dots
        ("J. M. de Vries 01-02-1970 111222333 3118AB", "J. M. de Vries"),
        ("Jansen, P. M. 01-02-1970 111222333 3118AB", "Jansen, P. M."),
        ("Jansen, P.M 01-02-1970 111222333 3118AB", "Jansen, P.M"),
        ("Jansen, P M 01-02-1970 111222333 3118AB", "Jansen, P M"),
        ("J. M. de Vries V 01-02-1970 111222333 3118AB", "J. M. de Vries"),
    ],
)
def test_parse_his_line_leaves_the_sex_letter_out_of_the_name(text: str, name: str) -> None:
    ctx = parse_his_line(text, today=TODAY)
    assert ctx.name == name
    assert (ctx.bsn, ctx.birth_date, ctx.postcode) == ("111222333", date(1970, 2, 1), "3118AB")


def test_read_his_line_keeps_what_it_found_when_something_is_wrong() -> None:
    reading = read_his_line(
        "Vries, J. de (Jan) M 01-02-2030 111222334 3118 AB 06-12345678", today=TODAY
    )
    assert (reading.name, reading.postcode, reading.phone) == (
        "Vries, J. de (Jan)",
        "3118AB",
        "0612345678",
    )
    assert reading.bsn is None
    assert reading.birth_date is None
    assert list(reading.problems) == ["bsn", "geboortedatum"]
    with pytest.raises(ValidationError) as exc:
        reading.context()
    assert exc.value.problems == reading.problems
    assert "Vries" not in repr(reading)


def test_read_his_line_gives_no_bsn_when_there_are_two() -> None:
    reading = read_his_line("J. de Vries, 01-02-1970, BSN 111222333, BSN 123456782, 3118AB")
    assert reading.bsn is None
    assert list(reading.problems) == ["bsn"]
    assert reading.name == "J. de Vries"


def test_parse_his_line_keeps_unicode_names_and_other_values() -> None:
    text = "Patiënt: José Müller-Lüdenscheidt | geb. 29-02-1972 | BSN 123456782 | 9711 lm Groningen"
    ctx = parse_his_line(text, today=TODAY)
    assert ctx == PatientContext(
        bsn="123456782",
        name="José Müller-Lüdenscheidt",
        birth_date=date(1972, 2, 29),
        postcode="9711LM",
        phone=None,
    )


def test_parse_his_line_pads_a_labelled_eight_digit_bsn() -> None:
    text = "BSN: 12345672\nNaam: J. de Vries\nGeboortedatum: 01-02-1970\nPostcode: 3118 AB"
    assert parse_his_line(text, today=TODAY).bsn == "012345672"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, +31 (0)10 1234567", "0101234567"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, +31 612345678", "0612345678"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, (010) 123 45 67", "0101234567"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, 0031 6 12345678", "0612345678"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, Tel.: +32 2 123 45 67", "+3221234567"),
        (
            "J. de Vries, 01-02-1970, 111222333, 3118AB, mobiel 06-1234 5678 / 010-1234567",
            "0612345678",
        ),
        ("J. de Vries 01021970 06 12345678 111222333 3118AB", "0612345678"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB", None),
    ],
)
def test_parse_his_line_phone(text: str, phone: str | None) -> None:
    ctx = parse_his_line(text, today=TODAY)
    assert ctx.bsn == "111222333"
    assert ctx.birth_date == date(1970, 2, 1)
    assert ctx.name == "J. de Vries"
    assert ctx.phone == phone


def test_parse_his_line_prefers_the_labelled_bsn() -> None:
    text = "J. de Vries, 01-02-1970, patiëntnr 123456782, BSN: 111222333, 3118AB"
    assert parse_his_line(text, today=TODAY).bsn == "111222333"


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "J. de Vries, 01-02-1970, 3118AB",
            {"bsn": "Het BSN is niet gevonden in de geplakte tekst."},
        ),
        (
            "J. de Vries, 111222333, 3118AB",
            {"geboortedatum": "De geboortedatum is niet gevonden in de geplakte tekst."},
        ),
        (
            "J. de Vries, 01-02-1970, 111222333, Schiedam",
            {"postcode": "De postcode is niet gevonden in de geplakte tekst."},
        ),
        (
            "01-02-1970, 111222333, Dorpsstraat 12, 3118AB Schiedam",
            {"naam": "De naam is niet gevonden in de geplakte tekst."},
        ),
        (
            "Naam:\nGeboortedatum: 01-02-1970\nBSN: 111222333\nPostcode: 3118AB",
            {"naam": "De naam is niet gevonden in de geplakte tekst."},
        ),
        (
            "06-12345678",
            {
                "bsn": "Het BSN is niet gevonden in de geplakte tekst.",
                "naam": "De naam is niet gevonden in de geplakte tekst.",
                "geboortedatum": "De geboortedatum is niet gevonden in de geplakte tekst.",
                "postcode": "De postcode is niet gevonden in de geplakte tekst.",
            },
        ),
    ],
)
def test_parse_his_line_names_what_is_missing(text: str, problems: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_his_line(text, today=TODAY)
    assert exc.value.problems == problems


@pytest.mark.parametrize(
    ("text", "field", "message_part"),
    [
        ("J. de Vries, 01-02-1970, BSN 111222334, 3118AB", "bsn", "elfproef"),
        ("J. de Vries, 01-02-1970, 111222334, 3118AB", "bsn", "elfproef"),
        ("J. de Vries, 01-02-1970, BSN 1112223334, 3118AB", "bsn", "9 cijfers"),
        ("J. de Vries, 01-02-1970, 111222333, 123456782, 3118AB", "bsn", "meerdere BSN"),
        ("J. de Vries, BSN 111222333, BSN 123456782, 01-02-1970, 3118AB", "bsn", "meerdere BSN"),
        ("J. de Vries, 01-02-2030, 111222333, 3118AB", "geboortedatum", "toekomst"),
        ("J. de Vries, 31-02-1970, 111222333, 3118AB", "geboortedatum", "bestaat niet"),
        ("J. de Vries, geb. 01-02-70, 111222333, 3118AB", "geboortedatum", "4 cijfers"),
        ("J. de Vries, 01-02-1970, 111222333, 3118 SA", "postcode", "SA, SD of SS"),
        ("J. de Vries, 01-02-1970, 111222333, Postcode: 0118 AB", "postcode", "met een 0"),
        ("J. de Vries, 01-02-1970, 111222333, 3118AB, tel: 06-123", "telefoon", "niet herkend"),
    ],
)
def test_parse_his_line_reports_wrong_values(text: str, field: str, message_part: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_his_line(text, today=TODAY)
    assert list(exc.value.problems) == [field]
    assert message_part in exc.value.problems[field]
    _assert_clean(
        exc.value, "Vries", "111222334", "1112223334", "111222333", "123456782", "3118", "06-123"
    )


def test_parse_his_line_reports_several_problems_together() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_his_line("Piet Puk, 01-02-2030, 111222334", today=TODAY)
    assert list(exc.value.problems) == ["bsn", "geboortedatum", "postcode"]
    _assert_clean(exc.value, "Piet", "Puk", "111222334", "2030")


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_parse_his_line_empty(text: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_his_line(text, today=TODAY)
    assert list(exc.value.problems) == ["tekst"]


def test_parse_his_line_refuses_huge_pastes() -> None:
    text = HIS_FORMS["comma"][0] + " " * 20_000
    with pytest.raises(ValidationError) as exc:
        parse_his_line(text, today=TODAY)
    assert list(exc.value.problems) == ["tekst"]


def test_parse_his_line_defaults_to_the_real_today() -> None:
    assert parse_his_line(HIS_FORMS["tabs"][0]).birth_date == date(1970, 2, 1)


def test_parse_his_line_result_round_trips_through_a_link() -> None:
    ctx = parse_his_line(HIS_FORMS["surname first"][0], today=TODAY)
    query = "&".join(f"{key}={value}" for key, value in ctx.to_dict().items())
    url = "gpdesk://patient?" + query.replace(" ", "%20").replace(",", "%2C")
    assert parse_patient_url(url, today=TODAY) == ctx


@pytest.mark.parametrize("text", ["0 " * 4999, "1-" * 4999, "BSN " * 2499, "(0)" * 3333])
def test_parse_his_line_survives_pathological_pastes(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_his_line(text, today=TODAY)
