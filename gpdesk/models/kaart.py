"""The sociale kaart: organisations, services, where and when, who to call (Open Referral HSDS 3.0).

Tables are named ``kaart_<hsds entity>`` and columns carry the HSDS field names, so an HSDS data
package maps onto them one to one and ids (HSDS uses string UUIDs) survive an import/export round
trip. Columns that are gpdesk's own carry ``info={"gpdesk_extension": True}`` and tables that are
not HSDS entities carry it in ``Table.info``. The export writes into the HSDS tables only the
fields HSDS 3.0's own descriptor defines (``gpdesk.kaart.exchange.hsds``); everything else, these
columns, the tables HSDS 3.0 lacks (units, capacities) and columns HSDS 3.0 does not have
(``attribute.label``, ``service_area.service_at_location_id``), goes to the package's
``gpdesk_extension`` file, which gpdesk reads back and other systems ignore. Columns that name
the practice's staff (``assured_by``) also carry ``gpdesk_private``: they leave the practice only
on request. The practice's private layer (fixed contacts, feedback agreements) lives in
``kaart_private``.

Nothing here is patient data, so nothing is encrypted.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy import (
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    and_,
)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from gpdesk.models.base import Base

GPDESK_EXTENSION: Final = "gpdesk_extension"
"""Key in ``Column.info`` / ``Table.info`` marking what HSDS does not define."""
HSDS_ENTITY: Final = "hsds"
"""Key in ``Table.info`` naming the HSDS entity a table holds."""
GPDESK_PRIVATE: Final = "gpdesk_private"
"""Key in ``Table.info`` / ``Column.info`` marking what never leaves the practice unasked."""

ID_LENGTH: Final = 64
NAME_LENGTH: Final = 300


def new_id() -> str:
    """A fresh HSDS identifier (UUID4 as text)."""
    return str(uuid.uuid4())


def _ext() -> dict[str, Any]:
    return {GPDESK_EXTENSION: True}


def _private() -> dict[str, Any]:
    return {GPDESK_EXTENSION: True, GPDESK_PRIVATE: True}


def _hsds(entity: str) -> dict[str, Any]:
    return {"info": {HSDS_ENTITY: entity}}


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


def _fk(target: str, *, name: str | None = None, nullable: bool = True) -> Any:
    """A string-id foreign key; children go with their parent, loose references are cleared."""
    return mapped_column(
        String(ID_LENGTH),
        ForeignKey(target, ondelete="SET NULL" if nullable else "CASCADE", name=name),
        index=True,
        nullable=nullable,
    )


class ServiceStatus(enum.StrEnum):
    """HSDS service.status."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"

    @property
    def label(self) -> str:
        """The Dutch word shown to the practice."""
        return {
            "active": "actief",
            "inactive": "niet actief",
            "defunct": "opgeheven",
            "temporarily closed": "tijdelijk gesloten",
        }[self.value]


LISTED_STATUSES: Final[tuple[ServiceStatus, ...]] = (
    ServiceStatus.ACTIVE,
    ServiceStatus.TEMPORARILY_CLOSED,
)
"""The statuses the kaart's search, result list and count show: a temporarily closed service is
found (labelled); inactive and defunct ones only in Beheer."""


class ServiceKind(enum.StrEnum):
    """gpdesk's own: what role a service plays in routing a signal by postcode."""

    WIJKTEAM = "wijkteam"
    """The municipal neighbourhood team responsible for a postcode area."""
    CENTRAAL_LOKET = "centraal_loket"
    """The fallback desk (Sociale Plein, Wmo-loket) for postcodes outside every team's area."""
    OVERIG = "overig"
    """Every other service on the kaart."""

    @property
    def label(self) -> str:
        """The Dutch word shown to the practice."""
        return {"wijkteam": "wijkteam", "centraal_loket": "centraal loket", "overig": "overig"}[
            self.value
        ]


class Organization(Base):
    """HSDS organization: who provides services."""

    __tablename__ = "kaart_organization"
    __table_args__ = _hsds("organization")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    alternate_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    website: Mapped[str | None] = mapped_column(String(1000), default=None)
    legal_status: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    logo: Mapped[str | None] = mapped_column(String(1000), default=None)
    uri: Mapped[str | None] = mapped_column(String(1000), default=None)
    parent_organization_id: Mapped[str | None] = _fk(
        "kaart_organization.id", name="fk_kaart_organization_parent"
    )
    # gpdesk's own: names it went by before, "; "-separated (see ``split_names``).
    former_names: Mapped[str | None] = mapped_column(Text, default=None, info=_ext())

    services: Mapped[list[Service]] = relationship(
        back_populates="organization", passive_deletes=True, order_by="Service.name"
    )


