"""Suggested patients for a letter that names no signal: a score and the reasons, never a link.

The user confirms every suggestion; this module only ranks. A letter's facts come from a
structured source (a MEDVRI PID segment) or from its text (``extract_facts``: labelled lines
such as "Betreft:", "Naam:", "Cliënt:", "geboren 17-05-1984", postcodes, phone numbers).

Scoring (0–100, the reasons in Dutch, in this order):

- BSN equal: 100 ("BSN gelijk"); both known and different: at most 20 ("BSN verschilt").
- Name: up to 40. Dutch forms are compared by surname with its prefix ("Vries, J. de",
  "J. de Vries" and "Jan de Vries" are one surname, "de vries"), with rapidfuzz for spelling
  slips and each part of a double surname ("de Vries-Bakker") on its own; a different first
  initial halves it. "naam gelijk" or "naam lijkt op", and "voorletter verschilt".
- Birth date equal: 35 ("geboortedatum gelijk"). When the letter gives a birth date and none
  is the patient's, the score is capped at 40 ("geboortedatum verschilt"): a namesake with
  another birth date is not the patient.
- Postcode equal: 15 ("postcode gelijk"); phone equal: 15 ("telefoonnummer gelijk").

Below ``MIN_SCORE`` (50) nothing is suggested: a name alone, or a postcode alone, is not enough.
The order is fixed: score high to low, then patient id.

No patient data goes into logs or errors here: names, dates and numbers only flow between the
caller's objects, whose reprs are redacted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from rapidfuzz import fuzz

from gpdesk.errors import ValidationError
from gpdesk.patients.validation import normalise_phone, normalise_postcode, passes_elfproef

__all__ = [
    "MIN_SCORE",
    "LetterFacts",
    "PatientFacts",
    "PatientMatch",
    "extract_facts",
    "suggest_patients",
]

MIN_SCORE: Final = 50
_NAME_POINTS: Final = 40
_BIRTH_POINTS: Final = 35
_POSTCODE_POINTS: Final = 15
_PHONE_POINTS: Final = 15
_BIRTH_MISMATCH_CAP: Final = 40
_BSN_MISMATCH_CAP: Final = 20
_SAME_NAME: Final = 97
_LIKE_NAME: Final = 80


@dataclass(frozen=True, repr=False)
class LetterFacts:
    """What a letter says about its patient; every value normalised, several allowed."""

    names: tuple[str, ...] = ()
    birth_dates: tuple[date, ...] = ()
    postcodes: tuple[str, ...] = ()
    """As ``normalise_postcode`` writes them: ``1234AB``."""
    phones: tuple[str, ...] = ()
    """As ``normalise_phone`` writes them: ``0612345678``."""
    bsns: tuple[str, ...] = ()
    """Only BSNs that pass the elfproef."""

    def __repr__(self) -> str:
        return "LetterFacts(<redacted>)"

    @property
    def empty(self) -> bool:
        """Nothing to match on: the letter waits in "Niet gekoppeld" without suggestions."""
        return not (self.names or self.birth_dates or self.postcodes or self.phones or self.bsns)


@dataclass(frozen=True, repr=False)
class PatientFacts:
    """One candidate patient, as stored (``PatientContext`` fields, normalised)."""

    id: int | str
    name: str
    birth_date: date | None
    postcode: str | None = None
    phone: str | None = None
    bsn: str | None = None

    def __repr__(self) -> str:
        return f"PatientFacts(id={self.id!r}, <redacted>)"


@dataclass(frozen=True)
class PatientMatch:
    """A suggestion: which patient, how sure (0–100) and why, in Dutch."""

    patient_id: int | str
    score: int
    reasons: tuple[str, ...] = field(default=())


# -- names --------------------------------------------------------------------------------------

_PREFIXES: Final = frozenset(
    {
        "van", "de", "der", "den", "het", "ter", "ten", "te", "t", "in", "op", "aan", "bij",
        "uit", "onder", "voor", "over", "la", "le", "les", "du", "da", "di", "del", "della",
        "dos", "das", "von", "zu", "vom", "el", "al", "d", "l", "s",
    }
)  # fmt: skip
_TITLES: Final = frozenset(
    {
        "mevrouw", "mevr", "mw", "meneer", "mijnheer", "dhr", "hr", "heer", "mr", "dr", "drs",
        "ing", "ir", "prof", "fam", "familie", "jonkheer", "jhr",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[^\W\d_]+(?:[-‐‑'’][^\W\d_]+)*\.?|['’][^\W\d_]+")
_LEADING_TITLE = re.compile(
    r"^(?:(?:de\s+)?heer|mevrouw|mevr|mw|meneer|mijnheer|dhr|hr|fam|familie|dr|drs|mr|ir|ing"
    r"|prof)\b\.?\s*",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class _Name:
    """A person's name in comparable parts: surname key(s) and the first initial."""

    surnames: tuple[str, ...]
    """Folded, prefix included, no spaces: "de vries-bakker" gives ("devriesbakker",
    "devries", "bakker")."""
    initial: str | None


