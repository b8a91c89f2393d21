"""The search that forgives: one box over the sociale kaart, fast enough to run per keystroke.

The index is built once from plain records (dicts from the database) and never changes; a new
kaart means a new index. Searching only reads it, so a worker thread can search while the GUI
builds the next one. The only shared mutable state is the memo caches below, which are
``functools.lru_cache`` wrappers (thread-safe) around pure functions.

How a query is matched
    The query is folded (case, diacritics) and split into words; word order does not matter.
    Every word is matched the same way, so the word being typed works as a prefix and earlier
    words may be whole words or prefixes (a function word before the last word must be whole:
    "hulp bij schulden" does not look for "bijstand"). A query word *w* matches an indexed word
    *v* with a quality (percent):

    ==================  ===============================================================  =======
    kind                when                                                             quality
    ==================  ===============================================================  =======
    exact               *v* == *w*                                                       100
    prefix              *v* starts with *w* ("schuldhulp" → "schuldhulpverlening")       75–89
    compound part       *w* (≥ 4 letters) sits inside *v* ("hulp" → "schuldhulp...")     65
    synonym             *v* is a synonym of *w* (``resources/kaart/synonyms.txt``)       60
    synonym compound    *v* starts with a synonym of *w* (≥ 4 letters)                   55
    typo                *v* (or its start) is 1 edit from *w* (2 from 8 letters on)      30–45
    ==================  ===============================================================  =======

    Prefix quality is ``75 + 15 * len(w) // len(v)``: the closer to a whole word, the higher.
    Typo quality is 45 for one edit, minus 10 per extra edit, minus 5 when *v* is longer than
    the matched start. Typos are only looked for when the word has at least 4 letters and the
    other kinds match fewer than 5 services, and only among indexed words with the same first
    letter (edits: insert, delete, substitute, swap two neighbours).

Score
    A match in a field is worth ``field weight * quality``; field weights are name 10,
    alternate_name 6, themes 6, organization 3, contacts 3, description 1. A query word
    scores the best of its matches in a service (no sum over fields or repeats). A service
    scores ``(sum over the query words + 200 if its name starts with the whole query)``, the
    200 being for someone typing a name, and that times 5/4 (rounded down) when a postcode
    filter is given and the service's area covers it. Scores are integers, so equal scores are
    really equal; ties are broken by name (folded), then id. Hence exact > prefix > compound >
    synonym > typo within a field, and a name match beats any description match.

Which services are returned
    Every query word must match, except Dutch function words ("de", "voor", ...), which only
    add to the score. When no service matches all words, the services matching the most words
    are returned with ``Hit.complete`` False, so a stray word never empties the list. An empty
    query returns every service that passes the filters, ordered by name.

Filters (``SearchFilters``)
    theme: exact theme (case and diacritics folded). postcode: services whose area covers it
    get the 5/4 boost (with an empty query: covering services first, each group by name),
    services without an area stay, services whose area excludes it are dropped. age: drops
    services whose minimum or maximum age excludes it. has_capacity: only services that
    reported free capacity (unknown counts as no). open_now / walk_in_today: only services
    open now or with a walk-in hour today; these change with the clock, so pass
    ``is_open_now`` / ``is_walk_in_today`` (service id → bool, called at query time, only for
    as many candidates as needed) or leave them None to use the record's precomputed
    ``open_now`` / ``walk_in_today`` flags as they were at build time.
"""

from __future__ import annotations

import functools
import heapq
import re
import string
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from gpdesk.kaart.textnorm import STOPWORDS, fold, joined_words, split, words

FIELDS = ("name", "alternate_name", "themes", "organization", "contacts", "description")
"""Searched record fields, most important first; ``Hit.matched_fields`` uses these names."""
FIELD_WEIGHTS = (10, 6, 6, 3, 3, 1)

EXACT = 100
PREFIX_BASE = 75
PREFIX_SPAN = 15
COMPOUND = 65
SYNONYM = 60
SYNONYM_COMPOUND = 55
TYPO = 45
TYPO_PER_EXTRA_EDIT = 10
TYPO_PREFIX_PENALTY = 5
NAME_START_BONUS = 200
POSTCODE_BOOST = (5, 4)

MIN_PART_LENGTH = 4
"""Shortest query word looked for inside compounds, as synonym compound or with typos."""
TYPO_BELOW_SERVICES = 5
TWO_EDITS_FROM = 8

