"""Reading an HSDS data package or a filled-in template from disk, safely, without the database.

What a practice gets handed is untrusted: a zip from a website, a CSV from a spreadsheet, a folder
from a colleague. So every file is size-checked before it is read (``MAX_FILE_BYTES``), a zip is
inspected member by member (declared size, compression ratio, unsafe names) and read through
``zipfile`` streams, never extracted to disk; text that is not UTF-8 is read as Windows-1252 (a
Dutch Excel export) with a warning rather than a crash. Nothing here raises on bad content:
everything becomes a ``Problem`` with file, row and field, so the preview can list it.

This module also holds what import, export and undo share about the kaart's tables: which file
each entity lives in (``TableSpec``), and how a value travels as text or JSON (``convert``,
``to_text``, ``to_json_value``), so a value read back is exactly the value that was written.
"""

from __future__ import annotations

import codecs
import csv
import enum
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final, Literal, cast

from sqlalchemy import Boolean, Date, Enum, Float, Integer, String, Table, Time

from gpdesk.errors import ValidationError
from gpdesk.kaart.textnorm import fold
from gpdesk.models import Base, FeedbackAgreement, FixedContact
from gpdesk.models.base import UtcDateTime
from gpdesk.models.kaart import GPDESK_EXTENSION, HSDS_ENTITY, HSDS_MODELS, HSDS_PATHS
from gpdesk.models.kaart_private import GPDESK_PRIVATE

MAX_FILE_BYTES: Final = 200 * 1024 * 1024
"""Largest single file (or zip member, uncompressed) that is read; a real kaart is far smaller."""
MAX_TOTAL_BYTES: Final = 1024 * 1024 * 1024
"""Largest package as a whole, uncompressed."""
MAX_SERVICES: Final = 50_000
"""More services than any municipality has: a package above this is refused, not half-read."""
MAX_ROWS_PER_FILE: Final = 2_000_000
MAX_ZIP_RATIO: Final = 100
"""Uncompressed size / compressed size above which a zip member counts as a zip bomb."""
MAX_ZIP_MEMBERS: Final = 1_000
_RATIO_FROM_BYTES: Final = 1024 * 1024  # small members may compress extremely well; that is fine
_CHUNK: Final = 1024 * 1024

PRIVATE_JSON: Final = "gpdesk_private.json"
"""The practice's own layer in a JSON package (as in the demo kaart)."""
DATAPACKAGE: Final = "datapackage.json"
PackageKind = Literal["hsds-json", "hsds-csv", "sjabloon"]

KIND_LABELS: Final[Mapping[str, str]] = {
    "hsds-json": "HSDS-datapakket (JSON)",
    "hsds-csv": "HSDS-datapakket (CSV-tabellen)",
    "sjabloon": "sjabloon (één rij per voorziening)",
}


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
    "taxonomy": ("taxonomie", "taxonomieën"),
    "taxonomy_term": ("thema", "thema's"),
    "organization": ("organisatie", "organisaties"),
    "unit": ("eenheid", "eenheden"),
    "location": ("locatie", "locaties"),
    "address": ("adres", "adressen"),
    "service": ("voorziening", "voorzieningen"),
    "service_at_location": ("voorziening op locatie", "voorzieningen op locatie"),
    "contact": ("contactpersoon", "contactpersonen"),
    "phone": ("telefoonnummer", "telefoonnummers"),
    "schedule": ("openingstijd", "openingstijden"),
    "service_area": ("werkgebied", "werkgebieden"),
    "language": ("taal", "talen"),
    "service_capacity": ("capaciteit", "capaciteiten"),
    "attribute": ("themakoppeling", "themakoppelingen"),
    "fixed_contact": ("vaste contactpersoon", "vaste contactpersonen"),
    "feedback_agreement": ("terugkoppelafspraak", "terugkoppelafspraken"),
}
"""Dutch singular and plural per entity, for previews and messages."""

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


# --- values ----------------------------------------------------------------------------------

_TIME = re.compile(
    r"\s*([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?\s*"
)
_TRUE = frozenset({"true", "ja", "j", "yes", "y", "1", "waar", "x"})
_FALSE = frozenset({"false", "nee", "n", "no", "0", "onwaar"})
_STATUS_WORDS: Final[dict[str, str]] = {
    "actief": "active",
    "niet actief": "inactive",
    "inactief": "inactive",
    "opgeheven": "defunct",
    "tijdelijk gesloten": "temporarily closed",
    "centraal loket": "centraal_loket",
}


