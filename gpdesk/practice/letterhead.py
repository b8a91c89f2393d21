"""The practice's letterhead: the address and phone a signal and a handout go out under.

A signal needs them (the team must know whom to call back), and ``gpdesk init`` asks only for
the practice's name, so a beheerder sets them here before the first signal. Plain values: they
are the practice's public details, nothing about a patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import ValidationError
from gpdesk.models.practice import Practice
from gpdesk.patients.validation import normalise_phone
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.permissions import Permission, require

ADDRESS_FIELD: Final = "adres"
PHONE_FIELD: Final = "telefoon"
AGB_FIELD: Final = "agb"
MAX_LINES: Final = 4
MAX_LINE_LENGTH: Final = 80
_AGB = re.compile(r"[0-9]{8}")


@dataclass(frozen=True)
class Letterhead:
    """Name, address lines, phone (as typed, checked) and the AGB code when known."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    agb_code: str | None

    @property
    def complete(self) -> bool:
        """Enough to send a signal under: an address and a phone number."""
        return bool(self.address_lines and self.phone)

    def as_json(self) -> dict[str, Any]:
        """For ``--json``: the keys a script reads."""
        return {
            "naam": self.name,
            "adres": list(self.address_lines),
            "telefoon": self.phone,
            "agb": self.agb_code,
            "compleet": self.complete,
        }


def _row(session: Session) -> Practice:
    row = session.scalar(select(Practice).limit(1))
    if row is None:
        raise ValidationError({ADDRESS_FIELD: "Er is nog geen praktijk in deze database."})
    return row


def _view(row: Practice) -> Letterhead:
    lines = tuple(row.address.splitlines()) if row.address else ()
    return Letterhead(row.name, lines, row.phone or "", row.agb_code)


def letterhead(session: Session) -> Letterhead:
    """The letterhead as it is now."""
    return _view(_row(session))


def _checked_lines(lines: list[str]) -> tuple[str, ...]:
    tidy = tuple(" ".join(line.split()) for line in lines if line.strip())
    if not tidy:
        raise ValidationError({ADDRESS_FIELD: "Het adres ontbreekt. Vul straat en plaats in."})
    if len(tidy) > MAX_LINES or any(len(line) > MAX_LINE_LENGTH for line in tidy):
        raise ValidationError(
            {ADDRESS_FIELD: f"Het adres past niet op een brief: hooguit {MAX_LINES} korte regels."}
        )
    return tidy


def set_letterhead(
    session: Session,
    actor: Actor,
    *,
    address_lines: list[str] | None = None,
    phone: str | None = None,
    agb_code: str | None = None,
) -> Letterhead:
    """Change what is given (None keeps it); checked and audited, for a beheerder only."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = _row(session)
    problems: dict[str, str] = {}
    new_address = row.address
    if address_lines is not None:
        try:
            new_address = "\n".join(_checked_lines(address_lines))
        except ValidationError as exc:
            problems.update(exc.problems)
    new_phone = row.phone
    if phone is not None:
        try:
            normalise_phone(phone)  # checked as a number; kept as the practice writes it
            new_phone = " ".join(phone.split())
        except ValidationError as exc:
            problems[PHONE_FIELD] = next(iter(exc.problems.values()))
    new_agb = row.agb_code
    if agb_code is not None:
        code = agb_code.strip()
        if code and not _AGB.fullmatch(code):
            problems[AGB_FIELD] = "Een AGB-code heeft 8 cijfers. Laat het leeg als u hem niet weet."
        new_agb = code or None
    if problems:
        raise ValidationError(problems)
    changed = [
        word
        for word, before, after in (
            ("adres", row.address, new_address),
            ("telefoon", row.phone, new_phone),
            ("AGB-code", row.agb_code, new_agb),
        )
        if before != after
    ]
    row.address, row.phone, row.agb_code = new_address, new_phone, new_agb
    if changed:
        audit.record(
            session, event="practice.letterhead", action=audit.Action.UPDATE, actor=actor,
            object_type="practice", object_id=row.id, detail=", ".join(changed) + " gewijzigd",
        )  # fmt: skip
    return _view(row)