class Service(Base):
    """HSDS service: something an organisation offers; a wijkteam is a service of that kind."""

    __tablename__ = "kaart_service"
    __table_args__ = _hsds("service")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    organization_id: Mapped[str] = _fk("kaart_organization.id", nullable=False)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    alternate_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    url: Mapped[str | None] = mapped_column(String(1000), default=None)
    email: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    status: Mapped[ServiceStatus] = mapped_column(
        _enum(ServiceStatus), default=ServiceStatus.ACTIVE, index=True
    )
    interpretation_services: Mapped[str | None] = mapped_column(Text, default=None)
    application_process: Mapped[str | None] = mapped_column(Text, default=None)
    fees_description: Mapped[str | None] = mapped_column(Text, default=None)
    wait_time: Mapped[str | None] = mapped_column(Text, default=None)
    """HSDS 3.0 keeps ``service.wait_time`` (marked deprecated there): "ongeveer 6 weken"."""
    accreditations: Mapped[str | None] = mapped_column(Text, default=None)
    eligibility_description: Mapped[str | None] = mapped_column(Text, default=None)
    minimum_age: Mapped[int | None] = mapped_column(default=None)
    maximum_age: Mapped[int | None] = mapped_column(default=None)
    assured_date: Mapped[date | None] = mapped_column(Date, default=None)
    assurer_email: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    alert: Mapped[str | None] = mapped_column(Text, default=None)
    last_modified: Mapped[datetime | None] = mapped_column(default=None)
    # gpdesk's own
    kind: Mapped[ServiceKind] = mapped_column(
        _enum(ServiceKind), default=ServiceKind.OVERIG, index=True, info=_ext()
    )
    assured_by: Mapped[str | None] = mapped_column(
        String(NAME_LENGTH), default=None, info=_private()
    )
    municipal_contract: Mapped[bool | None] = mapped_column(default=None, info=_ext())
    """Whether the municipality contracts the provider (without it the patient pays); None:
    not known."""
    former_names: Mapped[str | None] = mapped_column(Text, default=None, info=_ext())
    """Names the service went by before, "; "-separated (see ``split_names``)."""

    organization: Mapped[Organization] = relationship(back_populates="services")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="[Contact.name, Contact.id]",
    )
    phones: Mapped[list[Phone]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Phone.id"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Schedule.id"
    )
    service_areas: Mapped[list[ServiceArea]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ServiceArea.id",
    )
    service_at_locations: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ServiceAtLocation.id",
    )
    capacities: Mapped[list[ServiceCapacity]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ServiceCapacity.id"
    )
    languages: Mapped[list[Language]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Language.id"
    )
    attributes: Mapped[list[Attribute]] = relationship(
        primaryjoin=lambda: and_(
            Service.id == foreign(Attribute.link_id), Attribute.link_entity == "service"
        ),
        viewonly=True,
        order_by="Attribute.id",
    )


class Location(Base):
    """HSDS location: a physical, postal or virtual place where services are delivered."""

    __tablename__ = "kaart_location"
    __table_args__ = _hsds("location")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_type: Mapped[str] = mapped_column(String(32), default="physical")
    url: Mapped[str | None] = mapped_column(String(1000), default=None)
    organization_id: Mapped[str | None] = _fk("kaart_organization.id")
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    alternate_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    transportation: Mapped[str | None] = mapped_column(Text, default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    external_identifier: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    external_identifier_type: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)

    addresses: Mapped[list[Address]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Address.id"
    )
    schedules: Mapped[list[Schedule]] = relationship(
        order_by="Schedule.id",
        primaryjoin="and_(Location.id == Schedule.location_id, "
        "Schedule.service_at_location_id.is_(None))",
        viewonly=True,
    )


class Address(Base):
    """HSDS address of a location."""

    __tablename__ = "kaart_address"
    __table_args__ = _hsds("address")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_id: Mapped[str] = _fk("kaart_location.id", nullable=False)
    attention: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    address_1: Mapped[str] = mapped_column(String(NAME_LENGTH))
    address_2: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    city: Mapped[str] = mapped_column(String(NAME_LENGTH))
    region: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    state_province: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    postal_code: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    address_type: Mapped[str] = mapped_column(String(32), default="physical")


class ServiceAtLocation(Base):
    """HSDS service_at_location: a service delivered at a location."""

    __tablename__ = "kaart_service_at_location"
    __table_args__ = _hsds("service_at_location")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = _fk("kaart_service.id", nullable=False)
    location_id: Mapped[str] = _fk("kaart_location.id", nullable=False)
    description: Mapped[str | None] = mapped_column(Text, default=None)

    service: Mapped[Service] = relationship(back_populates="service_at_locations")
    location: Mapped[Location] = relationship()
    schedules: Mapped[list[Schedule]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Schedule.id"
    )


