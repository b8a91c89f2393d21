"""The one PDF renderer: a ``Document`` becomes A4 pages, headless and from any thread.

ReportLab lays out and writes the PDF without a screen, so the CLI sends a signal letter
without a window and a worker renders while the GUI stays responsive. Each call builds its own
document, styles and canvas. What ReportLab shares between documents (its font registry and
the font faces, which are not thread-safe) is used under one lock, so renders from several
threads queue for a few milliseconds instead of corrupting each other's fonts. The fonts ship
in ``resources/fonts`` (DejaVu Sans: Dutch, and the letters of Polish, Romanian or Turkish
names too) and are embedded as subsets.

Output is deterministic: the same document with the same ``created_at`` gives the same bytes
(ReportLab's invariant mode fixes the file id; our date formatter writes ``created_at``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.resources import files
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph

from gpdesk.letters.document import (
    Block,
    Bullets,
    Content,
    Document,
    Fields,
    Heading,
    Link,
    Marked,
    Notice,
    Paragraph,
    ReplyLinks,
    Strong,
    dutch_date,
)

REGULAR = "GpdeskSans"
BOLD = "GpdeskSans-Bold"
_FONT_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
_reportlab = threading.Lock()
"""Held for every layout pass. ReportLab's TrueType faces are shared by every document and
not thread-safe: subsetting moves a read position inside the face, so two threads embedding
at once write broken fonts (seen at 8 threads). A letter takes milliseconds; a queue is fine."""

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 22 * mm
"""Room for the footer; every printer manages these margins."""
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
_FRAME_PADDING = 6.0
"""ReportLab's frame pads its content; the frame sits that much outside the text margins."""

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f6f78")
"""The teal of the app's headings (the handout used it too)."""
TITLE_INK = colors.HexColor("#1f3a3d")
LINK_INK = "#1f5f8b"
MARK_BACKGROUND = "#fff4d6"
RULE = colors.HexColor("#c9d3d4")
_NOTICE_COLOURS = {
    # tone: (text, background, bar)
    "warning": ("#7a1c1c", "#fdecea", "#b3261e"),
    "info": ("#1f3a4d", "#eaf2f7", "#4a7a99"),
}


def render_pdf(document: Document) -> bytes:
    """The document as an A4 PDF (any number of pages, numbered "Pagina x van y")."""
    pages = _render(document, total_pages=None)[1]
    return _render(document, total_pages=pages)[0]


def render_pdf_fitting(
    document: Document, body_sizes: tuple[float, ...], *, max_pages: int = 1
) -> tuple[bytes, float]:
    """Render with the largest body size (in points) that fits on ``max_pages``.

    The handout must stay one sheet: an unusually long entry gets smaller text rather than
    a second page. When even the smallest size does not fit, that one is used anyway.
    Returns the PDF and the body size it used.
    """
    if not body_sizes:
        raise ValueError("body_sizes is empty")
    for size in body_sizes:
        sized = _with_body(document, size)
        pages = _render(sized, total_pages=None)[1]
        if pages <= max_pages or size == body_sizes[-1]:
            return _render(sized, total_pages=pages)[0], size
    raise AssertionError("unreachable")  # the loop returns at the last size


def page_count(document: Document) -> int:
    """How many pages the document takes (to decide on a smaller size or a split)."""
    return _render(document, total_pages=None)[1]


def _with_body(document: Document, body_pt: float) -> Document:
    return replace(document, body_pt=body_pt)


# -- fonts -----------------------------------------------------------------------------------


def _register_fonts() -> None:
    """Register the embedded fonts once per process (the caller holds ``_reportlab``)."""
    known = set(pdfmetrics.getRegisteredFontNames())
    if known.issuperset(_FONT_FILES):
        return
    folder = files("gpdesk.resources").joinpath("fonts")
    for name, file_name in _FONT_FILES.items():
        path = Path(str(folder.joinpath(file_name)))
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b> inside a paragraph switches to the bold face of the family.
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


# -- styles ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Styles:
    """Every paragraph style of one rendering, sized from the body text."""

    body: ParagraphStyle
    muted: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    prominent: ParagraphStyle
    bullet: ParagraphStyle
    practice: ParagraphStyle
    practice_lines: ParagraphStyle
    date: ParagraphStyle
    reply: ParagraphStyle


