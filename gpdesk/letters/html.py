"""The same ``Document`` as simple HTML, for an on-screen preview and for Qt printing.

A PDF cannot be shown or printed with PySide6-Essentials alone (QtPdf is an add-on), so a
screen that previews a letter, or prints it on the printer the user picks, lays out this HTML
in a ``QTextDocument``: the subset of HTML and CSS it renders. The content comes from the one
``Document``, so what the user sees is what the PDF says; only the layout engine differs.
"""

from __future__ import annotations

from html import escape

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
    Strong,
    dutch_date,
)

_NOTICE_COLOURS = {"warning": ("#7a1c1c", "#fdecea"), "info": ("#1f3a4d", "#eaf2f7")}
"""(text, background) per tone, as in the PDF."""


def _style(body_pt: float) -> str:
    """The CSS, every size relative to the body text.

    Headings are styled paragraphs: ``QTextDocument`` gives ``<h1>``–``<h3>`` fixed sizes.
    """

    def pt(factor: float) -> str:
        return f"{body_pt * factor:.1f}pt"

    return f"""
body {{ font-size: {pt(1)}; color: #1a1a1a; }}
p {{ margin-top: 0; margin-bottom: 3px; }}
p.practice {{ font-size: {pt(1.2)}; font-weight: 600; color: #1f6f78; margin-bottom: 0; }}
p.practice-lines {{ font-size: {pt(0.8)}; color: #555; }}
p.date {{ color: #555; }}
p.title {{ font-size: {pt(1.65)}; font-weight: 600; color: #1f3a3d; margin-bottom: 0; }}
p.subtitle {{ color: #555; margin-bottom: 6px; }}
p.muted {{ color: #555; }}
p.head {{ font-size: {pt(1.12)}; font-weight: 600; color: #1f6f78; margin-top: 10px;
          margin-bottom: 1px; }}
p.footer {{ font-size: {pt(0.8)}; color: #555; margin-top: 8px; }}
span.mark {{ background-color: #fff4d6; font-weight: 600; }}
span.prominent {{ font-size: {pt(1.25)}; font-weight: 600; }}
td {{ padding: 1px 8px 1px 0; }}
td.label {{ color: #555; }}
ul {{ margin-top: 0; margin-bottom: 0; }}
"""


def _text(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def _markup(content: Content) -> str:
    pieces = content if isinstance(content, tuple) else (content,)
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(_text(piece))
        elif isinstance(piece, Strong):
            out.append(f"<b>{_text(piece.text)}</b>")
        elif isinstance(piece, Marked):
            out.append(f'<span class="mark">{_text(piece.text)}</span>')
        elif isinstance(piece, Link):
            out.append(f'<a href="{escape(piece.url)}">{_text(piece.text)}</a>')
    return "".join(out)


def _p(inner: str, cls: str | None = None) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{inner}</p>"


def _field_row(label: str, value: Content, *, prominent: bool) -> str:
    """One label and value; a prominent (larger) value gets its label centred beside it."""
    if prominent:
        return (
            f'<tr><td class="label" valign="middle">{_text(label)}</td>'
            f'<td valign="middle"><span class="prominent">{_markup(value)}</span></td></tr>'
        )
    return f'<tr><td class="label">{_text(label)}</td><td>{_markup(value)}</td></tr>'


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return _p(_text(block.text), "head")
    if isinstance(block, Paragraph):
        return _p(_markup(block.content), "muted" if block.muted else None)
    if isinstance(block, Fields):
        rows = "".join(
            _field_row(row.label, row.value, prominent=row.prominent) for row in block.rows
        )
        return f"<table>{rows}</table>" if rows else ""
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_markup(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>" if items else ""
    if isinstance(block, Notice):
        ink, background = _NOTICE_COLOURS[block.tone]
        return (
            f'<table width="100%" cellpadding="6" style="background-color: {background};">'
            f'<tr><td style="color: {ink}; font-weight: 600;">{_markup(block.content)}</td>'
            "</tr></table>"
        )
    links = " &nbsp;·&nbsp; ".join(_markup(link) for link in block.links)
    return _p(_text(block.intro)) + (_p(links) if links else "")


def to_html(document: Document) -> str:
    """The document as one HTML page (the footer once, at the end)."""
    head = document.letterhead
    lines = list(head.address_lines)
    if head.phone:
        lines.append(f"Telefoon {head.phone}")
    if head.email:
        lines.append(head.email)
    if head.agb_code:
        lines.append(f"AGB-code {head.agb_code}")
    parts = [_p(_text(head.practice_name), "practice")]
    if lines:
        parts.append(_p(_text("\n".join(lines)), "practice-lines"))
    parts.append("<hr>")
    if document.recipient:
        parts.append(_p(_text("\n".join(document.recipient))))
    if document.date is not None:
        parts.append(_p(escape(dutch_date(document.date)), "date"))
    parts.append(_p(_text(document.title), "title"))
    if document.subtitle:
        parts.append(_p(_text(document.subtitle), "subtitle"))
    parts.extend(_block(block) for block in document.blocks)
    if document.footer:
        parts.append(_p(_text(document.footer), "footer"))
    return (
        '<html><head><meta charset="utf-8"><title>'
        + escape(document.metadata_title or document.title)
        + "</title><style>"
        + _style(document.body_pt)
        + "</style></head><body>"
        + "".join(part for part in parts if part)
        + "</body></html>"
    )