def parse_time(text: str) -> time:
    """``09:00``, ``9.00``, ``09:00:00`` or ``24:00`` (midnight at the end of the day).

    Raises:
        ValueError: in Dutch, for anything else, e.g. "25:00".
    """
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text.strip()}' is geen tijd; schrijf bijvoorbeeld 09:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        return time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text.strip()}' bestaat niet als tijd (uren 0-23, minuten 0-59).")
    return time(hour, minute, second)


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise ValueError("verwacht een tekst, geen lijst of object")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def convert(column: ColumnSpec, value: Any) -> Any:
    """The column's Python value for a JSON value or a text cell; None stays None.

    An empty text is None in a nullable column (CSV cannot tell them apart). Already-typed
    values (a ``date`` for a date column) pass unchanged.

    Raises:
        ValueError: in Dutch, saying what was expected.
    """
    if value is None:
        return None
    kind = column.kind
    if isinstance(value, str) and kind != "str":
        value = value.strip()
        if not value:
            return None
    if kind == "str":
        text = _as_text(value)
        if not text and column.nullable:
            return None
        if column.max_length is not None and len(text) > column.max_length:
            raise ValueError(f"te lang: hoogstens {column.max_length} tekens")
        return text
    if kind == "enum":
        assert column.enum_class is not None
        return _to_enum(column.enum_class, value)
    return _CONVERTERS[kind](value)


def _to_time(value: Any) -> time:
    return value if isinstance(value, time) else parse_time(_as_text(value))


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("verwacht een geheel getal")
    if isinstance(value, int):
        return value
    try:
        number = float(_as_text(value).replace(",", "."))
    except ValueError:
        raise ValueError("verwacht een geheel getal") from None
    if not number.is_integer():
        raise ValueError("verwacht een geheel getal")
    return int(number)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("verwacht een getal")
    try:
        number = float(value) if isinstance(value, int | float) else float(value.replace(",", "."))
    except (ValueError, AttributeError):
        raise ValueError("verwacht een getal") from None
    if not math.isfinite(number):
        raise ValueError("verwacht een getal")
    return number


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _as_text(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"'{text}' is geen datum; schrijf JJJJ-MM-DD.") from None


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _as_text(value)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"'{text}' is geen datum en tijd (ISO 8601).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_as_text(value)).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("verwacht ja of nee")


def _to_enum(enum_class: type[enum.Enum], value: Any) -> enum.Enum:
    text = fold(_as_text(value)).strip()
    text = _STATUS_WORDS.get(text, text)
    for member in enum_class:
        if text in (member.value, fold(member.name), member.value.replace("_", " ")):
            return member
    allowed = ", ".join(str(m.value) for m in enum_class)
    raise ValueError(f"onbekende waarde '{_as_text(value)}'; kies uit: {allowed}")


_CONVERTERS: Final[dict[str, Callable[[Any], Any]]] = {
    "int": _to_int,
    "float": _to_float,
    "date": _to_date,
    "time": _to_time,
    "datetime": _to_datetime,
    "bool": _to_bool,
}


def to_text(value: Any) -> str:
    """A value as one text (CSV cell, change log): exactly what ``convert`` reads back."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_json_value(value: Any) -> Any:
    """A value as JSON data: text for dates, times and enums; numbers and text as they are."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return to_text(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal for the kaart: an empty text and no value are the same thing."""
    if (a == "" and b is None) or (a is None and b == ""):
        return True
    return bool(a == b)


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
    name: str | None = None
    """The data package's own name (``datapackage.json``), the default source name."""
    records: dict[str, list[RawRecord]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    """Entities whose file is in the package (only those can have removed items)."""
    template: TemplateTable | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, record: RawRecord) -> None:
        """Keep a record under its entity."""
        self.records.setdefault(record.entity, []).append(record)


