"""What import, export and undo share about the kaart's tables.

Which file each entity lives in (``TableSpec``), each column's kind (``ColumnSpec``), how a
problem is reported (``Problem``) and what a package holds once read (``Package``), so every
step names files, rows and fields the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, cast

from sqlalchemy import Boolean, Date, Enum, Float, Integer, String, Table, Time

from gpdesk.models import Base, FeedbackAgreement, FixedContact
from gpdesk.models.base import UtcDateTime
from gpdesk.models.kaart import (
    GPDESK_EXTENSION,
    GPDESK_PRIVATE,
    HSDS_ENTITY,
    HSDS_MODELS,
    HSDS_PATHS,
)

PRIVATE_JSON: Final = "gpdesk_private.json"
"""The practice's own layer in the demo kaart and in earlier gpdesk exports: still read; an export
now puts it in the extension file (``hsds.EXTENSION_STEM``)."""
DATAPACKAGE: Final = "datapackage.json"
PackageKind = Literal["hsds-json", "hsds-csv", "sjabloon"]

KIND_LABELS: Final[Mapping[str, str]] = {
    "hsds-json": "HSDS-datapakket (JSON)",
    "hsds-csv": "HSDS-datapakket (CSV-tabellen)",
    "sjabloon": "sjabloon (één rij per voorziening)",
}

SHAPE_LABELS: Final[Mapping[str, str]] = {
    "tables": "een bestand per tabel",
    "tabular": "alle tabellen in één bestand (zoals tabular.json)",
    "service_full": "één voorziening met alles erin (service_full)",
    "organization_full": "één organisatie met haar voorzieningen (organization_full)",
    "service_at_location_full": "één voorziening op een vestiging (service_at_location_full)",
    "location": "één vestiging (location)",
    "taxonomy": "één themalijst (taxonomy)",
    "taxonomy_term": "één thema (taxonomy_term)",
    "service_list": "een pagina uit een lijst met voorzieningen (service_list)",
    "organization_list": "een pagina uit een lijst met organisaties (organization_list)",
    "service_at_location_list": (
        "een pagina uit een lijst met voorzieningen op vestigingen (service_at_location_list)"
    ),
    "location_list": "een pagina uit een lijst met vestigingen (location_list)",
    "taxonomy_list": "een pagina uit een lijst met themalijsten (taxonomy_list)",
    "taxonomy_term_list": "een pagina uit een lijst met thema's (taxonomy_term_list)",
    "api_base": "de beschrijving van een HSDS-API, zonder gegevens",
}
"""The forms Open Referral publishes (its examples' names), as the preview names them."""


@dataclass(frozen=True)
class Problem:
    """Something wrong in the input, where a spreadsheet user can find it.

    ``row`` is 1-based as a spreadsheet shows it (the header is row 1, the first data row is
    row 2); in a JSON file it is the record's number in its list (1 = the first). ``skipped``
    is False for a warning: the row (or file) was still read, perhaps without this field.
    """

    file: str
    row: int | None
    field: str | None
    message_nl: str
    skipped: bool = True

    def as_text(self) -> str:
        """``services.csv, rij 4, veld name: ...`` for a terminal."""
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.field:
            where.append(f"veld {self.field}")
        prefix = ", ".join(where)
        kind = "" if self.skipped else "let op: "
        return f"{prefix}: {kind}{self.message_nl}" if prefix else f"{kind}{self.message_nl}"


# --- the kaart's tables ----------------------------------------------------------------------

ValueKind = Literal["str", "int", "float", "date", "time", "datetime", "bool", "enum"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column as the importer sees it."""

    name: str
    kind: ValueKind
    nullable: bool
    required: bool
    """Not null and without a default: a new row must bring it."""
    default: Any
    max_length: int | None
    enum_class: type[enum.Enum] | None
    ref: str | None
    """Entity this column points to (a foreign key), if any."""
    owner: bool
    """The reference is the row's owner (CASCADE or NOT NULL): a row whose owner is missing is
    skipped; any other dangling reference is only cleared."""
    self_ref: bool
    extension: bool
    private: bool


@dataclass(frozen=True)
class TableSpec:
    """One kaart table: its entity name, file name and columns."""

    entity: str
    model: type[Base]
    table: Table
    stem: str
    """File name without extension: ``services`` (``services.json`` / ``services.csv``)."""
    columns: tuple[ColumnSpec, ...]
    private: bool

    @property
    def by_name(self) -> Mapping[str, ColumnSpec]:
        """Columns by name."""
        return _BY_NAME[self.entity]

    @property
    def csv_name(self) -> str:
        """The CSV file name in a tabular package."""
        return f"{self.stem}.csv"

    def exported(self, *, include_private: bool) -> tuple[ColumnSpec, ...]:
        """The columns an export writes: HSDS and gpdesk's own, private ones only on request."""
        return tuple(c for c in self.columns if include_private or not c.private)


ENTITY_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    "taxonomy": ("themalijst", "themalijsten"),
    "taxonomy_term": ("thema", "thema's"),
    "organization": ("organisatie", "organisaties"),
    "unit": ("eenheid", "eenheden"),
    "location": ("vestiging", "vestigingen"),
    "address": ("adres", "adressen"),
    "service": ("voorziening", "voorzieningen"),
    "service_at_location": ("vestiging van voorziening", "vestigingen van voorzieningen"),
    "contact": ("contactpersoon", "contactpersonen"),
    "phone": ("telefoonnummer", "telefoonnummers"),
    "schedule": ("openingstijd", "openingstijden"),
    "service_area": ("werkgebied", "werkgebieden"),
    "language": ("taal", "talen"),
    "service_capacity": ("capaciteit", "capaciteiten"),
    "attribute": ("thema bij voorziening", "thema's bij voorzieningen"),
    "fixed_contact": ("vaste contactpersoon", "vaste contactpersonen"),
    "feedback_agreement": ("terugkoppelafspraak", "terugkoppelafspraken"),
}
"""Dutch singular and plural per entity, for previews and messages."""
_NEUTER: Final = frozenset({"taxonomy_term", "address", "phone", "service_area", "attribute"})
"""Entities whose Dutch word is a het-word: "dit adres", not "deze adres"."""

_PRIVATE_MODELS: Final[tuple[tuple[str, type[Base], str], ...]] = (
    ("fixed_contact", FixedContact, "fixed_contacts"),
    ("feedback_agreement", FeedbackAgreement, "feedback_agreements"),
)


def _value_kind(column: Any) -> tuple[ValueKind, type[enum.Enum] | None]:
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return "enum", kind.enum_class
    if isinstance(kind, UtcDateTime):
        return "datetime", None
    if isinstance(kind, Date):
        return "date", None
    if isinstance(kind, Time):
        return "time", None
    if isinstance(kind, Boolean):
        return "bool", None
    if isinstance(kind, Float):
        return "float", None
    if isinstance(kind, Integer):
        return "int", None
    return "str", None


def _build_specs() -> dict[str, TableSpec]:
    models: list[tuple[str, type[Base], str, bool]] = []
    for model in HSDS_MODELS:
        entity = cast(Table, model.__table__).info[HSDS_ENTITY]
        models.append((entity, model, HSDS_PATHS[entity], False))
    for entity, model, key in _PRIVATE_MODELS:
        models.append((entity, model, f"gpdesk_{key}", True))
    entity_of_table = {cast(Table, m.__table__).name: e for e, m, _, _ in models}
    specs: dict[str, TableSpec] = {}
    for entity, model, stem, private in models:
        table = cast(Table, model.__table__)
        columns: list[ColumnSpec] = []
        for column in table.columns:
            kind, enum_class = _value_kind(column)
            default = column.default
            scalar = (
                getattr(default, "arg", None) if default is not None and default.is_scalar else None
            )
            ref: str | None = None
            owner = False
            for fk in column.foreign_keys:
                ref = entity_of_table.get(fk.column.table.name)
                owner = fk.ondelete == "CASCADE" or not column.nullable
            length = column.type.length if isinstance(column.type, String) else None
            columns.append(
                ColumnSpec(
                    name=column.name,
                    kind=kind,
                    nullable=bool(column.nullable),
                    required=not column.nullable and default is None and not column.primary_key,
                    default=scalar,
                    max_length=length,
                    enum_class=enum_class,
                    ref=ref,
                    owner=owner,
                    self_ref=ref == entity,
                    extension=bool(column.info.get(GPDESK_EXTENSION)) or private,
                    private=bool(column.info.get(GPDESK_PRIVATE)) or private,
                )
            )
        specs[entity] = TableSpec(entity, model, table, stem, tuple(columns), private)
    return specs


SPECS: Final[dict[str, TableSpec]] = _build_specs()
"""Every importable table, parents before children (the insert order; reverse it to delete)."""
_BY_NAME: Final[dict[str, dict[str, ColumnSpec]]] = {
    entity: {c.name: c for c in spec.columns} for entity, spec in SPECS.items()
}
PRIVATE_KEYS: Final[Mapping[str, str]] = {entity: key for entity, _, key in _PRIVATE_MODELS}
"""Private entity -> its list's key in ``gpdesk_private.json``."""
_ENTITY_BY_STEM: Final[dict[str, str]] = {spec.stem: e for e, spec in SPECS.items()}
_ENTITY_BY_STEM.update({spec.entity: e for e, spec in SPECS.items()})  # "service.json" too


def entity_label(entity: str, count: int = 1) -> str:
    """Dutch word for an entity, singular or plural."""
    singular, plural = ENTITY_LABELS.get(entity, (entity, entity))
    return singular if count == 1 else plural


def this_label(entity: str) -> str:
    """The Dutch "deze voorziening" or "dit telefoonnummer", as the word needs."""
    return f"{'dit' if entity in _NEUTER else 'deze'} {entity_label(entity)}"


# --- the package as read -------------------------------------------------------------------


@dataclass
class RawRecord:
    """One row or JSON object as found, before its values are checked."""

    entity: str
    data: dict[str, Any]
    file: str
    row: int | None


@dataclass
class TemplateTable:
    """A CSV that looks like gpdesk's template: header and rows, still text."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class Package:
    """Everything read from a path, with what went wrong while reading."""

    path: Path
    kind: PackageKind | None
    shape: str | None = None
    """Which of Open Referral's published forms was found (a ``SHAPE_LABELS`` key)."""
    name: str | None = None
    """The data package's own name (``datapackage.json``), the default source name."""
    records: dict[str, list[RawRecord]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    """Entities whose file is in the package (only those can have removed items)."""
    template: TemplateTable | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unkept: set[str] = field(default_factory=set)
    """Nested HSDS parts gpdesk does not keep (funding, program, ...), for one note."""

    def add(self, record: RawRecord) -> None:
        """Keep a record under its entity."""
        self.records.setdefault(record.entity, []).append(record)


def iter_entities() -> Iterator[TableSpec]:
    """Every table spec in insert order."""
    return iter(SPECS.values())
