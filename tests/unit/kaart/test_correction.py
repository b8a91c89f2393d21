"""Meld correctie: the prepared e-mail never carries patient data in its subject."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from gpdesk.kaart.correction import (
    CorrectionMail,
    build_correction,
    patient_data_problem,
    recipient,
)
from gpdesk.kaart.store.queries import ContactRef
from tests.unit.kaart.test_handout import detail

TODAY = date(2026, 11, 24)


def mail(text: str = "Het inloopspreekuur is nu op woensdag.") -> CorrectionMail:
    return build_correction(
        detail(),
        what_is_wrong=text,
        reporter="H. Bakker",
        practice_name="Huisartsenpraktijk De Singel",
        today=TODAY,
    )


def test_subject_is_only_the_service_name() -> None:
    message = mail("Mevrouw De Vries (BSN 111222333) kon niet terecht")
    assert message.subject == "Correctie sociale kaart: Wijkteam Nieuwland"
    assert "Vries" not in message.subject and "111" not in message.subject


def test_body_says_what_is_wrong_and_what_the_kaart_says_now() -> None:
    body = mail().body
    assert body.startswith("Beste collega's van Stichting Wijkteams Schiedam,")
    assert "Het inloopspreekuur is nu op woensdag." in body
    assert "- telefoon: 010-001 11 26" in body
    assert "- adres: Nieuwlandplein 12, 3118 XB Schiedam" in body
    assert "- contactpersoon: Fatma Kaya (wijkcoach)" in body
    assert "- laatst gecontroleerd: 10 november 2026 door R. Smit" in body
    assert body.rstrip().endswith("24 november 2026")
    assert "H. Bakker" in body
    assert "010-001 14 71" not in body  # the practice's own direct line stays private


def test_mailto_url_is_encoded_with_crlf_line_breaks() -> None:
    url = urlsplit(mail().mailto_url())
    assert url.scheme == "mailto"
    assert unquote(url.path) == "wijkteam@example.nl"
    query = parse_qs(url.query)
    assert query["subject"] == ["Correctie sociale kaart: Wijkteam Nieuwland"]
    assert "\r\n" in query["body"][0]
    assert " " not in mail().mailto_url()


def test_recipient_falls_back_to_a_contact_and_may_be_missing() -> None:
    assert recipient(detail()) == "wijkteam@example.nl"
    assert recipient(detail(email=None)) == "fatma@example.nl"
    nobody = ContactRef(id="c9", name="Iemand")
    assert recipient(detail(email=None, contacts=(nobody,), fixed_contacts=())) is None
    assert (
        build_correction(
            replace(detail(), email=None, contacts=(), fixed_contacts=()),
            what_is_wrong="x",
            reporter="H. Bakker",
            practice_name="P",
            today=TODAY,
        ).to
        is None
    )


@pytest.mark.parametrize(
    "text",
    ["BSN 111222333", "bsn: 111 222 333", "111.222.333", "geboren 1-2-1970", "geb. 01-02-1970"],
)
def test_patient_data_is_recognised(text: str) -> None:
    assert patient_data_problem(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "Het nummer 010-001 23 13 werkt niet.",
        "Bel 06-12345678.",
        "Postcode 3118 hoort bij Nieuwland.",
        "Sinds 1-1-2026 op woensdag.",
        "Voor kinderen geboren na 2010.",
        "123456789",  # nine digits that fail the 11-proef
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    assert patient_data_problem(text) is None


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        mail("   ")