class Contact(Base):
    """HSDS contact: a named person at a service (or organisation, or location)."""

    __tablename__ = "kaart_contact"
    __table_args__ = _hsds("contact")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = _fk("kaart_organization.id")
    service_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = _fk(
        "kaart_service_at_location.id", name="fk_kaart_contact_sal"
    )
    location_id: Mapped[str | None] = _fk("kaart_location.id")
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    title: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    department: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    email: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    # gpdesk's own: who stands in, and when someone last checked this person is still there.
    deputy_contact_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_contact.id", ondelete="SET NULL"),
        default=None,
        info=_ext(),
    )
    assured_date: Mapped[date | None] = mapped_column(Date, default=None, info=_ext())
    assured_by: Mapped[str | None] = mapped_column(
        String(NAME_LENGTH), default=None, info=_private()
    )
    last_modified: Mapped[datetime | None] = mapped_column(default=None, info=_ext())
    departed_on: Mapped[date | None] = mapped_column(Date, default=None, info=_ext())
    """The day the person left: kept (struck through, the deputy takes over), not deleted."""

    service: Mapped[Service | None] = relationship(back_populates="contacts")
    deputy: Mapped[Contact | None] = relationship(remote_side="Contact.id")
    phones: Mapped[list[Phone]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Phone.id"
    )


class Phone(Base):
    """HSDS phone of an organisation, service, location or contact."""

    __tablename__ = "kaart_phone"
    __table_args__ = _hsds("phone")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_location.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_organization.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_contact.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_service_at_location.id", ondelete="CASCADE", name="fk_kaart_phone_sal"),
        index=True,
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16), default=None)
    type: Mapped[str | None] = mapped_column(String(32), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)


class Schedule(Base):
    """HSDS schedule: an RFC 5545-style rule for opening or walk-in hours.

    ``opens_at``/``closes_at`` are wall-clock times in Europe/Amsterdam; ``attending_type``
    tells walk-in hours ("inloop") from ordinary opening hours (see ``gpdesk.kaart.schedule``).
    """

    __tablename__ = "kaart_schedule"
    __table_args__ = _hsds("schedule")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_location.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey(
            "kaart_service_at_location.id", ondelete="CASCADE", name="fk_kaart_schedule_sal"
        ),
        index=True,
    )
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    dtstart: Mapped[date | None] = mapped_column(Date, default=None)
    timezone: Mapped[float | None] = mapped_column(Float, default=None)
    until: Mapped[date | None] = mapped_column(Date, default=None)
    count: Mapped[int | None] = mapped_column(Integer, default=None)
    wkst: Mapped[str | None] = mapped_column(String(2), default=None)
    freq: Mapped[str | None] = mapped_column(String(16), default=None)
    interval: Mapped[int | None] = mapped_column(Integer, default=None)
    byday: Mapped[str | None] = mapped_column(String(100), default=None)
    byweekno: Mapped[str | None] = mapped_column(String(200), default=None)
    bymonthday: Mapped[str | None] = mapped_column(String(200), default=None)
    byyearday: Mapped[str | None] = mapped_column(String(400), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    opens_at: Mapped[time | None] = mapped_column(Time, default=None)
    closes_at: Mapped[time | None] = mapped_column(Time, default=None)
    schedule_link: Mapped[str | None] = mapped_column(String(1000), default=None)
    attending_type: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)