def _styles(body_pt: float) -> _Styles:
    base = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=body_pt,
        leading=body_pt * 1.35,
        textColor=INK,
        spaceAfter=body_pt * 0.45,
        bulletFontName=REGULAR,
        allowWidows=0,  # no last line alone at the top of a page ("huisarts" under the greeting)
    )

    def style(name: str, factor: float = 1.0, **extra: Any) -> ParagraphStyle:
        size = body_pt * factor
        return base.clone(name, fontSize=size, leading=size * 1.35, **extra)

    return _Styles(
        body=style("body"),
        muted=style("muted", 0.92, textColor=GREY),
        title=style("title", 1.65, fontName=BOLD, textColor=TITLE_INK, spaceAfter=2),
        subtitle=style("subtitle", 1.0, textColor=GREY, spaceAfter=body_pt * 0.6),
        heading=style(
            "heading",
            1.12,
            fontName=BOLD,
            textColor=ACCENT,
            spaceBefore=body_pt * 0.9,
            spaceAfter=body_pt * 0.25,
            keepWithNext=1,
        ),
        label=style("label", 1.0, textColor=GREY, spaceAfter=0),
        value=style("value", 1.0, spaceAfter=0),
        prominent=style("prominent", 1.25, fontName=BOLD, spaceAfter=0),
        bullet=style(
            "bullet", 1.0, leftIndent=body_pt * 1.4, bulletIndent=body_pt * 0.3, spaceAfter=1
        ),
        practice=style("practice", 1.35, fontName=BOLD, textColor=ACCENT, spaceAfter=0),
        practice_lines=style("practice_lines", 0.8, textColor=GREY, alignment=TA_RIGHT),
        date=style("date", 0.92, textColor=GREY, alignment=TA_RIGHT),
        reply=style("reply", 0.95, alignment=TA_CENTER, spaceAfter=0),
    )


# -- text ------------------------------------------------------------------------------------