@dataclass(frozen=True)
class _Entry:
    """A file in a folder or a zip member: its name, its declared size, how to open it."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]]

    @property
    def key(self) -> str:
        return PurePosixPath(self.name).name.lower()


def read_package(path: str | Path) -> Package:
    """Read a folder, a zip, a CSV or a JSON file; never raises on bad content.

    Raises:
        ValidationError: the path does not exist (a typing error, not bad content).
    """
    source = Path(path)
    if not source.exists():
        raise ValidationError({"bestand": f"'{source}' bestaat niet. Controleer de naam."})
    package = Package(path=source, kind=None)
    if source.is_dir():
        entries = _directory_entries(source, package)
        _read_entries(entries, package, single=False)
    elif source.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(source) as archive:
                entries = _zip_entries(source, archive, package)
                _read_entries(entries, package, single=False)
        except (zipfile.BadZipFile, OSError, EOFError):
            package.problems.append(
                Problem(source.name, None, None, "Dit is geen (heel) zip-bestand.")
            )
    elif source.suffix.lower() in (".csv", ".txt", ".json"):
        entry = _file_entry(source, source.name, package)
        if entry is not None:
            _read_entries([entry], package, single=True)
    else:
        package.problems.append(
            Problem(
                source.name,
                None,
                None,
                "Dit bestandstype kan niet worden ingelezen. Kies een map, een .zip, "
                "een .csv of een .json-bestand.",
            )
        )
    services = len(package.records.get("service", ()))
    if package.template is not None:
        services = len(package.template.rows)
    if services > MAX_SERVICES:
        package.records.clear()
        package.template = None
        package.present.clear()
        package.problems.append(
            Problem(
                source.name,
                None,
                None,
                f"Het pakket bevat {services} voorzieningen; gpdesk leest er hoogstens "
                f"{MAX_SERVICES}. Er is niets ingelezen. Splits het pakket of vraag de "
                "leverancier om alleen uw regio.",
            )
        )
    return package


def _too_big(name: str, size: int) -> Problem:
    megabytes = MAX_FILE_BYTES // (1024 * 1024)
    return Problem(
        name,
        None,
        None,
        f"Het bestand is {size // (1024 * 1024)} MB; gpdesk leest bestanden tot {megabytes} MB. "
        "Het is niet ingelezen.",
    )


def _file_entry(path: Path, name: str, package: Package) -> _Entry | None:
    try:
        size = path.stat().st_size
    except OSError:
        package.problems.append(Problem(name, None, None, "Het bestand kan niet worden geopend."))
        return None
    if size > MAX_FILE_BYTES:
        package.problems.append(_too_big(name, size))
        return None
    return _Entry(name, size, lambda: path.open("rb"))


def _directory_entries(folder: Path, package: Package) -> list[_Entry]:
    entries: list[_Entry] = []
    try:
        children = sorted(folder.iterdir())
    except OSError:
        package.problems.append(Problem(folder.name, None, None, "De map kan niet worden gelezen."))
        return entries
    total = 0
    for child in children:
        if not child.is_file() or child.name.startswith("."):
            continue
        if child.suffix.lower() not in (".json", ".csv", ".txt"):
            continue
        entry = _file_entry(child, child.name, package)
        if entry is not None:
            total += entry.size
            entries.append(entry)
    if total > MAX_TOTAL_BYTES:
        package.problems.append(
            Problem(folder.name, None, None, "De map is samen groter dan 1 GB; niets ingelezen.")
        )
        return []
    return entries


def _unsafe(name: str) -> bool:
    """Absolute paths, drive letters, backslashes and ``..`` never belong in a kaart package."""
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in name.split("/"))


def _zip_entries(path: Path, archive: zipfile.ZipFile, package: Package) -> list[_Entry]:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        package.problems.append(
            Problem(
                path.name,
                None,
                None,
                f"Het zip-bestand bevat meer dan {MAX_ZIP_MEMBERS} "
                "bestanden; het is niet ingelezen.",
            )
        )
        return []
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        package.problems.append(
            Problem(
                path.name,
                None,
                None,
                "Uitgepakt zou het zip-bestand groter zijn dan 1 GB (een 'zip-bom'?); "
                "het is niet ingelezen.",
            )
        )
        return []
    entries: list[_Entry] = []
    for info in infos:
        name = info.filename
        if info.is_dir() or name.startswith("__MACOSX/") or PurePosixPath(name).name[:1] == ".":
            continue
        if _unsafe(name):
            package.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    "Onveilige bestandsnaam in het zip-bestand "
                    "(verwijst buiten het pakket); overgeslagen.",
                )
            )
            continue
        if len(PurePosixPath(name).parts) > 3:
            continue
        if info.file_size > MAX_FILE_BYTES:
            package.problems.append(_too_big(name, info.file_size))
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FROM_BYTES and ratio > MAX_ZIP_RATIO:
            package.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    f"Dit bestand in het zip-bestand is {int(ratio)} keer samengeperst; dat "
                    "lijkt op een 'zip-bom'. Het is niet ingelezen.",
                )
            )
            continue

        def opener(info: zipfile.ZipInfo = info) -> IO[bytes]:
            return archive.open(info)

        entries.append(_Entry(name, info.file_size, opener))
    return entries


def _read_bytes(entry: _Entry, package: Package) -> bytes | None:
    """The entry's bytes, never more than the limit, whatever its header claimed."""
    chunks: list[bytes] = []
    total = 0
    try:
        with entry.opener() as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    package.problems.append(_too_big(entry.name, total))
                    return None
                chunks.append(chunk)
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError):
        package.problems.append(
            Problem(
                entry.name,
                None,
                None,
                "Het bestand kan niet worden gelezen (beschadigd of versleuteld).",
            )
        )
        return None
    return b"".join(chunks)


