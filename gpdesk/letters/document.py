"""What a letter says, as plain frozen data: letterhead, title, blocks, footer.

The model knows nothing about PDF or Qt, so the code that writes a letter (the signal letter,
the kaart handout, a report) is tested as data, and ``gpdesk.letters.pdf.render_pdf`` turns it
into pages. Text is plain text: the renderer escapes it; a newline inside a text is a line
break (an address of several lines in one paragraph).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(day: date) -> str:
    """The date as a Dutch letter writes it: "6 december 2026"."""
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


# -- inline text -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Strong:
    """Bold text inside a paragraph ("Voor: **naam**")."""

    text: str


@dataclass(frozen=True, slots=True)
class Marked:
    """Text the reader must not miss, bold on a light yellow background (the next walk-in)."""

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """Clickable text: ``mailto:``, ``https:`` or ``tel:``; printed, the text stands alone.

    The text should be readable on paper too, so a web link usually shows its own address.
    """

    text: str
    url: str


Span = str | Strong | Marked | Link
"""One piece of inline text."""

Content = Span | tuple[Span, ...]
"""A paragraph's text: one piece or several in a row."""


# -- blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading; it stays on the page with what follows it."""

    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Running text; ``muted`` for a side note in grey (the organisation under a title)."""

    content: Content
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Field:
    """One label and its value; ``prominent`` sets the value large and bold (a phone number)."""

    label: str
    value: Content
    prominent: bool = False


@dataclass(frozen=True, slots=True)
class Fields:
    """A two-column table of labels and values: the data fields of a signal, a contact block.

    A long value wraps in its column and may continue on the next page.
    """

    rows: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bulleted list ("Neem mee")."""

    items: tuple[Content, ...]


Tone = Literal["warning", "info"]
"""``warning``: red, for what must stop the reader (closed, emergencies); ``info``: blue-grey."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A highlighted box: "Let op: tijdelijk gesloten", "Bij spoed: bel 112"."""

    content: Content
    tone: Tone = "warning"


@dataclass(frozen=True, slots=True)
class ReplyLinks:
    """One-click answers for the reader: a row of boxed ``mailto:`` links under an intro.

    The signal letter uses it so a team member confirms with one click from any mail
    client (ontvangen, in behandeling, afgerond, niet bereikt).
    """

    intro: str
    links: tuple[Link, ...]


Block = Heading | Paragraph | Fields | Bullets | Notice | ReplyLinks
"""What a letter's body is made of, in reading order."""


# -- the document ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The practice at the top of the first page (and its name on every later page)."""

    practice_name: str
    address_lines: tuple[str, ...] = ()
    phone: str | None = None
    email: str | None = None
    agb_code: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One letter or handout, ready to render.

    ``metadata_title`` is what a PDF viewer, a mail client's attachment list and a print
    queue show; it defaults to ``title`` and must never carry patient data (so neither may
    ``title`` when it is left out). ``created_at`` fixes the PDF creation date: the same
    document with the same ``created_at`` renders to the same bytes; None means now.
    """

    letterhead: Letterhead
    title: str
    blocks: tuple[Block, ...]
    date: date | None = None
    subtitle: str | None = None
    recipient: tuple[str, ...] = ()
    footer: str | None = None
    metadata_title: str | None = None
    body_pt: float = 11.0
    created_at: datetime | None = None
