"""The patient handout and the contact lines: plain text, no patient data unless asked."""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from gpdesk.errors import GpdeskError
from gpdesk.kaart.handout import (
    DEFAULT_BRING,
    capacity_text,
    contact_lines,
    for_patient,
    handout_document,
    handout_pdf,
    save_handout_pdf,
    what_to_bring,
)
from gpdesk.kaart.schedule import AMSTERDAM, Slot
from gpdesk.kaart.store.queries import ContactRef, LocationRef, PhoneRef, ServiceDetail
from gpdesk.letters.document import Field, Fields, Notice
from gpdesk.letters.html import to_html
from gpdesk.letters.pdf import page_count
from gpdesk.models import ServiceKind, ServiceStatus

TODAY = date(2026, 11, 24)
PRACTICE = "Huisartsenpraktijk De Singel"


def detail(**changes: Any) -> ServiceDetail:
    deputy = ContactRef(id="c2", name="Jeroen Visser", title="wijkcoach", phone="010-001 12 68")
    base = ServiceDetail(
        id="s1",
        name="Wijkteam Nieuwland",
        alternate_name=None,
        organization_id="o1",
        organization="Stichting Wijkteams Schiedam",
        kind=ServiceKind.WIJKTEAM,
        status=ServiceStatus.ACTIVE,
        description="Het wijkteam helpt inwoners met vragen over geld, wonen en opvoeden.",
        url="https://wijkteams.example/nieuwland",
        email="wijkteam@example.nl",
        alert=None,
        contacts=(
            ContactRef(
                id="c1",
                name="Fatma Kaya",
                title="wijkcoach",
                email="fatma@example.nl",
                phone="010-001 11 97",
                deputy=deputy,
            ),
        ),
        fixed_contacts=(
            ContactRef(
                id="c1",
                name="Fatma Kaya",
                title="wijkcoach",
                email="fatma@example.nl",
                phone="010-001 14 71",  # the practice's direct line
                deputy=deputy,
                fixed=True,
                note="Bel liever dan mailen bij urgentie.",
            ),
        ),
        phones=(PhoneRef("010-001 11 26", description="Algemeen nummer"),),
        locations=(
            LocationRef(
                "l1",
                "Buurtcentrum Het Anker",
                "Nieuwlandplein 12, 3118 XB Schiedam",
                transportation="Bus 54, halte Nieuwlandplein.",
            ),
        ),
        opening_hours=("maandag t/m vrijdag 08:30–17:00", "inloop: donderdag 09:00–11:00"),
        next_walk_in=Slot(
            datetime(2026, 11, 26, 9, 0, tzinfo=AMSTERDAM),
            datetime(2026, 11, 26, 11, 0, tzinfo=AMSTERDAM),
        ),
        next_walk_in_label="donderdag 26 november 09:00–11:00",
        open_now=False,
        areas=(),
        themes=(),
        languages=(),
        capacities=(),
        has_capacity=None,
        eligibility_description="Inwoners van de wijk, alle leeftijden.",
        minimum_age=None,
        maximum_age=None,
        fees_description="Gratis.",
        application_process=(
            "Verwijzen via een signaal uit gpdesk (met toestemming van de patiënt). "
            "Zelf bellen kan ook."
        ),
        interpretation_services=None,
        assured_date=date(2026, 11, 10),
        assured_by="R. Smit",
        stale=False,
        last_modified=None,
        feedback_agreement=None,
    )
    return replace(base, **changes)


def handout_html(service: ServiceDetail, **options: Any) -> str:
    """The handout as the preview shows it."""
    return to_html(handout_document(service, **options))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_handout_has_no_patient_name_by_default() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY)
    assert "Voor:" not in html
    assert "Vries" not in html


def test_handout_names_the_patient_only_when_asked() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY, patient_name="J. de Vries")
    assert "Voor: <b>J. de Vries</b>" in html


