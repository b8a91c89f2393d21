"""Letters: one headless PDF renderer for everything the practice puts on paper.

- ``document``: what a letter says, as frozen data (letterhead, title, headings, paragraphs,
  label/value fields, bullets, notice boxes, reply links, footer). No PDF, no Qt.
- ``pdf``: ``render_pdf(document) -> bytes``, A4 with embedded fonts and "Pagina x van y";
  works without a screen and from any thread (the CLI, a background worker).

The signal letter, the kaart handout and reports are built as a ``Document`` by their own
domain and rendered here. This package file imports nothing, so naming it stays cheap.
"""
