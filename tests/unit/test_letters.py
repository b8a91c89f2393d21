"""The PDF renderer: text survives, pages flow and count, metadata stays clean, threads agree."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from gpdesk.letters.document import (
    Bullets,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Link,
    Marked,
    Notice,
    Paragraph,
    ReplyLinks,
    Strong,
    dutch_date,
)
from gpdesk.letters.html import to_html
from gpdesk.letters.pdf import page_count, render_pdf, render_pdf_fitting

CREATED = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)
PATIENT = "Ayşe Łukasiewicz-Żak"
REFERENCE = "SIG-2026-000123"
HEAD = Letterhead(
    "Huisartsenpraktijk De Singel",
    ("Singel 12", "3112 GS Schiedam"),
    phone="010 123 45 67",
    email="praktijk@desingel.example",
    agb_code="01-123456",
)


def _reply(word: str) -> Link:
    subject = f"Signaal {REFERENCE} {word}".replace(" ", "%20")
    return Link(word, f"mailto:praktijk@desingel.example?subject={subject}")


def signal_letter(**changes: Any) -> Document:
    """A signal letter as the signal domain will build it, with a patient in the body."""
    document = Document(
        letterhead=HEAD,
        title=f"Signaal {REFERENCE}",
        subtitle="Aanmelding bij het wijkteam",
        date=date(2026, 12, 6),
        recipient=("Wijkteam Schiedam-Oost",),
        blocks=(
            Paragraph("Beste collega’s van het wijkteam,"),
            Paragraph("De patiënt wil hulp bij schulden – de eigen bijdrage van € 25 is te veel."),
            Heading("Gegevens"),
            Fields(
                (
                    Field("Naam", PATIENT),
                    Field("Telefoon", "06 12 34 56 78", prominent=True),
                    Field("Vraag", "Een naïeve vraag over geld."),
                )
            ),
            Notice("Bij spoed belt u de praktijk: 010 123 45 67."),
            Notice(("Niet meegestuurd: ", Strong("BSN, privénotitie")), tone="info"),
            Bullets(("uw legitimatiebewijs", "brieven over uw vraag")),
            Paragraph(("De eerstvolgende keer is: ", Marked("donderdag 10 december"), ".")),
            ReplyLinks(
                "Laat ons met één klik weten hoe het gaat:",
                tuple(_reply(w) for w in ("ontvangen", "in behandeling", "afgerond")),
            ),
        ),
        footer=f"Signaal {REFERENCE}",
        created_at=CREATED,
    )
    return replace(document, **changes)


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _flat(text: str) -> str:
    """Extracted text with line breaks and runs of spaces folded (wrapping is layout's business)."""
    return " ".join(text.split())


def test_dutch_and_foreign_letters_survive_in_every_kind_of_block() -> None:
    text = _flat(_text(render_pdf(signal_letter())))
    for expected in (
        "Beste collega’s van het wijkteam,",
        "schulden – de eigen bijdrage van € 25",
        "Een naïeve vraag",
        PATIENT,
        "Niet meegestuurd: BSN, privénotitie",
        "uw legitimatiebewijs",
        "donderdag 10 december",
        "Huisartsenpraktijk De Singel",
        "AGB-code 01-123456",
        "6 december 2026",
        "Wijkteam Schiedam-Oost",
    ):
        assert expected in text


def test_every_font_is_embedded() -> None:
    reader = _reader(render_pdf(signal_letter()))
    resources = reader.pages[0]["/Resources"]
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"]
    assert isinstance(fonts, DictionaryObject)
    assert len(fonts) >= 2  # regular and bold
    for ref in fonts.values():
        font = ref.get_object()
        assert isinstance(font, DictionaryObject)
        assert str(font["/Subtype"]) == "/TrueType", font["/BaseFont"]
        descriptor = font["/FontDescriptor"].get_object()
        assert isinstance(descriptor, DictionaryObject)
        assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_text_is_escaped_not_read_as_markup() -> None:
    tricky = 'Zorg & Welzijn <b>niet vet</b> "quotes" <a href="x">'
    document = signal_letter(blocks=(Paragraph(tricky), Fields((Field("Naam", tricky),))))
    assert _flat(_text(render_pdf(document))).count(tricky) == 2


def test_a_newline_is_a_line_break() -> None:
    document = signal_letter(blocks=(Paragraph("De Brug\nHoofdstraat 1\n3111 AA Schiedam"),))
    lines = _text(render_pdf(document)).splitlines()
    assert "Hoofdstraat 1" in lines


def test_long_text_flows_onto_numbered_pages() -> None:
    sentence = "Dit is een lange zin over de wijk, de zorg en het wijkteam in Schiedam. "
    blocks = (*(Paragraph(sentence * 25) for _ in range(10)), Paragraph("Het einde."))
    pdf = render_pdf(signal_letter(blocks=blocks))
    pages = _reader(pdf).pages
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} van {total}" in page.extract_text()
    assert "Het einde." in pages[-1].extract_text()
    # Later pages carry the practice and the title at the top.
    assert "Huisartsenpraktijk De Singel · Signaal SIG-2026-000123" in pages[1].extract_text()
    assert page_count(signal_letter(blocks=blocks)) == total


def test_a_field_longer_than_a_page_continues_on_the_next() -> None:
    question = "Een heel lange hulpvraag. " * 400
    pdf = render_pdf(signal_letter(blocks=(Fields((Field("Vraag", question),)),)))
    pages = _reader(pdf).pages
    assert len(pages) >= 2
    words = _text(pdf).split()  # a sentence may break over a page, so count its words
    assert words.count("Een") == words.count("hulpvraag.") == 400


