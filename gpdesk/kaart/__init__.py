"""Sociale kaart: organisations, services, areas, hours and named contacts (Open Referral HSDS 3.0).

The parts, each its own subpackage:

- ``store``: reading the kaart from the database as frozen results; "gecontroleerd" stamps.
- ``search``: the forgiving in-memory search (temporarily closed services found, after the
  open ones; earlier names find a service).
- ``editing``: editing the kaart in Beheer, every change checked, logged and audited.
- ``changes``: the "Wat is er veranderd" digest over the change log.
- ``exchange``: HSDS 3.0 import (preview, apply, undo) and export, and the spreadsheet template.

And the small modules they share, at the top:

- ``postcodes``: PC4 ranges of service areas, read from free text.
- ``schedule``: opening and walk-in hours, "nu open", the next inloopspreekuur, in Dutch.
- ``freshness``: when an entry counts as verouderd.
- ``textnorm``: folding Dutch text, the same for the search and the template.
- ``routing``: which wijkteam a postcode belongs to, else the central desk (never a team that
  is temporarily closed: the answer names it and who stands in).
- ``handout``: the patient's printout about a service.
- ``correction``: the prepared "Meld correctie" e-mail.
- ``demo``: the fictional demo kaart.

This package file imports nothing, so the CLI can name it without loading SQLAlchemy.
"""