_DESCRIPTION = FIELDS.index("description")
# Descriptions skip function words and single characters: they would match every service.
_NOT_IN_DESCRIPTIONS = STOPWORDS | frozenset(string.ascii_lowercase + string.digits)
_TOP = "\U0010ffff"
_POSTCODE = re.compile(r"\s*([1-9][0-9]{3})\s*(?:[A-Za-z]{2})?\s*")
_MATCH_CACHE_SIZE = 64  # one entry can map every service; 64 bounds it to a few tens of MB

Area = Literal["covers", "unrestricted"]


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


@dataclass(frozen=True, slots=True)
class Hit:
    """One found service.

    Attributes:
        id: the record's id.
        score: see the module documentation; 0 for an empty query.
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


Term = tuple[str, ...]


class Synonyms:
    """Groups of interchangeable search terms; a term may be several words ("veilig thuis")."""

    __slots__ = ("_alternatives", "_phrase_lengths")

    def __init__(self, groups: Iterable[Iterable[str]]) -> None:
        """Fold every term; a term in several groups gets the alternatives of all of them."""
        alternatives: dict[Term, set[Term]] = {}
        for group in groups:
            terms = {term for term in (tuple(words(text)) for text in group) if term}
            for term in terms:
                alternatives.setdefault(term, set()).update(terms - {term})
        self._alternatives = {term: tuple(sorted(alts)) for term, alts in alternatives.items()}
        self._phrase_lengths = tuple(
            sorted({len(term) for term in self._alternatives if len(term) > 1}, reverse=True)
        )

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        """One group per line, terms separated by commas, ``#`` starts a comment."""
        groups = []
        for line in text.splitlines():
            terms = [term.strip() for term in line.split("#", 1)[0].split(",")]
            if len([term for term in terms if term]) > 1:
                groups.append([term for term in terms if term])
        return cls(groups)

    @classmethod
    def default(cls) -> Synonyms:
        """The curated list shipped in ``resources/kaart/synonyms.txt``."""
        return _default_synonyms()

    def alternatives(self, term: Term) -> tuple[Term, ...]:
        """The other terms of every group that holds ``term`` (folded words)."""
        return self._alternatives.get(term, ())

    @property
    def terms(self) -> frozenset[Term]:
        """Every folded term."""
        return frozenset(self._alternatives)

    @property
    def phrase_lengths(self) -> tuple[int, ...]:
        """Word counts of the multi-word terms, longest first."""
        return self._phrase_lengths


