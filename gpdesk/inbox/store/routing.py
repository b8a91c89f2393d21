"""Who in the practice gets a team's letters first: the team's feedback contact (#11, item 6).

The terugkoppelcontact is a role, set per team in Beheer > Verzenden next to the team's
delivery (``team_delivery.feedback_contact_role``): POH-GGZ unless the practice chose otherwise
(PRODUCT.md: in Schiedam the POH-GGZ passes each update to the GP who signalled; elsewhere the
letters go to the GP). A new letter from a known team — linked to a signal by its reference —
is assigned to that role when it is stored (``receiving.receive``), so it is in "Mijn" and the
navigation's number for that role. A one-click answer is not: it only moves the signal's status.
A letter whose team is not known yet waits in "Niet gekoppeld" for whoever triages.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import ValidationError
from gpdesk.models import Service, TeamDelivery, utcnow
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require

DEFAULT_FEEDBACK_CONTACT: Final = Role.POH_GGZ
"""Who receives a team's feedback first when the practice set nothing else for that team."""

CONTACT_FIELD: Final = "terugkoppelcontact"
"""The problem key, for the team dialog to show a refusal at its field."""

CONTACT_ROLES: Final = (Role.POH_GGZ, Role.GP, Role.ASSISTANT, Role.PRACTICE_MANAGER)
"""The choices, in the order the team dialog offers them (the default first)."""


def feedback_contact(session: Session, team_id: str | None) -> Role:
    """The team's feedback contact; the default for a team gpdesk has no delivery for."""
    if team_id is None:
        return DEFAULT_FEEDBACK_CONTACT
    stored = session.scalar(
        select(TeamDelivery.feedback_contact_role).where(TeamDelivery.team_id == team_id)
    )
    try:
        return DEFAULT_FEEDBACK_CONTACT if stored is None else Role(stored)
    except ValueError:
        return DEFAULT_FEEDBACK_CONTACT  # a value no version of gpdesk wrote


def _reads_letters(session: Session, vault: Vault | None, role: Role) -> bool:
    from gpdesk.security.users import permission_table

    return Permission.LETTER_READ in permission_table(session, vault)[role]


def routed_role(session: Session, vault: Vault | None, team_id: str | None) -> Role | None:
    """The role a new letter from ``team_id`` is assigned to; None leaves it unassigned.

    None for an unknown team, and for a contact whose role may no longer read letters (the
    practice took that right away after choosing it): nobody would see the letter as theirs.
    """
    if team_id is None:
        return None
    role = feedback_contact(session, team_id)
    return role if _reads_letters(session, vault, role) else None


def set_feedback_contact(
    session: Session, vault: Vault, actor: Actor, team_id: str, role: Role | str
) -> Role:
    """Choose the team's feedback contact; audited when it changes, commits nothing.

    The team's delivery must be set (the setting lives beside it; Beheer saves both at once),
    and the role must be one that may read letters.
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    try:
        chosen = Role(role)
    except ValueError:
        raise ValidationError({CONTACT_FIELD: "Kies een rol uit de lijst."}) from None
    row = session.get(TeamDelivery, team_id)
    if row is None:
        raise ValidationError(
            {CONTACT_FIELD: "Stel eerst de bezorging van dit team in (e-mailadres of exportmap)."}
        )
    if not _reads_letters(session, vault, chosen):
        raise ValidationError(
            {
                CONTACT_FIELD: f"De rol {chosen.label} mag geen terugkoppelingen lezen. Kies een "
                "andere rol, of geef die rol eerst het recht 'terugkoppeling lezen' (Beheer > "
                "Rechten)."
            }
        )
    before = feedback_contact(session, team_id)
    if row.feedback_contact_role == chosen.value:
        return chosen
    row.feedback_contact_role = chosen.value
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    session.flush()
    service = session.get(Service, team_id)
    name = team_id if service is None else service.name
    audit.record(
        session, event="team.feedback_contact", action=audit.Action.UPDATE, actor=actor,
        object_type="team_delivery", object_id=team_id,
        detail=f"{name}: terugkoppeling gaat naar {chosen.label} (was {before.label})",
    )  # fmt: skip
    return chosen
