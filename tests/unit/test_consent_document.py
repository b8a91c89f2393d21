"""The printable consent as a letter Document: one sheet to sign, for the one renderer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from gpdesk.kaart.handout import BODY_SIZES
from gpdesk.letters.document import Fields, Heading, Paragraph
from gpdesk.letters.pdf import page_count
from gpdesk.signals.consent import ConsentMethod, Representative
from gpdesk.signals.consent_text import SIGN_HERE, consent_document, consent_text
from tests.unit.test_consent_text import BSN, TODAY, checked


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
        ("Handtekening patiënt", SIGN_HERE),
    ]
    muted = [b for b in document.blocks if isinstance(b, Paragraph) and b.muted]
    assert muted and "Autoriteit Persoonsgegevens" in str(muted[-1].content)  # whole, not cut
    assert document.footer is None


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
    assert "Handtekening moeder" in [row.label for row in fields[-1].rows]