def test_handout_says_where_when_whom_to_call_and_what_to_bring() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY)
    assert "Nieuwlandplein 12, 3118 XB Schiedam" in html
    assert "Bus 54, halte Nieuwlandplein." in html
    assert "zonder afspraak langskomen op het inloopspreekuur: donderdag 09:00–11:00" in html
    assert "donderdag 26 november 09:00–11:00" in html
    assert "maandag t/m vrijdag 08:30–17:00" in html
    assert "010-001 11 26" in html  # the service's public number
    assert "Fatma Kaya (wijkcoach)" in html
    assert "Neem mee" in html and "legitimatiebewijs" in html
    assert f"Meegegeven door {PRACTICE} op 24 november 2026." in html


def test_handout_leaves_out_the_practices_private_layer_and_professional_jargon() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY)
    assert "010-001 14 71" not in html  # direct line agreed with the practice
    assert "urgentie" not in html  # local note
    assert "gpdesk" not in html and "signaal" not in html
    assert "Zelf bellen kan ook." in html


def test_handout_without_walk_in_says_to_make_an_appointment() -> None:
    html = handout_html(
        detail(opening_hours=("maandag 09:00–12:00",), next_walk_in=None, next_walk_in_label=None),
        practice_name=PRACTICE,
        today=TODAY,
    )
    assert "inloopspreekuur" not in html
    assert "Maak eerst een afspraak: bel 010-001 11 26." in html


def test_handout_escapes_kaart_text() -> None:
    html = handout_html(detail(name="Hulp <script>"), practice_name=PRACTICE, today=TODAY)
    assert "<script>" not in html and "Hulp &lt;script&gt;" in html


def test_what_to_bring_follows_the_kaart_when_it_says_so() -> None:
    assert what_to_bring(detail()) == DEFAULT_BRING
    told = detail(application_process="Bel voor een afspraak. Neem uw loonstroken mee.")
    assert what_to_bring(told) == ("Neem uw loonstroken mee.",)


def test_for_patient_drops_sentences_for_professionals() -> None:
    assert for_patient("Verwijzen via een signaal uit gpdesk. Bel ons gerust.") == "Bel ons gerust."
    assert for_patient(None) == ""
    assert (
        for_patient(
            "Bel of mail het wijkteam. Met toestemming kan de praktijk de vaste contactpersoon "
            "bellen."
        )
        == "Bel of mail het wijkteam."
    )


def test_capacity_is_said_once_and_counted_in_plekken() -> None:
    assert capacity_text(1, "plaatsen", None) == "1 plek vrij"
    assert capacity_text(3, "plaatsen", "Drie plaatsen vrij.") == "3 plekken vrij"
    assert capacity_text(1, "plaatsen", "Eén plek vrij.") == "1 plek vrij"
    assert capacity_text(2, "plaatsen", "Twee gezinnen kunnen direct starten.") == (
        "2 plekken vrij – Twee gezinnen kunnen direct starten."
    )
    assert capacity_text(4, "bedden", None) == "4 bedden vrij"
    assert capacity_text(0, "plaatsen", "Wachtlijst: ongeveer 10 weken.") == (
        "Wachtlijst: ongeveer 10 weken."
    )
    assert capacity_text(0, "plaatsen", "Wachttijd keukentafelgesprek ongeveer 6 weken.") == (
        "Wachtlijst – Wachttijd keukentafelgesprek ongeveer 6 weken."
    )
    assert capacity_text(0, "plaatsen", None) == "Wachtlijst"
    assert capacity_text(6, "weken wachttijd", None) == "Wachtlijst: 6 weken wachttijd"


def test_handout_says_round_the_clock_in_words() -> None:
    html = handout_html(
        detail(opening_hours=("dag en nacht, 7 dagen per week",)),
        practice_name=PRACTICE,
        today=TODAY,
    )
    assert "Open op: dag en nacht, 7 dagen per week." in html
    assert "00:00" not in html
    assert "Maak eerst een afspraak" not in html  # open day and night: the patient just calls


