"""Kopieer voor HIS (issue #11 item 7): what the HIS asks for when incoming post is registered.

The NHG HIS-referentiemodel registers incoming correspondence with the date received, the
sender and their discipline, the kind of correspondence, a short summary and the episode it
belongs to. ``his_note`` writes exactly that as plain text for the clipboard:

    Datum ontvangen: 07-12-2026
    Afzender: Wijkteam Nieuwland (sociaal domein / wijkteam)
    Soort correspondentie: advies van het wijkteam (besluit huisarts nodig)
    Kenmerk signaal: SIG-2026-000001
    Samenvatting: ...
    Episode (suggestie): Z01 Armoede/financiële problemen

The summary is the user's (edited in the screen) or, by default, the start of the letter's
text; the letter itself is never altered. A BSN is never in the note: any nine-digit number
that passes the elfproef, and anything after a "BSN" label, is left out. The episode is a
suggestion from chapter Z of ICPC (``resources/inbox/icpc_z.json``, editable): by the signal's
themes first, then by words in the text, else "sociaal probleem NAO".

Making the note opens the letter's sealed text, so it is audited as a read (``letter.copy``).
The screen puts it on the clipboard and clears the clipboard after ``CLIPBOARD_SECONDS``; that
is the GUI's work, not this module's.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.reading import letter_row, patient_ref_of
from gpdesk.inbox.store.triage import (
    refuse_closed,
    refuse_unless_letter_current,
)
from gpdesk.models import Letter, LetterPart, LetterSource, Signal
from gpdesk.patients.validation import passes_elfproef
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refusing_tampered
from gpdesk.signals.consent import dutch_date, local_date

__all__ = [
    "CLIPBOARD_SECONDS",
    "SUMMARY_LENGTH",
    "Episode",
    "HisNote",
    "his_note",
    "suggest_episode",
]

CLIPBOARD_SECONDS: Final = 30
"""The screen clears the clipboard this long after copying (issue #11 item 7)."""
SUMMARY_LENGTH: Final = 300
"""The default summary: about this many characters of the letter's text, cut at a word."""
DISCIPLINE: Final = "sociaal domein / wijkteam"
ICPC_FILE: Final = "icpc_z.json"
BSN_LEFT_OUT: Final = "[BSN weggelaten]"

_KIND_WORDS: Final = {
    LetterKind.CONFIRMATION: "bevestiging van het wijkteam (het team helpt de patiënt)",
    LetterKind.PROGRESS: "voortgangsbericht van het wijkteam",
    LetterKind.ADVICE: "advies van het wijkteam (besluit huisarts nodig)",
    LetterKind.ESCALATION: "escalatie door het wijkteam (specialistische zorg of crisis)",
    LetterKind.CLOSING: "afsluitbericht van het wijkteam",
    LetterKind.INVOLVEMENT: "betrokkenheidsmelding (het team helpt de patiënt al)",
    LetterKind.INFORMATION_REQUEST: "informatieverzoek van het wijkteam",
    LetterKind.OTHER: "overige correspondentie van het wijkteam",
}

_NINE_DIGITS = re.compile(r"(?<![\d.])(\d{4}[ .]?\d{2}[ .]?\d{3}|\d{9})(?![\d])")
_LABELLED_BSN = re.compile(r"\b(bsn|burgerservicenummer)\b\W{0,3}[\d .]{7,12}\d", re.IGNORECASE)


@dataclass(frozen=True)
class Episode:
    """An ICPC rubric: code and Dutch title."""

    code: str
    label: str


@dataclass(frozen=True, repr=False)
class HisNote:
    """The text for the HIS, and the suggested episode on its own for a screen to show.

    ``summary`` is the summary used, for the screen's editable field.
    """

    text: str
    episode_code: str
    episode_label: str
    summary: str = ""

    def __repr__(self) -> str:
        return f"HisNote(episode_code={self.episode_code!r}, <redacted>)"


# -- the ICPC list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IcpcCatalogue:
    """The ICPC file read: titles per code, candidates per theme, word patterns per code."""

    codes: dict[str, str]
    themes: dict[str, tuple[str, ...]]
    keywords: dict[str, tuple[re.Pattern[str], ...]]
    default: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_catalogue(data: Any) -> IcpcCatalogue:
    """Read the ICPC file's JSON; a code named anywhere must be among ``codes``."""
    codes = {str(k): str(v) for k, v in data["codes"].items()}
    themes = {str(k): tuple(str(c) for c in v) for k, v in data.get("themes", {}).items()}
    keywords = {
        str(code): tuple(re.compile(r"\b" + re.escape(_fold(str(w)))) for w in words)
        for code, words in data.get("keywords", {}).items()
    }
    default = str(data["default"])
    named = {default, *keywords, *(c for cs in themes.values() for c in cs)}
    unknown = sorted(named - codes.keys())
    if unknown:
        raise ValueError(f"ICPC codes used but not listed: {', '.join(unknown)}")
    return IcpcCatalogue(codes, themes, keywords, default)


@cache
def catalogue() -> IcpcCatalogue:
    """The ICPC list shipped in ``resources/inbox`` (read once per process)."""
    text = (files("gpdesk.resources") / "inbox" / ICPC_FILE).read_text("utf-8")
    return parse_catalogue(json.loads(text))


def suggest_episode(
    themes: tuple[str, ...], text: str, *, icpc: IcpcCatalogue | None = None
) -> Episode:
    """The episode for a letter: the signal's themes first, words in the text next, else NAO.

    With a theme, the text's words choose among that theme's candidates (the first candidate
    when none occur); without one, the code with the most words found wins (the list's order
    breaks ties).
    """
    known = icpc or catalogue()
    folded = _fold(text)

    def hits(code: str) -> int:
        return sum(1 for p in known.keywords.get(code, ()) if p.search(folded))

    candidates = [c for theme in themes for c in known.themes.get(theme, ())]
    if candidates:
        best = max(candidates, key=lambda c: (hits(c), -candidates.index(c)))
        return Episode(best, known.codes[best])
    scored = [(hits(code), -index, code) for index, code in enumerate(known.codes)]
    count, _, code = max(scored)
    chosen = code if count else known.default
    return Episode(chosen, known.codes[chosen])


# -- the note ------------------------------------------------------------------------------------


def without_bsn(text: str) -> str:
    """The text with every BSN left out: labelled ones, and any elfproef-valid nine digits."""
    text = _LABELLED_BSN.sub(lambda m: f"{m.group(1)}: {BSN_LEFT_OUT}", text)

    def scrub(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        return BSN_LEFT_OUT if passes_elfproef(digits) else match.group(0)

    return _NINE_DIGITS.sub(scrub, text)


def short_summary(text: str, length: int = SUMMARY_LENGTH) -> str:
    """The start of ``text``, whitespace made single, cut at a word near ``length``."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + " …"


def _sender(letter: Letter) -> str:
    if letter.source is LetterSource.PHONE:
        who = letter.sender_name or "onbekend"
        team = f", {letter.team_name}" if letter.team_name else ""
        return f"{who}{team} ({DISCIPLINE}), telefonisch"
    name = letter.team_name or letter.sender_name or letter.sender_address or "onbekend"
    return f"{name} ({DISCIPLINE})"


def _kind_words(letter: Letter) -> str:
    try:
        words = _KIND_WORDS[LetterKind(letter.kind)] if letter.kind else None
    except ValueError:
        words = None
    words = words or "correspondentie van het wijkteam"
    if letter.source is LetterSource.PHONE:
        return f"telefonische terugkoppeling: {words}"
    return words


def _letter_text(session: Session, vault: Vault, letter: Letter) -> str:
    """The letter's text; without one, the text of its first readable attachment."""
    if letter.body_text is not None:
        body = vault.open("letter", "body_text", letter.id, bytes(letter.body_text))
        if body.strip():
            return body
    parts = session.scalars(
        select(LetterPart)
        .where(
            LetterPart.letter_id == letter.id, LetterPart.safe_to_open, LetterPart.text.is_not(None)
        )
        .order_by(LetterPart.position)
    )
    for part in parts:
        assert part.text is not None
        text = vault.open("letter_part", "text", part.id, bytes(part.text))
        if text.strip():
            return text
    return ""


def his_note(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    summary: str | None = None,
) -> HisNote:
    """The text to paste into the HIS for this letter; audited as a read, commits nothing.

    ``summary`` replaces the default summary (the start of the letter's text). A letter in
    quarantine or forgotten after retention has no text to copy and is refused.
    """
    require(actor.permissions, Permission.LETTER_READ)
    letter = letter_row(session, letter_id)
    if letter.quarantine_reason is not None or letter.forgotten_at is not None:
        refuse_closed(session, letter, "gekopieerd voor het HIS", filed_too=False)
    patient_ref = patient_ref_of(session, letter.patient_id)
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=patient_ref):
        refuse_unless_letter_current(session, vault, letter.id)
        text = _letter_text(session, vault, letter)
    chosen = short_summary(text) if summary is None else " ".join(summary.split())
    signal = None if letter.signal_id is None else session.get(Signal, letter.signal_id)
    themes = () if signal is None else tuple(t for t in signal.themes.split(",") if t)
    episode = suggest_episode(themes, text)
    lines = [
        f"Datum ontvangen: {dutch_date(local_date(letter.received_at))}",
        f"Afzender: {_sender(letter)}",
        f"Soort correspondentie: {_kind_words(letter)}",
    ]
    if signal is not None:
        lines.append(f"Kenmerk signaal: {signal.reference}")
    lines.append(f"Samenvatting: {chosen}")
    lines.append(f"Episode (suggestie): {episode.code} {episode.label}")
    audit.record(
        session, event="letter.copy", action=audit.Action.READ, actor=actor,
        patient_ref=patient_ref, object_type="letter", object_id=letter.id, vault=vault,
        detail=f"terugkoppeling {letter.id}: tekst voor het HIS gemaakt ({episode.code})",
    )  # fmt: skip
    return HisNote(
        text=without_bsn("\n".join(lines)),
        episode_code=episode.code,
        episode_label=episode.label,
        summary=without_bsn(chosen),
    )
