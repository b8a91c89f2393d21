"""The practice's spreadsheet template: its columns, its rows, and how a header is recognised.

One list (``TEMPLATE_COLUMNS``) drives the downloadable template, header matching and the
checks, so a column added here shows up everywhere; headers match loosely (case, spaces,
punctuation) because practices retype them. ``TemplateRow`` and ``Sheet`` are what reading a
sheet yields.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from gpdesk.kaart.exchange.read import Problem
from gpdesk.kaart.textnorm import fold

THEME_TAXONOMY: Final = "gpdesk-thema"
"""The taxonomy new themes go into (the same name ``store.THEME_TAXONOMY`` reads)."""
WALK_IN: Final = "inloop"
CAPACITY_UNIT: Final = "plaatsen"
TEMPLATE_SOURCE: Final = "sjabloon"
"""Default source name of template imports: every sheet is one source, the practice's own."""
NAMESPACE: Final = uuid.UUID("6f1d3b0e-5c1a-4f7e-9a53-2b8e4c0d7a91")
"""UUID 5 namespace of ids derived from names: the same sheet gives the same ids."""
MAX_TEXT: Final = 300
MAX_AGE: Final = 130


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the template."""

    key: str
    header: str
    meaning: str
    example: str
    aliases: tuple[str, ...] = ()
    required: bool = False


TEMPLATE_COLUMNS: Final[tuple[TemplateColumn, ...]] = (
    TemplateColumn(
        "organisatie",
        "organisatie",
        "Naam van de organisatie.",
        "Stichting Wijkteams Schiedam",
        ("organisatienaam", "aanbieder"),
        True,
    ),
    TemplateColumn(
        "naam",
        "naam",
        "Naam van de voorziening of het team.",
        "Wijkteam Nieuwland",
        ("voorziening", "naam voorziening", "dienst"),
        True,
    ),
    TemplateColumn(
        "eerdere_namen",
        "eerdere namen",
        "Namen die de voorziening vroeger had, gescheiden door ;. Wie zo zoekt, vindt haar.",
        "WOT Nieuwland",
        ("oude naam", "oude namen", "vroegere naam", "vroegere namen", "eerdere naam"),
    ),
    TemplateColumn(
        "soort",
        "soort",
        "wijkteam, centraal loket of overig (leeg: overig). Bepaalt "
        "naar welk team een signaal per postcode gaat.",
        "wijkteam",
        ("type",),
    ),
    TemplateColumn(
        "status",
        "status",
        "actief, tijdelijk gesloten, niet actief of opgeheven (leeg: actief).",
        "tijdelijk gesloten",
        ("toestand",),
    ),
    TemplateColumn(
        "melding",
        "melding",
        "Korte melding voor nu, bijv. waarom en tot wanneer het gesloten is.",
        "Gesloten wegens verbouwing tot 1 april.",
        ("mededeling", "let op"),
    ),
    TemplateColumn(
        "beschrijving",
        "beschrijving",
        "Wat de voorziening doet, voor wie.",
        "Hulp bij geld, wonen en opvoeden.",
        ("omschrijving",),
    ),
    TemplateColumn(
        "voor_wie",
        "voor wie",
        "Voor wie het is en wanneer u verwijst (verwijscriteria).",
        "Inwoners vanaf 18 jaar met betalingsachterstanden.",
        ("verwijscriteria", "doelgroep", "voorwaarden"),
    ),
    TemplateColumn(
        "themas",
        "thema's",
        "Thema's, gescheiden door ; of ,.",
        "geldzorgen/schulden; wonen",
        ("thema", "themas"),
    ),
    TemplateColumn(
        "werkgebied",
        "werkgebied",
        "Postcodes (4 cijfers) en reeksen, gescheiden door komma's.",
        "3118-3119",
        ("postcodes", "postcodes/werkgebied", "postcodegebied", "werkgebied (postcodes)"),
    ),
    TemplateColumn(
        "adres",
        "adres",
        "Straat en huisnummer van de locatie.",
        "Nieuwlandplein 2",
        ("straat", "straat en huisnummer", "bezoekadres"),
    ),
    TemplateColumn("postcode", "postcode", "Postcode van de locatie.", "3118 AB"),
    TemplateColumn("plaats", "plaats", "Plaats van de locatie.", "Schiedam", ("woonplaats",)),
    TemplateColumn(
        "telefoon", "telefoon", "Algemeen telefoonnummer.", "010-123 45 67", ("telefoonnummer",)
    ),
    TemplateColumn(
        "email",
        "e-mail",
        "Algemeen e-mailadres.",
        "info@voorbeeld.nl",
        ("email", "mail", "e-mailadres"),
    ),
    TemplateColumn(
        "website", "website", "Internetadres.", "https://voorbeeld.nl", ("url", "internet", "site")
    ),
    TemplateColumn(
        "contactpersoon",
        "contactpersoon",
        "Naam van de vaste contactpersoon.",
        "Fatma Kaya",
        ("contact", "naam contactpersoon"),
    ),
    TemplateColumn(
        "functie",
        "functie",
        "Functie van de contactpersoon.",
        "wijkcoach",
        ("functie contactpersoon",),
    ),
    TemplateColumn(
        "contact_email",
        "contact e-mail",
        "E-mailadres van de contactpersoon.",
        "f.kaya@voorbeeld.nl",
        ("contact email", "e-mail contactpersoon"),
    ),
    TemplateColumn(
        "contact_telefoon",
        "contact telefoon",
        "Direct nummer van de contactpersoon.",
        "06-12345678",
        ("telefoon contactpersoon", "contact telefoonnummer"),
    ),
    TemplateColumn(
        "vervanger",
        "vervanger",
        "Wie de contactpersoon vervangt; eventueel met telefoonnummer tussen haakjes.",
        "Jeroen Visser (010-123 45 68)",
        ("vervanging", "plaatsvervanger"),
    ),
    TemplateColumn(
        "inloop",
        "inloop",
        "Inloopspreekuur: dag en tijd, gescheiden door ;.",
        "do 09:00-11:00; di 13:30-15:00",
        ("inloopspreekuur", "inlooptijden"),
    ),
    TemplateColumn(
        "openingstijden",
        "openingstijden",
        "Openingstijden, zelfde schrijfwijze.",
        "ma-vr 08:30-17:00",
        ("open", "bereikbaar"),
    ),
    TemplateColumn(
        "minimumleeftijd",
        "minimumleeftijd",
        "Vanaf welke leeftijd (jaren).",
        "18",
        ("leeftijd vanaf", "min leeftijd", "minimum leeftijd"),
    ),
    TemplateColumn(
        "maximumleeftijd",
        "maximumleeftijd",
        "Tot en met welke leeftijd (jaren).",
        "23",
        ("leeftijd tot", "max leeftijd", "maximum leeftijd"),
    ),
    TemplateColumn("kosten", "kosten", "Wat het kost.", "Gratis.", ("prijs",)),
    TemplateColumn(
        "gecontracteerd",
        "gecontracteerd door de gemeente",
        "ja of nee: heeft de gemeente een contract met deze aanbieder? Zonder contract betaalt "
        "de patiënt zelf.",
        "ja",
        ("gecontracteerd", "contract gemeente", "contract met de gemeente"),
    ),
    TemplateColumn(
        "aanmelden",
        "aanmelden",
        "Hoe verwijzen of aanmelden werkt, en wat er daarna gebeurt.",
        "Bel de contactpersoon; binnen twee weken een intake.",
        ("aanmelding", "verwijzen", "aanmelden en daarna"),
    ),
    TemplateColumn("wachtlijst", "wachtlijst", "ja of nee.", "nee"),
    TemplateColumn(
        "wachttijd",
        "wachttijd",
        "Hoe lang de patiënt ongeveer wacht.",
        "ongeveer 6 weken",
        ("wachttijden",),
    ),
    TemplateColumn(
        "gecontroleerd_op",
        "gecontroleerd op",
        "Wanneer u dit voor het laatst hebt nagekeken (dd-mm-jjjj).",
        "14-10-2026",
        ("gecontroleerd", "datum controle"),
    ),
    TemplateColumn(
        "gecontroleerd_door",
        "gecontroleerd door",
        "Wie het heeft nagekeken.",
        "R. Smit",
        ("controleur",),
    ),
)
"""Every column in the order of the example file; only organisatie and naam are required."""

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _header_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text.strip().lstrip("\ufeff")))


_COLUMN_BY_HEADER: Final[dict[str, TemplateColumn]] = {
    _header_key(alias): column
    for column in TEMPLATE_COLUMNS
    for alias in (column.header, column.key, *column.aliases)
}


def looks_like_template(header: Sequence[str]) -> bool:
    """Whether a CSV header is (meant as) the template: it names organisatie and naam."""
    found = {_COLUMN_BY_HEADER[k].key for h in header if (k := _header_key(h)) in _COLUMN_BY_HEADER}
    return {"organisatie", "naam"} <= found


# --- one row, checked -------------------------------------------------------------------------


@dataclass
class TemplateRow:
    """One spreadsheet row with its values checked; a bad optional value is left out (None)."""

    row: int
    organisatie: str
    naam: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sheet:
    """The template's rows, checked, with the problems found."""

    file: str
    rows: list[TemplateRow]
    problems: list[Problem]
    notes: list[str]