def decode(data: bytes, name: str, problems: list[Problem]) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; otherwise Windows-1252 with a warning."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        problems.append(
            Problem(
                name,
                None,
                None,
                "Het bestand is niet in UTF-8 opgeslagen (eerste afwijkende teken op regel "
                f"{line}); het is gelezen als Windows-1252, zoals Excel dat doet. Controleer "
                "letters met accenten (é, ë, ü).",
                skipped=False,
            )
        )
    try:
        return body.decode("cp1252")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _classify(entries: list[_Entry], package: Package) -> dict[str, _Entry]:
    """Entries by lower-case file name; a second file with the same name is ignored."""
    found: dict[str, _Entry] = {}
    for entry in entries:
        if entry.key in found:
            package.problems.append(
                Problem(
                    entry.name,
                    None,
                    None,
                    f"Er is al een bestand {entry.key} in het pakket "
                    f"({found[entry.key].name}); dit tweede bestand is overgeslagen.",
                )
            )
            continue
        found[entry.key] = entry
    return found


def _entity_of_file(key: str) -> tuple[str, str] | None:
    """(entity, "json"|"csv") for an HSDS file name, or None."""
    stem, _, suffix = key.rpartition(".")
    if suffix not in ("json", "csv"):
        return None
    entity = _ENTITY_BY_STEM.get(stem)
    return None if entity is None else (entity, suffix)


def _read_entries(entries: list[_Entry], package: Package, *, single: bool) -> None:
    files = _classify(entries, package)
    hsds: dict[str, dict[str, _Entry]] = {"json": {}, "csv": {}}
    for key, entry in files.items():
        found = _entity_of_file(key)
        if found is not None:
            hsds[found[1]][found[0]] = entry
    has_private_json = PRIVATE_JSON in files
    if hsds["json"] or has_private_json:
        if hsds["csv"]:
            package.notes.append(
                "Het pakket bevat zowel JSON- als CSV-bestanden; de JSON-bestanden zijn gebruikt."
            )
        package.kind = "hsds-json"
        for entity, entry in hsds["json"].items():
            _read_json_entity(entity, entry, package)
        if has_private_json:
            _read_private_json(files[PRIVATE_JSON], package)
    elif hsds["csv"]:
        package.kind = "hsds-csv"
        for entity, entry in sorted(hsds["csv"].items(), key=lambda item: _ORDER[item[0]]):
            _read_csv_entity(entity, entry, package)
    else:
        _read_loose(files, package, single=single)
        return
    if DATAPACKAGE in files:
        _read_datapackage(files[DATAPACKAGE], package)
    if "metadata.json" in files or "metadata.csv" in files:
        package.notes.append(
            "Het wijzigingslog van de leverancier (metadata) is niet ingelezen; gpdesk houdt een "
            "eigen wijzigingslog bij."
        )


_ORDER: Final[dict[str, int]] = {entity: number for number, entity in enumerate(SPECS)}


def _read_loose(files: dict[str, _Entry], package: Package, *, single: bool) -> None:
    """No HSDS file names: one template CSV, or one JSON file with nested services."""
    csvs = [e for k, e in files.items() if k.endswith((".csv", ".txt"))]
    jsons = [e for k, e in files.items() if k.endswith(".json") and k != DATAPACKAGE]
    if len(csvs) == 1 and not jsons:
        _read_template(csvs[0], package)
    elif len(jsons) == 1 and not csvs:
        package.kind = "hsds-json"
        _read_json_entity(None, jsons[0], package)
    else:
        where = package.path.name
        if single or files:
            message = (
                "Geen sociale kaart gevonden: verwacht een HSDS-pakket (services.json of "
                "services.csv met de andere tabellen) of één sjabloon-CSV."
            )
        else:
            message = "De map of het zip-bestand is leeg."
        package.problems.append(Problem(where, None, None, message))