def test_contact_lines_give_the_fixed_contact_with_deputy() -> None:
    text = contact_lines(detail())
    assert text.splitlines()[0] == "Wijkteam Nieuwland (Stichting Wijkteams Schiedam)"
    assert "Vaste contactpersoon: Fatma Kaya (wijkcoach), tel. 010-001 14 71" in text
    assert "Vervanger: Jeroen Visser (wijkcoach), tel. 010-001 12 68" in text
    assert "Algemeen nummer: 010-001 11 26" in text
    assert "E-mail: wijkteam@example.nl" in text


# --- closed, new fields, who left -------------------------------------------------------------


def test_a_closed_service_says_so_at_the_top_of_the_handout() -> None:
    closed = detail(
        status=ServiceStatus.TEMPORARILY_CLOSED,
        alert="dicht wegens verbouwing tot 1 april",
        next_walk_in=None,
        next_walk_in_label=None,
    )
    html = handout_html(closed, practice_name=PRACTICE, today=TODAY)
    assert (
        "Let op: deze voorziening is tijdelijk gesloten. Dicht wegens verbouwing tot 1 april."
        in html
    )
    assert html.index("tijdelijk gesloten") < html.index("Wat doen zij?")
    assert "Nu gesloten. Als het weer open is, gelden deze tijden:" in html
    assert "Tijdelijk gesloten: dicht wegens verbouwing" in contact_lines(closed)
    # An open service with a notice shows the notice, not "gesloten".
    html = handout_html(
        detail(alert="Nieuw adres vanaf januari."), practice_name=PRACTICE, today=TODAY
    )
    assert "Let op: Nieuw adres vanaf januari." in html and "gesloten" not in html


def test_the_handout_names_wait_time_contract_and_former_names() -> None:
    html = handout_html(
        detail(
            wait_time="ongeveer 6 weken",
            municipal_contract=False,
            former_names=("WOT Nieuwland",),
        ),
        practice_name=PRACTICE,
        today=TODAY,
    )
    assert "Hoe lang moet u wachten?" in html and "Ongeveer 6 weken." in html
    assert "Gratis. Deze aanbieder heeft geen contract met de gemeente: u betaalt zelf." in html
    assert "Vroeger heette dit: WOT Nieuwland." in html
    contracted = handout_html(detail(municipal_contract=True), practice_name=PRACTICE, today=TODAY)
    assert "De gemeente heeft een contract met deze aanbieder." in contracted
    unknown = handout_html(detail(), practice_name=PRACTICE, today=TODAY)
    assert "contract" not in unknown and "wachten" not in unknown


def test_a_contact_who_left_is_left_out_of_the_handout() -> None:
    base = detail()
    fatma = replace(base.contacts[0], departed_on=date(2026, 11, 1))
    left = replace(base, contacts=(fatma,), fixed_contacts=(), phones=())
    html = handout_html(left, practice_name=PRACTICE, today=TODAY)
    assert "Fatma" not in html
    assert "Jeroen Visser (wijkcoach)" in html  # her deputy is the one to ask for
    contact = handout_document(left, practice_name=PRACTICE, today=TODAY).blocks
    fields = next(block for block in contact if isinstance(block, Fields))
    assert fields.rows[0] == Field("Bel", "010-001 12 68", prominent=True)


# --- one document: preview, PDF and paper say the same --------------------------------------


def test_the_handout_is_one_document_with_the_service_as_title() -> None:
    document = handout_document(detail(), practice_name=PRACTICE, today=TODAY, patient_name="J.")
    assert document.title == "Wijkteam Nieuwland"
    assert document.subtitle == "Stichting Wijkteams Schiedam"
    assert document.letterhead.practice_name == PRACTICE
    assert document.footer == f"Meegegeven door {PRACTICE} op 24 november 2026."
    assert document.metadata_title == "Informatie Wijkteam Nieuwland"  # never the patient
    assert document.body_pt == 12.0


