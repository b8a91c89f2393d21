"""The LHV checklist for a request for medical information, and whether consent holds.

A team (Wmo, Jeugd) asks the GP for medical information. The LHV's guidance, as the practice
applies it (PRODUCT.md, Wgbo art. 7:457, AVG art. 5(1)(c)): the GP answers only when

1. the patient consented, and that consent covers this request;
2. the purpose of the request is known;
3. only factual information needed for that purpose is given;
4. questions that ask for a judgement are not answered.

The GP ticks each point; gpdesk checks the first against the consent on record for the
requesting team's organisation, so a tick cannot stand in for a consent that is not there.

What an answer shares, and what the consent must therefore cover: ``Purpose.REFERRAL`` (the
GP informs the team so that it can help the patient; the consent text says so for a GP as
informant) for ``DataItem.NAME`` (whom it is about; the team's own request, which the answer
replies to, says the rest) and ``DataItem.MEDICAL``. A refusal shares nothing about the patient
and needs no consent.

Pure: no database, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from gpdesk.models.consent import DataItem, Purpose
from gpdesk.signals.consent import ConsentScope, ConsentState, Coverage, dutch_date

__all__ = [
    "ANSWER_ITEMS",
    "ANSWER_PURPOSE",
    "CHECKLIST",
    "Check",
    "ConsentView",
    "missing_checks",
    "parse_checks",
    "stored_checks",
]


class Check(StrEnum):
    """One point of the LHV checklist; the value is stored with the answer."""

    CONSENT = "toestemming"
    PURPOSE = "doel"
    FACTUAL = "feitelijk"
    NO_JUDGEMENT = "geen_oordeel"

    @property
    def text(self) -> str:
        """The words next to the checkbox."""
        return CHECKLIST[self]


CHECKLIST: Final = {
    Check.CONSENT: "De patiënt heeft toestemming gegeven, en die toestemming dekt dit verzoek.",
    Check.PURPOSE: "Het doel van het verzoek is bekend (bijvoorbeeld een Wmo-aanvraag of "
    "jeugdhulp).",
    Check.FACTUAL: "Ik geef alleen feitelijke informatie die nodig is voor dat doel.",
    Check.NO_JUDGEMENT: "Ik beantwoord geen vragen die om een oordeel vragen (zoals: komt "
    "iemand in aanmerking voor hulp).",
}
"""The LHV checklist in the practice's words (B1), in the order the GP reads it."""

ANSWER_PURPOSE: Final = Purpose.REFERRAL
ANSWER_ITEMS: Final = (DataItem.NAME, DataItem.MEDICAL)


def missing_checks(checks: Iterable[Check | str]) -> tuple[Check, ...]:
    """The points not ticked, in checklist order (empty: every box is ticked)."""
    ticked = {Check(c) for c in checks}
    return tuple(c for c in Check if c not in ticked)


def stored_checks(checks: Iterable[Check | str]) -> str:
    """The ticked points as stored: values in checklist order, separated by commas."""
    ticked = {Check(c) for c in checks}
    return ",".join(c.value for c in Check if c in ticked)


def parse_checks(text: str) -> tuple[Check, ...]:
    """The ticked points ``stored_checks`` wrote."""
    return tuple(Check(v) for v in text.split(",") if v)


@dataclass(frozen=True)
class ConsentView:
    """The consent state the dialog shows beside the checklist: plain words, nothing sealed."""

    coverage: Coverage
    scope: ConsentScope | None
    """The consent that allows it, else the nearest miss (or None when there is none)."""
    organisation: str
    """The requesting team's organisation, as the consent must name it."""

    @property
    def holds(self) -> bool:
        """A consent on record covers an answer to this team."""
        return self.coverage.ok

    def describe(self, at: datetime) -> str:
        """Which consent, its scope and date, and what is missing (the screen adds what to do)."""
        scope = self.scope
        if scope is None:
            return f"Er is geen toestemming van de patiënt vastgelegd voor {self.organisation}."
        what = (
            f"Toestemming van {dutch_date(scope.given_on)}, geldig tot en met "
            f"{dutch_date(scope.valid_until)}, voor "
            + ", ".join(org.name for org in scope.organisations)
            + ": "
            + "; ".join(p.label for p in Purpose if p in scope.purposes)
            + ". Gegevens: "
            + ", ".join(i.label for i in DataItem if i in scope.items)
            + "."
        )
        if self.holds:
            return what + " Deze toestemming dekt een antwoord met medische informatie."
        if scope.state(at) is not ConsentState.VALID:
            what = what.replace("Toestemming van", "De laatste toestemming is van", 1)
        return f"{what} {self.coverage.message}"