@functools.cache
def _default_synonyms() -> Synonyms:
    resource = files("gpdesk.resources") / "kaart" / "synonyms.txt"
    return Synonyms.parse(resource.read_text(encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class _Service:
    id: str
    name_key: str
    segments: tuple[tuple[str, ...], ...]  # per field in FIELDS order: its separate texts
    themes: frozenset[str]
    pc4_ranges: tuple[tuple[int, int], ...]
    min_age: int | None
    max_age: int | None
    has_capacity: bool
    open_now: bool
    walk_in_today: bool

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

        themes = texts("themes")
        return cls(
            id=str(service_id),
            name_key=" ".join(words(str(name))),
            segments=tuple(texts(key) for key in FIELDS),
            themes=frozenset(" ".join(words(theme)) for theme in themes),
            pc4_ranges=tuple((int(low), int(high)) for low, high in record.get("pc4_ranges") or ()),
            min_age=_optional_int(record.get("min_age")),
            max_age=_optional_int(record.get("max_age")),
            has_capacity=record.get("has_capacity") is True,
            open_now=bool(record.get("open_now")),
            walk_in_today=bool(record.get("walk_in_today")),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class _Match:
    """How one query word matches: best score per service, and which (field, term) gave it."""

    scores: dict[int, int]
    by_score: dict[int, list[tuple[int, int, tuple[int, ...]]]]  # (field, term id, services)


class SearchIndex:
    """An immutable in-memory index over the sociale kaart; build it with ``build``."""

    __slots__ = (
        "_age_allowed",
        "_area",
        "_capacity",
        "_filter_allowed",
        "_ids",
        "_joined",
        "_labels",
        "_match",
        "_max_age",
        "_min_age",
        "_name_keys",
        "_open",
        "_post",
        "_prefixes",
        "_ranges",
        "_restricted",
        "_starts",
        "_synonyms",
        "_themes",
        "_vocab",
        "_walk_in",
    )

    def __init__(self, services: Iterable[_Service], synonyms: Synonyms) -> None:
        """Index parsed services; use ``build`` instead."""
        ordered = sorted(services, key=lambda s: (s.name_key, s.id))
        ids = tuple(s.id for s in ordered)
        if len(set(ids)) != len(ids):
            raise ValueError("Twee voorzieningen hebben hetzelfde id.")
        self._ids = ids
        self._name_keys = tuple(s.name_key for s in ordered)
        self._ranges = tuple(s.pc4_ranges for s in ordered)
        self._min_age = tuple(s.min_age for s in ordered)
        self._max_age = tuple(s.max_age for s in ordered)
        self._capacity = frozenset(d for d, s in enumerate(ordered) if s.has_capacity)
        self._open = frozenset(d for d, s in enumerate(ordered) if s.open_now)
        self._walk_in = frozenset(d for d, s in enumerate(ordered) if s.walk_in_today)
        self._restricted = frozenset(d for d, s in enumerate(ordered) if s.pc4_ranges)
        themes: dict[str, set[int]] = {}
        for d, service in enumerate(ordered):
            for theme in service.themes:
                themes.setdefault(theme, set()).add(d)
        self._themes = {theme: frozenset(docs) for theme, docs in themes.items()}
        self._synonyms = synonyms
        self._index_words(ordered)

        self._match = functools.lru_cache(maxsize=_MATCH_CACHE_SIZE)(self._compute_match)
        self._prefixes = functools.lru_cache(maxsize=1024)(self._compute_prefixes)
        self._area = functools.lru_cache(maxsize=64)(self._compute_area)
        self._age_allowed = functools.lru_cache(maxsize=64)(self._compute_age_allowed)
        self._filter_allowed = functools.lru_cache(maxsize=64)(self._compute_filter_allowed)

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

    # -- building ---------------------------------------------------------------------------

    def _index_words(self, ordered: list[_Service]) -> None:
        """Posting lists per (word, field), plus synonym phrases found in the services."""
        phrases_by_first: dict[str, list[Term]] = {}
        for term in self._synonyms.terms:
            if len(term) > 1:
                phrases_by_first.setdefault(term[0], []).append(term)
        field_posts: list[defaultdict[str, list[int]]] = [defaultdict(list) for _ in FIELDS]
        phrase_posts: list[defaultdict[Term, list[int]]] = [defaultdict(list) for _ in FIELDS]
        for d, service in enumerate(ordered):
            for field, segments in enumerate(service.segments):
                if not segments:
                    continue
                seen, phrases = _field_words(segments, phrases_by_first)
                if field == _DESCRIPTION:
                    seen.difference_update(_NOT_IN_DESCRIPTIONS)
                posts = field_posts[field]
                for word in seen:
                    posts[word].append(d)
                for phrase in phrases:
                    phrase_posts[field][phrase].append(d)
        self._store_postings(field_posts, phrase_posts)

    def _store_postings(
        self,
        field_posts: list[defaultdict[str, list[int]]],
        phrase_posts: list[defaultdict[Term, list[int]]],
    ) -> None:
        """Freeze the posting lists: one term id per word (sorted), then per phrase."""
        by_word: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        for field, posts in enumerate(field_posts):  # field order: most important first
            for word, docs in posts.items():
                by_word.setdefault(word, []).append((field, tuple(docs)))
        by_phrase: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        for field, found in enumerate(phrase_posts):
            for phrase, docs in found.items():
                by_phrase.setdefault(" ".join(phrase), []).append((field, tuple(docs)))
        vocab = sorted(by_word)
        phrase_labels = sorted(by_phrase)
        post = [tuple(by_word[word]) for word in vocab]
        post += [tuple(by_phrase[label]) for label in phrase_labels]
        labels = vocab + phrase_labels
        self._vocab = tuple(vocab)
        self._labels = tuple(labels)
        self._post = tuple(post)
        starts = []
        position = 0
        for word in vocab:
            starts.append(position)
            position += len(word) + 1
        self._starts = tuple(starts)
        self._joined = "\n".join(vocab)

    # -- searching --------------------------------------------------------------------------

    def search(
        self, query: str, *, filters: SearchFilters | None = None, limit: int = 50
    ) -> list[Hit]:
        """The best ``limit`` services for ``query`` that pass ``filters``, best first."""
        filters = filters or SearchFilters()
        if limit <= 0 or not self._ids:
            return []
        pc4 = filters.pc4
        covering = self._area(pc4)[0] if pc4 is not None else None
        allowed = self._filter_allowed(
            theme=None if filters.theme is None else " ".join(words(filters.theme)),
            pc4=pc4,
            age=filters.age,
            has_capacity=filters.has_capacity,
            open_flag=filters.open_now and filters.is_open_now is None,
            walk_in_flag=filters.walk_in_today and filters.is_walk_in_today is None,
        )
        accept = self._live_check(filters)
        tokens = words(query)
        if not tokens:
            docs = self._browse(allowed, covering, accept, limit)
            return [Hit(self._ids[d], 0, area=self._area_of(d, pc4, covering)) for d in docs]

        matches, required = self._matches(tokens)
        totals, complete = self._combine(matches, required)
        start = bisect_left(self._name_keys, " ".join(tokens))
        end = bisect_left(self._name_keys, " ".join(tokens) + _TOP, start)
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
        ranked = _rank(totals, limit, accept)
        return [
            Hit(
                self._ids[d],
                totals[d],
                *self._explain(d, matches),
                complete=complete,
                area=self._area_of(d, pc4, covering),
            )
            for d in ranked
        ]

    def _matches(self, tokens: list[str]) -> tuple[list[_Match], list[bool]]:
        """Each distinct query word's match, with synonym phrases spanning several words."""
        extra: dict[int, set[Term]] = {}
        for length in self._synonyms.phrase_lengths:
            for i in range(len(tokens) - length + 1):
                span = tuple(tokens[i : i + length])
                for alternative in self._synonyms.alternatives(span):
                    for j in range(i, i + length):
                        extra.setdefault(j, set()).add(alternative)
        matches: list[_Match] = []
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
            matches.append(self._match(*key))
            required.append(token not in STOPWORDS)
        if not any(required):
            required = [True] * len(required)
        return matches, required

    def _combine(self, matches: list[_Match], required: list[bool]) -> tuple[dict[int, int], bool]:
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

    def _explain(self, d: int, matches: list[_Match]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Fields and terms that gave service ``d`` its score, one per query word."""
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
                    if self._labels[term] not in terms:
                        terms.append(self._labels[term])
                    break
        return tuple(FIELDS[f] for f in sorted(fields)), tuple(terms)

    # -- one query word ---------------------------------------------------------------------

    def _compute_match(
        self, token: str, phrase_alternatives: tuple[Term, ...], whole_word: bool
    ) -> _Match:
        if whole_word:
            start, end = self._prefix_range(token)
            found = start < end and self._vocab[start] == token
            qualities = {start: EXACT} if found else {}
        else:
            qualities = self._expand(token)
        for alternative in phrase_alternatives:
            self._add_synonym(alternative, qualities)
        by_score: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
        post = self._post
        for term, quality in qualities.items():
            for field, docs in post[term]:
                by_score.setdefault(FIELD_WEIGHTS[field] * quality, []).append((field, term, docs))
        scores: dict[int, int] = {}
        for score in sorted(by_score):  # ascending: the best match of a service is set last
            for _, _, docs in by_score[score]:
                scores.update(dict.fromkeys(docs, score))
        return _Match(scores, by_score)

    def _expand(self, token: str) -> dict[int, int]:
        """Indexed terms (ids) that ``token`` matches, with the match quality."""
        vocab = self._vocab
        qualities: dict[int, int] = {}
        start, end = self._prefix_range(token)
        for term in range(start, end):
            length = len(vocab[term])
            if length == len(token):
                qualities[term] = EXACT
            else:
                qualities[term] = PREFIX_BASE + PREFIX_SPAN * len(token) // length
        if len(token) >= MIN_PART_LENGTH:
            for term in self._inner(token):
                _raise(qualities, term, COMPOUND)
        for alternative in self._synonyms.alternatives((token,)):
            self._add_synonym(alternative, qualities)
        if len(token) >= MIN_PART_LENGTH and self._few_services(qualities):
            for term, quality in self._typos(token).items():
                _raise(qualities, term, quality)
        return qualities

    def _add_synonym(self, alternative: Term, qualities: dict[int, int]) -> None:
        if len(alternative) > 1:
            label = " ".join(alternative)
            term = bisect_left(self._labels, label, len(self._vocab))
            if term < len(self._labels) and self._labels[term] == label:
                _raise(qualities, term, SYNONYM)
            return
        word = alternative[0]
        start, end = self._prefix_range(word)
        if start < end and self._vocab[start] == word:
            _raise(qualities, start, SYNONYM)
            start += 1
        if len(word) >= MIN_PART_LENGTH:
            for term in range(start, end):
                _raise(qualities, term, SYNONYM_COMPOUND)

    def _prefix_range(self, prefix: str) -> tuple[int, int]:
        start = bisect_left(self._vocab, prefix)
        return start, bisect_left(self._vocab, prefix + _TOP, start)

    def _inner(self, token: str) -> list[int]:
        """Terms containing ``token`` after their first letter (compound parts)."""
        found: list[int] = []
        joined, starts = self._joined, self._starts
        position = joined.find(token, 1)
        while position != -1:
            term = bisect_right(starts, position) - 1
            if starts[term] != position and (not found or found[-1] != term):
                found.append(term)
            position = joined.find(token, position + 1)
        return found

    def _few_services(self, qualities: dict[int, int]) -> bool:
        total = 0
        for term in qualities:
            for _, docs in self._post[term]:
                total += len(docs)
                if total >= TYPO_BELOW_SERVICES:
                    return False
        return True

    def _typos(self, token: str) -> dict[int, int]:
        """Terms whose start is within 1 edit of ``token`` (2 from 8 letters on)."""
        edits = 1 if len(token) < TWO_EDITS_FROM else 2
        found: dict[int, int] = {}
        for length in range(len(token) - edits, len(token) + edits + 1):
            choices = self._prefixes(token[0], length)
            if not choices:
                continue
            for prefix, distance, _ in process.extract(
                token, choices, scorer=OSA.distance, score_cutoff=edits, limit=None
            ):
                if distance == 0:
                    continue
                base = TYPO - TYPO_PER_EXTRA_EDIT * (int(distance) - 1)
                start, end = self._prefix_range(prefix)
                for term in range(start, end):
                    whole = len(self._vocab[term]) == length
                    _raise(found, term, base if whole else base - TYPO_PREFIX_PENALTY)
        return found

    def _compute_prefixes(self, first: str, length: int) -> tuple[str, ...]:
        """Distinct starts of ``length`` letters of the terms beginning with ``first``."""
        start, end = self._prefix_range(first)
        return tuple(
            sorted({word[:length] for word in self._vocab[start:end] if len(word) >= length})
        )

    # -- filters ----------------------------------------------------------------------------

    def _compute_filter_allowed(
        self,
        *,
        theme: str | None,
        pc4: int | None,
        age: int | None,
        has_capacity: bool,
        open_flag: bool,
        walk_in_flag: bool,
    ) -> frozenset[int] | None:
        """Services passing the filters that do not change with the clock; None = all."""
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

    def _live_check(self, filters: SearchFilters) -> Callable[[int], bool] | None:
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

    def _browse(
        self,
        allowed: frozenset[int] | None,
        covering: frozenset[int] | None,
        accept: Callable[[int], bool] | None,
        limit: int,
    ) -> list[int]:
        """Empty query: every allowed service by name, those covering the postcode first."""
        docs: Iterable[int] = range(len(self._ids)) if allowed is None else sorted(allowed)
        if covering:
            docs = sorted(docs, key=lambda d: d not in covering)
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


def _field_words(
    segments: tuple[str, ...], phrases_by_first: dict[str, list[Term]]
) -> tuple[set[str], set[Term]]:
    """The distinct words of one field, and the synonym phrases that occur in it."""
    seen: set[str] = set()
    phrases: set[Term] = set()
    for segment in segments:
        folded = fold(segment)
        sequence = split(folded)
        seen.update(sequence)
        if "-" in folded or "'" in folded or "’" in folded:
            seen.update(joined_words(folded))
        if phrases_by_first.keys().isdisjoint(sequence):
            continue
        for i, word in enumerate(sequence):
            for phrase in phrases_by_first.get(word, ()):
                if tuple(sequence[i : i + len(phrase)]) == phrase:
                    phrases.add(phrase)
    return seen, phrases


def _raise(qualities: dict[int, int], term: int, quality: int) -> None:
    """Keep the best quality per term."""
    if qualities.get(term, -1) < quality:
        qualities[term] = quality


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
