"""Inbox parsing in this process: the fictional corpus and generated hostile messages.

The same reading runs in the child process in the app (test_inbox_parsing_process.py proves
the child and its limits); here every case is read directly, which keeps the file fast.
"""

from __future__ import annotations

import base64
import io
import json
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gpdesk.inbox.parsing import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    Parsed,
    Quarantined,
    parse_in_process,
    sanitise_html,
)
from gpdesk.inbox.parsing.files import safe_filename

CORPUS = Path(__file__).resolve().parents[1] / "data" / "inbox"


def read(name: str, limits: Limits = DEFAULT_LIMITS) -> Parsed | Quarantined:
    return parse_in_process(name, (CORPUS / name).read_bytes(), limits)


def parsed(name: str) -> Parsed:
    result = read(name)
    assert isinstance(result, Parsed), result
    return result


def message(headers: str, body: bytes, content_type: str = "text/plain") -> bytes:
    head = (
        "From: Wijkteam <team@wijkteam.example>\r\nSubject: test\r\n"
        "Message-ID: <t@wijkteam.example>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n{headers}\r\n"
    )
    return head.encode("ascii") + body


def multipart(parts: list[bytes], boundary: str = "b") -> bytes:
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return message(
        "", body + b"--" + boundary.encode() + b"--\r\n", f'multipart/mixed; boundary="{boundary}"'
    )


