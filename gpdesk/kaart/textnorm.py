"""Folding and splitting Dutch text, identically for the index and for what the user types.

Searching must not depend on how a name was spelled in the database: "Öztürk" finds "Ozturk",
"financiën" finds "financien", "één" finds "een". Both sides therefore go through ``fold`` and
``words``; a difference between the two would make a service unfindable.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not take apart into a base letter plus accents.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Combining marks: what NFKD splits off a letter ("ë" → "e" + diaeresis).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")
# A word joined to the next by a hyphen or apostrophe ("jongeren-werk", "'s-gravenland").
_JOINED = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)+")
_JOINERS = re.compile(r"[-'’]")

# Frequent Dutch function words. Descriptions do not index them (they would put every service
# behind the prefix "o" or "d"), and a query does not require them to match.
STOPWORDS = frozenset(
    {
        "aan", "al", "als", "bij", "dan", "dat", "de", "deze", "die", "dit", "door", "en", "er",
        "haar", "het", "hij", "hun", "ik", "in", "is", "je", "kan", "kunt", "maar", "met", "na",
        "naar", "niet", "nog", "of", "om", "onder", "ons", "onze", "ook", "op", "over", "per",
        "s", "t", "te", "tegen", "tot", "u", "uit", "uw", "van", "voor", "wat", "we", "wel",
        "wij", "wordt", "worden", "ze", "zij", "zijn", "zo", "zoals", "zich",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without diacritics, so spelling variants compare equal."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded.translate(_UNDECOMPOSABLE))
    return _COMBINING.sub("", decomposed)


def split(folded: str) -> list[str]:
    """The words of already folded text in order; hyphens and apostrophes separate words."""
    return _WORD.findall(folded)


def words(text: str) -> list[str]:
    """The folded words of ``text`` in order."""
    return _WORD.findall(fold(text))


def joined_words(folded: str) -> list[str]:
    """Hyphenated words written as one ("jongeren-werk" → "jongerenwerk"), for the index.

    ``folded`` must already be folded. Indexing both forms lets "jongerenwerk" find
    "Jongeren-werk" and "werk" find it too.
    """
    return [_JOINERS.sub("", match) for match in _JOINED.findall(folded)]
