"""The filters beside the search box, and per index which services pass them.

``FilterSets`` is built once with the index and then only read; its memo caches are
``functools.lru_cache`` wrappers (thread-safe) around pure functions, bounded per index.

Filters (``SearchFilters``)
    theme: exact theme (case and diacritics folded). postcode: services whose area covers it
    get the 5/4 boost (with an empty query: covering services first, each group by name),
    services without an area stay, services whose area excludes it are dropped. age: drops
    services whose minimum or maximum age excludes it. has_capacity: only services that
    reported free capacity (unknown counts as no). open_now / walk_in_today: only services
    open now or with a walk-in hour today; these change with the clock, so pass
    ``is_open_now`` / ``is_walk_in_today`` (service id → bool, called at query time, only for
    as many candidates as needed) or leave them None to use the record's precomputed
    ``open_now`` / ``walk_in_today`` flags as they were at build time. only_open: leave out
    services that are temporarily closed (by default they are shown, labelled, after the open
    ones; inactive and defunct services are never in the index).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gpdesk.kaart.textnorm import words

_POSTCODE = re.compile(r"\s*([1-9][0-9]{3})\s*(?:[A-Za-z]{2})?\s*")


def pc4_of(postcode: int | str) -> int:
    """The number part of a Dutch postcode ("3118 AB" → 3118), as the areas are stored.

    Raises:
        ValueError: not a Dutch postcode. The value itself is not repeated: it is patient data.
    """
    if isinstance(postcode, int) and not isinstance(postcode, bool):
        if 1000 <= postcode <= 9999:
            return postcode
    elif isinstance(postcode, str):
        match = _POSTCODE.fullmatch(postcode)
        if match:
            return int(match.group(1))
    raise ValueError("Postcode moet 4 cijfers hebben, eventueel gevolgd door 2 letters.")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What the patient in front of the GP needs; every filter is off by default."""

    theme: str | None = None
    postcode: int | str | None = None
    age: int | None = None
    has_capacity: bool = False
    open_now: bool = False
    walk_in_today: bool = False
    only_open: bool = False
    is_open_now: Callable[[str], bool] | None = None
    is_walk_in_today: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        """Reject a bad postcode when the filter is made, not halfway through a search."""
        if self.postcode is not None:
            pc4_of(self.postcode)

    @property
    def pc4(self) -> int | None:
        """The postcode as the number the service areas use."""
        return None if self.postcode is None else pc4_of(self.postcode)

    def labels(self) -> tuple[str, ...]:
        """The filters that are on, in Dutch, in the order of the chips ("Thema: ouderen")."""
        found: list[str] = []
        if self.theme:
            found.append(f"Thema: {self.theme}")
        if self.pc4 is not None:
            found.append(f"Postcode {self.pc4}")
        if self.age is not None:
            found.append(f"Leeftijd {self.age}")
        if self.open_now:
            found.append("Nu open")
        if self.walk_in_today:
            found.append("Inloop vandaag")
        if self.has_capacity:
            found.append("Plek vrij")
        if self.only_open:
            found.append("Alleen open")
        return tuple(found)


@dataclass(frozen=True, slots=True)
class FilterFacts:
    """What the filters read of one service, parsed from its record."""

    themes: frozenset[str]  # folded
    pc4_ranges: tuple[tuple[int, int], ...]
    min_age: int | None
    max_age: int | None
    has_capacity: bool
    open_now: bool
    walk_in_today: bool
    closed: bool = False
    """Temporarily closed: shown after the open services, left out with ``only_open``."""


