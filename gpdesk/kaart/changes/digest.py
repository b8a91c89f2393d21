"""The "Wat is er veranderd" digest: the change log in plain Dutch lines a GP reads in seconds.

GPs asked that changes be announced, named contacts above all: a contact who leaves leaves a
gap, and teams change names often. ``recent_changes`` reads the ``KaartChange`` rows since a
moment, whoever wrote them (the Beheer editor, an import batch, the demo), groups them per item
and phrases one line per thing that changed, named contacts first:

- "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser"
- "Nieuw telefoonnummer voor Fatma Kaya (Wijkteam Nieuwland): 010-123 45 67"
- "Wijkteam Oost heet nu Wijkteam Oost-Kethel", "Nieuw: …", "Opgeheven: …"

Details that follow from a bigger change are left out (the phone of a contact who left, the
contacts of a new service). Each line carries its date, who made it and the service to open.
The digest also counts what is verouderd, for a gentle nudge to check it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gpdesk.kaart.changes.groups import ChangeGroup
from gpdesk.kaart.changes.lines import DEFAULT_KINDS, ChangeKind, Digest, DigestLine
from gpdesk.kaart.changes.phrasing import DigestPhraser
from gpdesk.kaart.changes.world import ChangeWorld
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, months_before
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.models import Contact, KaartChange, Service, ServiceStatus

__all__ = [
    "BATCH_HEADER",
    "DEFAULT_KINDS",
    "ChangeKind",
    "Digest",
    "DigestLine",
    "recent_changes",
    "stale_counts",
]

_ORDER: Final = {kind: index for index, kind in enumerate(ChangeKind)}
BATCH_HEADER: Final = "kaart_batch"
"""``resource_type`` of an import's summary row (``importing.BATCH_TYPE``): not a change."""


def stale_counts(
    session: Session, *, today: date, months: int = DEFAULT_STALE_MONTHS
) -> tuple[int, int]:
    """(active services, their contacts) not checked for more than ``months`` months."""
    cutoff = months_before(today, months)
    active = Service.status == ServiceStatus.ACTIVE
    services = session.scalar(
        select(func.count())
        .select_from(Service)
        .where(active, or_(Service.assured_date.is_(None), Service.assured_date < cutoff))
    )
    contacts = session.scalar(
        select(func.count())
        .select_from(Contact)
        .join(Service, Service.id == Contact.service_id)
        .where(active, or_(Contact.assured_date.is_(None), Contact.assured_date < cutoff))
    )
    return services or 0, contacts or 0


def recent_changes(
    session: Session,
    *,
    since: datetime,
    kinds: Iterable[ChangeKind] = DEFAULT_KINDS,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
    limit: int | None = 50,
) -> Digest:
    """The kaart's changes since ``since`` as Dutch lines, named contacts first, newest first.

    Works for every writer of ``KaartChange`` (the editor, imports with a ``batch_id``, the
    demo). ``kinds`` narrows the lines (``ChangeKind.ASSURED`` adds the checks); ``limit``
    caps them, ``Digest.more`` says how many were left out.
    """
    if since.tzinfo is None:
        raise ValueError("naive datetime; pass an aware one")
    day = today or datetime.now(AMSTERDAM).date()
    rows = session.scalars(
        select(KaartChange)
        .where(
            KaartChange.last_action_date >= since,
            KaartChange.resource_type != BATCH_HEADER,
        )
        .order_by(KaartChange.last_action_date, KaartChange.id)
    ).all()
    groups: dict[tuple[str, str], ChangeGroup] = {}
    for row in rows:
        key = (row.resource_type, row.resource_id)
        groups.setdefault(key, ChangeGroup(*key)).rows.append(row)
    wanted = set(kinds)
    lines = [
        line
        for line in DigestPhraser(ChangeWorld(session, groups), day).run()
        if line.kind in wanted
    ]
    lines.sort(key=lambda line: (_ORDER[line.kind], -line.when.timestamp(), line.text))
    shown = lines if limit is None else lines[:limit]
    stale_services, stale_contacts = stale_counts(session, today=day, months=months)
    return Digest(
        since=since,
        lines=tuple(shown),
        stale_services=stale_services,
        stale_contacts=stale_contacts,
        stale_months=months,
        more=len(lines) - len(shown),
    )