def _text_of(entry: _Entry, package: Package) -> str | None:
    data = _read_bytes(entry, package)
    if data is None:
        return None
    if not data.strip():
        package.problems.append(Problem(entry.name, None, None, "Het bestand is leeg."))
        return None
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        package.problems.append(
            Problem(entry.name, None, None, "Dit is geen tekstbestand (CSV of JSON).")
        )
        return None
    return decode(data, entry.name, package.problems)


def _load_json(entry: _Entry, package: Package) -> Any:
    text = _text_of(entry, package)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        package.problems.append(
            Problem(
                entry.name,
                None,
                None,
                f"Geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}); het bestand is "
                "niet ingelezen.",
            )
        )
    except RecursionError:
        package.problems.append(
            Problem(entry.name, None, None, "De JSON is te diep genest; niet ingelezen.")
        )
    return None


def _records_of(data: Any) -> list[Any] | None:
    """The list in an entity file: a plain list, an API page (``contents``) or one object."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        contents = data.get("contents")
        if isinstance(contents, list):
            return contents
        if "id" in data:
            return [data]
    return None


def _read_json_entity(entity: str | None, entry: _Entry, package: Package) -> None:
    data = _load_json(entry, package)
    if data is None:
        return
    if entity is None and isinstance(data, dict) and "contents" not in data and "id" not in data:
        _read_json_bundle(data, entry, package)
        return
    records = _records_of(data)
    if records is None:
        package.problems.append(
            Problem(
                entry.name,
                None,
                None,
                "Verwacht een lijst met records ([...]); het bestand is niet ingelezen.",
            )
        )
        return
    if len(records) > MAX_ROWS_PER_FILE:
        package.problems.append(
            Problem(entry.name, None, None, "Te veel records in één bestand; niet ingelezen.")
        )
        return
    target = entity or "service"
    package.present.add(target)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            package.problems.append(
                Problem(entry.name, number, None, "Geen record (object met velden); overgeslagen.")
            )
            continue
        flatten(target, record, entry.name, number, package)


def _read_json_bundle(data: dict[str, Any], entry: _Entry, package: Package) -> None:
    """One JSON object holding several entity lists: ``{"services": [...], ...}``."""
    used = False
    for key, value in data.items():
        entity = _ENTITY_BY_STEM.get(str(key).lower())
        if entity is None or not isinstance(value, list):
            continue
        used = True
        package.present.add(entity)
        for number, record in enumerate(value, start=1):
            if isinstance(record, dict):
                flatten(entity, record, entry.name, number, package)
            else:
                package.problems.append(
                    Problem(entry.name, number, key, "Geen record; overgeslagen.")
                )
    if not used:
        package.problems.append(
            Problem(entry.name, None, None, "Geen HSDS-gegevens gevonden in dit JSON-bestand.")
        )


def _read_private_json(entry: _Entry, package: Package) -> None:
    data = _load_json(entry, package)
    if data is None:
        return
    if not isinstance(data, dict):
        package.problems.append(
            Problem(
                entry.name,
                None,
                None,
                "Verwacht een object met fixed_contacts en feedback_agreements; niet ingelezen.",
            )
        )
        return
    for entity, key in PRIVATE_KEYS.items():
        records = data.get(key)
        if records is None:
            continue
        package.present.add(entity)
        if not isinstance(records, list):
            package.problems.append(Problem(entry.name, None, key, "Verwacht een lijst."))
            continue
        for number, record in enumerate(records, start=1):
            if isinstance(record, dict):
                package.add(RawRecord(entity, dict(record), entry.name, number))
            else:
                package.problems.append(
                    Problem(entry.name, number, key, "Geen record; overgeslagen.")
                )


def _read_datapackage(entry: _Entry, package: Package) -> None:
    data = _load_json(entry, package)
    if isinstance(data, dict):
        name = data.get("name") or data.get("title")
        if isinstance(name, str) and name.strip():
            package.name = name.strip()


# --- nested JSON: a service with everything inside -------------------------------------------

_CHILD_LISTS: Final[dict[str, dict[str, tuple[str, str | None]]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "contacts": ("contact", "service_id"),
        "capacities": ("service_capacity", "service_id"),
        "attributes": ("attribute", None),
    },
    "organization": {
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "services": ("service", "organization_id"),
        "attributes": ("attribute", None),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "service_areas": ("service_area", "service_at_location_id"),
        "attributes": ("attribute", None),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "languages": ("language", "location_id"),
        "contacts": ("contact", "location_id"),
        "attributes": ("attribute", None),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
"""Per entity: nested list key -> (child entity, the child's column pointing back)."""
_CHILD_OBJECTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "service": {"organization": ("organization", "organization_id")},
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
    "service_capacity": {"unit": ("unit", "unit_id")},
}
"""Per entity: nested object key -> (its entity, the parent's column pointing to it)."""


