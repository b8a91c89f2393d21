"""What a file is (from its content first, its name second), a safe name for it, and its checks.

The content decides when it contradicts the name: ``brief.pdf`` that starts with ``MZ`` is a
Windows program, and ``brief.pdf.exe`` is a program whatever its icon suggests. Executables,
scripts, macro documents and archives are kept (their data) but never parsed further.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from typing import Final

from gpdesk.inbox.parsing import reasons
from gpdesk.inbox.parsing.model import Attachment, AttachmentKind, Limits
from gpdesk.inbox.parsing.text import decode_bytes, html_to_text

__all__ = [
    "build_attachment",
    "classify",
    "is_edifact",
    "is_pdf",
    "make_attachment",
    "pending_pdf",
    "safe_filename",
    "suffix",
]

EXECUTABLE_SUFFIXES: Final = frozenset(
    {
        "exe", "dll", "scr", "bat", "cmd", "com", "pif", "cpl", "msi", "msp", "mst", "msix",
        "msixbundle", "appx", "appxbundle", "application", "gadget", "hta", "chm", "lnk", "url",
        "scf", "inf", "reg", "ps1", "psm1", "psd1", "ps1xml", "vb", "vbs", "vbe", "js", "jse",
        "mjs", "ws", "wsf", "wsh", "wsc", "jar", "sh", "bash", "zsh", "csh", "ksh", "command",
        "py", "pyw", "pyc", "pl", "rb", "php", "apk", "app", "deb", "rpm", "run", "xll", "ocx",
        "sys", "drv", "desktop", "iqy", "slk", "settingcontent-ms", "library-ms", "xbap",
    }
)  # fmt: skip
MACRO_SUFFIXES: Final = frozenset(
    {"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm"}
)
ARCHIVE_SUFFIXES: Final = frozenset(
    {
        "zip", "7z", "rar", "gz", "tgz", "tar", "bz2", "tbz", "xz", "txz", "zst", "lz", "lzma",
        "cab", "iso", "img", "vhd", "vhdx", "dmg", "arj", "lzh", "ace", "z",
    }
)  # fmt: skip
_OFFICE_ZIP_SUFFIXES: Final = frozenset(
    {"docx", "dotx", "xlsx", "xltx", "pptx", "potx", "ppsx", "odt", "ods", "odp", "odg"}
)
_IMAGE_SUFFIXES: Final = frozenset(
    {"png", "jpg", "jpeg", "jpe", "gif", "bmp", "tif", "tiff", "webp"}
)
_TEXT_SUFFIXES: Final = frozenset({"txt", "text", "csv", "log", "md", "asc"})
_HTML_SUFFIXES: Final = frozenset({"htm", "html", "xhtml"})
_EDIFACT_SUFFIXES: Final = frozenset({"edi", "edifact", "medvri"})
# Inner names that make "x.pdf.exe" look like a document.
_DOCUMENT_SUFFIXES: Final = frozenset(
    {"pdf", "doc", "docx", "txt", "jpg", "jpeg", "png", "xls", "xlsx", "odt", "rtf", "eml"}
)

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_VBA_PROJECT_UTF16: Final = "_VBA_PROJECT".encode("utf-16-le")
_MACHO_MAGICS: Final = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
)
_ARCHIVE_MAGICS: Final = (
    b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"MSCF",
    b"\x28\xb5\x2f\xfd",
)  # fmt: skip
_IMAGE_MAGICS: Final = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM",
)  # fmt: skip
_MAX_ZIP_ENTRIES: Final = 10_000
# UNA (service string advice) or UNB (interchange header), then a separator, not a letter.
_EDIFACT_START: Final = re.compile(rb"UN[AB][^A-Za-z0-9\s]")

_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
_UNSAFE_NAME_CHARS: Final = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
MAX_FILENAME_CHARS: Final = 120


def safe_filename(name: str | None, fallback: str) -> str:
    r"""A name that is only a name: no folders, no hidden direction marks, no reserved words.

    ``../../etc/passwd`` becomes ``passwd``; ``brief\u202efdp.exe`` (shown as "briefexe.pdf")
    becomes ``brieffdp.exe``; an empty result becomes ``fallback``.
    """
    text = unicodedata.normalize("NFC", name or "")
    # Cf: format characters (bidi overrides U+202A-202E, U+2066-2069, zero-width ...); Cc: controls
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Cs"))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE_NAME_CHARS.sub("_", text).strip(" .")
    if not text:
        return fallback
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if stem.split(".")[0].lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if len(ext) > 16:
        stem, ext = f"{stem}.{ext}", ""
    keep = MAX_FILENAME_CHARS - (len(ext) + 1 if ext else 0)
    stem = stem[:keep].rstrip(" .") or "bijlage"
    return f"{stem}.{ext}" if ext else stem


def suffix(name: str) -> str:
    """The last extension, lower case, without the dot ("" when there is none)."""
    _, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def is_pdf(data: bytes) -> bool:
    """PDF readers accept the header anywhere in the first kilobyte."""
    return b"%PDF-" in data[:1024]


def is_edifact(data: bytes) -> bool:
    """An UN/EDIFACT interchange (MEDVRI and other Dutch care messages) starts UNA or UNB."""
    return _EDIFACT_START.match(data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")) is not None


def _is_executable_content(data: bytes) -> bool:
    head = data[:4]
    return (
        data.startswith(b"MZ")
        or data.startswith(b"\x7fELF")
        or head in _MACHO_MAGICS
        or data.startswith(b"#!")
    )


def _is_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _zip_kind(data: bytes, ext: str) -> tuple[AttachmentKind, str | None]:
    """OOXML and ODF documents are zip files: macros inside make them macro documents."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "archive", reasons.ARCHIVE_BROKEN
    if len(infos) > _MAX_ZIP_ENTRIES:
        return "archive", reasons.ARCHIVE
    names = [info.filename.lower() for info in infos]
    if any(name.endswith("vbaproject.bin") or name.startswith("basic/") for name in names):
        return "macro_document", reasons.MACRO_DOCUMENT
    if "[content_types].xml" in names or "mimetype" in names or ext in _OFFICE_ZIP_SUFFIXES:
        return "other", reasons.OTHER
    return "archive", reasons.ARCHIVE


