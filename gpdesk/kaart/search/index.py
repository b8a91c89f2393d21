"""The search that forgives: one box over the sociale kaart, fast enough to run per keystroke.

The index is built once from plain records (dicts from the database) and never changes; a new
kaart means a new index. Searching only reads it, so a worker thread can search while the GUI
builds the next one. The only shared mutable state is the memo caches of ``vocabulary`` and
``filters``, which are ``functools.lru_cache`` wrappers (thread-safe) around pure
functions, bounded per index.

Modules
    ``vocabulary``: the indexed words, how one query word matches them, and the matching and
    scoring rules with their constants (documented there, in one place). ``synonyms``: the
    curated synonym list. ``filters``: ``SearchFilters``, ``pc4_of`` and which services
    pass the filters. This module combines the query words, ranks, and browses; it re-exports
    the public names of the others, so callers import everything from here.

Which services are returned
    Every query word must match, except Dutch function words ("de", "voor", ...), which only
    add to the score. When no service matches all words, the services matching the most words
    are returned with ``Hit.complete`` False, so a stray word never empties the list. An empty
    query returns every service that passes the filters, ordered by name.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gpdesk.kaart.search.filters import FilterFacts, FilterSets, SearchFilters, pc4_of
from gpdesk.kaart.search.synonyms import Synonyms, Term
from gpdesk.kaart.search.vocabulary import (
    CLOSED_PENALTY,
    COMPOUND,
    EXACT,
    FIELD_WEIGHTS,
    FIELDS,
    MIN_PART_LENGTH,
    NAME_START_BONUS,
    POSTCODE_BOOST,
    PREFIX_BASE,
    PREFIX_SPAN,
    SYNONYM,
    SYNONYM_COMPOUND,
    TWO_EDITS_FROM,
    TYPO,
    TYPO_BELOW_SERVICES,
    TYPO_PER_EXTRA_EDIT,
    TYPO_PREFIX_PENALTY,
    Vocabulary,
    WordMatch,
    prefix_range,
)
from gpdesk.kaart.textnorm import STOPWORDS, words

__all__ = [
    "CLOSED_PENALTY",
    "CLOSED_STATUS",
    "COMPOUND",
    "EXACT",
    "FIELDS",
    "FIELD_WEIGHTS",
    "MIN_PART_LENGTH",
    "NAME_START_BONUS",
    "POSTCODE_BOOST",
    "PREFIX_BASE",
    "PREFIX_SPAN",
    "SYNONYM",
    "SYNONYM_COMPOUND",
    "TWO_EDITS_FROM",
    "TYPO",
    "TYPO_BELOW_SERVICES",
    "TYPO_PER_EXTRA_EDIT",
    "TYPO_PREFIX_PENALTY",
    "Area",
    "Found",
    "Hit",
    "SearchFilters",
    "SearchIndex",
    "Synonyms",
    "Term",
    "pc4_of",
]

Area = Literal["covers", "unrestricted"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One found service.

    Attributes:
        id: the record's id.
        score: see Score in ``vocabulary``; 0 for an empty query.
        matched_fields: fields (names from ``FIELDS``, most important first) where a query
            word found its best match.
        matched_terms: the indexed words (folded) or synonym phrases that matched, one per
            query word, for highlighting.
        complete: False when not every query word matched (no service matched them all).
        area: with a postcode filter, whether the service covers it or has no area limit.
    """

    id: str
    score: int
    matched_fields: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    complete: bool = True
    area: Area | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """The best hits, and how many services matched in all (``total`` ≥ ``len(hits)``)."""

    hits: list[Hit]
    total: int

    @property
    def more(self) -> int:
        """How many matched beyond those shown: the "en nog N" of a capped list."""
        return self.total - len(self.hits)


CLOSED_STATUS = "temporarily closed"
"""HSDS ``service.status`` of a service that is closed for a while."""
_EXTRA_TEXTS = {"organization": "organization_names"}
"""Record keys searched as part of a field: an organisation's other and earlier names."""


