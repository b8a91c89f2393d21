"""What Open Referral's HSDS 3.0 itself says a table holds: its official data package descriptor.

The export writes exactly these fields, in this order, with these types; whatever of the kaart
HSDS 3.0 has no field for (or a value HSDS would reject, such as a phone extension with words
in it) goes to gpdesk's extension file instead (``EXTENSION_STEM``). The descriptor is Open
Referral's ``datapackage.json`` (branch 3.0; CC BY-SA 4.0, see ``resources/kaart/HSDS-3.0.md``),
shipped unchanged.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import date, datetime, time
from functools import cache
from importlib.resources import files
from typing import Any, Final

from gpdesk.kaart.exchange.values import to_json_value

DESCRIPTOR_FILE: Final = "hsds-3.0-datapackage.json"
"""Open Referral's descriptor in ``resources/kaart/``."""
EXTENSION_STEM: Final = "gpdesk_extension"
"""gpdesk's own fields and tables (``gpdesk_extension.json`` or ``.csv``, as the tables):
one row per value, keyed by entity, record id and field; other systems ignore it."""
EXTENSION_RESOURCE: Final = "gpdesk_extension"
EXTENSION_FIELDS: Final = ("entity", "id", "field", "value")
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
"""An absolute URI in RFC 3986's characters (an IRI with "é" is not one, as the schema checks)."""
_NUMBER: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@cache
def official_descriptor() -> dict[str, Any]:
    """Open Referral's HSDS 3.0 ``datapackage.json`` as published (do not change the result)."""
    text = (files("gpdesk.resources") / "kaart" / DESCRIPTOR_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def official_fields(entity: str) -> tuple[dict[str, Any], ...]:
    """The fields HSDS 3.0 defines for ``entity``, in the official column order; () if none."""
    for resource in official_descriptor()["resources"]:
        if resource["name"] == entity:
            return tuple(resource["schema"]["fields"])
    return ()


def official_names(entity: str) -> tuple[str, ...]:
    """The official column names (CSV header) of ``entity``."""
    return tuple(f["name"] for f in official_fields(entity))


def cut_descriptor(entities: list[str], *, json_tables: bool) -> dict[str, Any]:
    """The official descriptor cut down to ``entities`` (as Open Referral's examples do).

    Foreign keys to tables that are not in the package go too. For a JSON package each
    resource's path, format and media type say JSON; the schema stays the official one.
    """
    official = official_descriptor()
    wanted = set(entities)
    resources = [copy.deepcopy(r) for r in official["resources"] if r["name"] in wanted]
    for resource in resources:
        schema = resource["schema"]
        keys = [k for k in schema.get("foreignKeys", []) if k["reference"]["resource"] in wanted]
        if keys:
            schema["foreignKeys"] = keys
        else:
            schema.pop("foreignKeys", None)
        if json_tables:
            stem = resource["path"].rsplit(".", 1)[0]
            resource["path"] = f"{stem}.json"
            resource["format"] = "json"
            resource["mediatype"] = "application/json"
    descriptor = {k: copy.deepcopy(v) for k, v in official.items() if k != "resources"}
    descriptor["resources"] = resources
    return descriptor


def hsds_value(field: dict[str, Any], value: Any) -> tuple[bool, Any]:
    """(fits, the JSON value) of a kaart value in an official field.

    A value that does not fit the field's type, enum or format (a phone extension "toets 2", a
    website without https://) does not go into the HSDS table; the caller keeps it in the
    extension file, so nothing is lost and the table stays valid.
    """
    kind = field.get("type", "string")
    constraints = field.get("constraints", {})
    if kind == "time":
        if not isinstance(value, time):
            return False, None
        return True, value.strftime("%H:%M:%S")
    if kind == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            return False, None
        return True, value.isoformat()
    if kind == "datetime":
        if not isinstance(value, datetime):
            return False, None
        return True, value.isoformat()
    if kind == "number":
        if isinstance(value, bool):
            return False, None
        if isinstance(value, int | float):
            return True, value
        text = str(value).strip()
        if not _NUMBER.fullmatch(text):
            return False, None
        number = float(text)
        return True, int(number) if number.is_integer() and "." not in text else number
    result = to_json_value(value)
    if not isinstance(result, str):
        result = str(result)
    enum = constraints.get("enum")
    if enum is not None and result not in enum:
        return False, None
    return _format_fits(field.get("format"), result), result


def _format_fits(form: str | None, text: str) -> bool:
    if form == "uuid":
        try:
            uuid.UUID(text)
        except ValueError:
            return False
        return all(text[position] == "-" for position in (8, 13, 18, 23))
    if form == "uri":
        return bool(_URI.fullmatch(text))
    if form == "email":
        return "@" in text
    return True


def extension_files() -> tuple[str, str]:
    """The extension file's names in a JSON and a CSV package."""
    return f"{EXTENSION_STEM}.json", f"{EXTENSION_STEM}.csv"


def csv_cell(value: Any) -> str:
    """A fitting value as its CSV text (numbers as written in JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
