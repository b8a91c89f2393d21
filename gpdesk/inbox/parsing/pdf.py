"""Check a PDF before anyone previews it, and take the text of its first pages.

pikepdf (qpdf) reads the structure; the checks walk every object for active content
(JavaScript, launch actions, embedded files, XFA forms) and inflate every stream *counting*,
so a decompression bomb stops at ``Limits.pdf_max_decoded_bytes`` instead of filling memory.
pypdf then extracts text from the first pages of a PDF that passed. Nothing here renders the
PDF or runs anything in it.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from gpdesk.inbox.parsing import reasons
from gpdesk.inbox.parsing.model import Limits
from gpdesk.inbox.parsing.text import clean_text

if TYPE_CHECKING:
    import pikepdf
    from pypdf import PdfReader

__all__ = ["PdfReport", "check_pdf"]

_CHUNK: Final = 64 * 1024
_MAX_NESTING: Final = 32

_FLATE: Final = frozenset({"/FlateDecode", "/Fl"})
_HEX: Final = frozenset({"/ASCIIHexDecode", "/AHx"})
_A85: Final = frozenset({"/ASCII85Decode", "/A85"})
# Upper bounds of output per input byte for the filters counted without decoding.
_ESTIMATED: Final = {"/RunLengthDecode": 64, "/RL": 64, "/LZWDecode": 1400, "/LZW": 1400}
# Image codecs end the chain: the text extraction never decodes them, the viewer does.
_IMAGE_CODECS: Final = frozenset(
    {"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF", "/Crypt"}
)


@dataclass(frozen=True)
class PdfReport:
    """The verdict on one PDF: ``problem`` (Dutch) and its code when it must not be opened."""

    problem: str | None
    code: str | None
    text: str
    pages: int


class _RefusedError(Exception):
    """Stops the checks: the PDF must not be opened."""

    def __init__(self, problem: str, code: str) -> None:
        super().__init__(code)
        self.problem = problem
        self.code = code


class _Budget:
    """Decoded bytes left for this PDF; spending past zero refuses it as a bomb."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise _RefusedError(reasons.PDF_BOMB, "pdf_bomb")


def check_pdf(data: bytes, limits: Limits) -> PdfReport:
    """The checks and, when they pass, the text of the first ``limits.pdf_text_pages`` pages."""
    import pikepdf  # lazy: heavy, and only the parsing process needs it

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return PdfReport(reasons.PDF_ENCRYPTED, "pdf_encrypted", "", 0)
    except MemoryError:
        return PdfReport(reasons.PDF_TOO_LARGE_TO_CHECK, "pdf_memory", "", 0)
    except Exception:  # qpdf reports a broken file in several ways
        return PdfReport(reasons.PDF_BROKEN, "pdf_broken", "", 0)
    try:
        with pdf:
            pages = _inspect(pdf, limits)
    except _RefusedError as refused:
        return PdfReport(refused.problem, refused.code, "", 0)
    except MemoryError:
        return PdfReport(reasons.PDF_TOO_LARGE_TO_CHECK, "pdf_memory", "", 0)
    except Exception:
        return PdfReport(reasons.PDF_BROKEN, "pdf_broken", "", 0)
    return PdfReport(None, None, _extract_text(data, limits), pages)


def _inspect(pdf: pikepdf.Pdf, limits: Limits) -> int:
    import pikepdf

    pages = len(pdf.pages)
    if pages > limits.pdf_max_pages:
        raise _RefusedError(reasons.pdf_too_many_pages(limits), "pdf_too_many_pages")
    objects = pdf.objects
    if len(objects) > limits.pdf_max_objects:
        raise _RefusedError(reasons.pdf_too_many_objects(limits), "pdf_too_many_objects")
    found: set[str] = set()
    budget = _Budget(limits.pdf_max_decoded_bytes)
    for obj in objects:
        if isinstance(obj, pikepdf.Stream):
            _scan(obj.stream_dict, found, 0)
            _count_stream(obj, budget, limits)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            _scan(obj, found, 0)
    if found:
        labels = [label for label in _ACTIVE_LABELS if label in found]
        raise _RefusedError(reasons.pdf_active(labels), "pdf_active_content")
    return pages


_JAVASCRIPT: Final = "JavaScript"
_LAUNCH: Final = "een opdracht om een programma of bestand te starten"
_EMBEDDED: Final = "een ingesloten bestand"
_XFA: Final = "een formulier dat scripts kan bevatten (XFA)"
_ACTIVE_LABELS: Final = (_JAVASCRIPT, _LAUNCH, _EMBEDDED, _XFA)
_ACTION_LABELS: Final = {
    "/JavaScript": _JAVASCRIPT,
    "/Launch": _LAUNCH,
    "/ImportData": _LAUNCH,
    "/RichMediaExecute": _LAUNCH,
    "/GoToE": _EMBEDDED,
}


