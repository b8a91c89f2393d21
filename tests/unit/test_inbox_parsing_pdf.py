"""PDF checks: encrypted, JavaScript and other active content, bombs, broken files, page limits.

Every dangerous PDF is built here at run time with pikepdf; none is stored.
"""

from __future__ import annotations

import base64
import io
import zlib
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from gpdesk.inbox.parsing import Limits, Parsed, Quarantined, parse_in_process
from gpdesk.inbox.parsing.pdf import check_pdf


def build(
    change: Callable[[pikepdf.Pdf], None] | None = None,
    pages: int = 1,
    encryption: pikepdf.Encryption | None = None,
) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    if change is not None:
        change(pdf)
    buffer = io.BytesIO()
    # Streams as written: qpdf would otherwise inflate a bomb to recompress it.
    if encryption is None:
        pdf.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    else:
        pdf.save(buffer, encryption=encryption)
    return buffer.getvalue()


def with_text(text: str) -> Callable[[pikepdf.Pdf], None]:
    def change(pdf: pikepdf.Pdf) -> None:
        font = pdf.make_indirect(
            Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
        )
        page = pdf.pages[0]
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        page.obj.Contents = pdf.make_stream(content)

    return change


def flate_stream(pdf: pikepdf.Pdf, data: bytes, filters: list[str]) -> None:
    """A stream whose raw bytes are ``data`` as given (already compressed), on page one."""
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=[Name(name) for name in filters])  # data is already encoded
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)


def deflate_zeros(size: int, rounds: int = 1) -> bytes:
    """``size`` zero bytes deflated ``rounds`` times, made piece by piece (little memory)."""
    compressor = zlib.compressobj(1)  # fast; zeros shrink a hundredfold even so
    piece = bytes(1 << 20)
    chunks = [compressor.compress(piece) for _ in range(size // len(piece))]
    data = b"".join(chunks) + compressor.flush()
    for _ in range(rounds - 1):
        data = zlib.compress(data, 9)
    return data


def in_letter(pdf: bytes) -> Parsed | Quarantined:
    raw = (
        b"From: team@wijkteam.example\r\nSubject: brief\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\n"
        b"Zie de bijlage.\r\n--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="brief.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(pdf) + b"--b--\r\n"
    )
    return parse_in_process("brief.eml", raw)


def test_plain_pdf_passes_with_its_text() -> None:
    report = check_pdf(build(with_text("Kenmerk SIG-2026-000123")), Limits())
    assert report.problem is None and report.pages == 1
    assert "SIG-2026-000123" in report.text


def test_text_is_taken_from_the_first_pages_only() -> None:
    def many_texts(pdf: pikepdf.Pdf) -> None:
        for number, page in enumerate(pdf.pages):
            font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
            page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
            page.obj.Contents = pdf.make_stream(
                f"BT /F1 12 Tf 72 720 Td (pagina{number}) Tj ET".encode()
            )

    report = check_pdf(build(many_texts, pages=5), Limits(pdf_text_pages=2))
    assert "pagina1" in report.text and "pagina2" not in report.text


def test_encrypted_pdf() -> None:
    locked = build(encryption=pikepdf.Encryption(owner="eigenaar", user="geheim"))
    report = check_pdf(locked, Limits())
    assert report.code == "pdf_encrypted" and report.problem is not None
    assert "wachtwoord" in report.problem
    # Permissions only (no password to open): readable, so checked like any other PDF.
    restricted = build(
        with_text("SIG-2026-000123"), encryption=pikepdf.Encryption(owner="eigenaar", user="")
    )
    open_report = check_pdf(restricted, Limits())
    assert open_report.problem is None and "SIG-2026-000123" in open_report.text


def test_javascript_open_action() -> None:
    def javascript(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('hoi')"))

    report = check_pdf(build(javascript), Limits())
    assert report.code == "pdf_active_content"
    assert report.problem is not None and "JavaScript" in report.problem


def test_javascript_in_names_tree_and_page_actions() -> None:
    def names(pdf: pikepdf.Pdf) -> None:
        action = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("x")))
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("a"), action])))

    def page_action(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("x")))

    for change in (names, page_action):
        assert check_pdf(build(change), Limits()).code == "pdf_active_content"


