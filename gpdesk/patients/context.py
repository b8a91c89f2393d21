"""The patient a gpdesk window is about, and the three ways one arrives.

A ``PatientContext`` comes from form fields (``PatientContext.from_fields``), from a
``gpdesk://patient?...`` link that the HIS opens (``parse_patient_url``), or from a patient
line that staff copy from the HIS and paste (``gpdesk.patients.his_line``). All three validate
every field and report every problem at once, in Dutch and without repeating patient data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from urllib.parse import unquote_plus, urlsplit

from gpdesk.errors import ValidationError
from gpdesk.patients.validation import (
    BIRTH_DATE_FIELD,
    BSN_FIELD,
    NAME_FIELD,
    PHONE_FIELD,
    POSTCODE_FIELD,
    format_birth_date,
    normalise_name,
    normalise_phone,
    normalise_postcode,
    parse_birth_date,
    validate_bsn,
)

URL_FIELD = "url"
TEXT_FIELD = "tekst"
MAX_URL_LENGTH = 2000
MAX_PASTE_LENGTH = 10_000

_T = TypeVar("_T")

_FIELD_ORDER = (BSN_FIELD, NAME_FIELD, BIRTH_DATE_FIELD, POSTCODE_FIELD, PHONE_FIELD)
_MISSING = {
    BSN_FIELD: "Het BSN ontbreekt.",
    NAME_FIELD: "De naam ontbreekt.",
    BIRTH_DATE_FIELD: "De geboortedatum ontbreekt.",
    POSTCODE_FIELD: "De postcode ontbreekt.",
}


def ordered_problems(problems: Mapping[str, str]) -> dict[str, str]:
    """Put problems in form order, so the joined message reads top to bottom."""
    known = {key: problems[key] for key in _FIELD_ORDER if key in problems}
    return known | {key: value for key, value in problems.items() if key not in known}


def _check(
    problems: dict[str, str], key: str, raw: str | None, validator: Callable[[str], _T]
) -> _T | None:
    """Validate one field, collecting its problem instead of stopping at the first one."""
    if raw is None or not raw.strip():
        if key in _MISSING:
            problems[key] = _MISSING[key]
        return None
    try:
        return validator(raw)
    except ValidationError as exc:
        problems.update(exc.problems)
        return None


@dataclass(frozen=True, repr=False)
class PatientContext:
    """The patient on screen, with normalised fields.

    The constructor trusts its input (it is also used to load stored patients); use
    ``from_fields`` or one of the parsers for anything a person typed or pasted.
    """

    bsn: str
    name: str
    birth_date: date
    postcode: str
    phone: str | None = field(default=None)

    def __repr__(self) -> str:
        # A repr ends up in logs and tracebacks, so it must not show who the patient is.
        return "PatientContext(<redacted>)"

    def banner_text(self) -> str:
        """Identify the patient at a glance; the BSN stays out because screens are seen."""
        return " · ".join(
            (self.name, format_birth_date(self.birth_date), _display_postcode(self.postcode))
        )

    def to_dict(self) -> dict[str, str]:
        """Return the fields under their Dutch names, the same keys ``from_fields`` reads."""
        result = {
            BSN_FIELD: self.bsn,
            NAME_FIELD: self.name,
            BIRTH_DATE_FIELD: self.birth_date.isoformat(),
            POSTCODE_FIELD: self.postcode,
        }
        if self.phone is not None:
            result[PHONE_FIELD] = self.phone
        return result

    @classmethod
    def from_fields(
        cls, fields: Mapping[str, str | None], *, today: date | None = None
    ) -> PatientContext:
        """Validate every field and report all problems together, so a form is fixed in one go.

        Raises:
            ValidationError: keyed by ``bsn``, ``naam``, ``geboortedatum``, ``postcode`` and
                ``telefoon``; the telephone number is optional, unknown keys are ignored.
        """
        problems: dict[str, str] = {}
        bsn = _check(problems, BSN_FIELD, fields.get(BSN_FIELD), validate_bsn)
        name = _check(problems, NAME_FIELD, fields.get(NAME_FIELD), normalise_name)
        birth_date = _check(
            problems,
            BIRTH_DATE_FIELD,
            fields.get(BIRTH_DATE_FIELD),
            lambda value: parse_birth_date(value, today=today),
        )
        postcode = _check(problems, POSTCODE_FIELD, fields.get(POSTCODE_FIELD), normalise_postcode)
        phone = _check(problems, PHONE_FIELD, fields.get(PHONE_FIELD), normalise_phone)
        if problems or bsn is None or name is None or birth_date is None or postcode is None:
            raise ValidationError(ordered_problems(problems))
        return cls(bsn=bsn, name=name, birth_date=birth_date, postcode=postcode, phone=phone)


def _display_postcode(postcode: str) -> str:
    """Show ``1234 AB`` without raising: a banner must never crash the window it sits in."""
    if len(postcode) == 6 and postcode[:4].isdigit() and postcode[4:].isalpha():
        return f"{postcode[:4]} {postcode[4:]}"
    return postcode


# --- gpdesk:// links ------------------------------------------------------------------------

_URL_SCHEME = "gpdesk"
_URL_HOST = "patient"
_NOT_A_PATIENT_LINK = "Deze link is geen gpdesk-patiëntlink."
_REOPEN = "Open de link opnieuw vanuit het HIS."
_UNREADABLE_LINK = f"Deze link bevat tekens die gpdesk niet kan lezen. {_REOPEN}"
_LINK_TOO_LONG = f"Deze link is te lang (meer dan {MAX_URL_LENGTH} tekens). {_REOPEN}"


def _is_patient_target(netloc: str, path: str) -> bool:
    """Accept ``gpdesk://patient``, ``gpdesk://patient/`` and ``gpdesk:patient``."""
    if netloc:
        return netloc.lower() == _URL_HOST and path in ("", "/")
    return path.lower() in (_URL_HOST, _URL_HOST + "/")