def attachment_part(
    filename: str, data: bytes, content_type: str = "application/octet-stream"
) -> bytes:
    return (
        f"Content-Type: {content_type}\r\n"
        f'Content-Disposition: attachment; filename="{filename}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(data)


def only_attachment(raw: bytes) -> Attachment:
    result = parse_in_process("x.eml", raw)
    assert isinstance(result, Parsed), result
    assert len(result.attachments) == 1
    return result.attachments[0]


def assert_clean(text: str) -> None:
    """What the parser promises about every string: fits PostgreSQL text and JSON as it is."""
    assert "\x00" not in text
    assert not any("\ud800" <= ch <= "\udfff" for ch in text)
    text.encode("utf-8")


# --- the realistic letters ------------------------------------------------------------------


def test_confirmation_with_pdf_letter() -> None:
    result = parsed("bevestiging-met-pdf.eml")
    assert result.kind == "email"
    assert result.subject == "Bevestiging aanmelding SIG-2026-000123"
    assert result.sender is not None
    assert result.sender.address == "terugkoppeling@wijkteam-nieuwland.example"
    assert result.sender.display_name == "Wijkteam Nieuwland"
    assert result.sent_at == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
    assert result.message_id == "<bev-000123@wijkteam-nieuwland.example>"
    assert result.in_reply_to == "<SIG-2026-000123@praktijk-delinde.example>"
    assert result.references == ("<SIG-2026-000123@praktijk-delinde.example>",)
    assert "We helpen uw patiënt verder." in result.body_text
    assert result.body_html_safe is None
    (letter,) = result.attachments
    assert (letter.filename, letter.kind, letter.content_type) == (
        "bevestiging.pdf",
        "pdf",
        "application/pdf",
    )
    assert letter.safe_to_open and letter.problem is None
    assert letter.data == (CORPUS / "brief-wijkteam.pdf").read_bytes()
    assert letter.size == len(letter.data)
    assert "SIG-2026-000123" in letter.text  # the reference is found in the PDF too
    assert result.smime is None and result.problems == ()


def test_one_click_reply_subject() -> None:
    result = parsed("antwoord-ontvangen.eml")
    assert result.subject == "SIG-2026-000123 ontvangen"
    assert result.sender is not None
    assert result.sender.display_name == "M. Bakker (wijkteam)"
    assert result.body_text == "Kenmerk: SIG-2026-000123\nStatus: ontvangen"
    assert result.attachments == ()


def test_html_only_letter_loses_script_style_and_remote_content() -> None:
    result = parsed("html-extern-plaatje-en-script.eml")
    html = result.body_html_safe
    assert html is not None
    for forbidden in ("<script", "<style", "<img", "<iframe", "onload", "tracker.example",
                      "evil.example", "javascript:", "url("):  # fmt: skip
        assert forbidden not in html, forbidden
    assert 'href="https://wijkteam-oost.example/privacy"' in html  # a link, never fetched
    assert "Wij zijn gestart met de begeleiding." in result.body_text
    assert "document.location" not in result.body_text
    assert "<" not in result.body_text


def test_quoted_printable_cp1252() -> None:
    result = parsed("quoted-printable-cp1252.eml")
    assert result.subject == "Afspraak café-uur SIG-2026-000300"
    assert result.sender is not None
    assert result.sender.display_name == "Wijkteam Zuid – Gé Janssen"
    assert "café-uur op donderdag" in result.body_text
    assert "€ 0,00" in result.body_text


def test_forwarded_message_attachments_are_checked_too() -> None:
    result = parsed("doorgestuurd.eml")
    assert result.body_text.startswith("Ter info")
    kinds = sorted(a.kind for a in result.attachments)
    assert kinds == ["pdf", "text"]
    pdf = next(a for a in result.attachments if a.kind == "pdf")
    assert pdf.filename == "afsluiting.pdf" and pdf.safe_to_open


def test_bare_pdf_text_and_edifact_files() -> None:
    pdf = parsed("brief-wijkteam.pdf")
    assert pdf.kind == "pdf" and pdf.subject is None
    (letter,) = pdf.attachments
    assert letter.kind == "pdf" and letter.safe_to_open and "SIG-2026-000123" in letter.text

    text = parsed("brief-cp1252.txt")
    assert text.kind == "text"
    assert text.body_text.startswith("Terugkoppeling SIG-2026-000400\nDe cliënt")
    assert "€ 0" in text.body_text

    edifact = parsed("medvri-vrij-bericht.edi")
    assert edifact.kind == "edifact"  # the MEDVRI reader takes body_text from here
    assert "TXT+De patiënt is in begeleiding" in edifact.body_text


def test_text_file_is_utf8_else_cp1252_and_never_fails() -> None:
    for raw, expected in [
        ("patiënt €".encode(), "patiënt €"),
        ("patiënt €".encode("cp1252"), "patiënt €"),
        (b"\x81\x8d\x8f\x90\x9d", "\ufffd" * 5),  # bytes cp1252 leaves undefined
        ("\ufeffmet BOM".encode(), "met BOM"),
        ("utf-16 tekst".encode("utf-16"), "utf-16 tekst"),
    ]:
        result = parse_in_process("brief.txt", raw)
        assert isinstance(result, Parsed) and result.kind == "text"
        assert result.body_text == expected


def test_smime_envelope_is_detected_and_kept() -> None:
    result = parsed("smime-versleuteld.eml")
    assert result.smime == "encrypted"
    assert result.smime_data is not None and result.smime_data.startswith(b"\x30\x82")
    assert result.body_text == "" and result.attachments == ()
    assert result.subject == "Versleuteld bericht"  # the envelope is readable


def test_smime_signature_keeps_the_exact_signed_bytes() -> None:
    result = parsed("smime-ondertekend.eml")
    assert result.smime == "signed"
    assert result.body_text == "Wij hebben uw aanmelding SIG-2026-000123 afgerond."
    assert result.attachments == ()  # the signature is in smime_data, not a file to open
    assert result.smime_data is not None and result.smime_data.startswith(b"\x30\x82")
    assert result.smime_signed_content == (
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Wij hebben uw aanmelding SIG-2026-000123 afgerond."
    )


def test_every_corpus_item_is_parsed_or_quarantined_with_clean_strings() -> None:
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".md" or not path.is_file():  # medvri/ has its own tests
            continue
        result = read(path.name)
        if isinstance(result, Quarantined):
            assert result.reason and result.detail_code
            continue
        for value in (result.subject or "", result.body_text, result.body_html_safe or "",
                      *result.problems, *(a.filename for a in result.attachments),
                      *(a.text for a in result.attachments)):  # fmt: skip
            assert_clean(value)
        for item in result.attachments:
            assert item.safe_to_open == (item.problem is None)


# --- hostile and malformed messages ---------------------------------------------------------


def test_header_injection_stays_on_one_line() -> None:
    result = parsed("header-injectie.eml")
    assert result.subject is not None
    assert "\n" not in result.subject and "\r" not in result.subject
    assert result.subject.startswith("Hallo Bcc: slachtoffer@example.org")


def test_bad_encodings_and_8bit_garbage() -> None:
    result = parsed("kapotte-codering.eml")
    assert result.subject is not None and result.subject.startswith("café en éè")
    assert result.sender is not None and result.sender.display_name == "één team"
    assert result.sent_at is None  # "dinsdag, ergens in november"
    assert result.message_id is None  # no angle brackets: not trusted as an id
    assert_clean(result.body_text)


def test_nul_bytes_and_escape_characters_are_removed() -> None:
    result = parsed("nul-bytes.eml")
    assert result.subject == "nul byte SIG-2026-000123"
    assert result.body_text == "TekstmetNUL-tekens en [31m escape."


def test_absurd_boundaries_are_read_as_far_as_they_go() -> None:
    result = parsed("vreemde-grenzen.eml")
    assert "deel zonder afsluitende grens" in result.body_text
    assert result.problems  # the beheerder can see it was not well-formed


def test_no_headers_is_quarantined() -> None:
    result = read("geen-kopregels.eml")
    assert isinstance(result, Quarantined)
    assert result.detail_code == "not_a_message"
    assert "kopregels" in result.reason


def test_missing_headers_are_none() -> None:
    result = parse_in_process("x.eml", b"Subject: alleen een onderwerp\r\n\r\ntekst\r\n")
    assert isinstance(result, Parsed)
    assert (result.sender, result.sent_at, result.message_id) == (None, None, None)
    assert result.body_text == "tekst"


def test_dates_become_aware() -> None:
    naive = parse_in_process(
        "x.eml", b"Subject: x\r\nDate: Tue, 03 Nov 2026 10:00:00 -0000\r\n\r\nx"
    )
    assert isinstance(naive, Parsed) and naive.sent_at == datetime(2026, 11, 3, 10, tzinfo=UTC)
    dutch = parse_in_process(
        "x.eml", b"Subject: x\r\nDate: Tue, 03 Nov 2026 10:00:00 +0100\r\n\r\nx"
    )
    assert isinstance(dutch, Parsed) and dutch.sent_at is not None
    assert dutch.sent_at.utcoffset() == timedelta(hours=1)


def test_filename_tricks() -> None:
    result = parsed("bestandsnamen.eml")
    names = {item.filename: item for item in result.attachments}
    assert set(names) == {"passwd", "brief.pdf.exe", "brieffdp.exe", "nep.pdf", "_CON.txt"}
    assert names["passwd"].kind == "text"  # only a name now, no path
    disguised = names["brief.pdf.exe"]
    assert disguised.kind == "executable" and not disguised.safe_to_open
    assert disguised.problem is not None and "lijkt op een ander soort" in disguised.problem
    assert names["brieffdp.exe"].kind == "executable"  # the U+202E that showed "exe.pdf" is gone
    assert names["nep.pdf"].kind == "executable"  # content (MZ) beats the name
    assert all(item.data for item in result.attachments)  # kept, not dropped


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("brief\u202efdp.exe", "brieffdp.exe"),
        ("  .verborgen ", "verborgen"),
        ("nul.pdf", "_nul.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ('wat?<>|*:".pdf', "wat_______.pdf"),
        ("", "bijlage"),
        ("...", "bijlage"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name, "bijlage") == expected


def test_executables_scripts_macros_and_archives_are_kept_closed() -> None:
    def ooxml(with_macros: bool) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
            if with_macros:
                archive.writestr("word/vbaProject.bin", b"\x00" * 16)
        return buffer.getvalue()

    ole_with_vba = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100) + "_VBA_PROJECT".encode("utf-16-le")
    )
    cases = [
        ("setup.exe", b"MZ\x90\x00", "executable"),
        ("foto.jpg", b"\x7fELF\x02\x01", "executable"),
        ("script.ps1", b"Write-Host hoi", "executable"),
        ("macro.vbs", b"MsgBox 1", "executable"),
        ("app.js", b"alert(1)", "executable"),
        ("snelkoppeling.lnk", b"L\x00\x00\x00", "executable"),
        ("run.sh", b"echo", "executable"),
        ("notitie.txt", b"#!/bin/sh\nrm -rf /", "executable"),
        ("brief.docm", ooxml(True), "macro_document"),
        ("brief.docx", ooxml(True), "macro_document"),  # the content decides
        ("oud.doc", ole_with_vba, "macro_document"),
        ("brieven.zip", b"PK\x03\x04" + bytes(30), "archive"),
        ("brieven.7z", b"7z\xbc\xaf\x27\x1c", "archive"),
        ("tekening.svg", b"<svg><script>alert(1)</script></svg>", "other"),
    ]
    for filename, data, kind in cases:
        item = only_attachment(multipart([attachment_part(filename, data)]))
        assert item.kind == kind, filename
        assert not item.safe_to_open and item.problem, filename
        assert item.data == data and item.text == "", filename

    plain = only_attachment(multipart([attachment_part("brief.docx", ooxml(False))]))
    assert plain.kind == "other" and not plain.safe_to_open  # gpdesk cannot check a docx