class FilterSets:
    """Per filter, the services (numbers in index order) that pass it."""

    __slots__ = (
        "_age_allowed",
        "_allowed",
        "_area",
        "_capacity",
        "_closed",
        "_ids",
        "_max_age",
        "_min_age",
        "_open",
        "_ranges",
        "_restricted",
        "_running",
        "_themes",
        "_walk_in",
    )

    def __init__(self, ids: tuple[str, ...], facts: Sequence[FilterFacts]) -> None:
        """Index the services' facts; ``ids`` and ``facts`` are both in service-number order."""
        self._ids = ids
        self._ranges = tuple(f.pc4_ranges for f in facts)
        self._min_age = tuple(f.min_age for f in facts)
        self._max_age = tuple(f.max_age for f in facts)
        self._capacity = frozenset(d for d, f in enumerate(facts) if f.has_capacity)
        self._open = frozenset(d for d, f in enumerate(facts) if f.open_now)
        self._walk_in = frozenset(d for d, f in enumerate(facts) if f.walk_in_today)
        self._restricted = frozenset(d for d, f in enumerate(facts) if f.pc4_ranges)
        self._closed = frozenset(d for d, f in enumerate(facts) if f.closed)
        self._running = frozenset(range(len(facts))) - self._closed
        themes: dict[str, set[int]] = {}
        for d, service in enumerate(facts):
            for theme in service.themes:
                themes.setdefault(theme, set()).add(d)
        self._themes = {theme: frozenset(docs) for theme, docs in themes.items()}

        self._area = functools.lru_cache(maxsize=64)(self._compute_area)
        self._age_allowed = functools.lru_cache(maxsize=64)(self._compute_age_allowed)
        self._allowed = functools.lru_cache(maxsize=64)(self._compute_allowed)

    @property
    def closed(self) -> frozenset[int]:
        """Services that are temporarily closed."""
        return self._closed

    def covering(self, pc4: int) -> frozenset[int]:
        """Services whose area covers ``pc4`` (memoised)."""
        return self._area(pc4)[0]

    def allowed(self, filters: SearchFilters) -> frozenset[int] | None:
        """Services passing the filters that do not change with the clock; None = all."""
        return self._allowed(
            theme=None if filters.theme is None else " ".join(words(filters.theme)),
            pc4=filters.pc4,
            age=filters.age,
            has_capacity=filters.has_capacity,
            open_flag=filters.open_now and filters.is_open_now is None,
            walk_in_flag=filters.walk_in_today and filters.is_walk_in_today is None,
            only_open=filters.only_open and bool(self._closed),
        )

    def live_check(self, filters: SearchFilters) -> Callable[[int], bool] | None:
        """The filters that must ask the caller at query time, as one test per service."""
        checks: list[Callable[[str], bool]] = []
        if filters.open_now and filters.is_open_now is not None:
            checks.append(filters.is_open_now)
        if filters.walk_in_today and filters.is_walk_in_today is not None:
            checks.append(filters.is_walk_in_today)
        if not checks:
            return None
        ids = self._ids
        return lambda d: all(check(ids[d]) for check in checks)

    def _compute_allowed(
        self,
        *,
        theme: str | None,
        pc4: int | None,
        age: int | None,
        has_capacity: bool,
        open_flag: bool,
        walk_in_flag: bool,
        only_open: bool,
    ) -> frozenset[int] | None:
        """Memoised by ``allowed``: the same filters come with every keystroke."""
        sets: list[frozenset[int]] = []
        if theme is not None:
            sets.append(self._themes.get(theme, frozenset()))
        if pc4 is not None:
            sets.append(self._area(pc4)[1])
        if age is not None:
            sets.append(self._age_allowed(age))
        if has_capacity:
            sets.append(self._capacity)
        if open_flag:
            sets.append(self._open)
        if walk_in_flag:
            sets.append(self._walk_in)
        if only_open:
            sets.append(self._running)
        if not sets:
            return None
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])

    def _compute_area(self, pc4: int) -> tuple[frozenset[int], frozenset[int]]:
        """(services whose area covers ``pc4``, services covering it or without an area)."""
        covering = frozenset(
            d for d in self._restricted if any(low <= pc4 <= high for low, high in self._ranges[d])
        )
        excluded = self._restricted - covering
        return covering, frozenset(range(len(self._ids))) - excluded

    def _compute_age_allowed(self, age: int) -> frozenset[int]:
        return frozenset(
            d
            for d, (low, high) in enumerate(zip(self._min_age, self._max_age, strict=True))
            if (low is None or low <= age) and (high is None or age <= high)
        )
