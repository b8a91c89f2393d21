"""Bytes and headers to clean text, and HTML to safe HTML and to plain text.

Clean means: valid Unicode without lone surrogates, no NUL or other control characters (tab
and newline stay in texts), so every string fits a database text column and JSON as it is.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from html import escape, unescape
from typing import Final

__all__ = [
    "clean_line",
    "clean_text",
    "decode_bytes",
    "decode_header_value",
    "html_to_text",
    "is_complex_html",
    "sanitise_html",
    "unescape_surrogates",
]

# C0 and C1 controls except tab and newline; lone surrogates (from surrogateescape).
_TEXT_JUNK: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_JUNK: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]+")
_CRLF: Final = re.compile(r"\r\n?")

# Charsets that mail says but means something wider (as browsers read them: WHATWG), by the
# names codecs.lookup gives them.
_WIDER: Final = frozenset({"iso8859-1", "ascii"})


def clean_text(text: str) -> str:
    r"""Newlines as ``\n``; no control characters but tab and newline; no lone surrogates."""
    return _TEXT_JUNK.sub("", _CRLF.sub("\n", text))


def clean_line(text: str) -> str:
    """One line: every run of control characters and line breaks becomes one space."""
    return _LINE_JUNK.sub(" ", text).strip()


def _codec(charset: str | None) -> str | None:
    """A known text codec for a declared charset, or None (unknown, or not a text encoding)."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, zlib, rot13 ...: never decode content with those
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes: the declared charset, else UTF-8, else cp1252; never raises.

    A declared Latin-1 or ASCII is read as cp1252 (what such senders write); bytes that fit
    no charset become U+FFFD. The result is cleaned (see ``clean_text``).
    """
    if data.startswith(codecs.BOM_UTF8):
        data, charset = data[3:], "utf-8"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        charset = "utf-16"
    codec = _codec(charset)
    if codec is not None:
        codec = "cp1252" if codec in _WIDER else codec
        try:
            return clean_text(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clean_text(data.decode("cp1252", errors="replace"))


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def unescape_surrogates(value: str) -> str:
    """A header read by the email package keeps 8-bit bytes as surrogates: decode those."""
    if value.isascii() or _ESCAPED_BYTE.search(value) is None:
        return value  # a regular expression scans in C: this runs for every header read
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value  # other lone surrogates: clean_line removes them
    return decode_bytes(raw)


def decode_header_value(value: object, *, max_chars: int = 2_000) -> str:
    """A header as one clean line: encoded words decoded, 8-bit bytes guessed, never raises.

    Line breaks (folding, or ones hidden in encoded words: header injection) become spaces.
    """
    text = unescape_surrogates(str(value))[: max_chars * 4]
    if "=?" in text:
        text = _ENCODED_WORDS.sub(_decode_word, _BETWEEN_WORDS.sub("?==?", text))
    return clean_line(text)[:max_chars]


# RFC 2047 encoded words, read one by one and leniently: one broken word spoils only itself.
_ENCODED_WORDS: Final = re.compile(r"=\?([^?\s]{1,40})\?([qQbB])\?([^?\s]{0,4000})\?=")
_BETWEEN_WORDS: Final = re.compile(r"\?=[ \t\r\n]+=\?")  # whitespace between words is not text


def _decode_word(match: re.Match[str]) -> str:
    charset = match.group(1).split("*", 1)[0]  # RFC 2231 language tag
    encoding, text = match.group(2).lower(), match.group(3)
    try:
        if encoding == "b":
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=True)
    except (ValueError, binascii.Error, UnicodeEncodeError):
        return match.group(0)
    return decode_bytes(data, charset)


# --- HTML -------------------------------------------------------------------------------------

# No img, no style, no link, no media, no forms, no frames: nothing that loads or runs anything.
_TAGS: Final = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small",
        "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
        "u", "ul",
    }
)  # fmt: skip
_DROP_WITH_CONTENT: Final = frozenset(
    {"script", "style", "title", "head", "noscript", "template", "object", "iframe", "svg"}
)
_ATTRIBUTES: Final = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}


MAX_HTML_TAGS: Final = 20_000
"""Above this many tags HTML is shown as plain text: a sanitiser's tree costs time per nesting
level, and a deeply nested document (100,000 divs) would take minutes."""

# A tag of the sanitiser's output (attribute values are double-quoted there); linear to match.
_TAG: Final = re.compile(r'<[^<>"]*(?:"[^"]*"[^<>"]*)*>')
_ROUGH_TAG: Final = re.compile(r"<[^<>]*>")
_BLOCK_TAG: Final = re.compile(
    r"</?(?:p|div|br|tr|li|h[1-6]|blockquote|pre|table|hr|dl|dt|dd|ul|ol|caption)\b[^<>]*>"
)
_CELL_TAG: Final = re.compile(r"<t[dh]\b[^<>]*>")


def is_complex_html(html: str) -> bool:
    """Too many tags to sanitise in good time: shown as text only."""
    return html.count("<") > MAX_HTML_TAGS


def _rough_text(html: str) -> str:
    """Tags dropped without building a tree (linear), entities decoded."""
    return unescape(_ROUGH_TAG.sub(" ", html))


def sanitise_html(html: str) -> str:
    """HTML safe to show: no scripts, styles, images or anything else that loads or runs.

    Links stay as links (http, https, mailto) but nothing is fetched by showing the result.
    HTML with more than ``MAX_HTML_TAGS`` tags comes back as its escaped text in ``<pre>``.
    """
    if is_complex_html(html):
        return f"<pre>{escape(_tidy(_rough_text(clean_text(html))))}</pre>"
    import nh3  # lazy: not on the start-up path

    return nh3.clean(
        clean_text(html),
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_SPACES: Final = re.compile(r"[ \t\xa0]+")
_BLANK_LINES: Final = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return clean_text(_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip())


def html_to_text(html: str) -> str:
    """The readable text of an HTML document (sanitised first), for showing and matching."""
    if is_complex_html(html):
        return _tidy(_rough_text(clean_text(html)))
    safe = _CELL_TAG.sub("\t", _BLOCK_TAG.sub("\n", sanitise_html(html)))
    return _tidy(unescape(_TAG.sub("", safe)))