def _scan(obj: pikepdf.Object, found: set[str], depth: int) -> None:
    """Active content in a dictionary or array and its direct (not indirect) children."""
    import pikepdf

    if depth > _MAX_NESTING:
        return
    if isinstance(obj, pikepdf.Dictionary):
        keys = set(obj.keys())
        if "/JS" in keys or "/JavaScript" in keys:
            found.add(_JAVASCRIPT)
        if "/EmbeddedFiles" in keys or "/EF" in keys:
            found.add(_EMBEDDED)
        if "/XFA" in keys:
            found.add(_XFA)
        action = obj.get("/S")
        if isinstance(action, pikepdf.Name) and str(action) in _ACTION_LABELS:
            found.add(_ACTION_LABELS[str(action)])
        if obj.get("/Type") == pikepdf.Name.EmbeddedFile:
            found.add(_EMBEDDED)
        children: Iterable[pikepdf.Object] = (value for _, value in obj.items())
    elif isinstance(obj, pikepdf.Array):
        children = iter(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            _scan(child, found, depth + 1)


def _filters(stream_dict: pikepdf.Dictionary) -> list[str]:
    import pikepdf

    value = stream_dict.get("/Filter")
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(item) for item in value if isinstance(item, pikepdf.Name)]
    return []


def _count_stream(stream: pikepdf.Stream, budget: _Budget, limits: Limits) -> None:
    """Spend what this stream decodes to; images also by their stated pixel count."""
    import pikepdf

    stream_dict = stream.stream_dict
    if stream_dict.get("/Subtype") == pikepdf.Name.Image:
        _check_image(stream_dict, limits)
    stages: list[str] = []
    for name in _filters(stream_dict):
        if name in _IMAGE_CODECS:
            break
        stages.append(name)
    if not stages:
        return
    data: bytes | None = stream.read_raw_bytes()
    # ASCII filters only shrink: decode them outright, then count the rest.
    while stages and data is not None and (stages[0] in _HEX or stages[0] in _A85):
        data = _ascii_decode(stages.pop(0), data)
    if data is None or not stages:
        return
    if all(stage in _FLATE for stage in stages):
        source: Iterator[bytes] = (data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK))
        for _ in stages:
            source = _spent(_inflate(source), budget)
        for _ in source:
            pass
        return
    # LZW or run-length in the chain: count the worst case; refuse what cannot fit.
    bound = len(data) * math.prod(_ESTIMATED.get(stage, 1032) for stage in stages)
    if bound > budget.left:
        raise _RefusedError(reasons.PDF_UNCHECKABLE, "pdf_uncheckable")
    budget.spend(bound)


def _check_image(stream_dict: pikepdf.Dictionary, limits: Limits) -> None:
    """An image that says it has more pixels than any letter needs would exhaust the viewer."""
    try:
        pixels = int(stream_dict.get("/Width", 0)) * int(stream_dict.get("/Height", 0))
    except (TypeError, ValueError):
        return
    if pixels > limits.pdf_max_image_pixels:
        raise _RefusedError(reasons.PDF_IMAGE_BOMB, "pdf_bomb")


def _ascii_decode(stage: str, data: bytes) -> bytes | None:
    """ASCIIHex and ASCII85 with the standard library; None when the data is not valid."""
    compact = bytes(b for b in data if b not in b" \t\r\n\f\x00")
    try:
        if stage in _HEX:
            digits = compact.split(b">", 1)[0]
            return binascii.a2b_hex(digits + b"0" * (len(digits) % 2))
        body = compact.split(b"~>", 1)[0].removeprefix(b"<~")
        return base64.a85decode(body)
    except (ValueError, binascii.Error):
        return None


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Inflate in pieces of at most 64 KB; a corrupt stream just ends (as viewers read it)."""
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            data = chunk
            while True:
                out = inflater.decompress(data, _CHUNK)
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if inflater.eof or (not data and len(out) < _CHUNK):
                    break
            if inflater.eof:
                return
    except zlib.error:
        return


def _spent(chunks: Iterator[bytes], budget: _Budget) -> Iterator[bytes]:
    for chunk in chunks:
        budget.spend(len(chunk))
        yield chunk


def _extract_text(data: bytes, limits: Limits) -> str:
    """Text of the first pages for matching; an extraction failure leaves it empty."""
    from pypdf import PdfReader

    # pypdf's warnings quote bytes of the file, which may be letter content: not for a log.
    log = logging.getLogger("pypdf")
    was_disabled, log.disabled = log.disabled, True
    try:
        return _pypdf_text(PdfReader, data, limits)
    finally:
        log.disabled = was_disabled


def _pypdf_text(reader_type: type[PdfReader], data: bytes, limits: Limits) -> str:
    parts: list[str] = []
    total = 0
    try:
        reader = reader_type(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")  # permissions-only encryption: readable without a password
        for index, page in enumerate(reader.pages):
            if index >= limits.pdf_text_pages or total >= limits.max_text_chars:
                break
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
    except MemoryError:
        return ""
    except Exception:  # pypdf raises many kinds on odd files; the checks already passed
        return clean_text("\n".join(parts))[: limits.max_text_chars]
    return clean_text("\n".join(parts))[: limits.max_text_chars]
