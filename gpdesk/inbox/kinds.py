"""What kind of letter came in: a suggestion from plain Dutch phrases, confirmed by the user.

The rules are a readable table, not a model: each kind has phrases, and the suggestion lists the
words that tipped it, so the doktersassistent sees why ("advies: wij adviseren, verwijzing") and
corrects it in one click. Matching ignores letter case and accents ("beëindigd" = "beeindigd").

When phrases of several kinds occur, the kind that asks most of the practice wins, in this order:
escalatie (flagged to the GP at once: ``urgent``), advies (a task for the GP), informatieverzoek
(an answer is due), afsluiting, betrokkenheidsmelding, voortgang, bevestiging; nothing: overig.
Missing an advice or an escalation costs more than a second look at a progress letter.

A phrase does not count when a negation stands just before it in the same clause ("er is geen
sprake van een crisis", "zonder verwijzing", "niet meer in crisis"): up to four words back, not
past a comma, full stop or line end.

A one-click answer (``SIG-2026-000123 ontvangen``, see ``gpdesk.signals.replies``) is not a
letter kind but a status update; ``one_click_answer`` recognises it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from gpdesk.signals.replies import ReplyStatus, parse_reply_subject

__all__ = [
    "KindSuggestion",
    "LetterKind",
    "OneClickAnswer",
    "one_click_answer",
    "reply_status",
    "suggest_kind",
]


class LetterKind(StrEnum):
    """The soort brief (GLOSSARY.md); the value is the Dutch word the practice uses."""

    CONFIRMATION = "bevestiging"
    PROGRESS = "voortgang"
    ADVICE = "advies"
    ESCALATION = "escalatie"
    CLOSING = "afsluiting"
    INVOLVEMENT = "betrokkenheidsmelding"
    INFORMATION_REQUEST = "informatieverzoek"
    OTHER = "overig"


@dataclass(frozen=True)
class KindSuggestion:
    """The suggested kind, the phrases that tipped it (as found) and whether it is urgent.

    ``also`` lists the other kinds whose phrases occurred, in rank order, so a screen can offer
    them first when the user corrects the suggestion.
    """

    kind: LetterKind
    reasons: tuple[str, ...]
    urgent: bool
    also: tuple[LetterKind, ...] = ()


# (kind, pattern on folded text). Patterns match whole words; \w* allows Dutch compounds and
# inflections ("crisisopvang", "verwijzen"). Kept in rank order.
_RULES: Final[tuple[tuple[LetterKind, tuple[str, ...]], ...]] = (
    (
        LetterKind.ESCALATION,
        (
            r"crisis\w*",
            r"ondertoezichtstelling\w*",
            r"ots",
            r"veilig thuis",
            r"specialistische (?:jeugd)?(?:zorg|hulp|ggz)",
            r"gedwongen opname",
            r"crisismaatregel",
            r"zorgmachtiging",
            r"inbewaringstelling",
            r"uithuisplaatsing\w*",
            r"raad voor de kinderbescherming",
            r"kinderbeschermingsmaatregel\w*",
            r"huiselijk geweld",
            r"kindermishandeling",
            r"suicid\w*",
            r"acuut onveilig\w*",
            r"onveilige (?:thuis)?situatie",
        ),
    ),
    (
        LetterKind.ADVICE,
        (
            r"(?:wij|we) advisere?n?",
            r"advisere?n? (?:wij|we)",
            r"ons advies",
            r"advies aan (?:u|de huisarts)",
            r"(?:wij|we) raden (?:u )?aan",
            # "uw verwijzing" is the practice's own signal ("uw verwijzing ontvangen").
            r"(?<!uw )(?:door)?verwijzing\w*",
            r"(?:door)?verwijzen",
            r"verwijsbrief",
            r"graag uw (?:beoordeling|oordeel|mening)",
            r"(?:wilt|kunt) u (?:\w+ ){0,3}beoordelen",
            r"tweede ?lijn\w*",
            r"tweedelijns\w*",
        ),
    ),
    (
        LetterKind.INFORMATION_REQUEST,
        (
            r"verzoek om (?:medische )?(?:informatie|gegevens)",
            r"informatieverzoek",
            r"(?:medische|medisch) (?:informatie|gegevens|advies)",
            r"(?:wij|we) (?:vragen|verzoeken) u (?:\w+ ){0,4}(?:informatie|gegevens)",
            r"graag ontvangen (?:wij|we) (?:\w+ ){0,3}(?:informatie|gegevens)",
        ),
    ),
    (
        LetterKind.CLOSING,
        (
            r"afgesloten",
            r"afsluiting",
            r"beeindig\w*",
            r"sluiten (?:wij|we) (?:\w+ ){0,3}af",
            r"(?:wij|we) sluiten (?:\w+ ){0,3}af",
            r"(?:traject|begeleiding|ondersteuning|hulpverlening|dossier|casus) "
            r"(?:\w+ ){0,3}(?:afgerond|gestopt)",
        ),
    ),
    (
        LetterKind.INVOLVEMENT,
        (
            r"betrokken (?:zijn |is |geraakt )?bij (?:uw )?"
            r"(?:patient|client|het gezin|mevrouw|meneer|de heer)\w*",
            r"(?:wij|we) zijn (?:\w+ ){0,3}betrokken",
            r"zijn (?:wij|we) (?:\w+ ){0,3}betrokken",
            r"betrokkenheid\w*",
        ),
    ),
    (
        LetterKind.PROGRESS,
        (
            r"voortgang\w*",
            r"stand van zaken",
            r"tussentijds\w*",
            r"(?:wij|we) zijn (?:nog )?(?:bezig|in gesprek)",
            r"(?:een|het) (?:eerste|tweede|volgende) gesprek",
            r"contact gehad",
            r"huisbezoek\w*",
        ),
    ),
    (
        LetterKind.CONFIRMATION,
        (
            r"(?:aanmelding|signaal|verwijzing|bericht) (?:\w+ ){0,4}ontvangen",
            r"in goede orde ontvangen",
            r"(?:wij|we) helpen",
            r"(?:wij|we) gaan (?:\w+ ){0,3}helpen",
            r"(?:wij|we) nemen (?:\w+ ){0,3}contact op",
            r"intake\w*",
            r"kennismakingsgesprek\w*",
            r"bevestig\w*",
        ),
    ),
)

_NEGATIONS: Final = frozenset({"geen", "niet", "zonder", "nooit", "noch", "geenszins"})
_NEGATION_WINDOW: Final = 4
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]")
_COMPILED: Final = tuple(
    (kind, tuple(re.compile(rf"\b(?:{pattern})\b") for pattern in patterns))
    for kind, patterns in _RULES
)
_ANY_OF: Final = {
    kind: re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")
    for kind, patterns in _RULES
}
"""Per kind, all its patterns at once: a text none of them matches is passed over in one scan
(the patterns one by one cost half a millisecond a letter, on the ingest's path)."""


def _fold(text: str) -> str:
    """Lower case without accents; the length stays the same, so positions map back."""
    if text.isascii():
        return text.lower()  # the same, character for character, and a hundred times faster
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)
    plain = "".join(c for c in base if not unicodedata.combining(c)).lower()
    return plain[:1] or char