def test_launch_action_and_embedded_file() -> None:
    def launch(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("cmd.exe"))

    def embedded(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["factuur.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")

    launched = check_pdf(build(launch), Limits())
    assert launched.code == "pdf_active_content"
    assert launched.problem is not None and "starten" in launched.problem
    attached = check_pdf(build(embedded), Limits())
    assert attached.problem is not None and "ingesloten bestand" in attached.problem


def test_decompression_bomb_stops_at_the_limit() -> None:
    bomb = deflate_zeros(24 << 20)
    pdf = build(lambda pdf: flate_stream(pdf, bomb, ["/FlateDecode"]))
    assert check_pdf(pdf, Limits(pdf_max_decoded_bytes=16 << 20)).code == "pdf_bomb"
    assert check_pdf(pdf, Limits(pdf_max_decoded_bytes=32 << 20)).problem is None


def test_double_deflated_bomb_with_default_limits() -> None:
    bomb = deflate_zeros(256 << 20, rounds=2)  # a few KB that would become 256 MB
    assert len(bomb) < 64 * 1024
    pdf = build(lambda pdf: flate_stream(pdf, bomb, ["/FlateDecode", "/FlateDecode"]))
    assert len(pdf) < 64 * 1024
    report = check_pdf(pdf, Limits())
    assert report.code == "pdf_bomb" and report.problem is not None
    assert "te groot" in report.problem


def test_ascii85_before_deflate_is_counted_exactly() -> None:
    data = base64.a85encode(zlib.compress(b"BT ET " * 1000)) + b"~>"
    pdf = build(lambda pdf: flate_stream(pdf, data, ["/ASCII85Decode", "/FlateDecode"]))
    assert check_pdf(pdf, Limits(pdf_max_decoded_bytes=10_000)).problem is None
    assert check_pdf(pdf, Limits(pdf_max_decoded_bytes=5_000)).code == "pdf_bomb"


def test_image_claiming_too_many_pixels() -> None:
    def huge_image(pdf: pikepdf.Pdf) -> None:
        image = pikepdf.Stream(pdf, zlib.compress(bytes(100)))
        image.Type, image.Subtype = Name.XObject, Name.Image
        image.Width, image.Height, image.BitsPerComponent = 100_000, 100_000, 8
        image.ColorSpace, image.Filter = Name.DeviceRGB, Name.FlateDecode
        pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))

    assert check_pdf(build(huge_image), Limits()).code == "pdf_bomb"


def test_page_and_object_limits() -> None:
    five = build(pages=5)
    assert check_pdf(five, Limits(pdf_max_pages=4)).code == "pdf_too_many_pages"
    assert check_pdf(five, Limits(pdf_max_objects=3)).code == "pdf_too_many_objects"
    assert check_pdf(five, Limits()).problem is None


def test_broken_pdfs() -> None:
    for data in (b"%PDF-1.7\nrommel zonder objecten\n", b"%PDF-1.4\n" + bytes(500)):
        report = check_pdf(data, Limits())
        assert report.code == "pdf_broken", data[:20]
    truncated = build(with_text("SIG-2026-000123"))[:-200]  # qpdf repairs this, as viewers do
    assert check_pdf(truncated, Limits()).code in (None, "pdf_broken")


def test_a_letter_with_a_bad_pdf_is_still_a_letter() -> None:
    def javascript(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("x"))

    for bad in (build(javascript), b"%PDF-1.7\nkapot\n"):
        result = in_letter(bad)
        assert isinstance(result, Parsed) and result.body_text == "Zie de bijlage."
        (item,) = result.attachments
        assert item.kind == "pdf" and not item.safe_to_open and item.problem
        assert item.data == bad and item.text == ""


def test_a_bare_pdf_that_fails_is_quarantined() -> None:
    def javascript(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("x"))

    for data, code in [
        (build(javascript), "pdf_active_content"),
        (build(encryption=pikepdf.Encryption(owner="a", user="b")), "pdf_encrypted"),
        (b"%PDF-1.7\nkapot\n", "pdf_broken"),
        (b"MZ geen pdf", "not_a_pdf"),
    ]:
        result = parse_in_process("brief.pdf", data)
        assert isinstance(result, Quarantined), code
        assert result.detail_code == code and result.reason