def _dangerous_kind(
    filename: str, ext: str, data: bytes
) -> tuple[AttachmentKind, str | None] | None:
    """Programs, scripts, macro documents and archives: kept, never opened."""
    if ext in EXECUTABLE_SUFFIXES or _is_executable_content(data):
        inner = suffix(filename.rpartition(".")[0])
        disguised = reasons.DISGUISED if inner in _DOCUMENT_SUFFIXES else ""
        return "executable", reasons.EXECUTABLE + disguised
    if ext in MACRO_SUFFIXES:
        return "macro_document", reasons.MACRO_DOCUMENT
    if data.startswith(_OLE_MAGIC):  # .doc, .xls, .ppt (and .msg): macros live in _VBA_PROJECT
        if _VBA_PROJECT_UTF16 in data:
            return "macro_document", reasons.MACRO_DOCUMENT
        return "other", reasons.OTHER
    if data.startswith(b"PK\x03\x04") or ext in _OFFICE_ZIP_SUFFIXES:
        return _zip_kind(data, ext)
    if ext in ARCHIVE_SUFFIXES or data.startswith(_ARCHIVE_MAGICS):
        return "archive", reasons.ARCHIVE
    return None


def classify(filename: str, content_type: str, data: bytes) -> tuple[AttachmentKind, str | None]:
    """The kind of a file and, for one that is not safe to open, the Dutch reason why not.

    Dangerous verdicts win: a program by name or by content is a program.
    """
    ext = suffix(filename)
    dangerous = _dangerous_kind(filename, ext, data)
    if dangerous is not None:
        return dangerous
    if is_pdf(data):
        return "pdf", None
    if _is_image(data):
        return "image", None
    if ext == "pdf" or content_type == "application/pdf":
        return "pdf", reasons.PDF_NOT_PDF
    if ext == "svg" or content_type == "image/svg+xml":
        return "other", reasons.OTHER  # SVG can carry scripts
    if ext in _IMAGE_SUFFIXES or content_type.startswith("image/"):
        return "image", reasons.IMAGE_BROKEN
    if is_edifact(data) or ext in _EDIFACT_SUFFIXES:
        return "edifact", None
    if ext in _HTML_SUFFIXES or content_type in ("text/html", "application/xhtml+xml"):
        return "html", None
    if ext in _TEXT_SUFFIXES or content_type.startswith("text/"):
        return "text", None
    return "other", reasons.OTHER


def build_attachment(
    filename: str,
    content_type: str,
    data: bytes,
    limits: Limits,
    *,
    charset: str | None = None,
) -> Attachment:
    """One attachment, classified and checked; PDFs checked in ``pdf.check_pdf``.

    With ``limits.defer_pdf_check`` a PDF is left unchecked and marked ``check_pending``.
    """
    kind, problem = classify(filename, content_type, data)
    text = ""
    if problem is None:
        if kind == "pdf" and limits.defer_pdf_check:
            return pending_pdf(filename, content_type, data, limits)
        if kind == "pdf":
            from gpdesk.inbox.parsing.pdf import check_pdf

            report = check_pdf(data, limits)
            problem, text = report.problem, report.text
        elif kind in ("text", "edifact"):
            text = decode_bytes(data, charset)  # whole: a cut could split a character
        elif kind == "html":
            text = html_to_text(decode_bytes(data, charset))
    return make_attachment(
        filename, content_type, data, kind=kind, problem=problem, text=text, limits=limits
    )


def pending_pdf(filename: str, content_type: str, data: bytes, limits: Limits) -> Attachment:
    """A PDF kept for the reading pass: not safe to open until checked, no text yet."""
    attachment = make_attachment(
        filename, content_type, data, kind="pdf", problem=reasons.PDF_PENDING, text="",
        limits=limits,
    )  # fmt: skip
    return replace(attachment, check_pending=True)


def make_attachment(
    filename: str,
    content_type: str,
    data: bytes,
    *,
    kind: AttachmentKind,
    problem: str | None,
    text: str,
    limits: Limits,
) -> Attachment:
    """An attachment from a verdict already made; safe to open exactly when there is no problem."""
    return Attachment(
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        safe_to_open=problem is None,
        text=text[: limits.max_text_chars],
        problem=problem,
        data=data,
    )
