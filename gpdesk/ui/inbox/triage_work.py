"""Worker functions for the triage actions: each runs off the GUI thread in its own session.

An action commits with its audit entry (``store.triage``) and then reads the letter again
(``letter_detail``, audited like any read) so the pane shows what is now true. The choices a
dialog offers are read here too: whom a letter may be assigned to, and which patients a letter
may be about, with only what a person needs to recognise them (name and birth date; never the
BSN, address or phone), and the score with what matched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission


@dataclass(frozen=True)
class Assignee:
    """Someone (or a role) a letter may be given to, as the assign dialog lists them."""

    label: str
    user_id: int | None = None
    role: Role | None = None


@dataclass(frozen=True, repr=False)
class PatientChoice:
    """A suggested patient: enough to recognise them, the score and why (never the BSN)."""

    patient_id: int
    name: str
    birth_date: date
    score: int
    reasons: tuple[str, ...]
    tell_apart: str = ""
    """Only for two suggestions with the same name and birth date: the BSN's last three
    digits, the least that tells them apart (as the HIS shows it)."""

    def __repr__(self) -> str:
        return f"PatientChoice(id={self.patient_id}, score={self.score}, <redacted>)"


def _then_read(
    db: Database, signed: SignedIn, letter_id: int, act: Callable[[Session], object]
) -> LetterDetail:
    """Do ``act`` and commit, then read the letter as it is now."""
    from gpdesk.inbox.store.detail import letter_detail

    with db.session() as session:
        act(session)
    with db.session() as session:
        return letter_detail(session, signed.vault, signed.actor, letter_id)


def assign_to(
    db: Database, signed: SignedIn, letter_id: int, to: Assignee, note: str
) -> LetterDetail:
    """Worker: Toewijzen, to one person or to a role."""
    from gpdesk.inbox.store.triage import assign

    return _then_read(
        db, signed, letter_id,
        lambda s: assign(
            s, signed.vault, signed.actor, letter_id, user_id=to.user_id, role=to.role, note=note
        ),
    )  # fmt: skip


def forward(db: Database, signed: SignedIn, letter_id: int, note: str) -> LetterDetail:
    """Worker: Doorsturen naar verwijzer, with the note."""
    from gpdesk.inbox.store.triage import forward_to_referrer

    return _then_read(
        db, signed, letter_id,
        lambda s: forward_to_referrer(s, signed.vault, signed.actor, letter_id, note),
    )  # fmt: skip


def confirm(db: Database, signed: SignedIn, letter_id: int, kind: LetterKind) -> LetterDetail:
    """Worker: Soort bevestigen."""
    from gpdesk.inbox.store.triage import confirm_kind

    return _then_read(
        db, signed, letter_id,
        lambda s: confirm_kind(s, signed.vault, signed.actor, letter_id, kind),
    )  # fmt: skip


def link_to(
    db: Database,
    signed: SignedIn,
    letter_id: int,
    *,
    signal_reference: str | None = None,
    patient_id: int | None = None,
) -> LetterDetail:
    """Worker: Koppelen, to a signal by its reference or to a patient."""
    from gpdesk.inbox.store.triage import link

    return _then_read(
        db, signed, letter_id,
        lambda s: link(
            s, signed.vault, signed.actor, letter_id, signal_reference=signal_reference,
            patient_id=patient_id,
        ),
    )  # fmt: skip


def unlink_letter(db: Database, signed: SignedIn, letter_id: int) -> LetterDetail:
    """Worker: Ontkoppelen."""
    from gpdesk.inbox.store.triage import unlink

    return _then_read(
        db, signed, letter_id, lambda s: unlink(s, signed.vault, signed.actor, letter_id)
    )


def archive_letter(db: Database, signed: SignedIn, letter_id: int) -> LetterDetail:
    """Worker: Archiveren."""
    from gpdesk.inbox.store.triage import archive

    return _then_read(
        db, signed, letter_id, lambda s: archive(s, signed.vault, signed.actor, letter_id)
    )


def load_assignees(db: Database, signed: SignedIn) -> list[Assignee]:
    """Worker: the signed-in user first, the colleagues who may read letters, then the roles."""
    from gpdesk.security.users import list_users, permission_table, who_may

    with db.session() as session:
        table = permission_table(session, signed.vault)
        users = who_may(list_users(session, include_disabled=False), table, Permission.LETTER_READ)
    me = signed.actor
    found = [
        Assignee(f"mij ({me.display_name})", user_id=me.user_id)
        for u in users
        if u.user_id == me.user_id
    ]
    found += [
        Assignee(f"{u.display_name} ({u.role.label})", user_id=u.user_id)
        for u in users
        if u.user_id != me.user_id
    ]
    found += [
        Assignee(f"rol {role.label} (wie het eerst oppakt)", role=role)
        for role in Role
        if Permission.LETTER_READ in table[role]
    ]
    return found


def load_suggestions(db: Database, signed: SignedIn, letter_id: int) -> list[PatientChoice]:
    """Worker: the patients this letter may be about, best first (audited as ``letter.match``).

    Only the suggested patients' name and birth date are opened for the list: the same values
    the comparison just opened, and no more than a person needs to tell two patients apart.
    """
    from gpdesk.inbox.store.suggestions import patient_suggestions
    from gpdesk.models import Patient

    with db.session() as session:
        matches = patient_suggestions(session, signed.vault, signed.actor, letter_id)
        choices: list[PatientChoice] = []
        for match in matches:
            patient = session.get(Patient, match.patient_id)
            if patient is None:
                continue
            vault = signed.vault
            name = vault.open("patient", "name", patient.id, bytes(patient.name))
            born = vault.open("patient", "birth_date", patient.id, bytes(patient.birth_date))
            choices.append(
                PatientChoice(
                    patient.id, name, date.fromisoformat(born), match.score, match.reasons
                )
            )
        return _told_apart(session, signed, choices)


def _told_apart(
    session: Session, signed: SignedIn, choices: list[PatientChoice]
) -> list[PatientChoice]:
    """Namesakes born the same day get the end of their BSN, the others nothing more."""
    from dataclasses import replace

    from gpdesk.models import Patient

    seen: dict[tuple[str, date], int] = {}
    for choice in choices:
        key = (choice.name.casefold(), choice.birth_date)
        seen[key] = seen.get(key, 0) + 1
    told: list[PatientChoice] = []
    for choice in choices:
        if seen[(choice.name.casefold(), choice.birth_date)] == 1:
            told.append(choice)
            continue
        patient = session.get(Patient, choice.patient_id)
        assert patient is not None
        bsn = signed.vault.open("patient", "bsn", patient.id, bytes(patient.bsn))
        told.append(replace(choice, tell_apart=f"BSN eindigt op {bsn[-3:]}"))
    return told


def end_involvement_by_letter(
    db: Database, signed: SignedIn, letter_id: int, involvement_id: int
) -> LetterDetail:
    """Worker: Betrokkenheid beëindigen, with the team's closing letter as the reason."""
    from gpdesk.inbox.store.involvement import end_involvement

    return _then_read(
        db, signed, letter_id,
        lambda s: end_involvement(
            s, signed.vault, signed.actor, involvement_id, letter_id=letter_id
        ),
    )  # fmt: skip