@dataclass(frozen=True, slots=True)
class _Service:
    id: str
    name_key: str
    segments: tuple[tuple[str, ...], ...]  # per field in FIELDS order: its separate texts
    facts: FilterFacts

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> _Service:
        service_id = record.get("id")
        name = record.get("name")
        if not service_id or not name:
            raise ValueError("Elke voorziening moet een id en een naam hebben.")

        def texts(key: str) -> tuple[str, ...]:
            value = record.get(key)
            if not value:
                return ()
            if isinstance(value, str):
                return (value,)
            return tuple(str(item) for item in value if item)

        def field_texts(key: str) -> tuple[str, ...]:
            extra = _EXTRA_TEXTS.get(key)
            return texts(key) + texts(extra) if extra else texts(key)

        themes = texts("themes")
        return cls(
            id=str(service_id),
            name_key=" ".join(words(str(name))),
            segments=tuple(field_texts(key) for key in FIELDS),
            facts=FilterFacts(
                themes=frozenset(" ".join(words(theme)) for theme in themes),
                pc4_ranges=tuple(
                    (int(low), int(high)) for low, high in record.get("pc4_ranges") or ()
                ),
                min_age=_optional_int(record.get("min_age")),
                max_age=_optional_int(record.get("max_age")),
                has_capacity=record.get("has_capacity") is True,
                open_now=bool(record.get("open_now")),
                walk_in_today=bool(record.get("walk_in_today")),
                closed=record.get("status") == CLOSED_STATUS,
            ),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


class SearchIndex:
    """An immutable in-memory index over the sociale kaart; build it with ``build``."""

    __slots__ = ("_filters", "_ids", "_name_keys", "_synonyms", "_vocabulary")

    def __init__(self, services: Iterable[_Service], synonyms: Synonyms) -> None:
        """Index parsed services; use ``build`` instead."""
        ordered = sorted(services, key=lambda s: (s.name_key, s.id))
        ids = tuple(s.id for s in ordered)
        if len(set(ids)) != len(ids):
            raise ValueError("Twee voorzieningen hebben hetzelfde id.")
        self._ids = ids
        self._name_keys = tuple(s.name_key for s in ordered)
        self._filters = FilterSets(ids, [s.facts for s in ordered])
        self._synonyms = synonyms
        self._vocabulary = Vocabulary((s.segments for s in ordered), synonyms)

    @classmethod
    def build(
        cls, records: Iterable[Mapping[str, Any]], synonyms: Synonyms | None = None
    ) -> SearchIndex:
        """Index the records; ``synonyms`` None means the curated list in the resources.

        Raises:
            ValueError: a record without id or name, or two records with the same id.
        """
        services = [_Service.from_record(record) for record in records]
        return cls(services, Synonyms.default() if synonyms is None else synonyms)

    def __len__(self) -> int:
        """Number of indexed services."""
        return len(self._ids)

    # -- searching --------------------------------------------------------------------------

    def search(
        self, query: str, *, filters: SearchFilters | None = None, limit: int = 50
    ) -> list[Hit]:
        """The best ``limit`` services for ``query`` that pass ``filters``, best first."""
        return self._find(query, filters, limit, count=False).hits

    def find(self, query: str, *, filters: SearchFilters | None = None, limit: int = 50) -> Found:
        """Like ``search``, and also how many services match in all (for "en nog N")."""
        return self._find(query, filters, limit, count=True)

    def _find(self, query: str, filters: SearchFilters | None, limit: int, *, count: bool) -> Found:
        filters = filters or SearchFilters()
        if limit <= 0 or not self._ids:
            return Found([], 0)
        pc4 = filters.pc4
        covering = self._filters.covering(pc4) if pc4 is not None else None
        allowed = self._filters.allowed(filters)
        accept = self._filters.live_check(filters)
        closed = self._filters.closed
        tokens = words(query)
        if not tokens:
            docs = self._browse(allowed, covering, closed, accept, limit)
            hits = [Hit(self._ids[d], 0, area=self._area_of(d, pc4, covering)) for d in docs]
            candidates: Iterable[int] = range(len(self._ids)) if allowed is None else allowed
            return Found(hits, _total(candidates, hits, limit, accept) if count else len(hits))

        matches, required = self._matches(tokens)
        totals, complete = self._combine(matches, required)
        start, end = prefix_range(self._name_keys, " ".join(tokens))
        if end > start:
            totals = dict(totals)
            for d in range(start, end):
                if d in totals:
                    totals[d] += NAME_START_BONUS
        if allowed is not None:
            totals = {d: totals[d] for d in totals.keys() & allowed}
        if covering:
            totals = dict(totals)
            numerator, denominator = POSTCODE_BOOST
            for d in totals.keys() & covering:
                totals[d] = totals[d] * numerator // denominator
        if closed:
            totals = dict(totals)
            numerator, denominator = CLOSED_PENALTY
            for d in totals.keys() & closed:
                totals[d] = totals[d] * numerator // denominator
        ranked = _rank(totals, limit, accept)
        hits = [
            Hit(
                self._ids[d],
                totals[d],
                *self._explain(d, matches),
                complete=complete,
                area=self._area_of(d, pc4, covering),
            )
            for d in ranked
        ]
        return Found(hits, _total(totals, hits, limit, accept) if count else len(hits))

    def _matches(self, tokens: list[str]) -> tuple[list[WordMatch], list[bool]]:
        """Each distinct query word's match, with synonym phrases spanning several words."""
        extra: dict[int, set[Term]] = {}
        for length in self._synonyms.phrase_lengths:
            for i in range(len(tokens) - length + 1):
                span = tuple(tokens[i : i + length])
                for alternative in self._synonyms.alternatives(span):
                    for j in range(i, i + length):
                        extra.setdefault(j, set()).add(alternative)
        matches: list[WordMatch] = []
        required: list[bool] = []
        seen: set[tuple[str, tuple[Term, ...], bool]] = set()
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            # A finished function word means itself: "bij" before "schulden" is not "bijstand".
            whole_word = i < last and token in STOPWORDS
            key = (token, tuple(sorted(extra.get(i, ()))), whole_word)
            if key in seen:
                continue
            seen.add(key)
            matches.append(self._vocabulary.match(*key))
            required.append(token not in STOPWORDS)
        if not any(required):
            required = [True] * len(required)
        return matches, required

    def _combine(
        self, matches: list[WordMatch], required: list[bool]
    ) -> tuple[dict[int, int], bool]:
        """Services matching every required word, with summed scores (read-only result)."""
        needed = sorted((m.scores for m, r in zip(matches, required, strict=True) if r), key=len)
        optional = [m.scores for m, r in zip(matches, required, strict=True) if not r]
        complete = True
        if len(needed) == 1:
            totals = needed[0]
        else:
            keys: set[int] = set(needed[0])
            for scores in needed[1:]:
                keys.intersection_update(scores)
                if not keys:
                    break
            if keys:
                first, second = needed[0], needed[1]
                if len(needed) == 2:
                    totals = {d: first[d] + second[d] for d in keys}
                else:
                    totals = {d: sum(scores[d] for scores in needed) for d in keys}
            else:
                complete = False
                counts = Counter(d for scores in needed for d in scores)
                most = max(counts.values(), default=0)
                totals = {
                    d: sum(scores.get(d, 0) for scores in needed)
                    for d, count in counts.items()
                    if count == most
                }
        if optional:
            totals = dict(totals)
            for scores in optional:
                for d in totals.keys() & scores.keys():
                    totals[d] += scores[d]
        return totals, complete

    def _explain(self, d: int, matches: list[WordMatch]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Fields and terms that gave service ``d`` its score, one per query word."""
        labels = self._vocabulary.labels
        fields: set[int] = set()
        terms: list[str] = []
        for match in matches:
            score = match.scores.get(d)
            if score is None:
                continue
            for field, term, docs in match.by_score[score]:
                i = bisect_left(docs, d)
                if i < len(docs) and docs[i] == d:
                    fields.add(field)
                    if labels[term] not in terms:
                        terms.append(labels[term])
                    break
        return tuple(FIELDS[f] for f in sorted(fields)), tuple(terms)

    def _browse(
        self,
        allowed: frozenset[int] | None,
        covering: frozenset[int] | None,
        closed: frozenset[int],
        accept: Callable[[int], bool] | None,
        limit: int,
    ) -> list[int]:
        """Empty query: every allowed service by name, those covering the postcode first.

        Temporarily closed services come after all open ones.
        """
        docs: Iterable[int] = range(len(self._ids)) if allowed is None else sorted(allowed)
        if covering or closed:
            docs = sorted(
                docs, key=lambda d: (d in closed, covering is not None and d not in covering)
            )
        found: list[int] = []
        for d in docs:
            if accept is None or accept(d):
                found.append(d)
                if len(found) == limit:
                    break
        return found

    @staticmethod
    def _area_of(d: int, pc4: int | None, covering: frozenset[int] | None) -> Area | None:
        if pc4 is None:
            return None
        return "covers" if covering is not None and d in covering else "unrestricted"


def _total(
    candidates: Iterable[int], hits: list[Hit], limit: int, accept: Callable[[int], bool] | None
) -> int:
    """How many candidates pass the clock-bound filters; only counted when the list is full."""
    if len(hits) < limit:
        return len(hits)
    if accept is None:
        return sum(1 for _ in candidates)
    return sum(1 for d in candidates if accept(d))


def _rank(totals: dict[int, int], limit: int, accept: Callable[[int], bool] | None) -> list[int]:
    """Best score first, ties by name (the service number is the name order)."""
    if accept is None and len(totals) > 4 * limit:
        threshold = heapq.nlargest(limit, totals.values())[-1]
        candidates = [d for d, score in totals.items() if score >= threshold]
    else:
        candidates = list(totals)
    candidates.sort()
    candidates.sort(key=totals.__getitem__, reverse=True)
    if accept is None:
        return candidates[:limit]
    found: list[int] = []
    for d in candidates:
        if accept(d):
            found.append(d)
            if len(found) == limit:
                break
    return found