def test_safe_kinds_open() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(20)
    image = only_attachment(multipart([attachment_part("foto.png", png, "image/png")]))
    assert image.kind == "image" and image.safe_to_open
    fake = only_attachment(multipart([attachment_part("foto.png", b"geen plaatje", "image/png")]))
    assert fake.kind == "image" and not fake.safe_to_open
    html = only_attachment(
        multipart(
            [attachment_part("brief.html", b"<p>Hallo <script>x()</script>team</p>", "text/html")]
        )
    )
    assert html.kind == "html" and html.safe_to_open and html.text == "Hallo team"
    edi = only_attachment(multipart([attachment_part("bericht.edi", b"UNA:+.? 'UNB+UNOA:1'")]))
    assert edi.kind == "edifact" and edi.safe_to_open and edi.text.startswith("UNA")


def test_too_large_is_quarantined() -> None:
    limits = Limits()
    raw = message("", b"x" * limits.max_bytes)
    result = parse_in_process("x.eml", raw, limits)
    assert result == Quarantined("Het bericht is groter dan 25 MB.", "too_large")


def test_empty_file_is_quarantined() -> None:
    result = parse_in_process("leeg.eml", b"")
    assert isinstance(result, Quarantined) and result.detail_code == "empty"


def nested(depth: int) -> bytes:
    """A leaf inside ``depth`` nested multiparts (the message itself is the first)."""
    opening = [
        f'Content-Type: multipart/mixed; boundary="n{level}"\r\n\r\n--n{level}\r\n'.encode()
        for level in range(1, depth)
    ]
    closing = [f"\r\n--n{level}--\r\n".encode() for level in reversed(range(1, depth))]
    leaf = b"Content-Type: text/plain\r\n\r\nbinnenste\r\n"
    body = b"--n0\r\n" + b"".join(opening) + leaf + b"".join(closing) + b"\r\n--n0--\r\n"
    return message("", body, 'multipart/mixed; boundary="n0"')