_Child = tuple[str, dict[str, Any], str | None, bool]


def _split_nested(entity: str, record: dict[str, Any]) -> tuple[dict[str, Any], list[_Child]]:
    """(the record's own fields, its nested children as (entity, data, link column, object?))."""
    flat: dict[str, Any] = {}
    children: list[_Child] = []
    lists = _CHILD_LISTS.get(entity, {})
    objects = _CHILD_OBJECTS.get(entity, {})
    for key, value in record.items():
        if key in lists and isinstance(value, list):
            child_entity, back = lists[key]
            children += [
                (child_entity, item, back, False) for item in value if isinstance(item, dict)
            ]
        elif key in objects and isinstance(value, dict):
            child_entity, link = objects[key]
            children.append((child_entity, value, link, True))
        elif not isinstance(value, dict | list):  # other nested HSDS parts are not kept
            flat[key] = value
    return flat, children


def flatten(entity: str, record: dict[str, Any], file: str, row: int, package: Package) -> None:
    """Split a nested HSDS object (the API form) into flat records with their links filled in.

    Nested lists and objects HSDS defines but gpdesk does not keep (funding, programs,
    metadata, ...) are left out; the flat fields go through unchanged.
    """
    if not any(type(value) in (dict, list) for value in record.values()):
        package.add(RawRecord(entity, record, file, row))  # already flat: the common case
        return
    flat, children = _split_nested(entity, record)
    parent_id = flat.get("id")
    for child_entity, item, column, is_object in children:
        child = dict(item)
        if is_object:
            if column is not None and child.get("id") is not None and flat.get(column) is None:
                flat[column] = child["id"]
        elif column is None:  # attribute: linked by entity and id
            child.setdefault("link_id", parent_id)
            child.setdefault("link_entity", entity)
        elif parent_id is not None and child.get(column) is None:
            child[column] = parent_id
        flatten(child_entity, child, file, row, package)
    package.add(RawRecord(entity, flat, file, row))


# --- CSV -----------------------------------------------------------------------------------


def _delimiter(text: str) -> str:
    first = next(iter(text.splitlines()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str, name: str, problems: list[Problem]) -> TemplateTable | None:
    """Header and non-empty rows (with their spreadsheet row number) of a ; , or tab CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    number = 1
    header: list[str] | None = None
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            problems.append(Problem(name, 1, None, "De kopregel (rij 1) ontbreekt of is leeg."))
            return None
        for number, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS_PER_FILE:
                problems.append(Problem(name, None, None, "Te veel rijen; niet ingelezen."))
                return None
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        problems.append(
            Problem(
                name,
                number + 1,
                None,
                f"Deze rij is geen geldige CSV ({exc}); het bestand is vanaf hier niet ingelezen.",
            )
        )
    if header is None:
        return None
    return TemplateTable(name, [cell.strip().lstrip("\ufeff") for cell in header], rows)


def _read_csv_entity(entity: str, entry: _Entry, package: Package) -> None:
    text = _text_of(entry, package)
    if text is None:
        return
    table = read_csv(text, entry.name, package.problems)
    if table is None:
        return
    spec = SPECS[entity]
    header = [cell.lower() for cell in table.header]
    missing = [
        c.name for c in spec.columns if (c.required or c.name == "id") and c.name not in header
    ]
    if missing:
        package.problems.append(
            Problem(
                entry.name,
                1,
                ", ".join(missing),
                "Verplichte kolom ontbreekt: " + ", ".join(missing) + ". Het bestand is niet "
                "ingelezen.",
            )
        )
        return
    package.present.add(entity)
    width = len(header)
    for number, cells in table.rows:
        padded = cells[:width] + [""] * (width - len(cells))
        data = {column: value for column, value in zip(header, padded, strict=True) if column}
        package.add(RawRecord(entity, data, entry.name, number))


def _read_template(entry: _Entry, package: Package) -> None:
    text = _text_of(entry, package)
    if text is None:
        return
    table = read_csv(text, entry.name, package.problems)
    if table is None:
        return
    package.kind = "sjabloon"
    package.template = table


def iter_entities() -> Iterator[TableSpec]:
    """Every table spec in insert order."""
    return iter(SPECS.values())