def test_the_closed_notice_comes_before_the_first_section() -> None:
    closed = detail(status=ServiceStatus.TEMPORARILY_CLOSED, alert=None)
    blocks = handout_document(closed, practice_name=PRACTICE, today=TODAY).blocks
    assert blocks[0] == Notice("Let op: deze voorziening is tijdelijk gesloten.")


def test_email_and_website_are_links_in_the_preview() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY)
    assert '<a href="mailto:wijkteam@example.nl">wijkteam@example.nl</a>' in html
    assert '<a href="https://wijkteams.example/nieuwland">' in html


def test_the_preview_title_names_the_service_not_the_patient() -> None:
    html = handout_html(detail(), practice_name=PRACTICE, today=TODAY, patient_name="J. de Vries")
    assert "<title>Informatie Wijkteam Nieuwland</title>" in html


def test_the_pdf_is_one_page_with_name_phone_and_who_gave_it() -> None:
    document = handout_document(
        detail(), practice_name=PRACTICE, today=TODAY, patient_name="J. de Vries"
    )
    reader = PdfReader(BytesIO(handout_pdf(document)))
    assert len(reader.pages) == 1
    text = pdf_text(handout_pdf(document))
    assert "Wijkteam Nieuwland" in text
    assert "010-001 11 26" in text
    assert f"Meegegeven door {PRACTICE}" in text
    assert "Voor: J. de Vries" in text  # on paper, because the user ticked it
    assert reader.metadata is not None
    assert reader.metadata.title == "Informatie Wijkteam Nieuwland"
    assert "Vries" not in str(dict(reader.metadata))


def test_a_long_entry_gets_smaller_text_and_stays_on_one_page() -> None:
    long = detail(description=" ".join(["Het wijkteam helpt met geld, wonen en opvoeden."] * 15))
    document = handout_document(long, practice_name=PRACTICE, today=TODAY)
    assert page_count(document) == 2  # at 12 pt
    pdf = handout_pdf(document)
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    assert "Meegegeven door" in pdf_text(pdf)


def test_saving_writes_the_whole_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    document = handout_document(detail(), practice_name=PRACTICE, today=TODAY)
    target = tmp_path / "wijkteam-nieuwland.pdf"
    target.write_bytes(b"an older handout")
    assert save_handout_pdf(document, target) == target
    assert target.read_bytes().startswith(b"%PDF")
    assert "Wijkteam Nieuwland" in pdf_text(target.read_bytes())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wijkteam-nieuwland.pdf"]


def test_a_full_disk_leaves_no_half_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = handout_document(detail(), practice_name=PRACTICE, today=TODAY)
    target = tmp_path / "blad.pdf"
    target.write_bytes(b"an older handout")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(GpdeskError) as caught:
        save_handout_pdf(document, target)
    assert caught.value.user_text() == (
        "Het PDF-bestand is niet opgeslagen: de schijf is vol. Er is geen half bestand "
        "achtergebleven. Maak ruimte vrij of kies een andere map."
    )
    assert target.read_bytes() == b"an older handout"
    assert [p.name for p in tmp_path.iterdir()] == ["blad.pdf"]


def test_a_missing_folder_says_so(tmp_path: Path) -> None:
    document = handout_document(detail(), practice_name=PRACTICE, today=TODAY)
    with pytest.raises(GpdeskError, match="de map bestaat niet"):
        save_handout_pdf(document, tmp_path / "weg" / "blad.pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_long_practice_name_stays_on_one_line_at_the_top() -> None:
    practice = "Huisartsenpraktijk De Singel (demo)"
    pdf = handout_pdf(handout_document(detail(), practice_name=practice, today=TODAY))
    assert practice in pdf_text(pdf).splitlines()  # a line of its own, not wrapped