class ServiceArea(Base):
    """HSDS service_area; its postcode ranges are kept in ``ServiceAreaPostcode`` for routing."""

    __tablename__ = "kaart_service_area"
    __table_args__ = _hsds("service_area")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH),
        ForeignKey(
            "kaart_service_at_location.id", ondelete="CASCADE", name="fk_kaart_service_area_sal"
        ),
        index=True,
    )
    name: Mapped[str | None] = mapped_column(Text, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    extent: Mapped[str | None] = mapped_column(Text, default=None)
    extent_type: Mapped[str | None] = mapped_column(String(32), default=None)
    uri: Mapped[str | None] = mapped_column(String(1000), default=None)
    # gpdesk's own: the neighbourhood names, as the practice says them ("Nieuwland, Sveaparken").
    wijk: Mapped[str | None] = mapped_column(Text, default=None, info=_ext())

    service: Mapped[Service | None] = relationship(back_populates="service_areas")
    postcodes: Mapped[list[ServiceAreaPostcode]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="[ServiceAreaPostcode.pc4_from, ServiceAreaPostcode.pc4_to]",
    )


class ServiceAreaPostcode(Base):
    """gpdesk's own: one PC4 range of a service area (``pc4_from`` ≤ PC4 ≤ ``pc4_to``).

    Derived from the area's text by ``gpdesk.kaart.postcodes`` and editable directly; routing a
    signal is a range lookup in this table.
    """

    __tablename__ = "kaart_service_area_postcode"
    __table_args__ = (
        Index("ix_kaart_service_area_postcode_range", "pc4_from", "pc4_to"),
        {"info": {GPDESK_EXTENSION: True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_area_id: Mapped[str] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_service_area.id", ondelete="CASCADE", name="fk_kaart_sa_postcode_area"),
        index=True,
    )
    pc4_from: Mapped[int]
    pc4_to: Mapped[int]


class Language(Base):
    """HSDS language spoken at a service, location or on a phone line."""

    __tablename__ = "kaart_language"
    __table_args__ = _hsds("language")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_location.id", ondelete="CASCADE"), index=True
    )
    phone_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_phone.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    code: Mapped[str | None] = mapped_column(String(16), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


class Taxonomy(Base):
    """HSDS taxonomy, e.g. "gpdesk-thema"."""

    __tablename__ = "kaart_taxonomy"
    __table_args__ = _hsds("taxonomy")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str | None] = mapped_column(String(1000), default=None)
    version: Mapped[str | None] = mapped_column(String(64), default=None)


class TaxonomyTerm(Base):
    """HSDS taxonomy_term: a theme such as "geldzorgen/schulden"."""

    __tablename__ = "kaart_taxonomy_term"
    __table_args__ = _hsds("taxonomy_term")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    code: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[str | None] = _fk("kaart_taxonomy_term.id")
    taxonomy: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    taxonomy_id: Mapped[str | None] = _fk("kaart_taxonomy.id")
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    term_uri: Mapped[str | None] = mapped_column(String(1000), default=None)


class Attribute(Base):
    """HSDS attribute: links a taxonomy term to any entity (``link_entity`` + ``link_id``)."""

    __tablename__ = "kaart_attribute"
    __table_args__ = (
        Index("ix_kaart_attribute_link", "link_entity", "link_id"),
        {"info": {HSDS_ENTITY: "attribute"}},
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    taxonomy_term_id: Mapped[str] = mapped_column(
        String(ID_LENGTH),
        ForeignKey("kaart_taxonomy_term.id", ondelete="CASCADE"),
        index=True,
    )
    link_type: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    link_entity: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text, default=None)
    label: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)

    taxonomy_term: Mapped[TaxonomyTerm] = relationship()


class Unit(Base):
    """HSDS unit in which a service capacity is counted (plaatsen, weken wachttijd)."""

    __tablename__ = "kaart_unit"
    __table_args__ = _hsds("unit")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    scheme: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    identifier: Mapped[str | None] = mapped_column(String(NAME_LENGTH), default=None)
    uri: Mapped[str | None] = mapped_column(String(1000), default=None)


class ServiceCapacity(Base):
    """HSDS service_capacity: places free now; ``available`` 0 means a waiting list."""

    __tablename__ = "kaart_service_capacity"
    __table_args__ = _hsds("service_capacity")

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, default=new_id)
    service_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_service.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("kaart_unit.id", ondelete="CASCADE"), index=True
    )
    available: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float | None] = mapped_column(Float, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    updated: Mapped[datetime]

    unit: Mapped[Unit] = relationship()


HSDS_MODELS: Final[tuple[type[Base], ...]] = (
    Taxonomy,
    TaxonomyTerm,
    Organization,
    Unit,
    Location,
    Address,
    Service,
    ServiceAtLocation,
    Contact,
    Phone,
    Schedule,
    ServiceArea,
    Language,
    ServiceCapacity,
    Attribute,
)
"""Every HSDS table, parents before children: the order to insert (reverse it to delete)."""


HSDS_PATHS: Final[dict[str, str]] = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "address": "addresses",
    "service_at_location": "service_at_location",
    "contact": "contacts",
    "phone": "phones",
    "schedule": "schedules",
    "service_area": "service_areas",
    "language": "languages",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
    "attribute": "attributes",
    "unit": "units",
    "service_capacity": "service_capacity",
    "metadata": "metadata",
}
"""HSDS entity -> file name stem in a data package (the schema's ``path`` without ``.csv``)."""


NAME_SEPARATOR: Final = "; "
"""Between the names in ``former_names``."""


def split_names(text: str | None) -> list[str]:
    """The names in a ``former_names`` value, tidied, each once, in their order."""
    names: list[str] = []
    for part in (text or "").replace("\n", ";").split(";"):
        name = " ".join(part.split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def join_names(names: list[str] | tuple[str, ...]) -> str | None:
    """``former_names`` as stored: "; "-separated, None when there are none."""
    return NAME_SEPARATOR.join(split_names(NAME_SEPARATOR.join(names))) or None


def hsds_columns(table: Table) -> list[Column[Any]]:
    """The columns of ``table`` that HSDS defines; what an open export may contain."""
    return [c for c in table.columns if not c.info.get(GPDESK_EXTENSION)]