def test_depth_limit() -> None:
    allowed = parse_in_process("x.eml", nested(20))
    assert isinstance(allowed, Parsed) and allowed.body_text == "binnenste"
    refused = parse_in_process("x.eml", nested(21))
    assert refused == Quarantined("Het bericht is te diep genest: meer dan 20 lagen.", "too_deep")


def test_very_deep_nesting_is_refused_before_parsing() -> None:
    result = parse_in_process("x.eml", nested(5_000))
    assert isinstance(result, Quarantined) and result.detail_code == "too_many_parts"


def test_parts_limit() -> None:
    parts = [attachment_part(f"b{i}.txt", b"tekst", "text/plain") for i in range(100)]
    allowed = parse_in_process("x.eml", multipart(parts))
    assert isinstance(allowed, Parsed) and len(allowed.attachments) == 100
    refused = parse_in_process("x.eml", multipart([*parts, parts[0]]))
    assert refused == Quarantined("Het bericht heeft meer dan 100 onderdelen.", "too_many_parts")


def test_thousands_of_parts_are_refused_before_parsing() -> None:
    body = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(50_000))
    raw = message("", body + b"--b--\r\n", 'multipart/mixed; boundary="b"')
    result = parse_in_process("x.eml", raw)
    assert isinstance(result, Quarantined) and result.detail_code == "too_many_parts"


def test_header_limit() -> None:
    limits = Limits()
    fits = message(f"X-Lang: {'a' * (limits.max_header_bytes - 400)}\r\n", b"tekst")
    assert isinstance(parse_in_process("x.eml", fits), Parsed)
    huge = message(f"X-Lang: {'a' * limits.max_header_bytes}\r\n", b"tekst")
    assert parse_in_process("x.eml", huge) == Quarantined(
        "De kopregels van het bericht zijn groter dan 64 KB.", "headers_too_large"
    )
    part = b"Content-Type: text/plain\r\nX-Lang: " + b"a" * limits.max_header_bytes + b"\r\n\r\nx"
    in_part = parse_in_process("x.eml", multipart([part]))
    assert isinstance(in_part, Quarantined) and in_part.detail_code == "headers_too_large"


