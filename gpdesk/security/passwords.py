"""The password rule: one judgement for every password a person chooses.

It follows NIST SP 800-63B (5.1.1.2) and the NCSC: no composition rules (no "one capital, one
digit"), at least ``MIN_LENGTH`` characters, at most ``MAX_LENGTH`` so a pass phrase always fits,
and a refusal of what an attacker tries first. That last part is zxcvbn (MIT licence, its word
lists ship inside the package, nothing goes over the network): it estimates how many guesses a
password costs, knowing common passwords, English words and names, keyboard rows, sequences,
repeats and dates. We add what it cannot know: Dutch words (``resources/passwords_nl.txt``) and
the person's own words — user name, name, practice name, "gpdesk", "huisarts", "praktijk" and
the year — which are the first guesses of someone who knows the practice.

The threshold is zxcvbn score 4, at least 10^10 guesses. The threat gpdesk defends against is
someone holding a copy of the database who guesses offline against the Argon2id key cost: at
the floor of that cost one core tries a few passwords a second, a rented rack of machines a few
thousand. Score 3 (10^8) then falls within a day or so and lets ``Welkom2026!`` and ``visser2026!!``
through; 10^10 takes months, and four or five unrelated words reach it with room to spare.

Only passwords a person chooses are judged: at ``gpdesk init`` and the first-run dialog, at a
password change (``gpdesk user passwd``, the password dialog) and at recovery. One-time passwords
are random and made by gpdesk; the demo practice keeps its documented ``demo1234`` because it
holds fictional data only.

zxcvbn is imported on first use (about a quarter of a second), never on the startup path.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from gpdesk.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256
"""Far above any pass phrase; only a guard against pasting a whole document."""
MIN_SCORE = 4
"""zxcvbn's score: 4 means at least 10^10 guesses (see the module docstring for why)."""
JUDGED_LENGTH = 64
"""zxcvbn's time grows quickly with length (a second for 100 random characters); the first 64
characters are judged. That is conservative: characters after them only add guesses."""

GPDESK_WORDS = ("gpdesk", "huisarts", "huisartsen", "huisartsenpraktijk", "praktijk", "wijkteam")
"""Words every gpdesk password is tried with first, whoever the user."""

TIP = (
    "Tip: kies vier of vijf losse woorden die niet bij elkaar horen, met spaties ertussen. "
    "Zo'n zin is sterk en goed te onthouden."
)
TOO_SHORT = f"Het wachtwoord is te kort: gebruik minstens {MIN_LENGTH} tekens."
TOO_LONG = f"Het wachtwoord is te lang: gebruik hoogstens {MAX_LENGTH} tekens."

_EASY = "Dit wachtwoord is te makkelijk te raden"
_REASONS = {
    "own": "het bevat uw naam, de naam van de praktijk of een woord als ‘huisarts’",
    "common": "het is een veelgebruikt wachtwoord, of lijkt daar sterk op",
    "word": "het bestaat uit een bekend woord of een bekende naam, met weinig erbij",
    "year": "een jaartal of datum is makkelijk te raden",
    "sequence": "een reeks als ‘1234’ of ‘abcd’ is makkelijk te raden",
    "repeat": "herhalingen als ‘aaa’ of ‘abcabc’ maken een wachtwoord nauwelijks sterker",
    "keyboard": "toetsen die naast elkaar liggen, zoals ‘qwerty’, zijn makkelijk te raden",
    "short": "het is te kort en te eenvoudig",
}
_DECORATION = "Een hoofdletter, een cijfer of een leesteken erbij maakt het nauwelijks sterker."
_ORDER = ("own", "common", "year", "sequence", "repeat", "keyboard", "word")
"""When several weaknesses are found, the first of these is the reason given."""

_DUTCH = "passwords_nl"

_SHORTEST_NAME = 2
_SHORTEST_PART = 4
"""Shorter parts of a name ("de", "van", "het") are common words, not a person's own."""

_lock = threading.Lock()
"""zxcvbn keeps the user's words in a module global for the length of one call: one at a time."""


@dataclass(frozen=True)
class Verdict:
    """The outcome for one password: acceptable or not, and why in plain Dutch."""

    acceptable: bool
    reason: str = ""
    """Empty when acceptable; otherwise the reason and the pass-phrase tip, ready to show."""


