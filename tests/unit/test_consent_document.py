"""The printable consent as a letter Document: one sheet to sign, for the one renderer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gpdesk.kaart.handout import BODY_SIZES
from gpdesk.letters.document import Bullets, Document, Fields, Heading, Paragraph
from gpdesk.letters.pdf import page_count, render_pdf_fitting
from gpdesk.signals.consent import (
    TEXT_VERSION,
    ConsentMethod,
    DataItem,
    OrganisationRef,
    Representative,
)
from gpdesk.signals.consent_text import MAX_FOOTER, SIGN_HERE, consent_document, consent_text
from tests.unit.test_consent_text import BSN, TODAY, WIJKTEAMS, checked

SOCIAAL_DOMEIN = OrganisationRef("Gemeente Schiedam, Sociaal Domein", "org-gemeente")


def _texts(blocks: tuple[object, ...]) -> str:
    return repr(blocks)


def test_every_section_and_the_lines_to_sign_are_there() -> None:
    text = consent_text(checked(), practice_name="De Singel", gp_name="H. Bakker")
    document = consent_document(text, practice_name="De Singel", today=TODAY)
    assert document.title == text.title == document.metadata_title
    assert document.date == TODAY
    headings = [b.text for b in document.blocks if isinstance(b, Heading)]
    assert "Welke gegevens?" in headings and "Ondertekening" in headings
    fields = [b for b in document.blocks if isinstance(b, Fields)]
    assert [(f.label, f.value) for f in fields[-1].rows] == [
        ("Datum", SIGN_HERE),
        ("\nHandtekening patiënt", f"\n{SIGN_HERE}"),  # an empty line above to sign in
    ]
    assert document.blocks[-1] == Paragraph("Bewaar een kopie voor uzelf.")
    # Where the text comes from: whole, in the small print at the foot of the page.
    assert document.footer is not None and len(document.footer) <= MAX_FOOTER
    assert "Autoriteit Persoonsgegevens" in document.footer and TEXT_VERSION in document.footer


def test_an_adult_consent_fits_one_sheet_and_never_names_the_bsn() -> None:
    text = consent_text(
        checked(),
        practice_name="Huisartsenpraktijk De Singel",
        gp_name="H. Bakker",
        patient_name="J. de Vries",
        patient_birth_date=date(1970, 2, 1),
    )
    document = consent_document(text, practice_name="Huisartsenpraktijk De Singel", today=TODAY)
    assert page_count(replace(document, body_pt=BODY_SIZES[-1])) == 1  # as the GUI saves it
    assert BSN not in _texts(document.blocks)


def test_a_representative_signs_too() -> None:
    terms = checked(
        birth=date(2016, 3, 22),
        method=ConsentMethod.REPRESENTATIVE,
        representative=Representative("A. Öztürk", "moeder"),
    )
    document = consent_document(
        consent_text(terms, practice_name="P", gp_name="G"), practice_name="P", today=TODAY
    )
    fields = [b for b in document.blocks if isinstance(b, Fields)]
    assert "Handtekening moeder" in [row.label.strip() for row in fields[-1].rows]


def _paragraph_texts(document: Document) -> list[str]:
    def words(content: object) -> str:
        pieces = content if isinstance(content, tuple) else (content,)
        return "".join(p if isinstance(p, str) else getattr(p, "text", "") for p in pieces)

    return [words(b.content) for b in document.blocks if isinstance(b, Paragraph)]


def test_short_lists_read_as_one_line_and_the_data_items_stay_a_list() -> None:
    text = consent_text(
        checked(organisations=(WIJKTEAMS, SOCIAAL_DOMEIN)),
        practice_name="P",
        gp_name="G",
        patient_name="J. de Vries",
        patient_birth_date=date(1970, 2, 1),
    )
    document = consent_document(text, practice_name="P", today=TODAY)
    lines = [t for t in _paragraph_texts(document) if "?" in t]
    assert "Over wie gaat het? Naam: J. de Vries; Geboortedatum: 01-02-1970" in lines
    assert (  # a semicolon between organisations, because a name may hold a comma
        "Aan wie? Alleen aan deze organisatie(s): Stichting Wijkteams Schiedam; "
        "Gemeente Schiedam, Sociaal Domein"
    ) in lines
    bullets = [b for b in document.blocks if isinstance(b, Bullets)]
    assert bullets[-1].items[:3] == ("uw naam", "uw telefoonnummer", "uw postcode")


@pytest.mark.parametrize(
    ("birth", "method"),
    [
        (date(2013, 1, 2), ConsentMethod.ORAL),  # 13: the child and the mother both sign
        (date(2018, 1, 2), ConsentMethod.REPRESENTATIVE),  # 8: the mother signs
        (date(1940, 1, 2), ConsentMethod.REPRESENTATIVE),  # cannot decide: the mentor signs
    ],
)
def test_with_a_representative_the_longest_consent_still_fits_one_sheet(
    birth: date, method: ConsentMethod
) -> None:
    """Two organisations, every data item, a long name: one page, as saved and as printed."""
    terms = checked(
        birth=birth,
        method=method,
        representative=Representative("A. Öztürk-Yılmaz van den Berg", "moeder"),
        patient_incapable=birth.year < 2000,
        organisations=(WIJKTEAMS, SOCIAAL_DOMEIN),
        items=frozenset(DataItem),
    )
    text = consent_text(
        terms,
        practice_name="Huisartsenpraktijk De Singel",
        gp_name="H. Bakker",
        practice_phone="010-1234567",
        patient_name="J. de Vries-van der Heijden",
        patient_birth_date=birth,
    )
    document = consent_document(
        text,
        practice_name="Huisartsenpraktijk De Singel",
        today=TODAY,
        practice_phone="010-1234567",
    )
    _pdf, size = render_pdf_fitting(document, BODY_SIZES, max_pages=1)
    assert page_count(replace(document, body_pt=size)) == 1