def _negated(folded: str, start: int) -> bool:
    """Whether a negation word stands up to four words before ``start``, in the same clause."""
    before = folded[:start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    words = clause.split()[-_NEGATION_WINDOW:]
    return any(word in _NEGATIONS for word in words)


def suggest_kind(subject: str, text: str) -> KindSuggestion:
    """The kind the rules suggest for a letter's subject and text, with the words that tipped it."""
    original = f"{subject}\n{text}"
    folded = _fold(original)
    hits: dict[LetterKind, list[str]] = {}
    for kind, patterns in _COMPILED:
        if _ANY_OF[kind].search(folded) is None:
            continue
        for pattern in patterns:
            for match in pattern.finditer(folded):
                if _negated(folded, match.start()):
                    continue
                words = " ".join(original[match.start() : match.end()].split())
                found = hits.setdefault(kind, [])
                if words.lower() not in (w.lower() for w in found):
                    found.append(words)
    ranked = [kind for kind, _ in _COMPILED if kind in hits]
    if not ranked:
        return KindSuggestion(LetterKind.OTHER, (), urgent=False)
    kind = ranked[0]
    return KindSuggestion(
        kind,
        tuple(hits[kind]),
        urgent=kind is LetterKind.ESCALATION,
        also=tuple(ranked[1:]),
    )


# -- the one-click answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class OneClickAnswer:
    """A team's answer made with a signal's one-click link: which signal, which status."""

    reference: str
    status: ReplyStatus


_BODY_LINE = re.compile(r"^\s*(?P<label>kenmerk|status)\s*:\s*(?P<value>.+?)\s*$", re.IGNORECASE)


def _from_body(text: str) -> OneClickAnswer | None:
    """The two lines ``reply_mailto`` puts in the body ("Kenmerk: …", "Status: …")."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _BODY_LINE.match(line)
        if match:
            values.setdefault(match.group("label").lower(), match.group("value"))
    if set(values) != {"kenmerk", "status"}:
        return None
    parsed = parse_reply_subject(f"{values['kenmerk']} {values['status']}")
    return None if parsed is None else OneClickAnswer(*parsed)


def one_click_answer(subject: str, text: str) -> OneClickAnswer | None:
    """The one-click answer in a reply, from its subject or else its two body lines, or None.

    The subject decides when it is a one-click subject; the body lines are the fallback for a
    client that changed the subject (some add the original subject or a ticket number).
    """
    parsed = parse_reply_subject(subject)
    if parsed is not None:
        return OneClickAnswer(*parsed)
    return _from_body(text)


def reply_status(subject: str, text: str) -> ReplyStatus | None:
    """Only the status of a one-click answer (see ``one_click_answer`` for its reference too)."""
    answer = one_click_answer(subject, text)
    return None if answer is None else answer.status
