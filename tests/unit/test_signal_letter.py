"""The signal letter, the patient handout, the e-mail and the one-click replies."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from pypdf import PdfReader

from gpdesk.errors import ValidationError
from gpdesk.letters.document import Document, Link, ReplyLinks
from gpdesk.letters.html import to_html
from gpdesk.letters.pdf import render_pdf
from gpdesk.models.consent import DataItem, Purpose
from gpdesk.signals.letter import patient_handout, signal_letter
from gpdesk.signals.mail import attachments, mail_body, mail_subject
from gpdesk.signals.outgoing import DEFAULT_ITEMS, Requester, Route
from gpdesk.signals.preview import preview
from gpdesk.signals.replies import (
    ReplyStatus,
    parse_reply_subject,
    reply_links,
    reply_mailto,
)
from gpdesk.transport.message import check_subject
from tests.signal_support import (
    BSN,
    CONSENT,
    NO_CONSENT,
    PATIENT,
    PRIVATE_NOTE,
    REFERENCE,
    WALK_IN,
    make_signal,
)

ADDRESS = "praktijk@desingel.example"
FORMATTED_BIRTH_DATE = "09-03-1984"


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pdf_uris(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))
    uris = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def _forbidden(text: str) -> None:
    assert BSN not in text
    assert "111 222 333" not in text
    assert PRIVATE_NOTE not in text
    assert "drankgebruik" not in text


def _reply_links(document: Document) -> tuple[Link, ...]:
    blocks = [block for block in document.blocks if isinstance(block, ReplyLinks)]
    assert len(blocks) == 1
    return blocks[0].links


# -- reply links ----------------------------------------------------------------------------


def test_reply_mailto_is_properly_encoded() -> None:
    url = reply_mailto(ADDRESS, REFERENCE, ReplyStatus.IN_PROGRESS)
    assert url.startswith(
        "mailto:praktijk@desingel.example?subject=SIG-2026-000123%20in%20behandeling&body="
    )
    assert "+" not in url and " " not in url
    parts = urlsplit(url)
    assert parts.scheme == "mailto" and unquote(parts.path) == ADDRESS
    query = parse_qs(parts.query)
    assert query["subject"] == ["SIG-2026-000123 in behandeling"]
    assert query["body"] == ["Kenmerk: SIG-2026-000123\r\nStatus: in behandeling\r\n"]


@pytest.mark.parametrize("status", list(ReplyStatus))
def test_every_reply_link_parses_back(status: ReplyStatus) -> None:
    url = reply_mailto(ADDRESS, REFERENCE, status)
    subject = parse_qs(urlsplit(url).query)["subject"][0]
    assert parse_reply_subject(subject) == (REFERENCE, status)
    check_subject(subject)  # nothing in it that looks like patient data


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: SIG-2026-000123 ontvangen", ReplyStatus.RECEIVED),
        ("Antw: Re: sig-2026-000123   In  Behandeling", ReplyStatus.IN_PROGRESS),
        ("AW: Signaal SIG-2026-000123: afgerond.", ReplyStatus.COMPLETED),
        ("FW: SIG-2026-000123 – niet bereikt", ReplyStatus.NOT_REACHED),
        ("RE[2]: SIG-2026-000123 ontvangen!", ReplyStatus.RECEIVED),
    ],
)
def test_reply_subjects_survive_mail_clients(subject: str, expected: ReplyStatus) -> None:
    assert parse_reply_subject(subject) == (REFERENCE, expected)


@pytest.mark.parametrize(
    "subject",
    [
        "Signaal SIG-2026-000123",
        "SIG-2026-000123 gezien",
        "SIG-2026-123 ontvangen",
        "Brief over SIG-2026-000123 ontvangen",
        "SIG-2026-000123 ontvangen, maar patiënt wil niet",
        "",
    ],
)
def test_other_subjects_are_not_replies(subject: str) -> None:
    assert parse_reply_subject(subject) is None


def test_reply_statuses_map_to_fhir_task_statuses() -> None:
    assert [s.fhir_status for s in ReplyStatus] == [
        "received",
        "in-progress",
        "completed",
        "failed",
    ]


# -- the letter -----------------------------------------------------------------------------


def test_letter_states_team_theme_question_route_consent_and_reference() -> None:
    signal = make_signal(themes=["wonen_werk_inkomen_schulden", "ggz"])
    html = to_html(signal_letter(signal))
    for expected in (
        "Wijkteam Nieuwland",
        "t.a.v. Fatma Öztürk (vervanger: Joël van Dijk)",
        "Wonen, werk, inkomen en schulden; Psychische klachten (GGZ)",
        "sinds de scheiding schulden",
        "Afspraak: wilt u contact opnemen",
        "mondeling in de spreekkamer toestemming",
        "Stichting Wijkteams Schiedam",
        "Noem in elk antwoord het kenmerk SIG-2026-000123",
        "dr. H. Bakker, huisarts",
    ):
        assert expected in html, expected


def test_letter_reply_links_quote_the_reference_and_go_to_the_practice() -> None:
    links = _reply_links(signal_letter(make_signal()))
    assert [link.text for link in links] == [s.value for s in ReplyStatus]
    assert links == reply_links(ADDRESS, REFERENCE)
    for link in links:
        assert link.url.startswith(f"mailto:{ADDRESS}?subject={REFERENCE}%20")


def test_pdf_and_preview_carry_the_same_content() -> None:
    signal = make_signal(items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE}, urgent=True)
    document = signal_letter(signal)
    pdf = render_pdf(document)
    text = " ".join(_pdf_text(pdf).split())
    html = to_html(document)
    for expected in (
        "Ayşe Łukasiewicz-Çelik",
        "06 12 34 56 78",
        "3118 AB",
        FORMATTED_BIRTH_DATE,
        "Urgent:",
        "‘liefst snel’",
        "Joël van Dijk",
        "Fatma Öztürk",
    ):
        assert expected in text, expected
        assert expected in html, expected
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    assert sorted(_pdf_uris(pdf)) == sorted(link.url for link in reply_links(ADDRESS, REFERENCE))


@pytest.mark.parametrize("items", [DEFAULT_ITEMS, frozenset(DataItem)])
def test_bsn_and_private_note_appear_nowhere(items: frozenset[DataItem]) -> None:
    signal = make_signal(items=items, medical="Bekend met slaapproblemen.", urgent=True)
    letter = signal_letter(signal)
    handout = patient_handout(signal, with_name=True)
    shown = preview(signal)
    for text in (
        _pdf_text(render_pdf(letter)),
        to_html(letter),
        _pdf_text(render_pdf(handout)),
        to_html(handout),
        shown.letter_html,
        shown.body,
        shown.subject,
        mail_body(signal),
    ):
        _forbidden(text)
    for attachment in attachments(signal):
        _forbidden(attachment.content.decode("latin-1"))
        _forbidden(attachment.filename)


def test_birth_date_is_in_the_letter_only_when_ticked() -> None:
    unticked = to_html(signal_letter(make_signal()))
    assert FORMATTED_BIRTH_DATE not in unticked and "Geboortedatum" not in unticked
    assert "1984" not in unticked
    ticked = to_html(signal_letter(make_signal(items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE})))
    assert FORMATTED_BIRTH_DATE in ticked


def test_unticked_phone_and_postcode_stay_out_of_the_letter() -> None:
    html = to_html(signal_letter(make_signal(items={DataItem.NAME})))
    assert "06 12 34 56 78" not in html and "0612345678" not in html
    assert "3118" not in html


def test_preview_names_what_is_not_sent_outside_the_letter() -> None:
    shown = preview(make_signal())
    assert shown.not_sent == "Niet meegestuurd: BSN, geboortedatum, privénotitie"
    assert "privénotitie" not in shown.letter_html  # the team need not know one exists
    assert shown.letter_html == to_html(signal_letter(make_signal()))
    assert shown.subject == "Signaal SIG-2026-000123"
    assert shown.attachment_names == ("SIG-2026-000123.pdf", "signaal.json")


def test_pdf_metadata_and_title_hold_no_patient() -> None:
    document = signal_letter(make_signal())
    assert document.title == document.metadata_title == "Signaal SIG-2026-000123"
    reader = PdfReader(BytesIO(render_pdf(document)))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    assert "Ayşe" not in metadata and "Signaal SIG-2026-000123" in metadata


def test_pdf_bytes_are_the_same_on_every_try() -> None:
    assert render_pdf(signal_letter(make_signal())) == render_pdf(signal_letter(make_signal()))
    first, second = attachments(make_signal()), attachments(make_signal())
    assert first == second


def test_prepared_on_behalf_is_stated() -> None:
    signal = make_signal(requester=Requester("dr. H. Bakker", "M. Jansen (POH-GGZ)"))
    assert "voorbereid door M. Jansen (POH-GGZ)" in to_html(signal_letter(signal))


def test_walk_in_letter_marks_the_slot() -> None:
    html = to_html(signal_letter(make_signal(route=Route.WALK_IN, walk_in=WALK_IN)))
    assert "donderdag 10 december 09:00–11:00" in html
    assert "Komt de patiënt niet" in html


def test_without_consent_the_letter_states_ground_and_reasoning() -> None:
    html = to_html(signal_letter(make_signal(consent=NO_CONSENT)))
    assert "Gedeeld zonder toestemming van de patiënt" in html
    assert "wettelijke plicht" in html
    assert "de meldcode vraagt om overleg" in html


def test_consent_without_feedback_purpose_tells_the_team() -> None:
    referral_only = replace(CONSENT, purposes=frozenset({Purpose.REFERRAL}))
    html = to_html(signal_letter(make_signal(consent=referral_only)))
    assert "geen toestemming" in html and "bevestig alleen" in html


# -- the e-mail -----------------------------------------------------------------------------


def test_subject_is_the_reference_only() -> None:
    assert mail_subject(make_signal()) == "Signaal SIG-2026-000123"


def test_body_is_short_has_reply_links_and_no_patient_data() -> None:
    signal = make_signal(items=DEFAULT_ITEMS | {DataItem.BIRTH_DATE}, urgent=True)
    body = mail_body(signal)
    for link in reply_links(ADDRESS, REFERENCE):
        assert link.url in body
    assert "URGENT" in body
    for personal in (PATIENT.name, "Ayşe", "0612345678", "06 12 34 56 78", "3118", "1984"):
        assert personal not in body
    assert "schulden" not in body  # the theme stays in the attachments too
    assert len(body.splitlines()) < 30


def test_bad_subject_is_refused_by_the_transport_check() -> None:
    with pytest.raises(ValidationError):
        check_subject(f"Signaal {REFERENCE} {BSN}")


# -- the patient's handout ------------------------------------------------------------------


def test_handout_for_walk_in_says_where_when_whom_and_what_to_bring() -> None:
    signal = make_signal(route=Route.WALK_IN, walk_in=WALK_IN)
    document = patient_handout(signal)
    pdf = render_pdf(document)
    text = " ".join(_pdf_text(pdf).split())
    for expected in (
        "Uw aanmelding bij Wijkteam Nieuwland",
        "inloopspreekuur",
        "donderdag 10 december 09:00–11:00",
        "hier in de praktijk (Sociale Plein)",
        "U spreekt met Fatma Öztürk",
        "Joël van Dijk",
        "legitimatiebewijs",
        "010 246 81 00",
        REFERENCE,
        "bel 112",
    ):
        assert expected in text, expected
    assert len(PdfReader(BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (Route.APPOINTMENT, "neemt contact met u op om een afspraak te maken"),
        (Route.TEAM_CALLS, "Wijkteam Nieuwland belt u"),
        (Route.WARM_HANDOVER, "stelt u vandaag persoonlijk voor"),
    ],
)
def test_handout_per_route(route: Route, expected: str) -> None:
    assert expected in to_html(patient_handout(make_signal(route=route)))


def test_handout_never_names_the_theme_and_the_name_only_when_asked() -> None:
    signal = make_signal(themes=["huiselijk_geweld"], question="Zorgen over veiligheid thuis.")
    html = to_html(patient_handout(signal))
    assert "geweld" not in html.lower()
    assert "veiligheid thuis" not in html
    assert PATIENT.name not in html
    assert PATIENT.name in to_html(patient_handout(signal, with_name=True))