def test_metadata_has_the_title_and_no_patient_data() -> None:
    reader = _reader(render_pdf(signal_letter()))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"Signaal {REFERENCE}"
    assert meta.author == "Huisartsenpraktijk De Singel"
    assert meta.creator == "gpdesk"
    everything = " ".join(str(value) for value in meta.values())
    for patient_data in (PATIENT, "06 12 34 56 78", "Ayşe"):
        assert patient_data not in everything
    assert reader.xmp_metadata is None  # no second place for metadata to hide in


def test_metadata_title_can_differ_from_the_visible_title() -> None:
    document = signal_letter(title=f"Voor {PATIENT}", metadata_title="Informatie De Brug")
    reader = _reader(render_pdf(document))
    assert reader.metadata is not None
    assert reader.metadata.title == "Informatie De Brug"
    assert PATIENT in _flat(_text(render_pdf(document)))


def test_same_document_same_bytes_and_the_creation_date_is_kept() -> None:
    first = render_pdf(signal_letter())
    assert render_pdf(signal_letter()) == first
    meta = _reader(first).metadata
    assert meta is not None
    assert meta.creation_date == CREATED
    later = render_pdf(signal_letter(created_at=datetime(2027, 1, 2, 9, 0, tzinfo=UTC)))
    assert later != first


def test_rendering_from_threads_at_once_gives_the_same_bytes() -> None:
    """ReportLab's font faces are shared: unguarded, threads embedding at once corrupt them."""
    alphabets = ("één ë ï", "ż ś ń ș ț", "ş ğ ı Ş", "€ – ’ ő ű", "abc", "ÀÉÎÕÜ ç")
    # Short letters: embedding the fonts, where the race was, is most of their work.
    documents = [
        signal_letter(blocks=(Paragraph(letters * (i + 1)), Notice(letters)))
        for i, letters in enumerate(alphabets)
    ]
    expected = [render_pdf(document) for document in documents]
    threads = 8
    start = threading.Barrier(threads)

    def render(index: int) -> bytes:
        if index < threads:
            start.wait()
        return render_pdf(documents[index % len(documents)])

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(render, range(96)))
    assert results == [expected[i % len(documents)] for i in range(96)]


def test_reply_links_are_clickable_mailto_links() -> None:
    page = _reader(render_pdf(signal_letter())).pages[0]
    uris = []
    for ref in page.get("/Annots", []):
        annotation = ref.get_object()
        assert isinstance(annotation, DictionaryObject)
        action = annotation.get("/A")
        if str(annotation["/Subtype"]) == "/Link" and isinstance(action, DictionaryObject):
            uris.append(str(action["/URI"]))
    assert uris == [
        "mailto:praktijk@desingel.example?subject=Signaal%20SIG-2026-000123%20ontvangen",
        "mailto:praktijk@desingel.example?subject=Signaal%20SIG-2026-000123%20in%20behandeling",
        "mailto:praktijk@desingel.example?subject=Signaal%20SIG-2026-000123%20afgerond",
    ]


def test_fitting_shrinks_the_body_until_one_page_is_enough() -> None:
    blocks = tuple(Paragraph("Wat doen zij? Zij helpen bij geld en wonen. " * 12) for _ in range(6))
    document = signal_letter(blocks=blocks)
    assert page_count(document) > 1
    pdf, size = render_pdf_fitting(document, (12.0, 11.0, 10.0, 9.0, 8.0))
    assert len(_reader(pdf).pages) == 1
    assert size < 12.0
    short = signal_letter(blocks=(Paragraph("Kort."),))
    assert render_pdf_fitting(short, (12.0, 11.0))[1] == 12.0
    with pytest.raises(ValueError):
        render_pdf_fitting(short, ())


def test_empty_blocks_render_nothing_and_do_not_fail() -> None:
    document = signal_letter(blocks=(Fields(()), Bullets(()), ReplyLinks("Antwoord:", ())))
    assert "Antwoord:" in _text(render_pdf(document))


def test_dutch_date() -> None:
    assert dutch_date(date(2026, 3, 1)) == "1 maart 2026"


def test_renders_without_qt_and_the_model_does_not_load_reportlab() -> None:
    """The CLI sends without a window; code that only builds a letter stays light."""
    code = (
        "import sys\n"
        "import gpdesk.letters.document as d\n"
        "assert not any(m.startswith('reportlab') for m in sys.modules)\n"
        "from gpdesk.letters.pdf import render_pdf\n"
        "pdf = render_pdf(d.Document(d.Letterhead('P'), 'T', (d.Paragraph('x'),)))\n"
        "assert pdf.startswith(b'%PDF')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith('PySide6')}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


def test_the_html_preview_says_what_the_pdf_says() -> None:
    document = signal_letter()
    html = to_html(document)
    pdf_text = _flat(_text(render_pdf(document)))
    for expected in (
        "Beste collega’s van het wijkteam,",
        PATIENT,
        "Niet meegestuurd: <b>BSN, privénotitie</b>",
        '<span class="mark">donderdag 10 december</span>',
        "<li>uw legitimatiebewijs</li>",
        "AGB-code 01-123456",
        "6 december 2026",
    ):
        assert expected in html
        assert re.sub(r"<[^>]+>", "", expected) in pdf_text
    assert (
        '<a href="mailto:praktijk@desingel.example?subject=Signaal%20SIG-2026-000123%20ontvangen">'
        "ontvangen</a>"
    ) in html
    assert f"<title>Signaal {REFERENCE}</title>" in html


def test_the_html_preview_escapes_text() -> None:
    html = to_html(signal_letter(blocks=(Paragraph("Zorg & Welzijn <script>\nregel 2"),)))
    assert "Zorg &amp; Welzijn &lt;script&gt;<br>regel 2" in html
