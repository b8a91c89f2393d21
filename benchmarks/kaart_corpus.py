"""Made-up but realistic sociale-kaart records, the same for the same seed.

Used by ``benchmarks/kaart_search.py`` (20,000 services) and by the search tests. The records
have the shape the database layer hands to ``gpdesk.kaart.search.index.SearchIndex.build``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

# (service type, themes, min age, max age); the type starts the name.
SERVICE_TYPES: tuple[tuple[str, tuple[str, ...], int | None, int | None], ...] = (
    ("Schuldhulpverlening", ("Schulden", "Geldzaken"), 18, None),
    ("Budgetcoaching", ("Geldzaken", "Schulden"), 18, None),
    ("Formulierenbrigade", ("Geldzaken", "Taal"), 18, None),
    ("Thuisadministratie", ("Geldzaken",), 18, None),
    ("Voedselbank", ("Armoede", "Geldzaken"), None, None),
    ("Kledingbank", ("Armoede",), None, None),
    ("Buurtcentrum", ("Eenzaamheid", "Ontmoeting"), None, None),
    ("Ontmoetingscentrum", ("Eenzaamheid", "Ouderen"), None, None),
    ("Huiskamer van de Wijk", ("Eenzaamheid", "Ontmoeting"), None, None),
    ("Jongerenwerk", ("Jeugd",), 12, 23),
    ("Kinderwerk", ("Jeugd",), 4, 12),
    ("Opvoedpoli", ("Opvoeding", "Jeugd"), None, None),
    ("Centrum voor Jeugd en Gezin", ("Opvoeding", "Jeugd"), None, 23),
    ("Mantelzorgsteunpunt", ("Mantelzorg",), None, None),
    ("Respijtzorg", ("Mantelzorg",), None, None),
    ("Ouderenadviseur", ("Ouderen",), 65, None),
    ("Ouderenwerk", ("Ouderen", "Eenzaamheid"), 55, None),
    ("Welzijn op Recept", ("Leefstijl", "Eenzaamheid", "GGZ"), 18, None),
    ("Maatschappelijk werk", ("Multiprobleem", "Geldzaken"), None, None),
    ("Sociaal wijkteam", ("Multiprobleem",), None, None),
    ("GGZ-inloop", ("GGZ",), 18, None),
    ("Herstelacademie", ("GGZ",), 18, None),
    ("Verslavingszorg", ("Verslaving",), 16, None),
    ("Steunpunt Huiselijk Geweld", ("Huiselijk geweld",), None, None),
    ("Taalhuis", ("Taal",), 16, None),
    ("Taalcafé", ("Taal", "Ontmoeting"), 16, None),
    ("Sportbuurtwerk", ("Leefstijl", "Jeugd"), 4, None),
    ("Beweegcoach", ("Leefstijl",), 18, None),
    ("Werkcentrum", ("Werk en inkomen",), 18, 67),
    ("Vrijwilligerscentrale", ("Werk en inkomen", "Ontmoeting"), 16, None),
    ("Woonbegeleiding", ("Wonen",), 18, None),
    ("Daklozenopvang", ("Wonen",), 18, None),
    ("Buddyzorg", ("Eenzaamheid", "GGZ"), 18, None),
    ("Dagbesteding", ("Ouderen", "GGZ"), 18, None),
    ("Wmo-loket", ("Wmo",), None, None),
    ("Repair Café", ("Ontmoeting",), None, None),
    ("Speel-o-theek", ("Jeugd",), 0, 12),
    ("Rouwgroep", ("GGZ", "Eenzaamheid"), 18, None),
)

PLACES = (
    "Oost",
    "West",
    "Noord",
    "Zuid",
    "Centrum",
    "Groenoord",
    "Nieuwland",
    "Kethel",
    "Spaland",
    "Woudhoek",
    "Bijdorp",
    "Sveaparkwijk",
    "Oost-Abtspolder",
    "Hof van Spaland",
    "Gorzen",
    "Schiedam-Noord",
    "Vlaardingen",
    "Holy",
    "Westwijk",
    "Babberspolder",
    "Ambacht",
    "Hoofdweg",
)
HOUSE_NAMES = (
    "De Brug",
    "De Schakel",
    "Het Anker",
    "De Wending",
    "Het Baken",
    "De Horizon",
    "De Meeuw",
    "Het Kompas",
    "De Vonk",
    "De Linde",
    "Het Trefpunt",
    "De Boog",
    "De Kern",
    "Het Lichtpunt",
    "De Zonnebloem",
    "De Kroon",
    "Op Koers",
    "Samen Sterk",
    "De Ontmoeting",
    "De Haven",
)
ORGANIZATIONS = (
    "Stichting Welzijn Schiedam",
    "Minters",
    "Humanitas",
    "Leger des Heils",
    "Rode Kruis",
    "Gemeente Schiedam",
    "Gemeente Vlaardingen",
    "MEE Rotterdam Rijnmond",
    "Kwadraad",
    "Parnassia Groep",
    "Bouman GGZ",
    "Stichting Present",
    "Careyn",
    "Vierstroom",
    "Stichting Het Buurtpunt",
    "Sociaal Plein Schiedam",
    "Bibliotheek Schiedam",
    "Stichting Lezen & Schrijven",
    "Fonds Schiedam Vlaardingen",
    "Welzijn Vlaardingen",
    "Wijkteam Schiedam",
    "CJG Rijnmond",
    "Kerk in Actie",
    "Stichting Voedselbank Schiedam",
)
FIRST_NAMES = (
    "Anouk",
    "Bram",
    "Daan",
    "Emma",
    "Fatma",
    "Fleur",
    "Hamid",
    "Ilse",
    "Jan",
    "Johan",
    "Karin",
    "Lotte",
    "Mehmet",
    "Mohamed",
    "Noor",
    "Priya",
    "Rachid",
    "Sanne",
    "Sevda",
    "Thijs",
    "Yasmina",
    "Zoë",
    "Anneloes",
    "Gerrit",
    "Marieke",
    "Özlem",
    "Chantal",
    "Dewi",
    "Kees",
    "Ria",
)
SURNAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Öztürk",
    "El Amrani",
    "Yılmaz",
    "van Dijk",
    "de Boer",
    "Mulder",
    "Bouzid",
    "van den Berg",
    "Kramer",
    "Hendriks",
    "Dekker",
    "Çelik",
    "Koç",
    "Brouwer",
    "van Leeuwen",
    "Ramdin",
    "Pinas",
    "Kaya",
    "Aydın",
    "Willems",
    "Verbeek",
)
OPENINGS = (
    "Wij helpen {wie} met {wat}.",
    "{Type} is er voor {wie} die vastlopen met {wat}.",
    "Heeft u vragen over {wat}? Kom langs bij {type}.",
    "Voor {wie} die hulp zoeken bij {wat}.",
    "{Type} ondersteunt {wie} bij {wat}, gratis en dichtbij.",
)
FOLLOW_UPS = (
    "Samen met u kijken we wat er nodig is en wie kan helpen.",
    "Een vrijwilliger komt bij u thuis voor een eerste gesprek.",
    "U kunt zonder verwijzing terecht op het inloopspreekuur.",
    "De huisarts of de praktijkondersteuner kan u aanmelden.",
    "Wij werken samen met het wijkteam, de huisarts en het maatschappelijk werk.",
    "Er is een wachtlijst; bij spoed nemen wij binnen twee werkdagen contact op.",
    "Ook mantelzorgers en familie kunnen contact opnemen.",
    "Wij bieden groepsbijeenkomsten, een cursus en individuele begeleiding.",
    "Aanmelden kan telefonisch, per e-mail of via het aanmeldformulier.",
    "De ondersteuning is kosteloos voor inwoners van de gemeente.",
    "Tolken zijn beschikbaar; u mag iemand meenemen naar het gesprek.",
    "Wij letten op signalen van eenzaamheid, schulden en huiselijk geweld.",
    "Na afloop krijgt de verwijzer een terugkoppeling, als u daarvoor toestemming geeft.",
    "De coach helpt met een overzicht van inkomsten en uitgaven.",
    "Er is aandacht voor bewegen, gezonde voeding en voldoende slaap.",
)
WHO = (
    "inwoners",
    "ouderen",
    "jongeren",
    "ouders",
    "gezinnen",
    "mantelzorgers",
    "statushouders",
    "alleenstaanden",
    "mensen met psychische klachten",
    "kinderen",
    "werkzoekenden",
    "buurtbewoners",
    "senioren",
    "nieuwkomers",
)
WHAT = {
    "Schulden": ("schulden", "betalingsachterstanden", "aanmaningen", "een schuldregeling"),
    "Geldzaken": ("geldzaken", "de administratie", "toeslagen", "formulieren", "budgetbeheer"),
    "Armoede": ("armoede", "rondkomen", "voedselpakketten", "een laag inkomen"),
    "Eenzaamheid": ("eenzaamheid", "een klein netwerk", "sociaal isolement", "nieuwe contacten"),
    "Ontmoeting": ("ontmoeting", "activiteiten in de buurt", "vrijwilligerswerk"),
    "Jeugd": ("vrije tijd", "huiswerkbegeleiding", "sport en spel", "jeugdhulp"),
    "Opvoeding": ("opvoedvragen", "opvoedondersteuning", "ruzie thuis", "de puberteit"),
    "Mantelzorg": ("mantelzorg", "zorgen voor een naaste", "overbelasting", "respijtzorg"),
    "Ouderen": ("langer thuis wonen", "valpreventie", "geheugenproblemen", "dementie"),
    "Leefstijl": ("leefstijl", "bewegen", "overgewicht", "stoppen met roken", "gezond eten"),
    "GGZ": ("somberheid", "angst", "depressie", "psychische klachten", "rouw", "stress"),
    "Multiprobleem": ("meerdere problemen tegelijk", "wonen, werk en inkomen", "zorgmijding"),
    "Verslaving": ("verslaving", "alcohol", "drugs", "gokken"),
    "Huiselijk geweld": ("huiselijk geweld", "kindermishandeling", "onveiligheid thuis"),
    "Taal": (
        "laaggeletterdheid",
        "Nederlands leren",
        "lezen en schrijven",
        "digitale vaardigheden",
    ),
    "Werk en inkomen": ("werk zoeken", "re-integratie", "een uitkering", "dagbesteding"),
    "Wonen": ("huisvesting", "dakloosheid", "een woning zoeken", "begeleid wonen"),
    "Wmo": ("hulpmiddelen", "huishoudelijke hulp", "een Wmo-aanvraag", "vervoer"),
}
ACTIVITIES = (
    "koffieochtend",
    "wandelgroep",
    "kookclub",
    "breicafé",
    "computerles",
    "fietsles",
    "zwemles",
    "stoelyoga",
    "valpreventietraining",
    "rouwverwerking",
    "lotgenotencontact",
    "maatjesproject",
    "klussendienst",
    "boodschappendienst",
    "formulierenhulp",
    "belastingaangifte",
    "energiecoach",
    "voorzieningenwijzer",
    "huiswerkklas",
    "moedergroep",
    "vadergroep",
    "peuterspeelgroep",
    "opvoedcursus",
    "weerbaarheidstraining",
    "sollicitatiehulp",
    "taalmaatje",
    "voorleesexpress",
    "digicafé",
    "spreekuur",
    "buurtbemiddeling",
    "schuldpreventie",
    "budgetcursus",
    "kledingruil",
    "repaircafé",
    "moestuin",
    "buurtmaaltijd",
    "mantelzorgcafé",
    "alzheimercafé",
    "herstelgroep",
    "ervaringsdeskundige",
    "jongerenraad",
    "straatcoach",
    "meidenclub",
    "jongensgroep",
    "sportinstuif",
    "gezinscoach",
    "thuisbezoek",
    "huisbezoek",
    "wijkrestaurant",
    "inloopochtend",
    "ouderengym",
    "seniorenbus",
    "belbus",
)
STREET_FIRST = (
    "Linde",
    "Eiken",
    "Beuken",
    "Wilgen",
    "Zonne",
    "Molen",
    "Kerk",
    "School",
    "Haven",
    "Dijk",
    "Berken",
    "Rozen",
    "Tulpen",
    "Vlier",
    "Hazel",
    "Populieren",
    "Esdoorn",
    "Kastanje",
    "Meidoorn",
    "Vogel",
    "Merel",
    "Lijster",
    "Spreeuw",
    "Zwaluw",
    "Reiger",
    "Kievit",
    "Fazant",
    "Valk",
    "Sperwer",
    "Buizerd",
    "Koning",
    "Prinsen",
    "Oranje",
    "Nassau",
    "Graaf",
    "Ridder",
)
STREET_LAST = (
    "laan",
    "straat",
    "weg",
    "plein",
    "hof",
    "kade",
    "singel",
    "dreef",
    "gracht",
    "park",
    "plantsoen",
    "erf",
    "pad",
    "veld",
    "dijk",
)
DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
KINDS = ("wijkteam", "centraal_loket", "overig")


def _sentence(template: str, service_type: str, rng: random.Random, what: str) -> str:
    return template.format(
        wie=rng.choice(WHO), wat=what, type=service_type.lower(), Type=service_type
    )


def generate(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` service records, identical for the same ``count`` and ``seed``."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    first_day = date(2024, 1, 1)
    for number in range(count):
        service_type, themes, min_age, max_age = rng.choice(SERVICE_TYPES)
        style = rng.random()
        if style < 0.55:
            name = f"{service_type} {rng.choice(PLACES)}"
        elif style < 0.85:
            name = f"{service_type} {rng.choice(HOUSE_NAMES)}"
        else:
            name = f"{rng.choice(HOUSE_NAMES)} {rng.choice(PLACES)}"
        extra_theme = rng.choice(tuple(WHAT)) if rng.random() < 0.4 else None
        all_themes = [
            *themes,
            *([extra_theme] if extra_theme and extra_theme not in themes else []),
        ]
        whats = [w for theme in all_themes for w in WHAT[theme]]
        sentences = [_sentence(rng.choice(OPENINGS), service_type, rng, rng.choice(whats))]
        sentences += rng.sample(FOLLOW_UPS, rng.randint(0, 2))
        if rng.random() < 0.7:
            activities = rng.sample(ACTIVITIES, 2)
            sentences.append(f"Er is een {activities[0]} en een {activities[1]}.")
        street = f"{rng.choice(STREET_FIRST)}{rng.choice(STREET_LAST)}"
        sentences.append(
            f"Het inloopspreekuur is op {rng.choice(DAYS)} in {rng.choice(HOUSE_NAMES)}, "
            f"{street} {rng.randint(1, 250)}."
        )
        low = rng.randrange(3011, 3125)
        area = rng.random()
        if area < 0.35:
            ranges: list[tuple[int, int]] = []
        elif area < 0.8:
            ranges = [(low, min(3125, low + rng.randint(0, 6)))]
        else:
            other = rng.randrange(3011, 3125)
            ranges = [(low, min(3125, low + rng.randint(0, 3))), (other, other)]
        assured = first_day + timedelta(days=rng.randrange(0, 700))
        records.append(
            {
                "id": f"svc-{number:05d}",
                "name": name,
                "alternate_name": (
                    f"{service_type} ({rng.choice(PLACES)})" if rng.random() < 0.15 else None
                ),
                "organization": rng.choice(ORGANIZATIONS),
                "description": " ".join(sentences),
                "themes": all_themes,
                "contacts": [
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                    for _ in range(rng.randint(0, 2))
                ],
                "pc4_ranges": ranges,
                "min_age": min_age if rng.random() < 0.9 else None,
                "max_age": max_age if rng.random() < 0.9 else None,
                "has_capacity": rng.choice((True, True, False, None)),
                "kind": "wijkteam" if service_type == "Sociaal wijkteam" else rng.choice(KINDS),
                "assured_date": assured.isoformat() if rng.random() < 0.8 else None,
                "walk_in_today": rng.random() < 0.2,
                "open_now": rng.random() < 0.6,
            }
        )
    return records
