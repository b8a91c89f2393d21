"""Postcode ranges of a service area: reading them from free text and testing a postcode.

Routing works on the four digits (PC4) only. Municipal teams are cut along PC4 areas almost
everywhere, and a kaart that names "3118AB-3118ZZ" means "in 3118": the letters are read and
dropped, so an area that covers part of a PC4 counts as covering all of it (routing then lists
every team that claims the PC4, rather than guessing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from gpdesk.errors import ValidationError
from gpdesk.patients.validation import POSTCODE_FIELD, normalise_postcode

AREA_FIELD = "werkgebied"

PC4_MIN = 1000
PC4_MAX = 9999

# A PC4 with optional letters; not glued to other letters or digits (so not inside a phone number).
_TOKEN = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3})(?:\s?([A-Za-z]{2}))?(?![0-9A-Za-z])")
_CONNECTOR = re.compile(r"\s*(?:-|–|—|t/m|tm|tot en met|tot|to)\s*", re.IGNORECASE)
# What may stand between ranges in a strict list: commas, semicolons, "en", slashes, new lines.
_SEPARATORS = re.compile(r"(?:[\s,;/]|\ben\b|\bof\b)*", re.IGNORECASE)
_PC4_ONLY = re.compile(r"\s*([1-9][0-9]{3})\s*")
# What the kaart's search box takes for a postcode question: "3118", "3118 AB", "3118ab", "3118 a".
_TYPED_POSTCODE = re.compile(r"\s*([1-9][0-9]{3})\s*([A-Za-z]{0,2})\s*")


@dataclass(frozen=True, order=True)
class Pc4Range:
    """``start`` ≤ PC4 ≤ ``end``, both four-digit postcode numbers."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not PC4_MIN <= self.start <= self.end <= PC4_MAX:
            raise ValidationError(
                {AREA_FIELD: "Een postcodegebied loopt van 1000 tot en met 9999, laagste eerst."}
            )

    def __contains__(self, pc4: object) -> bool:
        return isinstance(pc4, int) and self.start <= pc4 <= self.end

    @property
    def label(self) -> str:
        """``3118–3119``, or ``3118`` for a single PC4."""
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"


def merge(ranges: Iterable[Pc4Range]) -> list[Pc4Range]:
    """Sorted, with overlapping and adjacent ranges joined: one canonical form to store and show."""
    merged: list[Pc4Range] = []
    for item in sorted(ranges):
        if merged and item.start <= merged[-1].end + 1:
            last = merged[-1]
            merged[-1] = Pc4Range(last.start, max(last.end, item.end))
        else:
            merged.append(item)
    return merged


def parse_ranges(text: str | None, *, strict: bool = False) -> list[Pc4Range]:
    """Read PC4 ranges from text such as "3118-3119", "3111, 3112" or "3118AB t/m 3118ZZ".

    Lenient by default (for HSDS names and descriptions: words around the postcodes are
    skipped). With ``strict`` (for a field where the practice types postcodes) anything that is
    not a postcode, a range sign or a separator is refused with a Dutch message.
    """
    if not text:
        return []
    matches = list(_TOKEN.finditer(text))
    ranges: list[Pc4Range] = []
    leftovers: list[str] = []
    position = 0
    index = 0
    while index < len(matches):
        first = matches[index]
        leftovers.append(text[position : first.start()])
        low = high = int(first.group(1))
        position = first.end()
        if index + 1 < len(matches):
            second = matches[index + 1]
            if _CONNECTOR.fullmatch(text[first.end() : second.start()]):
                high = int(second.group(1))
                position = second.end()
                index += 1
        ranges.append(Pc4Range(min(low, high), max(low, high)))
        index += 1
    leftovers.append(text[position:])
    if strict and any(not _SEPARATORS.fullmatch(part) for part in leftovers):
        raise ValidationError(
            {
                AREA_FIELD: "Het werkgebied is niet herkend. Schrijf postcodes als 3118, "
                "reeksen als 3118-3119 en scheid ze met komma's."
            }
        )
    return merge(ranges)


def area_ranges(*, extent: str | None, name: str | None, description: str | None) -> list[Pc4Range]:
    """The ranges of an HSDS service area: from the first of extent, name, description that has any.

    The extent (with ``extent_type`` "text") is the most precise place; a description may also
    mention unrelated numbers (a year, a house number), so it is read only as a last resort.
    """
    for text in (extent, name, description):
        found = parse_ranges(text)
        if found:
            return found
    return []


def postcode_pc4(value: str | int) -> int:
    """The PC4 of a full postcode ("3118 ab") or of four digits alone ("3118").

    Raises ``ValidationError`` in Dutch, keyed "postcode", for anything else.
    """
    if isinstance(value, int):
        if not PC4_MIN <= value <= PC4_MAX:
            raise ValidationError({POSTCODE_FIELD: "Een postcode heeft vier cijfers, 1000-9999."})
        return value
    only_digits = _PC4_ONLY.fullmatch(value)
    if only_digits:
        return int(only_digits.group(1))
    return int(normalise_postcode(value)[:4])


def normalise_route_postcode(value: str) -> str:
    """``3118AB`` for a full postcode, ``3118`` for four digits: what routing accepts and shows."""
    only_digits = _PC4_ONLY.fullmatch(value)
    if only_digits:
        return only_digits.group(1)
    return normalise_postcode(value)


def covers(ranges: Iterable[Pc4Range], postcode: str | int) -> bool:
    """Whether the postcode's PC4 lies in one of the ranges; an invalid postcode raises."""
    pc4 = postcode_pc4(postcode)
    return any(pc4 in item for item in ranges)


def format_ranges(ranges: Iterable[Pc4Range]) -> str:
    """``3111–3112, 3118`` for display and for a strict field's initial text."""
    return ", ".join(item.label for item in merge(ranges))


def typed_postcode(text: str) -> str | None:
    """The postcode a search box holds, if it holds nothing else: "3118AB", or "3118".

    A half-typed postcode ("3118 a") already counts as its PC4, so the answer stands while the
    user finishes typing. Letters routing would refuse ("3118 SS") leave the PC4 too: the team
    is decided by the four digits anyway.
    """
    match = _TYPED_POSTCODE.fullmatch(text)
    if match is None:
        return None
    digits, letters = match.groups()
    if len(letters) == 2:
        try:
            return normalise_postcode(digits + letters)
        except ValidationError:
            return digits
    return digits
