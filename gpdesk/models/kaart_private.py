"""The practice's own layer on the sociale kaart, and the kaart's change log.

Fixed contacts and feedback agreements are what this practice agreed with a team: they are never
exported to an open feed (``Table.info["gpdesk_private"]``). ``KaartChange`` is HSDS ``metadata``
(provenance) plus a batch id, and feeds the "Wat is er veranderd" digest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gpdesk.models.base import Base, utcnow
from gpdesk.models.kaart import (
    GPDESK_EXTENSION,
    GPDESK_PRIVATE,
    HSDS_ENTITY,
    ID_LENGTH,
    NAME_LENGTH,
    Contact,
    Service,
    TaxonomyTerm,
    new_id,
)

__all__ = ["GPDESK_PRIVATE", "FeedbackAgreement", "FixedContact", "KaartChange"]

_PRIVATE = {"info": {GPDESK_EXTENSION: True, GPDESK_PRIVATE: True}}


class FixedContact(Base):
    """The practice's "vaste contactpersoon": the named person it deals with at a team.

    ``taxonomy_term_id`` narrows it to one theme (e.g. jeugd en opvoeding); without it the
    contact is the team's general one for this practice. A contact who leaves turns
    ``contact_id`` into NULL rather than deleting the agreement, so the gap stays visible.
    """

    __tablename__ = "kaart_fixed_contact"
    __table_args__ = _PRIVATE

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    taxonomy_term_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_taxonomy_term.id", ondelete="CASCADE"),
        index=True,
        default=None,
    )
    contact_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_contact.id", ondelete="SET NULL"), index=True
    )
    deputy_contact_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_contact.id", ondelete="SET NULL"),
        index=True,
        default=None,
    )
    direct_line: Mapped[str | None] = mapped_column(String(64), default=None)
    local_note: Mapped[str | None] = mapped_column(Text, default=None)

    service: Mapped[Service] = relationship()
    taxonomy_term: Mapped[TaxonomyTerm | None] = relationship()
    contact: Mapped[Contact | None] = relationship(foreign_keys=[contact_id])
    deputy: Mapped[Contact | None] = relationship(foreign_keys=[deputy_contact_id])


class FeedbackAgreement(Base):
    """Terugkoppelafspraak: what a team promised this practice about feedback.

    "Overdue" is derived from ``confirm_within_working_days``, never stored.
    """

    __tablename__ = "kaart_feedback_agreement"
    __table_args__ = _PRIVATE

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_service.id", ondelete="CASCADE"),
        unique=True,
    )
    confirm_within_working_days: Mapped[int | None] = mapped_column(default=None)
    letter_at_closure: Mapped[bool] = mapped_column(default=True)
    channel: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)

    service: Mapped[Service] = relationship()


class KaartChange(Base):
    """One recorded change to the kaart (HSDS metadata), newest read first by the digest.

    ``last_action_type`` is create, update, delete, or ``assured`` for a check that changed
    nothing; ``batch_id`` groups the rows of one import.
    """

    __tablename__ = "kaart_change"
    __table_args__ = (
        Index("ix_kaart_change_resource", "resource_type", "resource_id"),
        {"info": {HSDS_ENTITY: "metadata"}},
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    resource_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    resource_type: Mapped[str] = mapped_column(String(64))
    field_name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    previous_value: Mapped[str] = mapped_column(Text, default="")
    replacement_value: Mapped[str] = mapped_column(Text, default="")
    last_action_type: Mapped[str] = mapped_column(String(32))
    last_action_date: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    batch_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), default=None, index=True, info={GPDESK_EXTENSION: True}
    )
