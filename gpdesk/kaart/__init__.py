"""Sociale kaart: organisations, services, areas, hours and named contacts (Open Referral HSDS 3.0).

- ``postcodes``: PC4 ranges of service areas, read from free text.
- ``routing``: which wijkteam a postcode belongs to, else the central desk (never a team that
  is temporarily closed: the answer names it and who stands in).
- ``schedule``: opening and walk-in hours, "nu open", the next inloopspreekuur, in Dutch.
- ``freshness``: when an entry counts as verouderd.
- ``store``: read functions returning frozen dataclasses; ``mark_assured``.
- ``demo``: the fictional demo kaart.
- ``search``: the forgiving search index over ``store.search_documents``; built from
  ``textnorm`` (folding), ``synonyms`` (the curated list), ``vocabulary`` (how one query word
  matches: exact, prefix, compound, synonym, typo, with all scoring constants) and
  ``search_filters`` (theme, postcode, age, open now, capacity, alleen open). Temporarily
  closed services are found, labelled, after the open ones; earlier names find a service.

This package file imports nothing, so the CLI can name it without loading SQLAlchemy.
"""