def _words(part: str) -> list[str]:
    return [t for t in _TOKEN.findall(part) if _fold(t).rstrip(".") not in _TITLES or "." in t]


def _parse_name(raw: str) -> _Name | None:
    """Read "Vries, J. de", "J. de Vries", "Jan de Vries", "mevrouw De Vries-Bakker"."""
    text = " ".join(raw.split())
    while (title := _LEADING_TITLE.match(text)) and title.end() < len(text):
        text = text[title.end() :]
    if not text:
        return None
    if "," in text:
        surname_part, _, rest = text.partition(",")
        rest_words = _words(rest)
        given = [w for w in rest_words if _fold(w).rstrip(".") not in _PREFIXES]
        prefixes = [w for w in rest_words if _fold(w).rstrip(".") in _PREFIXES]
        surname_words = prefixes + _words(surname_part)
    else:
        words = [w for w in _words(text) if _fold(w).rstrip(".") not in _TITLES]
        # "Jan", "J.", "J.M." before the surname; the surname starts at the first prefix word
        # or is the last word.
        start = max(len(words) - 1, 0)
        for index, word in enumerate(words[:-1]):
            if _fold(word) in _PREFIXES:
                start = index
                break
        given, surname_words = words[:start], words[start:]
    if not surname_words:
        return None
    joined = "".join(_fold(w) for w in surname_words).replace(".", "")
    parts = [p for p in re.split(r"[-‐‑]", joined) if p]
    prefix = "".join(_fold(w) for w in surname_words if _fold(w) in _PREFIXES)
    keys = [joined.replace("-", "")]
    for part in parts:
        keys.append(part)
        if prefix and not part.startswith(prefix):
            keys.append(prefix + part)
    initial = _fold(given[0])[:1] if given else None
    return _Name(tuple(dict.fromkeys(keys)), initial)


def _name_score(letter_names: Iterable[str], patient_name: str) -> tuple[int, list[str]]:
    """(points, reasons) for the best of the letter's names against the patient's name."""
    patient = _parse_name(patient_name)
    if patient is None:
        return 0, []
    best: tuple[int, list[str]] = (0, [])
    for raw in letter_names:
        letter = _parse_name(raw)
        if letter is None:
            continue
        similarity = max(fuzz.ratio(a, b) for a in letter.surnames for b in patient.surnames)
        if similarity < _LIKE_NAME:
            continue
        points = _NAME_POINTS * similarity / 100
        reasons = ["naam gelijk" if similarity >= _SAME_NAME else "naam lijkt op"]
        if letter.initial and patient.initial and letter.initial != patient.initial:
            points /= 2
            reasons = ["naam lijkt op", "voorletter verschilt"]
        if round(points) > best[0]:
            best = (round(points), reasons)
    return best


# -- scoring ------------------------------------------------------------------------------------


def _score(letter: LetterFacts, patient: PatientFacts) -> PatientMatch:
    reasons: list[str] = []
    if patient.bsn and patient.bsn in letter.bsns:
        birth_differs = bool(
            letter.birth_dates
            and patient.birth_date
            and patient.birth_date not in letter.birth_dates
        )
        if not birth_differs:
            return PatientMatch(patient.id, 100, ("BSN gelijk",))
    points, name_reasons = _name_score(letter.names, patient.name)
    reasons += name_reasons
    if patient.birth_date and patient.birth_date in letter.birth_dates:
        points += _BIRTH_POINTS
        reasons.append("geboortedatum gelijk")
    if patient.postcode and patient.postcode in letter.postcodes:
        points += _POSTCODE_POINTS
        reasons.append("postcode gelijk")
    if patient.phone and patient.phone in letter.phones:
        points += _PHONE_POINTS
        reasons.append("telefoonnummer gelijk")
    points = min(points, 100)
    if letter.birth_dates and patient.birth_date and patient.birth_date not in letter.birth_dates:
        points = min(points, _BIRTH_MISMATCH_CAP)
        reasons.append("geboortedatum verschilt")
    if letter.bsns and patient.bsn and patient.bsn not in letter.bsns:
        points = min(points, _BSN_MISMATCH_CAP)
        reasons.append("BSN verschilt")
    return PatientMatch(patient.id, int(points), tuple(reasons))


def suggest_patients(
    letter: LetterFacts, candidates: Sequence[PatientFacts], *, min_score: int = MIN_SCORE
) -> list[PatientMatch]:
    """The candidates worth showing for ``letter``: score at least ``min_score``, best first."""
    if letter.empty:
        return []
    matches = [_score(letter, patient) for patient in candidates]
    kept = [match for match in matches if match.score >= min_score]
    return sorted(kept, key=lambda match: (-match.score, str(match.patient_id)))


