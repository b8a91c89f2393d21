"""Interchangeable search terms, so "geldzorgen" finds "schulden".

A term may be several words ("veilig thuis" finds "huiselijk geweld"). Terms are folded with
``textnorm.words`` like everything else the search compares, so the list is written in plain
Dutch. The curated list ships in ``resources/kaart/synonyms.txt`` and is read once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.resources import files

from gpdesk.kaart.textnorm import words

Term = tuple[str, ...]
"""A search term as folded words; more than one for a phrase."""


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
