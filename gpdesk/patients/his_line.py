"""Plak uit HIS: read a patient line that staff copy from the HIS and paste into gpdesk.

HIS systems print patients in many shapes (comma lists, tab-separated rows, labelled blocks), so
the parser finds each field by its shape rather than by position.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from gpdesk.errors import ValidationError
from gpdesk.patients.context import (
    MAX_PASTE_LENGTH,
    TEXT_FIELD,
    PatientContext,
    ordered_problems,
)
from gpdesk.patients.validation import (
    BIRTH_DATE_FIELD,
    BSN_FIELD,
    NAME_FIELD,
    PHONE_FIELD,
    POSTCODE_FIELD,
    normalise_name,
    normalise_phone,
    normalise_postcode,
    parse_birth_date,
    passes_elfproef,
    validate_bsn,
)

# --- "Plak uit HIS" -------------------------------------------------------------------------
#
# The paste parser finds each field by its shape, in the order that is least ambiguous:
# labelled values ("BSN: ...") first, then dates with separators, phone numbers (which start
# with 0 or +), 9-digit groups that pass the elfproef, 8-digit dates and postcodes. Every
# value found is taken out of the text, so it cannot be read twice. The address and the town
# after the postcode are hidden from the name; what is left first in the text is the name.

_FREE, _NOT_NAME, _TAKEN = 0, 1, 2

# A run of digits, possibly starting with + or ( and ending with ), e.g. "+31", "(0)", "(010)".
_GROUP_PATTERN = r"[+(]{0,2}[0-9]+\)?"
# Digit groups glued by one space or a - . / (spaces around it allowed): "06 - 1234 5678".
_CHUNK = re.compile(rf"{_GROUP_PATTERN}(?:(?: ?[-./] ?| )?{_GROUP_PATTERN})*")
_GROUP = re.compile(_GROUP_PATTERN)
_POSTCODE_TOKEN = re.compile(r"(?<!\w)([0-9]{4}) {0,2}([A-Za-z]{2})(?!\w)")
_TOWN_WORD = r"['’]?[^\W\d_](?:[^\W\d_]|['’.\-])*"
_TOWN = re.compile(rf" {{1,3}}({_TOWN_WORD}(?: {_TOWN_WORD})*)")
_GENDER_MARK = re.compile(r"\(\s*(?:m|v|x|o|man|vrouw|onbekend)\s*\)", re.IGNORECASE)
_GENDER_WORDS = frozenset({"m", "v", "x", "man", "vrouw"})
# A sex letter after the name, as many HIS print it: "Vries, J. de (Jan) M" (man, vrouw,
# onbekend, x). Initials carry a dot ("J. M. de Vries") or are glued ("J.M."), so a bare letter
# at the end is the sex; only after another bare letter ("Jansen, P M") it may be an initial.
_SEX_LETTERS = frozenset("MVOXmvox♂♀")
_FIELD_SEPARATORS = frozenset("\t\n\r;|")
# Longest phone number worth trying: "0044 (0)" plus 15 digits, with room to spare.
_MAX_PHONE_CHARS = 24
_NAME_EDGE_CHARS = " ,;:|/\\-–—*"
_STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "singel", "gracht", "kade", "dijk", "dreef", "hof",
    "park", "pad", "steeg", "baan", "erf", "markt", "wal", "plantsoen", "boulevard", "allee",
    "ring", "haven", "dam", "hoek", "oord", "zijde", "lei", "promenade", "tuin", "wijk",
    "kamp", "poort", "boog", "gaarde", "dal", "veld", "burcht", "kwartier", "zoom", "rade",
)  # fmt: skip

_LABEL_BSN = "bsn"
_LABEL_BIRTH = "geboortedatum"
_LABEL_PHONE = "telefoon"
_LABEL_POSTCODE = "postcode"
_LABEL_NAME = "naam"
_LABEL_ADDRESS = "adres"

# (kind, words, needs a colon): words that are ordinary Dutch only count with a colon after.
_LABELS: tuple[tuple[str, str, bool], ...] = (
    (_LABEL_BSN, r"burgerservicenummer|bsn(?:[ -]?(?:nummer|nr\.?))?|sofinummer", False),
    (_LABEL_BIRTH, r"geboortedatum|geboren(?: op)?|geb\.? ?datum|gebdat|geb", False),
    (_LABEL_PHONE, r"telefoonnummer|telefoon|tel\.? ?nr|tel|mobiel(?: ?nummer)?|gsm", False),
    (_LABEL_POSTCODE, r"postcode", False),
    (_LABEL_NAME, r"naam|pati[eë]nt|cli[eë]nt", True),
    (_LABEL_ADDRESS, r"woonadres|adres|woonplaats", False),
    (_LABEL_ADDRESS, r"straat|huisnummer|huisnr|plaats|geslacht", True),
)
_LABEL = re.compile(
    "|".join(
        rf"(?P<l{index}>(?<![\w'\-])(?:{words})(?![\w\-])\.?"
        + (r"[ \t]*:" if needs_colon else r"(?:[ \t]*:)?")
        + ")"
        for index, (_, words, needs_colon) in enumerate(_LABELS)
    ),
    re.IGNORECASE,
)

_NO_BSN = "Het BSN is niet gevonden in de geplakte tekst."
_BAD_BSN = (
    "Het BSN in de geplakte tekst klopt niet (de elfproef faalt). Controleer de cijfers in het HIS."
)
_TWO_BSNS = "Er staan meerdere BSN's in de geplakte tekst. Plak de gegevens van één patiënt."
_NO_BIRTH_DATE = "De geboortedatum is niet gevonden in de geplakte tekst."
_NO_POSTCODE = "De postcode is niet gevonden in de geplakte tekst."
_NO_NAME = "De naam is niet gevonden in de geplakte tekst."
_BAD_PHONE = (
    "Het telefoonnummer in de geplakte tekst is niet herkend. Controleer het nummer in het HIS."
)


@dataclass(frozen=True)
class _Group:
    start: int
    end: int
    text: str

    @property
    def plain(self) -> bool:
        return self.text.isdigit()


@dataclass(frozen=True)
class _Chunk:
    groups: tuple[_Group, ...]
    seps: tuple[str, ...]  # seps[k] is the text between groups[k] and groups[k + 1]

    def sep(self, k: int) -> str:
        """Separator after group ``k`` without surrounding spaces ("" for a plain space)."""
        return self.seps[k].strip()


@dataclass(frozen=True)
class _Label:
    kind: str
    start: int
    end: int
    value_start: int
    value_end: int


def _find_chunks(text: str) -> list[_Chunk]:
    chunks = []
    for match in _CHUNK.finditer(text):
        groups = tuple(
            _Group(match.start() + g.start(), match.start() + g.end(), g.group())
            for g in _GROUP.finditer(match.group())
        )
        seps = tuple(text[a.end : b.start] for a, b in itertools.pairwise(groups))
        chunks.append(_Chunk(groups, seps))
    return chunks


def _find_labels(text: str) -> list[_Label]:
    matches = list(_LABEL.finditer(text))
    labels = []
    for index, match in enumerate(matches):
        kind = _LABELS[int((match.lastgroup or "l0")[1:])][0]
        value_start = match.end()
        while value_start < len(text) and text[value_start] in " \t":
            value_start += 1
        value_end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        for pos in range(value_start, value_end):
            if text[pos] in _FIELD_SEPARATORS:
                value_end = pos
                break
        labels.append(_Label(kind, match.start(), match.end(), value_start, value_end))
    return labels


def _strip_address(part: str) -> str:
    """Drop "Dorpsstraat 12" (and what follows) from a piece of text that has a house number."""
    first_digit = next(index for index, char in enumerate(part) if char.isdigit())
    words = part[:first_digit].split()
    street_start = len(words) - 1
    for index in range(len(words) - 1, -1, -1):
        if words[index].lower().rstrip(".,").endswith(_STREET_SUFFIXES):
            street_start = index
            break
    return " ".join(words[: max(street_start, 0)])


def _without_sex_letter(part: str) -> str:
    """Drop the sex letter the HIS prints after a name: "Vries, J. de (Jan) M"."""
    words = part.split()
    if len(words) < 2 or words[-1] not in _SEX_LETTERS:
        return part
    before = words[-2]
    if len(before) == 1 and before.isalpha():  # "P M": initials written without dots
        return part
    return part[: part.rindex(words[-1])].rstrip()


def _clean_name_part(part: str) -> str:
    if any(char.isdigit() for char in part):
        part = _strip_address(part)
    # Keep a trailing dot ("de Vries, J."), but not a dot left over from a label.
    part = part.strip(_NAME_EDGE_CHARS).lstrip(".").strip(_NAME_EDGE_CHARS)
    part = _without_sex_letter(part)
    if part.lower() in _GENDER_WORDS or not any(char.isalpha() for char in part):
        return ""
    return part


def _name_from_region(region: str) -> str:
    parts = (_clean_name_part(part) for part in region.split(","))
    return ", ".join(part for part in parts if part)


class _HisScanner:
    """One pass over pasted text; each found value is marked so it is not read twice."""

    def __init__(self, text: str, today: date) -> None:
        self.text = text
        self.today = today
        self.state = bytearray(len(text))
        self.chunks = _find_chunks(text)
        self.chunk_starts = {chunk.groups[0].start: chunk for chunk in self.chunks}
        self.problems: dict[str, str] = {}
        self.bsns: list[str] = []
        self.birth_date: date | None = None
        self.birth_date_problem: dict[str, str] = {}
        self.phone: str | None = None
        self.postcode: str | None = None
        self.postcode_end = -1
        self.name: str | None = None
        self.name_span: tuple[int, int] | None = None

    # -- bookkeeping

    def free(self, group: _Group) -> bool:
        return _TAKEN not in self.state[group.start : group.end]

    def take(self, start: int, end: int) -> None:
        self.state[start:end] = bytes([_TAKEN]) * (end - start)

    def hide(self, start: int, end: int) -> None:
        for pos in range(start, end):
            self.state[pos] = max(self.state[pos], _NOT_NAME)

    def masked(self) -> str:
        return "".join(
            "\0" if state == _TAKEN else char
            for char, state in zip(self.text, self.state, strict=True)
        )

    # -- shapes

    def date_window(self, chunk: _Chunk, i: int) -> tuple[str, int, int] | None:
        """Three groups like 01-02-1970 or 1970-02-01, not part of a longer - . / series."""
        groups = chunk.groups[i : i + 3]
        if len(groups) < 3 or not all(g.plain and self.free(g) for g in groups):
            return None
        sep = chunk.sep(i)
        if sep not in ("-", ".", "/") or chunk.sep(i + 1) != sep:
            return None
        if (i > 0 and chunk.sep(i - 1) == sep) or (
            i + 3 < len(chunk.groups) and chunk.sep(i + 2) == sep
        ):
            return None
        sizes = tuple(len(g.text) for g in groups)
        if not (sizes[0] <= 2 and sizes[1] <= 2 and sizes[2] == 4) and not (
            sizes[0] == 4 and sizes[1] <= 2 and sizes[2] <= 2
        ):
            return None
        return sep.join(g.text for g in groups), groups[0].start, groups[2].end

    def compact_date(self, group: _Group) -> date | None:
        if not (group.plain and len(group.text) == 8 and self.free(group)):
            return None
        try:
            return parse_birth_date(group.text, today=self.today)
        except ValidationError:
            return None

    def phone_window(self, chunk: _Chunk, i: int) -> tuple[str, int, int] | None:
        """The longest run of groups from ``i`` that reads as a phone number."""
        last, digits = i, len(chunk.groups[i].text)
        while last + 1 < len(chunk.groups) and self.free(chunk.groups[last + 1]):
            digits += len(chunk.groups[last + 1].text)
            if digits > _MAX_PHONE_CHARS:
                break
            last += 1
        start = chunk.groups[i].start
        for j in range(last, i - 1, -1):
            try:
                phone = normalise_phone(self.text[start : chunk.groups[j].end])
            except ValidationError:
                continue
            return phone, start, chunk.groups[j].end
        return None

    def nine_digits(self, chunk: _Chunk, i: int, *, allow_eight: bool = False) -> tuple[str, int]:
        """Digits of the groups from ``i`` that add up to at most 9 (BSN), and where they end."""
        digits, end = "", chunk.groups[i].start
        for k in range(i, len(chunk.groups)):
            group = chunk.groups[k]
            if not (group.plain and self.free(group)) or (
                k > i and chunk.sep(k - 1) not in ("", ".", "-")
            ):
                break
            if len(digits) + len(group.text) > 9:
                break
            digits, end = digits + group.text, group.end
        if len(digits) == 9 or (allow_eight and len(digits) == 8):
            return digits, end
        return "", end

    # -- labelled values

    def read_labels(self) -> None:
        for label in _find_labels(self.text):
            self.take(label.start, label.end)
            if label.kind == _LABEL_NAME and self.name_span is None:
                self.name_span = (label.value_start, label.value_end)
            elif label.kind == _LABEL_ADDRESS:
                self.hide(label.value_start, label.value_end)
            else:
                self.read_labelled_value(label)

    def read_labelled_value(self, label: _Label) -> None:
        chunk = self.chunk_starts.get(label.value_start)
        if label.kind == _LABEL_POSTCODE:
            self.read_postcode_at(label.value_start)
        elif chunk is None:
            return
        elif label.kind == _LABEL_BSN:
            self.read_labelled_bsn(chunk)
        elif label.kind == _LABEL_BIRTH and self.birth_date is None:
            self.read_labelled_birth_date(chunk)
        elif label.kind == _LABEL_PHONE and self.phone is None:
            found = self.phone_window(chunk, 0)
            if found is None:
                self.problems[PHONE_FIELD] = _BAD_PHONE
            else:
                self.phone = found[0]
                self.take(found[1], found[2])

    def read_labelled_bsn(self, chunk: _Chunk) -> None:
        digits, end = self.nine_digits(chunk, 0, allow_eight=True)
        start = chunk.groups[0].start
        try:
            self.bsns.append(validate_bsn(digits or chunk.groups[0].text))
        except ValidationError as exc:
            self.problems.update(exc.problems)
        self.take(start, max(end, chunk.groups[0].end))

    def read_labelled_birth_date(self, chunk: _Chunk) -> None:
        window = self.date_window(chunk, 0)
        if window is None:
            # Not a date shape, but labelled as one: read what is there for a precise message.
            last = 0
            while last < min(2, len(chunk.seps)) and chunk.sep(last) in ("-", ".", "/"):
                last += 1
            start, end = chunk.groups[0].start, chunk.groups[last].end
            window = (self.text[start:end], start, end)
        text, start, end = window
        try:
            self.birth_date = parse_birth_date(text, today=self.today)
        except ValidationError as exc:
            self.problems.update(exc.problems)
        self.take(start, end)

    def read_postcode_at(self, pos: int) -> None:
        match = _POSTCODE_TOKEN.match(self.masked(), pos)
        if match is None or self.postcode is not None:
            return
        try:
            self.postcode = normalise_postcode(match.group())
        except ValidationError as exc:
            self.problems.update(exc.problems)
        self.postcode_end = match.end()
        self.take(match.start(), match.end())

    # -- unlabelled values, most distinctive shape first

    def find_separated_date(self) -> None:
        for chunk in self.chunks:
            for i in range(len(chunk.groups)):
                window = self.date_window(chunk, i)
                if window is None:
                    continue
                try:
                    self.birth_date = parse_birth_date(window[0], today=self.today)
                except ValidationError as exc:
                    self.birth_date_problem = self.birth_date_problem or exc.problems
                    continue
                self.take(window[1], window[2])
                return

    def find_phone(self) -> None:
        for chunk in self.chunks:
            for i, group in enumerate(chunk.groups):
                if group.text[0] not in "+(0" or not self.free(group):
                    continue
                if self.compact_date(group) is not None:  # 01021970 is a date, not a number
                    continue
                found = self.phone_window(chunk, i)
                if found is not None:
                    self.phone = found[0]
                    self.take(found[1], found[2])
                    return

    def find_bsn(self) -> None:
        found: dict[str, list[tuple[int, int]]] = {}
        failed = False
        for chunk in self.chunks:
            for i in range(len(chunk.groups)):
                digits, end = self.nine_digits(chunk, i)
                if not digits:
                    continue
                if passes_elfproef(digits):
                    found.setdefault(digits, []).append((chunk.groups[i].start, end))
                else:
                    failed = True
        if len(found) > 1:
            self.problems[BSN_FIELD] = _TWO_BSNS
        elif found:
            bsn, spans = next(iter(found.items()))
            self.bsns.append(bsn)
            for start, end in spans:
                self.take(start, end)
        else:
            self.problems[BSN_FIELD] = _BAD_BSN if failed else _NO_BSN

    def find_compact_date(self) -> None:
        for chunk in self.chunks:
            for group in chunk.groups:
                found = self.compact_date(group)
                if found is not None:
                    self.birth_date = found
                    self.take(group.start, group.end)
                    return
        self.problems[BIRTH_DATE_FIELD] = self.birth_date_problem.get(
            BIRTH_DATE_FIELD, _NO_BIRTH_DATE
        )

    def find_postcode(self) -> None:
        masked = self.masked()
        candidates = []
        for match in _POSTCODE_TOKEN.finditer(masked):
            try:
                postcode = normalise_postcode(match.group())
            except ValidationError as exc:
                self.problems.setdefault(POSTCODE_FIELD, exc.problems[POSTCODE_FIELD])
                continue
            # "3118 AB" beats "1234 de": a word after a number is rarely written in capitals.
            candidates.append((not match.group(2).isupper(), match.start(), match.end(), postcode))
        if not candidates:
            self.problems.setdefault(POSTCODE_FIELD, _NO_POSTCODE)
            return
        self.problems.pop(POSTCODE_FIELD, None)
        _, start, end, self.postcode = min(candidates)
        self.postcode_end = end
        self.take(start, end)

    def hide_town(self) -> None:
        """The town after the postcode is part of the address, not of the name."""
        if self.postcode_end < 0:
            return
        match = _TOWN.match(self.masked(), self.postcode_end)
        if match is not None:
            self.hide(match.start(), match.end())

    def hide_gender_marks(self) -> None:
        for match in _GENDER_MARK.finditer(self.text):
            self.hide(match.start(), match.end())

    # -- the name: the first free text that is left

    def regions(self, start: int, end: int) -> Iterator[str]:
        region_start: int | None = None
        for pos in range(start, end + 1):
            inside = (
                pos < end and self.state[pos] == _FREE and self.text[pos] not in _FIELD_SEPARATORS
            )
            if inside and region_start is None:
                region_start = pos
            elif not inside and region_start is not None:
                yield self.text[region_start:pos]
                region_start = None

    def find_name(self) -> None:
        spans = [(0, len(self.text))]
        if self.name_span is not None:
            spans.insert(0, self.name_span)
        for start, end in spans:
            for region in self.regions(start, end):
                name = _name_from_region(region)
                if not name:
                    continue
                try:
                    self.name = normalise_name(name)
                except ValidationError as exc:
                    self.problems.update(exc.problems)
                return
        self.problems[NAME_FIELD] = _NO_NAME

    # -- all together

    def scan(self) -> None:
        self.hide_gender_marks()
        self.read_labels()
        if len(set(self.bsns)) > 1:
            self.problems[BSN_FIELD] = _TWO_BSNS
        if self.birth_date is None and BIRTH_DATE_FIELD not in self.problems:
            self.find_separated_date()
        if self.phone is None and PHONE_FIELD not in self.problems:
            self.find_phone()
        if not self.bsns and BSN_FIELD not in self.problems:
            self.find_bsn()
        if self.birth_date is None and BIRTH_DATE_FIELD not in self.problems:
            self.find_compact_date()
        if self.postcode is None and POSTCODE_FIELD not in self.problems:
            self.find_postcode()
        self.hide_town()
        self.find_name()

    def reading(self) -> HisReading:
        bsn = self.bsns[0] if len(set(self.bsns)) == 1 and BSN_FIELD not in self.problems else None
        return HisReading(
            bsn=bsn,
            name=self.name,
            birth_date=self.birth_date,
            postcode=self.postcode,
            phone=self.phone,
            problems=ordered_problems(self.problems),
        )


@dataclass(frozen=True, repr=False)  # no repr: it would show patient data in logs
class HisReading:
    """What a paste gave: every value that was found, also when others were missing or wrong.

    The paste dialog fills in what was found and marks the rest, so staff only type what the
    HIS line lacked.
    """

    bsn: str | None = None
    name: str | None = None
    birth_date: date | None = None
    postcode: str | None = None
    phone: str | None = None
    problems: dict[str, str] = field(default_factory=dict)

    def context(self) -> PatientContext:
        """The patient, when everything was found and right.

        Raises:
            ValidationError: the problems, one per field (``tekst`` for the paste as a whole).
        """
        bsn, name, birth_date, postcode = self.bsn, self.name, self.birth_date, self.postcode
        if self.problems or bsn is None or name is None or birth_date is None or postcode is None:
            raise ValidationError(self.problems)
        return PatientContext(
            bsn=bsn, name=name, birth_date=birth_date, postcode=postcode, phone=self.phone
        )


def _spaces_to_plain(text: str) -> str:
    """Turn non-breaking and other wide spaces into plain ones, keeping every position."""
    return "".join(" " if unicodedata.category(char) == "Zs" else char for char in text)


def read_his_line(text: str, *, today: date | None = None) -> HisReading:
    """Read what a text pasted out of the HIS holds ("Plak uit HIS"), found and not found.

    Tolerant of layout: comma-, tab- or line-separated, with or without labels such as
    "BSN:" or "Geb.". The BSN must pass the elfproef; a paste with two different BSNs gives
    no BSN rather than a guess.
    """
    if len(text) > MAX_PASTE_LENGTH:
        return HisReading(
            problems={
                TEXT_FIELD: "De geplakte tekst is te lang. Kopieer alleen de regel van de patiënt."
            }
        )
    if not text.strip():
        return HisReading(
            problems={
                TEXT_FIELD: "Er is geen tekst geplakt. Kopieer de patiëntregel in het HIS en plak "
                "die opnieuw."
            }
        )
    scanner = _HisScanner(_spaces_to_plain(text), today or date.today())
    scanner.scan()
    return scanner.reading()


def parse_his_line(text: str, *, today: date | None = None) -> PatientContext:
    """Read a patient from text pasted out of the HIS, or say what is missing or wrong.

    Raises:
        ValidationError: one problem per field that is missing or wrong (``tekst`` when the
            paste is empty or too long).
    """
    return read_his_line(text, today=today).context()