# -- facts from a letter's text -----------------------------------------------------------------

_MONTHS: Final = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC_DATE = r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>(?:19|20)\d\d)"
_WORD_DATE = rf"(?P<wd>\d{{1,2}})\s+(?P<wm>{_MONTH_NAMES})\.?\s+(?P<wy>(?:19|20)\d\d)"
_DATE = re.compile(rf"(?<!\d)(?:{_NUMERIC_DATE}|{_WORD_DATE})(?!\d)", re.IGNORECASE)
_BIRTH_LABEL = re.compile(
    r"(?:geboren(?:\s+op)?|geb\.?(?:\s*datum)?|geboortedatum|geb\.?\s*d\.?|°)\s*:?\s*$",
    re.IGNORECASE,
)
_PERSON_LINE = re.compile(
    r"^[ \t]*(?:naam|betreft|inzake|cli[eë]nt|pati[eë]nt|jeugdige|kind)[ \t]*:[ \t]*(?P<value>.+)$",
    re.IGNORECASE | re.MULTILINE,
)
_POSTCODE = re.compile(r"(?<![\w])([1-9]\d{3}) ?([A-Z]{2})(?![\w])")
_PHONE = re.compile(r"(?<![\w+])(?:\+31|0031|0)(?:[ \-.]{0,3}\(?\d\)?){9}(?!\d)")
_BSN = re.compile(r"\b(?:bsn|burgerservicenummer)\.?\s*:?\s*(\d{9}|\d{4}\.\d{2}\.\d{3})\b", re.I)
_NAME_STOP = re.compile(
    r"\s*(?:\(|,?\s*(?:geb\.?|geboren|geboortedatum|bsn|wonende|woonachtig|adres)\b|\d)",
    re.IGNORECASE,
)
_INITIALS_AFTER_COMMA = re.compile(r"^\s*(?:[A-Z]\.\s*)+(?:[a-z' ]+)?$")


def _to_date(match: re.Match[str]) -> date | None:
    try:
        if match.group("d"):
            return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        month = _MONTHS[match.group("wm").lower()]
        return date(int(match.group("wy")), month, int(match.group("wd")))
    except (ValueError, KeyError):
        return None


def _birth_dates(text: str, person_lines: list[re.Match[str]], today: date) -> list[date]:
    """Dates labelled as a birth date, and any date on a "Betreft:"-like line."""
    found: list[date] = []
    on_person_line = [(m.start(), m.end()) for m in person_lines]
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        labelled = _BIRTH_LABEL.search(before) is not None
        in_line = any(start <= match.start() < end for start, end in on_person_line)
        day = _to_date(match)
        if (labelled or in_line) and day is not None and day <= today:
            found.append(day)
    return found


def _person_name(value: str) -> str | None:
    """The name at the start of a "Betreft:" value, without dates, BSN or address after it."""
    stop = _NAME_STOP.search(value)
    name = value[: stop.start()] if stop else value
    head, comma, tail = name.partition(",")
    if comma and not _INITIALS_AFTER_COMMA.match(tail):
        name = head
    name = " ".join(name.split()).strip(" -–:;")
    return name if any(c.isalpha() for c in name) else None


def _valid(values: Iterable[str], normalise: Callable[[str], str]) -> list[str]:
    kept: list[str] = []
    for value in values:
        try:
            kept.append(normalise(value))
        except ValidationError:
            continue
    return kept


def extract_facts(text: str, *, today: date | None = None) -> LetterFacts:
    """Candidate patient facts from a letter's text: only what is labelled or shaped clearly.

    Names come only from labelled lines ("Naam:", "Betreft:", "Cliënt:", "Patiënt:", "Inzake:"),
    birth dates only when labelled ("geboren", "geb.", "geboortedatum") or on such a line, so
    an appointment date is never taken for a birth date. Postcodes need capital letters
    ("1234 AB"), so "2026 en" is not one; phone numbers must be valid Dutch or international
    numbers; a BSN must be labelled and pass the elfproef.
    """
    person_lines = list(_PERSON_LINE.finditer(text))
    names = [n for m in person_lines if (n := _person_name(m.group("value")))]
    postcodes = _valid((f"{a}{b}" for a, b in _POSTCODE.findall(text)), normalise_postcode)
    phones = _valid((m.group(0) for m in _PHONE.finditer(text)), normalise_phone)
    bsns = [digits for raw in _BSN.findall(text) if passes_elfproef(digits := raw.replace(".", ""))]
    return LetterFacts(
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(_birth_dates(text, person_lines, today or date.today()))),
        postcodes=tuple(dict.fromkeys(postcodes)),
        phones=tuple(dict.fromkeys(phones)),
        bsns=tuple(dict.fromkeys(bsns)),
    )
