"""Reading an HSDS data package or a filled-in template from disk, safely, without the database.

What a practice gets handed is untrusted: a zip from a website, a CSV from a spreadsheet, a folder
from a colleague. So every file is size-checked before it is read (``MAX_FILE_BYTES``), a zip is
inspected member by member (declared size, compression ratio, unsafe names) and read through
``zipfile`` streams, never extracted to disk; text that is not UTF-8 is read as Windows-1252 (a
Dutch Excel export) with a warning rather than a crash. Nothing here raises on bad content:
everything becomes a ``Problem`` with file, row and field, so the preview can list it.

Turning the file contents into records is ``records``; what import, export and undo share
about the kaart's tables (``tables``) and how a value travels as text or JSON
(``values``) live in their own modules and are re-exported here, so callers keep one name.
The limits (``limits``) are re-exported too: the checks below read them from this module.
"""

from __future__ import annotations

import codecs
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final

from gpdesk.errors import ValidationError
from gpdesk.kaart.exchange.hsds import extension_files
from gpdesk.kaart.exchange.limits import (
    MAX_FILE_BYTES,
    MAX_ROWS_PER_FILE,
    MAX_SERVICES,
    MAX_TOTAL_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
)
from gpdesk.kaart.exchange.records import (
    _read_csv_entity,
    _read_datapackage,
    _read_json_entity,
    _read_private_json,
    _read_template,
    flatten,
    read_csv,
    read_extension,
)
from gpdesk.kaart.exchange.tables import (
    _ENTITY_BY_STEM,
    DATAPACKAGE,
    ENTITY_LABELS,
    KIND_LABELS,
    PRIVATE_JSON,
    PRIVATE_KEYS,
    SHAPE_LABELS,
    SPECS,
    ColumnSpec,
    Package,
    PackageKind,
    Problem,
    RawRecord,
    TableSpec,
    TemplateTable,
    ValueKind,
    entity_label,
    iter_entities,
    this_label,
)
from gpdesk.kaart.exchange.values import convert, parse_time, same_value, to_json_value, to_text

__all__ = [
    "DATAPACKAGE",
    "ENTITY_LABELS",
    "KIND_LABELS",
    "MAX_FILE_BYTES",
    "MAX_ROWS_PER_FILE",
    "MAX_SERVICES",
    "MAX_TOTAL_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_RATIO",
    "PRIVATE_JSON",
    "PRIVATE_KEYS",
    "SHAPE_LABELS",
    "SPECS",
    "ColumnSpec",
    "Package",
    "PackageKind",
    "Problem",
    "RawRecord",
    "TableSpec",
    "TemplateTable",
    "ValueKind",
    "convert",
    "decode",
    "entity_label",
    "flatten",
    "iter_entities",
    "parse_time",
    "read_csv",
    "read_package",
    "same_value",
    "this_label",
    "to_json_value",
    "to_text",
]

_RATIO_FROM_BYTES: Final = 1024 * 1024  # small members may compress extremely well; that is fine
_CHUNK: Final = 1024 * 1024


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
    extension = next((files[name] for name in extension_files() if name in files), None)
    if hsds["json"] or has_private_json:
        if hsds["csv"]:
            package.notes.append(
                "Het pakket bevat zowel JSON- als CSV-bestanden; de JSON-bestanden zijn gebruikt."
            )
        package.kind = "hsds-json"
        for entity, entry in hsds["json"].items():
            _read_json_entity(entity, _load_json(entry, package), entry.name, package)
        if has_private_json:
            private = files[PRIVATE_JSON]
            _read_private_json(_load_json(private, package), private.name, package)
    elif hsds["csv"]:
        package.kind = "hsds-csv"
        for entity, entry in sorted(hsds["csv"].items(), key=lambda item: _ORDER[item[0]]):
            _read_csv_entity(entity, _text_of(entry, package), entry.name, package)
    else:
        _read_loose(files, package, single=single)
        _note_unkept(package)
        return
    _finish_tables(files, extension, package)


def _finish_tables(files: dict[str, _Entry], extension: _Entry | None, package: Package) -> None:
    """After the tables: gpdesk's own fields, the package's name, what was not read."""
    if package.shape is None:
        package.shape = "tables"
    if extension is not None:
        _read_extension_entry(extension, package)
    if DATAPACKAGE in files:
        _read_datapackage(_load_json(files[DATAPACKAGE], package), package)
    if "metadata.json" in files or "metadata.csv" in files:
        package.notes.append(
            "Het wijzigingslog van de leverancier (metadata) is niet ingelezen; gpdesk houdt een "
            "eigen wijzigingslog bij."
        )
    _note_unkept(package)


def _note_unkept(package: Package) -> None:
    if package.unkept:
        package.notes.append(
            "Deze onderdelen van HSDS bewaart gpdesk niet en zijn overgeslagen: "
            + ", ".join(sorted(package.unkept))
            + "."
        )


def _read_extension_entry(entry: _Entry, package: Package) -> None:
    """Read gpdesk's own fields (``gpdesk_extension.json`` or ``.csv``) onto the records."""
    rows: list[tuple[int, dict[str, Any]]] = []
    if entry.key.endswith(".json"):
        data = _load_json(entry, package)
        if data is None:
            return
        if not isinstance(data, list):
            package.problems.append(
                Problem(entry.name, None, None, "Verwacht een lijst; niet ingelezen.")
            )
            return
        for number, item in enumerate(data, start=1):
            if isinstance(item, dict):
                rows.append((number, item))
            else:
                package.problems.append(Problem(entry.name, number, None, "Geen record."))
    else:
        text = _text_of(entry, package)
        table = None if text is None else read_csv(text, entry.name, package.problems)
        if table is None:
            return
        header = [cell.lower() for cell in table.header]
        for number, cells in table.rows:
            rows.append((number, dict(zip(header, cells, strict=False))))
    read_extension(rows, entry.name, package)


_ORDER: Final[dict[str, int]] = {entity: number for number, entity in enumerate(SPECS)}


def _read_loose(files: dict[str, _Entry], package: Package, *, single: bool) -> None:
    """No HSDS file names: one template CSV, or one JSON file with nested services."""
    csvs = [e for k, e in files.items() if k.endswith((".csv", ".txt"))]
    jsons = [
        e
        for k, e in files.items()
        if k.endswith(".json") and k != DATAPACKAGE and k not in extension_files()
    ]
    if len(csvs) == 1 and not jsons:
        _read_template(_text_of(csvs[0], package), csvs[0].name, package)
    elif len(jsons) == 1 and not csvs:
        package.kind = "hsds-json"
        _read_json_entity(None, _load_json(jsons[0], package), jsons[0].name, package)
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
