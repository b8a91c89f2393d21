"""The indexed words of the sociale kaart, and how one query word finds them and scores.

This module is the one place for the matching and scoring rules and their constants;
``index`` combines the per-word scores into a ranking. Every indexed word (folded) gets a
term id in sorted order, followed by the multi-word synonym phrases found in the services;
each term has posting lists per field (sorted service numbers). A ``Vocabulary`` is built once
and then only read; its memo caches are ``functools.lru_cache`` wrappers (thread-safe) around
pure functions, bounded per index.

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
    alternate_name 6, former_names 6 (teams change names often; the old one still finds
    them), themes 6, organization 3 (its name, other name and earlier names), contacts 3,
    description 1. A query word scores the best of its matches in a service (no sum over
    fields or repeats). A service scores ``(sum over the query words + 200 if its name starts
    with the whole query)``, the 200 being for someone typing a name, and that times 5/4
    (rounded down) when a postcode filter is given and the service's area covers it, and
    times 1/2 (rounded down) when it is temporarily closed: it stays findable, labelled, but
    comes after open services that match about as well. Scores are integers, so equal scores
    are really equal; ties are broken by name (folded), then id. Hence exact > prefix >
    compound > synonym > typo within a field, and a name match beats any description match.
"""

from __future__ import annotations

import functools
import string
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from gpdesk.kaart.search.synonyms import Synonyms, Term
from gpdesk.kaart.textnorm import STOPWORDS, fold, joined_words, split

FIELDS = (
    "name",
    "alternate_name",
    "former_names",
    "themes",
    "organization",
    "contacts",
    "description",
)
"""Searched record fields, most important first; ``Hit.matched_fields`` uses these names."""
FIELD_WEIGHTS = (10, 6, 6, 6, 3, 3, 1)

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
CLOSED_PENALTY = (1, 2)
"""A temporarily closed service's score is multiplied by this (numerator, denominator)."""

MIN_PART_LENGTH = 4
"""Shortest query word looked for inside compounds, as synonym compound or with typos."""
TYPO_BELOW_SERVICES = 5
TWO_EDITS_FROM = 8

_DESCRIPTION = FIELDS.index("description")
# Descriptions skip function words and single characters: they would match every service.
_NOT_IN_DESCRIPTIONS = STOPWORDS | frozenset(string.ascii_lowercase + string.digits)
_TOP = "\U0010ffff"
_MATCH_CACHE_SIZE = 64  # one entry can map every service; 64 bounds it to a few tens of MB
_PREFIXES_CACHE_SIZE = 1024


def prefix_range(keys: Sequence[str], prefix: str) -> tuple[int, int]:
    """The slice of the sorted ``keys`` that start with ``prefix``, found by bisection."""
    start = bisect_left(keys, prefix)
    return start, bisect_left(keys, prefix + _TOP, start)


@dataclass(frozen=True, slots=True)
class WordMatch:
    """How one query word matches: best score per service, and which (field, term) gave it."""

    scores: dict[int, int]
    by_score: dict[int, list[tuple[int, int, tuple[int, ...]]]]  # (field, term id, services)


class Vocabulary:
    """The sorted words and synonym phrases of the services, with posting lists per field."""

    __slots__ = (
        "_joined",
        "_labels",
        "_match",
        "_post",
        "_prefixes",
        "_starts",
        "_synonyms",
        "_vocab",
    )

    def __init__(self, services: Iterable[tuple[tuple[str, ...], ...]], synonyms: Synonyms) -> None:
        """Index the services in service-number order, each as its texts per field of FIELDS."""
        self._synonyms = synonyms
        self._index_words(services)
        self._match = functools.lru_cache(maxsize=_MATCH_CACHE_SIZE)(self._compute_match)
        self._prefixes = functools.lru_cache(maxsize=_PREFIXES_CACHE_SIZE)(self._compute_prefixes)

    def match(
        self, token: str, phrase_alternatives: tuple[Term, ...], whole_word: bool
    ) -> WordMatch:
        """Score per service for one query word (memoised: the same word comes every keystroke).

        Args:
            token: the folded query word.
            phrase_alternatives: synonyms of a query phrase this word is part of.
            whole_word: match ``token`` only exactly (a finished function word).
        """
        return self._match(token, phrase_alternatives, whole_word)

    @property
    def labels(self) -> tuple[str, ...]:
        """Per term id the folded word or synonym phrase, for highlighting."""
        return self._labels

    # -- building ---------------------------------------------------------------------------

    def _index_words(self, services: Iterable[tuple[tuple[str, ...], ...]]) -> None:
        """Posting lists per (word, field), plus synonym phrases found in the services."""
        phrases_by_first: dict[str, list[Term]] = {}
        for term in self._synonyms.terms:
            if len(term) > 1:
                phrases_by_first.setdefault(term[0], []).append(term)
        field_posts: list[defaultdict[str, list[int]]] = [defaultdict(list) for _ in FIELDS]
        phrase_posts: list[defaultdict[Term, list[int]]] = [defaultdict(list) for _ in FIELDS]
        for d, fields in enumerate(services):
            for field, segments in enumerate(fields):
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

    # -- one query word ---------------------------------------------------------------------

    def _compute_match(
        self, token: str, phrase_alternatives: tuple[Term, ...], whole_word: bool
    ) -> WordMatch:
        if whole_word:
            start, end = prefix_range(self._vocab, token)
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
        return WordMatch(scores, by_score)

    def _expand(self, token: str) -> dict[int, int]:
        """Indexed terms (ids) that ``token`` matches, with the match quality."""
        vocab = self._vocab
        qualities: dict[int, int] = {}
        start, end = prefix_range(vocab, token)
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
        start, end = prefix_range(self._vocab, word)
        if start < end and self._vocab[start] == word:
            _raise(qualities, start, SYNONYM)
            start += 1
        if len(word) >= MIN_PART_LENGTH:
            for term in range(start, end):
                _raise(qualities, term, SYNONYM_COMPOUND)

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
                start, end = prefix_range(self._vocab, prefix)
                for term in range(start, end):
                    whole = len(self._vocab[term]) == length
                    _raise(found, term, base if whole else base - TYPO_PREFIX_PENALTY)
        return found

    def _compute_prefixes(self, first: str, length: int) -> tuple[str, ...]:
        """Distinct starts of ``length`` letters of the terms beginning with ``first``."""
        start, end = prefix_range(self._vocab, first)
        return tuple(
            sorted({word[:length] for word in self._vocab[start:end] if len(word) >= length})
        )


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
