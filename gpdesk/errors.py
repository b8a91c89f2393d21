"""Errors a user can act on.

Every message here is shown to a practice user as is, so it is plain Dutch and never contains
patient data: these exceptions may end up in log files and crash logs.
"""

from __future__ import annotations

import re


class GpdeskError(Exception):
    """Base: an error the user can act on; message is Dutch and free of patient data."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_text(self) -> str:
        """Message plus what to do, for a dialog or a one-line CLI error."""
        return f"{self.message} {self.hint}".strip()


class ValidationError(GpdeskError):
    """One or more input fields are invalid; `problems` maps field name -> Dutch message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__(join_problems(list(self.problems.values())))


# First words after which a problem is a statement ("Het BSN klopt niet"), so it can continue
# a sentence in lower case; a problem starting otherwise ("Vul ... in", "Regel 2: ...", a name)
# stays a sentence of its own.
_STATEMENT_STARTS = frozenset(
    {"de", "het", "een", "dit", "deze", "dat", "die", "er", "geen", "iemand", "per", "u", "uw"}
)
# Clauses that end the same way are said once: "Het BSN en de naam ontbreken."
_SHARED_ENDINGS = (
    (" ontbreekt", " ontbreken"),
    (" klopt niet", " kloppen niet"),
    (" is niet gevonden in de geplakte tekst", " zijn niet gevonden in de geplakte tekst"),
)
_CHECK = "Controleer "
_CHECK_ENDINGS = (" in het HIS",)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def _and(parts: list[str]) -> str:
    """Join as a Dutch list: a / a en b / a, b en c."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} en {parts[-1]}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _said_once(clauses: list[str], endings: tuple[tuple[str, str], ...]) -> list[str]:
    """Merge clauses sharing an ending: "A ontbreekt", "b ontbreekt" -> "A en b ontbreken"."""
    merged: list[str] = []
    for single, plural in endings:
        sharing = [clause for clause in clauses if clause.endswith(single)]
        if len(sharing) > 1:
            subjects = [clause[: -len(single)] for clause in sharing]
            merged.append(_and(subjects) + plural)
            clauses = [clause for clause in clauses if clause not in sharing]
    return merged + clauses


def join_problems(messages: list[str]) -> str:
    """Several problems as Dutch that reads as one message, not a list glued with semicolons.

    Each message is "what is wrong. What to do." The first sentences that are statements become
    one sentence ("Het BSN klopt niet en de postcode ontbreekt."); the advice follows once, with
    "Controleer ..." sentences merged ("Controleer de cijfers en het nummer in het HIS.").
    """
    if len(messages) <= 1:
        return messages[0] if messages else ""
    statements: list[str] = []
    sentences: list[str] = []
    checks: list[str] = []
    advice: list[str] = []
    for message in messages:
        first, *rest = _SENTENCE_BREAK.split(message.strip())
        clause = first.rstrip(".")
        if clause.split(" ", 1)[0].lower() in _STATEMENT_STARTS and first.endswith("."):
            statements.append(clause)
        else:
            sentences.append(first if first.endswith((".", "!", "?")) else first + ".")
        for sentence in rest:
            if sentence.startswith(_CHECK) and sentence.endswith("."):
                target = sentence[len(_CHECK) : -1]
                if target not in checks:
                    checks.append(target)
            elif sentence not in advice:
                advice.append(sentence)
    parts: list[str] = []
    if statements:
        clauses = _said_once([_lower_first(clause) for clause in statements], _SHARED_ENDINGS)
        sentence = _and(clauses)
        parts.append(sentence[:1].upper() + sentence[1:] + ".")
    parts += sentences
    if checks:
        parts.append(_CHECK + _and(_said_once(checks, tuple((e, e) for e in _CHECK_ENDINGS))) + ".")
    parts += advice
    return " ".join(parts)


class HomeDirError(GpdeskError):
    """The gpdesk home directory cannot be created or written."""


class DatabaseError(GpdeskError):
    """The database cannot be opened, reached or used; the data in it is left untouched."""


class SchemaTooNewError(DatabaseError):
    """The database was migrated by a newer gpdesk; opening it with this one could damage it."""


class PracticeError(GpdeskError):
    """The practice is not set up, or already set up, or not what the command expects."""


class NoPracticeError(PracticeError):
    """No practice was ever here (a new home, a typo in --home, a new database); nothing created."""


class DatabaseLostError(PracticeError):
    """The home shows a practice was used here, but its database is missing or empty.

    Kept apart from NoPracticeError so nothing offers to set up a new practice over a lost one.
    """


class TransportError(GpdeskError):
    """A message was not delivered, and nothing of it went out unprotected.

    ``temporary`` says whether trying again later can help (a server that is down, a timeout)
    or whether someone must first change a setting, a password or a certificate.
    """

    def __init__(self, message: str, *, hint: str = "", temporary: bool) -> None:
        super().__init__(message, hint=hint)
        self.temporary = temporary


class AuthError(GpdeskError):
    """Sign-in failed; deliberately vague about whether the user or the password was wrong."""


TAMPERED = (
    "Deze gegevens zijn buiten gpdesk gewijzigd; vraag de praktijkmanager om `gpdesk check` en "
    "zo nodig een back-up"
)
"""What a user reads when a stored value is not what gpdesk last wrote in its place."""


class TamperedError(GpdeskError):
    """A sealed value does not open in its place, or a lookup found another record than asked.

    Carries where (table, record id), never what: the value may be someone's BSN or name.
    Nothing is shown and nothing is overwritten; ``gpdesk check`` names every such place.
    """

    def __init__(self, table: str, record_id: int) -> None:
        super().__init__(TAMPERED)
        self.table = table
        self.record_id = record_id


class AccountBlockedError(AuthError):
    """The right password, but the account was changed outside gpdesk: not vague, on purpose.

    Only someone who knows the account's password sees it (``gpdesk.security.accounts``).
    """