def _text(text: str) -> str:
    """Plain text as paragraph markup: escaped, a newline a line break."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _markup(content: Content) -> str:
    pieces = content if isinstance(content, tuple) else (content,)
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(_text(piece))
        elif isinstance(piece, Strong):
            out.append(f"<b>{_text(piece.text)}</b>")
        elif isinstance(piece, Marked):
            out.append(f'<font backColor="{MARK_BACKGROUND}"><b>{_text(piece.text)}</b></font>')
        elif isinstance(piece, Link):
            href = escape(piece.url, {'"': "&quot;"})
            out.append(f'<a href="{href}" color="{LINK_INK}"><u>{_text(piece.text)}</u></a>')
    return "".join(out)


# -- blocks ----------------------------------------------------------------------------------


def _table(
    rows: list[list[Flowable | str]], widths: list[float], style: TableStyle, space_after: float
) -> Table:
    """A left-aligned table whose rows may split across pages, in the embedded font.

    Cell text that is not a paragraph (the empty gaps) would otherwise pull in Helvetica,
    a font that is not embedded.
    """
    style.add("FONTNAME", (0, 0), (-1, -1), REGULAR)
    table = Table(rows, colWidths=widths, splitInRow=1, hAlign="LEFT")
    table.setStyle(style)
    table.spaceAfter = space_after
    return table


def _letterhead(document: Document, styles: _Styles) -> list[Flowable]:
    head = document.letterhead
    lines = list(head.address_lines)
    if head.phone:
        lines.append(f"Telefoon {head.phone}")
    if head.email:
        lines.append(head.email)
    if head.agb_code:
        lines.append(f"AGB-code {head.agb_code}")
    row: list[Flowable | str] = [RLParagraph(_text(head.practice_name), styles.practice)]
    widths = [TEXT_WIDTH]  # a name alone (the handout) takes the full width: one line
    if lines:
        row.append(RLParagraph("<br/>".join(escape(x) for x in lines), styles.practice_lines))
        widths = [TEXT_WIDTH * 0.55, TEXT_WIDTH * 0.45]
    table = _table(
        [row],
        widths,
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
        space_after=3 * mm,
    )
    out: list[Flowable] = [
        table,
        HRFlowable(width="100%", thickness=0.8, color=ACCENT, spaceAfter=4 * mm),
    ]
    if document.recipient:
        out.append(RLParagraph(_text("\n".join(document.recipient)), styles.body))
        out.append(Spacer(1, 2 * mm))
    if document.date is not None:
        out.append(RLParagraph(escape(dutch_date(document.date)), styles.date))
    out.append(RLParagraph(_text(document.title), styles.title))
    if document.subtitle:
        out.append(RLParagraph(_text(document.subtitle), styles.subtitle))
    else:
        out.append(Spacer(1, document.body_pt * 0.5))
    return out


def _fields(block: Fields, styles: _Styles) -> Flowable:
    rows: list[list[Flowable | str]] = [
        [
            RLParagraph(_text(row.label), styles.label),
            RLParagraph(_markup(row.value), styles.prominent if row.prominent else styles.value),
        ]
        for row in block.rows
    ]
    style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
    )
    # A prominent value is larger: lower its label so the two share a baseline.
    lift = (styles.prominent.fontSize - styles.label.fontSize) * 0.8
    for index, row in enumerate(block.rows):
        if row.prominent:
            style.add("TOPPADDING", (0, index), (0, index), 1.5 + lift)
    widths = [TEXT_WIDTH * 0.28, TEXT_WIDTH * 0.72]
    return _table(rows, widths, style, space_after=styles.body.spaceAfter)


def _notice(block: Notice, styles: _Styles) -> Flowable:
    ink, background, bar = _NOTICE_COLOURS[block.tone]
    text_style = styles.body.clone(
        f"notice-{block.tone}", fontName=BOLD, textColor=colors.HexColor(ink), spaceAfter=0
    )
    style = TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
            ("LINEBEFORE", (0, 0), (0, -1), 3, colors.HexColor(bar)),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    rows: list[list[Flowable | str]] = [[RLParagraph(_markup(block.content), text_style)]]
    table = _table(rows, [TEXT_WIDTH], style, space_after=styles.body.fontSize * 0.6)
    table.spaceBefore = styles.body.fontSize * 0.3
    return table


def _reply_links(block: ReplyLinks, styles: _Styles) -> Flowable:
    intro = RLParagraph(_text(block.intro), styles.body)
    if not block.links:
        return intro
    gap = 4.0
    width = (TEXT_WIDTH - gap * (len(block.links) - 1)) / len(block.links)
    # Boxed links with narrow empty columns between them.
    row: list[Flowable | str] = []
    widths: list[float] = []
    for index, link in enumerate(block.links):
        if index:
            row.append("")
            widths.append(gap)
        row.append(RLParagraph(_markup(link), styles.reply))
        widths.append(width)
    style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    for index in range(0, len(row), 2):
        style.add("BOX", (index, 0), (index, 0), 0.8, colors.HexColor(LINK_INK))
        style.add("BACKGROUND", (index, 0), (index, 0), colors.HexColor("#f3f7fa"))
    table = _table([row], widths, style, space_after=styles.body.spaceAfter)
    return KeepTogether([intro, table])


def _block(block: Block, styles: _Styles) -> list[Flowable]:
    if isinstance(block, Heading):
        return [RLParagraph(_text(block.text), styles.heading)]
    if isinstance(block, Paragraph):
        return [RLParagraph(_markup(block.content), styles.muted if block.muted else styles.body)]
    if isinstance(block, Fields):
        return [_fields(block, styles)] if block.rows else []
    if isinstance(block, Bullets):
        items: list[Flowable] = [
            RLParagraph(_markup(item), styles.bullet, bulletText="•") for item in block.items
        ]
        if items:
            items.append(Spacer(1, styles.body.spaceAfter * 0.5))
        return items
    if isinstance(block, Notice):
        return [_notice(block, styles)]
    return [_reply_links(block, styles)]


# -- pages -----------------------------------------------------------------------------------


def _pdf_date(moment: datetime) -> str:
    """A PDF date string (``D:20261206143000+01'00'``) for ``created_at``."""
    aware = moment if moment.tzinfo is not None else moment.astimezone()
    offset = aware.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"D:{aware:%Y%m%d%H%M%S}{sign}{hours:02d}'{rest:02d}'"


def _render(document: Document, *, total_pages: int | None) -> tuple[bytes, int]:
    """One layout pass: the PDF and its page count; the footer says "van y" when known."""
    with _reportlab:
        _register_fonts()
        return _layout(document, total_pages=total_pages)


def _layout(document: Document, *, total_pages: int | None) -> tuple[bytes, int]:
    styles = _styles(document.body_pt)
    created = _pdf_date(document.created_at or datetime.now().astimezone())
    head = document.letterhead
    header_text = f"{head.practice_name} · {document.title}"
    footer_text = document.footer or ""

    def decorate(canvas: Canvas, _template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setDateFormatter(lambda *_parts: created)
        number = canvas.getPageNumber()
        if number > 1:
            canvas.setFont(REGULAR, 8)
            canvas.setFillColor(GREY)
            canvas.drawString(MARGIN_X, PAGE_HEIGHT - 11 * mm, header_text[:110])
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, 15 * mm, PAGE_WIDTH - MARGIN_X, 15 * mm)
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN_X, 10.5 * mm, footer_text[:120])
        page_label = f"Pagina {number}" + (f" van {total_pages}" if total_pages else "")
        canvas.drawRightString(PAGE_WIDTH - MARGIN_X, 10.5 * mm, page_label)
        canvas.restoreState()

    story = _letterhead(document, styles)
    for block in document.blocks:
        story.extend(_block(block, styles))
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X - _FRAME_PADDING,
        rightMargin=MARGIN_X - _FRAME_PADDING,
        topMargin=MARGIN_TOP - _FRAME_PADDING,
        bottomMargin=MARGIN_BOTTOM - _FRAME_PADDING,
        title=document.metadata_title or document.title,
        author=head.practice_name,
        creator="gpdesk",
        producer="gpdesk",
        subject="",
        lang="nl",
        invariant=1,
        initialFontName=REGULAR,
    )
    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue(), template.page
