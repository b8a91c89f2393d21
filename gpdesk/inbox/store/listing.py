"""The inbox as a screen lists it: filtered in SQL, one page at a time, nieuw first.

A practice's inbox grows to tens of thousands of letters, so the list never loads them all:
``count_letters`` says how many match, ``letter_page`` returns one page of plain rows. Only the
subjects of that page are opened (a subject may name the patient), and loading the page is one
audit entry, not one per letter. Filters work on plain columns only (state, kind, links,
assignee, quarantine), so filtering unlocks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.reading import (
    FORGOTTEN_SUBJECT,
    QUARANTINE_SUBJECT,
    patient_ref_of,
    role_words,
)
from gpdesk.models import Letter, LetterState, Signal, SignalStatus, User, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refusing_tampered
from gpdesk.signals.consent import local_date

PAGE_SIZE: Final = 200
"""Rows per page: a screenful many times over, small enough to open the subjects at once."""

OPEN_STATES: Final = (LetterState.NEW, LetterState.ASSIGNED)
""""Te doen": what still needs someone."""

ATTENTION_KINDS: Final = (LetterKind.ADVICE.value, LetterKind.ESCALATION.value)


class LetterView(StrEnum):
    """The filter chips of the inbox; each is a condition on plain columns."""

    ALL = "alle"
    MINE = "mijn"
    UNASSIGNED = "niet toegewezen"
    UNMATCHED = "niet gekoppeld"
    ATTENTION = "advies en escalatie"
    OVERDUE = "verlopen"
    QUARANTINE = "quarantaine"


@dataclass(frozen=True)
class LetterQuery:
    """What the list shows: a view, a state, a team and a patient.

    ``state`` None means te doen (nieuw and toegewezen); ``all_states`` shows every state, also
    filed and archived.
    """

    view: LetterView = LetterView.ALL
    state: LetterState | None = None
    all_states: bool = False
    team_id: str | None = None
    patient_id: int | None = None


@dataclass(frozen=True)
class LetterRow:
    """One line of the inbox: plain columns, and the subject opened for this user."""

    id: int
    received_at: datetime
    state: LetterState
    kind: str | None
    kind_confirmed: bool
    urgent: bool
    sender: str | None
    team_name: str | None
    signal_reference: str | None
    signal_status: SignalStatus | None
    patient_matched: bool
    quarantined: bool
    forgotten: bool
    assignee: str | None
    subject: str


@dataclass(frozen=True)
class LetterPage:
    """One page of rows, from ``offset`` in the list's order."""

    offset: int
    rows: list[LetterRow]


@dataclass(frozen=True)
class TeamChoice:
    """A team that sent letters, for the team filter."""

    team_id: str
    name: str