def _decode_query_value(key: str, raw: str) -> str:
    """Percent-decode; a leading ``+`` in a phone number is the number's own, not a space."""
    if key == PHONE_FIELD and raw.startswith("+"):
        return "+" + unquote_plus(raw[1:], errors="strict")
    return unquote_plus(raw, errors="strict")


def _query_fields(query: str) -> dict[str, str]:
    """Read the known fields from a query string; a field given twice is refused, not guessed."""
    fields: dict[str, str] = {}
    for piece in query.split("&"):
        if not piece:
            continue
        raw_key, _, raw_value = piece.partition("=")
        try:
            key = unquote_plus(raw_key, errors="strict").strip().lower()
            if key not in _FIELD_ORDER:
                continue
            value = _decode_query_value(key, raw_value)
        except UnicodeDecodeError:
            raise ValidationError({URL_FIELD: _UNREADABLE_LINK}) from None
        if key in fields:
            raise ValidationError(
                {URL_FIELD: f"Het veld '{key}' staat meer dan één keer in de link. {_REOPEN}"}
            )
        fields[key] = value
    return fields


def parse_patient_url(url: str, *, today: date | None = None) -> PatientContext:
    """Read the patient from a ``gpdesk://patient?bsn=...`` link that the HIS opens.

    Raises:
        ValidationError: ``url`` when it is not a usable gpdesk patient link, otherwise one
            problem per invalid or missing field.
    """
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({URL_FIELD: _LINK_TOO_LONG})
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise ValidationError({URL_FIELD: _NOT_A_PATIENT_LINK}) from None
    if parts.scheme.lower() != _URL_SCHEME or not _is_patient_target(parts.netloc, parts.path):
        raise ValidationError({URL_FIELD: _NOT_A_PATIENT_LINK})
    fields: dict[str, str | None] = dict(_query_fields(parts.query))
    return PatientContext.from_fields(fields, today=today)
