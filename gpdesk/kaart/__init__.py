"""Sociale kaart: organisations, services, areas, hours and named contacts (Open Referral HSDS 3.0).

- ``postcodes``: PC4 ranges of service areas, read from free text.
- ``routing``: which wijkteam a postcode belongs to, else the central desk.
- ``schedule``: opening and walk-in hours, "nu open", the next inloopspreekuur, in Dutch.
- ``freshness``: when an entry counts as verouderd.
- ``store``: read functions returning frozen dataclasses; ``mark_assured``.
- ``demo``: the fictional demo kaart.
- ``search`` (with ``textnorm``): the forgiving search index over ``store.search_documents``.

This package file imports nothing, so the CLI can name it without loading SQLAlchemy.
"""