def own_words(
    *,
    username: str = "",
    display_name: str = "",
    practice_name: str = "",
    today: date | None = None,
) -> list[str]:
    """The words someone who knows this user and practice tries first, most likely first.

    Names are given whole and word by word ("S. Visser" gives "s. visser" and "visser"),
    because a password holds a surname more often than a whole name.
    """
    year = (today or date.today()).year
    words: list[str] = []
    for text in (username, display_name, practice_name):
        cleaned = " ".join(text.lower().split())
        if len(cleaned) >= _SHORTEST_NAME:
            words += [cleaned, cleaned.replace(" ", "")]
        parts = (part.strip(".,-'()") for part in cleaned.split())
        words += [part for part in parts if len(part) >= _SHORTEST_PART]
    words += [*GPDESK_WORDS, *(str(y) for y in (year, year - 1, year + 1))]
    return list(dict.fromkeys(words))


def judge(password: str, words: Sequence[str] = ()) -> Verdict:
    """Whether ``password`` may be used; ``words`` are the person's own (see ``own_words``)."""
    if len(password) < MIN_LENGTH:
        return Verdict(False, f"{TOO_SHORT} {TIP}")
    if len(password) > MAX_LENGTH:
        return Verdict(False, TOO_LONG)
    judged = _period(password[:JUDGED_LENGTH])
    everyone = [*words, *GPDESK_WORDS]
    score, sequence = _estimate(judged, everyone)
    if judged != password[:JUDGED_LENGTH]:
        # A repeated unit ("welkom2026welkom2026…") is as strong as the unit and a little more.
        return Verdict(False, f"{_EASY}: {_REASONS['repeat']}. {TIP}")
    if score >= MIN_SCORE:
        rest = _without(judged, everyone)
        if rest == judged or _estimate(rest, ())[0] >= MIN_SCORE:
            return Verdict(True)
        # zxcvbn counts every further piece as 10^4 guesses, so "smit-singel-2026" passes it;
        # but whoever knows the practice tries its own words together: the rest must hold alone.
        return Verdict(False, f"{_EASY}: {_REASONS['own']}. {TIP}")
    kinds = {_kind(match) for match in sequence}
    kind = next((k for k in _ORDER if k in kinds), "short")
    text = f"{_EASY}: {_REASONS[kind]}."
    if kind in ("common", "word") and _decorated(password, sequence):
        text += f" {_DECORATION}"
    return Verdict(False, f"{text} {TIP}")


def require_strong(password: str, words: Sequence[str] = ()) -> None:
    """Raise a ``ValidationError`` on the "wachtwoord" field with the reason, when refused."""
    verdict = judge(password, words)
    if not verdict.acceptable:
        raise ValidationError({"wachtwoord": verdict.reason})


def _without(password: str, words: Iterable[str]) -> str:
    """``password`` with every own word taken out (longest first, any case)."""
    rest = password
    for word in sorted(words, key=len, reverse=True):
        rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
    return rest


def _period(text: str) -> str:
    """The shortest unit ``text`` repeats (at least twice), or ``text`` itself."""
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return unit
    return text


def _estimate(password: str, words: Iterable[str]) -> tuple[int, Sequence[Mapping[str, object]]]:
    """The score of zxcvbn and the pieces of its cheapest guess, with the Dutch list added."""
    from zxcvbn import zxcvbn

    with _lock:
        _add_dutch_words()
        result = zxcvbn(password, user_inputs=list(words), max_length=MAX_LENGTH)
    return int(result["score"]), result["sequence"]


@cache
def _add_dutch_words() -> None:
    """Once per process: zxcvbn's dictionaries are module state, and so is this addition."""
    from zxcvbn import matching

    text = (files("gpdesk.resources") / "passwords_nl.txt").read_text("utf-8")
    dutch = [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]
    matching.add_frequency_lists({_DUTCH: dutch})


def _kind(match: Mapping[str, object]) -> str:
    """Which of ``_REASONS`` one piece of zxcvbn's cheapest guess stands for."""
    pattern = match.get("pattern")
    if pattern == "dictionary":
        dictionary = match.get("dictionary_name")
        if dictionary == "user_inputs":
            return "year" if str(match.get("matched_word", "")).isdigit() else "own"
        if dictionary in ("passwords", _DUTCH):
            return "common"
        return "word"
    if pattern in {"regex", "date"}:
        return "year"
    if pattern == "spatial":
        return "keyboard"
    return str(pattern)


def _decorated(password: str, sequence: Sequence[Mapping[str, object]]) -> bool:
    """A guessable core with capitals, digits or marks added, as composition rules teach."""
    guessable = any(m.get("pattern") == "dictionary" for m in sequence)
    extras = any(not c.isalpha() for c in password) or password[:1].isupper()
    return guessable and extras