def test_many_folded_headers_without_end() -> None:
    raw = b"Subject: x\r\n" + b" vervolg\r\n" * 20_000
    result = parse_in_process("x.eml", raw)
    assert isinstance(result, Quarantined) and result.detail_code == "headers_too_large"


def test_unknown_file_is_kept() -> None:
    result = parse_in_process("scan.bin", b"\x00\x01\x02willekeurig")
    assert isinstance(result, Parsed) and result.kind == "file"
    (item,) = result.attachments
    assert item.filename == "scan.bin" and item.kind == "other" and not item.safe_to_open
    program = parse_in_process("factuur.pdf.exe", b"MZ\x90\x00")
    assert isinstance(program, Parsed) and program.attachments[0].kind == "executable"


def test_html_sanitiser_never_keeps_loading_things() -> None:
    dirty = (
        '<img src="https://x.example/a.png"><picture><source srcset="https://x.example/b.png">'
        '</picture><video src="https://x.example/v.mp4"></video><link rel="stylesheet" '
        'href="https://x.example/s.css"><object data="https://x.example/o"></object>'
        '<p style="background:url(https://x.example/c.png)" background="https://x.example/d.png">'
        'tekst</p><form action="https://x.example/f"><input name="bsn"></form>'
        '<a href="https://x.example/e">link</a>'
    )
    clean = sanitise_html(dirty)
    assert clean.count("x.example") == 1 and 'href="https://x.example/e"' in clean
    for tag in ("<img", "<picture", "<source", "<video", "<link", "<object", "<form", "<input",
                "style=", "background="):  # fmt: skip
        assert tag not in clean


def test_repr_shows_no_content() -> None:
    result = parsed("bevestiging-met-pdf.eml")
    shown = repr(result)
    assert "SIG-2026" not in shown and "Geachte" not in shown and "wijkteam" not in shown


def test_result_is_json_and_pickle_safe() -> None:
    import pickle

    from gpdesk.inbox.parsing.wire import dump_result, load_result

    result = parsed("bevestiging-met-pdf.eml")
    structure, blob = dump_result(result)
    json.loads(structure)
    again = load_result(structure, blob)
    assert again == result and again.attachments[0].data == result.attachments[0].data
    assert pickle.loads(pickle.dumps(result)) == result


def test_mangled_corpus_never_raises() -> None:
    """Seeded random damage to every corpus file: each result is a result, never an exception."""
    rng = random.Random(11)
    snippets = [b"\r\n", b"\n--", b"=?utf-8?b?", b"?=", b"boundary=", b"\x00", b"%PDF-", b"MZ",
                b"Content-Type: multipart/mixed; boundary=x\r\n", b"=\r\n"]  # fmt: skip
    files = [p for p in sorted(CORPUS.iterdir()) if p.is_file() and p.suffix != ".md"]
    for _ in range(400):
        path = rng.choice(files)
        data = bytearray(path.read_bytes())
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data) + 1)
            choice = rng.randrange(4)
            if choice == 0:
                data[at:at] = bytes([rng.randrange(256)])
            elif choice == 1:
                del data[at : at + rng.randint(1, 40)]
            elif choice == 2:
                data[at:at] = rng.choice(snippets)
            else:
                start = rng.randrange(len(data) + 1)
                data[at:at] = data[start : start + rng.randint(1, 200)]
        result = parse_in_process(path.name, bytes(data))
        if isinstance(result, Parsed):
            assert_clean(result.body_text)
            for item in result.attachments:
                assert item.safe_to_open == (item.problem is None)


def test_html_too_complex_to_sanitise_becomes_text() -> None:
    deep = "<div>" * 60_000 + "<script>x()</script>Beste collega" + "</div>" * 60_000
    raw = message("", deep.encode(), "text/html; charset=utf-8")
    result = parse_in_process("x.eml", raw)
    assert isinstance(result, Parsed)
    assert "Beste collega" in result.body_text
    assert result.body_html_safe is not None and "<div" not in result.body_html_safe
    assert "<script" not in result.body_html_safe  # escaped text only
    assert any("HTML" in note for note in result.problems)
