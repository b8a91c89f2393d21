"""Postcode ranges of service areas: reading free text, covering a postcode, Dutch errors."""

from __future__ import annotations

import pytest

from gpdesk.errors import ValidationError
from gpdesk.kaart.postcodes import (
    AREA_FIELD,
    Pc4Range,
    area_ranges,
    covers,
    format_ranges,
    merge,
    normalise_route_postcode,
    parse_ranges,
    postcode_pc4,
)


def R(start: int, end: int | None = None) -> Pc4Range:
    return Pc4Range(start, start if end is None else end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3118-3119", [R(3118, 3119)]),
        ("3118 - 3119", [R(3118, 3119)]),
        ("3118–3119", [R(3118, 3119)]),
        ("3118 t/m 3119", [R(3118, 3119)]),
        ("3118 tot en met 3119", [R(3118, 3119)]),
        ("3111, 3112", [R(3111, 3112)]),  # adjacent singles merge
        ("3111; 3113", [R(3111), R(3113)]),
        ("3118AB-3118ZZ", [R(3118)]),
        ("3118 AB - 3119 ZZ", [R(3118, 3119)]),
        ("3118ab", [R(3118)]),
        ("3119-3118", [R(3118, 3119)]),  # reversed range is read low to high
        ("3111-3115, 3113-3117", [R(3111, 3117)]),  # overlap merges
        ("3123 t/m 3125 en 3111", [R(3111), R(3123, 3125)]),
        ("Wijk Nieuwland: postcodes 3118 en 3119.", [R(3118, 3119)]),
        ("", []),
        (None, []),
        ("Heel Schiedam", []),
    ],
)
def test_parse_ranges(text: str | None, expected: list[Pc4Range]) -> None:
    assert parse_ranges(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "010-1234567",  # a phone number is not a postcode list
        "0123",  # postcodes never start with 0
        "31188",  # five digits
        "3118ABC",  # letters glued on
        "bel 0101234567",
    ],
)
def test_numbers_that_are_not_postcodes_are_skipped(text: str) -> None:
    assert parse_ranges(text) == []


def test_strict_accepts_what_a_practice_types() -> None:
    assert parse_ranges("3118-3119, 3120\n3125", strict=True) == [R(3118, 3120), R(3125)]
    assert parse_ranges("3111 en 3113 / 3115", strict=True) == [R(3111), R(3113), R(3115)]


@pytest.mark.parametrize("text", ["3118 tot de haven", "Nieuwland", "3118-", "3118-3119-3120"])
def test_strict_refuses_other_text_in_dutch(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_ranges(text, strict=True)
    assert AREA_FIELD in info.value.problems
    assert "niet herkend" in info.value.message


def test_range_must_be_ordered_and_four_digits() -> None:
    with pytest.raises(ValidationError):
        Pc4Range(3119, 3118)
    with pytest.raises(ValidationError):
        Pc4Range(999, 1200)
    with pytest.raises(ValidationError):
        Pc4Range(9000, 10000)


def test_range_membership_and_label() -> None:
    nieuwland = R(3118, 3119)
    assert 3118 in nieuwland
    assert 3119 in nieuwland
    assert 3120 not in nieuwland
    assert "3118" not in nieuwland  # only PC4 numbers are members
    assert nieuwland.label == "3118–3119"
    assert R(3120).label == "3120"


def test_merge_and_format() -> None:
    assert merge([R(3118, 3119), R(3111), R(3112, 3113), R(3119, 3120)]) == [
        R(3111, 3113),
        R(3118, 3120),
    ]
    assert format_ranges([R(3118, 3119), R(3111)]) == "3111, 3118–3119"
    assert format_ranges([]) == ""


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [("3118AB", True), ("3118 ab", True), ("3119ZZ", True), ("3118", True), (3119, True)],
)
def test_covers(postcode: str | int, expected: bool) -> None:
    assert covers([R(3118, 3119)], postcode) is expected


def test_covers_outside_every_range() -> None:
    areas = [R(3111, 3119), R(3121, 3125)]
    assert not covers(areas, "3120AA")
    assert covers(areas, "3121AA")
    assert not covers([], "3118AB")


@pytest.mark.parametrize("bad", ["31188AB", "ABCD", "", "0123AB", "3118SS", "311"])
def test_invalid_postcode_raises_dutch_validation_error(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        covers([R(3118, 3119)], bad)
    assert "postcode" in info.value.problems
    assert "postcode" in info.value.message.lower()
    assert bad == "" or bad not in info.value.message  # never echo the input


def test_postcode_pc4_and_normalise() -> None:
    assert postcode_pc4("3118 ab") == 3118
    assert postcode_pc4(" 3120 ") == 3120
    assert normalise_route_postcode("3118 ab") == "3118AB"
    assert normalise_route_postcode("3118") == "3118"
    with pytest.raises(ValidationError):
        postcode_pc4(999)


def test_area_ranges_prefers_extent_then_name_then_description() -> None:
    assert area_ranges(extent="3118-3119", name="Nieuwland 3100", description="sinds 2020") == [
        R(3118, 3119)
    ]
    assert area_ranges(extent=None, name="Nieuwland (3118)", description="Sinds 2020") == [R(3118)]
    # The description is the last resort, so a year in it cannot widen a named area.
    assert area_ranges(extent="", name="Heel Schiedam", description="3111 t/m 3125") == [
        R(3111, 3125)
    ]
    assert area_ranges(extent=None, name=None, description=None) == []