def _conditions(actor: Actor, query: LetterQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.state is not None:
        where.append(Letter.state == query.state)
    elif not query.all_states:
        where.append(Letter.state.in_(OPEN_STATES))
    if query.team_id is not None:
        where.append(Letter.team_id == query.team_id)
    if query.patient_id is not None:
        where.append(Letter.patient_id == query.patient_id)
    view = query.view
    if view is LetterView.MINE:
        where.append(
            or_(
                Letter.assignee_id == actor.user_id,
                and_(Letter.assignee_id.is_(None), Letter.assignee_role == actor.role.value),
            )
        )
    elif view is LetterView.UNASSIGNED:
        where += [
            Letter.assignee_id.is_(None),
            Letter.assignee_role.is_(None),
            Letter.quarantine_code.is_(None),
        ]
    elif view is LetterView.UNMATCHED:
        where += [
            Letter.signal_id.is_(None),
            or_(Letter.patient_id.is_(None), Letter.match_confirmed.is_(False)),
            Letter.quarantine_code.is_(None),
        ]
    elif view is LetterView.ATTENTION:  # as ``triage.counts`` counts them for the badge
        where.append(Letter.kind.in_(ATTENTION_KINDS))
    elif view is LetterView.OVERDUE:  # an advice's task date has passed and nobody filed it
        where += [Letter.due_on.is_not(None), Letter.due_on < local_date(utcnow())]
    elif view is LetterView.QUARANTINE:
        where.append(Letter.quarantine_code.is_not(None))  # indexed; set with the reason
    return where


COUNT_CAP: Final = 10_000
"""The count stops here ("meer dan 10.000"): counting every row of a large inbox costs a scan."""


def count_letters(
    session: Session, actor: Actor, query: LetterQuery, *, cap: int | None = COUNT_CAP
) -> int:
    """How many letters match, up to ``cap + 1`` (more than the cap); nothing opened or audited."""
    require(actor.permissions, Permission.LETTER_READ)
    matching = select(Letter.id).where(*_conditions(actor, query))
    if cap is not None:
        matching = matching.limit(cap + 1)
    total: int | None = session.scalar(select(func.count()).select_from(matching.subquery()))
    return total or 0


def letter_page(
    session: Session,
    vault: Vault,
    actor: Actor,
    query: LetterQuery,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> LetterPage:
    """One page of the list, nieuw first, then newest; the page's subjects opened, audited once."""
    require(actor.permissions, Permission.LETTER_READ)
    ids = _ordered_ids(session, _conditions(actor, query), offset, limit)
    assignee = User.__table__.alias("assignee")
    statement = (
        select(
            Letter.id, Letter.received_at, Letter.state, Letter.kind, Letter.kind_confirmed,
            Letter.urgent, Letter.sender_name, Letter.sender_address, Letter.team_name,
            Letter.patient_id, Letter.match_confirmed, Letter.quarantine_reason,
            Letter.forgotten_at, Letter.assignee_role, Letter.subject,
            Signal.reference, Signal.status, assignee.c.display_name.label("assignee_name"),
        )
        .outerjoin(Signal, Signal.id == Letter.signal_id)
        .outerjoin(assignee, assignee.c.id == Letter.assignee_id)
        .where(Letter.id.in_(ids))
    )  # fmt: skip
    found = {r.id: r for r in session.execute(statement)} if ids else {}
    rows: list[LetterRow] = []
    with refusing_tampered(session, actor=actor, vault=vault):
        rows.extend(_row(vault, found[i]) for i in ids if i in found)
    patient_ref = patient_ref_of(session, query.patient_id)
    audit.record(
        session, event="letter.list", action=audit.Action.READ, actor=actor,
        patient_ref=patient_ref,
        detail=f"{len(rows)} terugkoppelingen vanaf {offset} ({query.view.value})", vault=vault,
    )  # fmt: skip
    return LetterPage(offset=offset, rows=rows)


def _ordered_ids(
    session: Session, conditions: list[ColumnElement[bool]], offset: int, limit: int
) -> list[int]:
    """The page's letter numbers in the list's order: the new ones, then the rest, newest first.

    Two plain queries on the indexed ``state`` and ``received_at`` instead of one ordered by an
    expression, so the database need not read and sort every row for each page.
    """
    newest = (Letter.received_at.desc(), Letter.id.desc())
    is_new = Letter.state == LetterState.NEW
    new_count = int(session.scalar(select(func.count(Letter.id)).where(*conditions, is_new)) or 0)
    ids: list[int] = []
    if offset < new_count:
        ids += session.scalars(
            select(Letter.id).where(*conditions, is_new).order_by(*newest)
            .offset(offset).limit(limit)
        )  # fmt: skip
    rest = limit - len(ids)
    if rest > 0:
        ids += session.scalars(
            select(Letter.id).where(*conditions, Letter.state != LetterState.NEW)
            .order_by(*newest).offset(max(0, offset - new_count)).limit(rest)
        )  # fmt: skip
    return ids


def _row(vault: Vault, r: Any) -> LetterRow:
    """``r``: a result row of ``letter_page``'s columns (typed by name, not by position)."""
    if r.quarantine_reason is not None:
        subject = QUARANTINE_SUBJECT
    elif r.forgotten_at is not None:
        subject = FORGOTTEN_SUBJECT
    elif r.subject is None:
        subject = ""
    else:
        subject = vault.open("letter", "subject", r.id, bytes(r.subject))
    return LetterRow(
        id=r.id,
        received_at=r.received_at,
        state=LetterState(r.state),
        kind=r.kind,
        kind_confirmed=r.kind_confirmed,
        urgent=r.urgent,
        sender=r.sender_name or r.sender_address,
        team_name=r.team_name,
        signal_reference=r.reference,
        signal_status=None if r.status is None else SignalStatus(r.status),
        patient_matched=r.patient_id is not None and r.match_confirmed,
        quarantined=r.quarantine_reason is not None,
        forgotten=r.forgotten_at is not None,
        assignee=r.assignee_name or role_words(r.assignee_role),
        subject=subject,
    )


def inbox_teams(session: Session, actor: Actor) -> list[TeamChoice]:
    """The teams letters came from, by name, for the team filter."""
    require(actor.permissions, Permission.LETTER_READ)
    found = session.execute(
        select(Letter.team_id, func.max(Letter.team_name))
        .where(Letter.team_id.is_not(None))
        .group_by(Letter.team_id)
    )
    teams = [TeamChoice(team_id, name or team_id) for team_id, name in found if team_id]
    return sorted(teams, key=lambda t: t.name.casefold())
