"""The patient's consent (toestemming) to share data, and a GP's decision to share without it.

What a consent covers (purposes, organisations, data items) and when it holds (given on, valid
until, withdrawn at) is stored as plain values: none of it identifies anyone, and the send path
checks it without unlocking anything. Whatever names a person or may say something personal is
AES-GCM ciphertext under the practice data key, like the patient's own fields (see
``gpdesk.security.crypto``): the representative's name and relation, a withdrawal's reason and
the GP's reasoning for sharing without consent. The patient is the ``patient`` row, itself
encrypted.

Organisations are kept by kaart id *and* by the name the patient agreed to. The id is a loose
reference, not a foreign key: a kaart import may remove an organisation and an undo bring it
back with the same id, and the record of what the patient agreed to must survive both.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gpdesk.models.base import Base, utcnow

ORGANISATION_ID_LENGTH = 64
"""As ``gpdesk.models.kaart.ID_LENGTH`` (HSDS string ids)."""
ORGANISATION_NAME_LENGTH = 300
"""As ``gpdesk.models.kaart.NAME_LENGTH``."""


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Purpose(enum.StrEnum):
    """What the data may be used for (AVG: consent per purpose)."""

    REFERRAL = "aanmelding"
    FEEDBACK = "terugkoppeling"

    @property
    def label(self) -> str:
        """The words on the form and in messages."""
        return PURPOSE_LABELS[self]


PURPOSE_LABELS = {
    Purpose.REFERRAL: "aanmelding bij het wijkteam",
    Purpose.FEEDBACK: "terugkoppeling aan de huisarts",
}


class DataItem(enum.StrEnum):
    """A kind of data that may leave the practice (AVG: consent per kind of data). Never the BSN."""

    NAME = "naam"
    PHONE = "telefoon"
    POSTCODE = "postcode"
    BIRTH_DATE = "geboortedatum"
    QUESTION = "hulpvraag"
    MEDICAL = "medische_informatie"

    @property
    def label(self) -> str:
        """The words on the form and in messages."""
        return DATA_ITEM_LABELS[self]


DATA_ITEM_LABELS = {
    DataItem.NAME: "naam",
    DataItem.PHONE: "telefoon",
    DataItem.POSTCODE: "postcode",
    DataItem.BIRTH_DATE: "geboortedatum",
    DataItem.QUESTION: "hulpvraag",
    DataItem.MEDICAL: "medische informatie",
}


class ConsentMethod(enum.StrEnum):
    """How the consent was given."""

    ORAL = "mondeling"
    WRITTEN = "schriftelijk"
    REPRESENTATIVE = "vertegenwoordiger"

    @property
    def label(self) -> str:
        """The words on the form."""
        return METHOD_LABELS[self]


METHOD_LABELS = {
    ConsentMethod.ORAL: "mondeling in de spreekkamer",
    ConsentMethod.WRITTEN: "schriftelijk",
    ConsentMethod.REPRESENTATIVE: "via wettelijk vertegenwoordiger",
}


class GpRole(enum.StrEnum):
    """The GP's part in what is shared: asking the team to act, or informing it."""

    REFERRER = "verwijzer"
    INFORMANT = "informant"

    @property
    def label(self) -> str:
        """The word on the form."""
        return self.value


class NoConsentGround(enum.StrEnum):
    """The legal grounds on which a GP may share without consent (Wgbo art. 7:457)."""

    VITAL_INTEREST = "vitaal_belang"
    LEGAL_DUTY = "wettelijke_plicht"

    @property
    def label(self) -> str:
        """The words on the form and in the Logboek."""
        return GROUND_LABELS[self]


GROUND_LABELS = {
    NoConsentGround.VITAL_INTEREST: "vitaal belang",
    NoConsentGround.LEGAL_DUTY: "wettelijke plicht",
}


class Consent(Base):
    """One consent of one patient; withdrawn, never deleted, so it can be proven later.

    ``purposes`` and ``data_items`` hold enum values separated by commas. ``patient_agreed``
    says the patient took part themselves (always from 12; from 16 unless ``patient_incapable``).
    """

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    purposes: Mapped[str] = mapped_column(String(100))
    data_items: Mapped[str] = mapped_column(String(200))
    method: Mapped[ConsentMethod] = mapped_column(_enum(ConsentMethod))
    patient_agreed: Mapped[bool]
    patient_incapable: Mapped[bool] = mapped_column(default=False)
    representative_name: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    representative_relation: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    gp_role: Mapped[GpRole] = mapped_column(_enum(GpRole))
    text_version: Mapped[str] = mapped_column(String(32))
    given_on: Mapped[date]
    valid_until: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    withdrawal_reason: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    organisations: Mapped[list[ConsentOrganisation]] = relationship(
        back_populates="consent",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ConsentOrganisation.position",
    )


class ConsentOrganisation(Base):
    """An organisation a consent covers: the kaart's id when chosen from the kaart, and its name."""

    __tablename__ = "consent_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consent.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    organisation_id: Mapped[str | None] = mapped_column(
        String(ORGANISATION_ID_LENGTH), default=None
    )
    name: Mapped[str] = mapped_column(String(ORGANISATION_NAME_LENGTH))

    consent: Mapped[Consent] = relationship(back_populates="organisations")


class NoConsentDecision(Base):
    """A GP's recorded decision to share without consent, with its ground and reasoning.

    One decision covers one disclosure (a signal refers to it); ``reason`` (why it is necessary
    and proportionate) is ciphertext: it is about the patient.
    """

    __tablename__ = "no_consent_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    ground: Mapped[NoConsentGround] = mapped_column(_enum(NoConsentGround))
    reason: Mapped[bytes] = mapped_column(LargeBinary)
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose))
    organisation_id: Mapped[str | None] = mapped_column(
        String(ORGANISATION_ID_LENGTH), default=None
    )
    organisation_name: Mapped[str] = mapped_column(String(ORGANISATION_NAME_LENGTH))
    data_items: Mapped[str] = mapped_column(String(200))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
