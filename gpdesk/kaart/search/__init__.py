"""The forgiving search over the sociale kaart, in memory, fast enough to run per keystroke.

``index`` builds the ``SearchIndex`` from ``store.queries.search_documents`` and ranks; it is
made of ``vocabulary`` (how one query word matches: exact, prefix, compound, synonym, typo, with
all scoring constants), ``synonyms`` (the curated list) and ``filters`` (theme, postcode, age,
open now, capacity, alleen open). Text is folded by ``gpdesk.kaart.textnorm``, which the
spreadsheet template shares.
"""
