"""The request file of ``gpdesk signal send``: read, every key checked, turned into core types.

The format (README, "Headless"): ``{"patient": {"bsn", "naam", "geboortedatum", "postcode",
"telefoon"}, "team"?, "themas": [code], "vraag", "route", "urgent"?, "privenotitie"?,
"namens"?, "gegevens"?, "toestemming"?: {"wijze", "gegevens", "doelen",
"vertegenwoordiger"?: {"naam", "relatie"}, "wilsonbekwaam"?}, "zonder_toestemming"?:
{"grond", "toelichting"}}``. Every problem names its key (``'patient.telefoon': ...``), and an
unknown key is refused rather than ignored: a typo must not silently send less (or more).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from gpdesk.errors import ValidationError
from gpdesk.models import ConsentMethod, DataItem, NoConsentGround, Purpose
from gpdesk.patients.context import PatientContext
from gpdesk.signals.consent import ConsentDraft, NoConsentRequest, OrganisationRef, Representative
from gpdesk.signals.outgoing import DEFAULT_ITEMS, THEMES, Route

TOP_KEYS: Final = frozenset(
    {
        "patient", "team", "themas", "vraag", "route", "urgent", "privenotitie", "namens",
        "gegevens", "toestemming", "zonder_toestemming",
    }
)  # fmt: skip
PATIENT_KEYS: Final = frozenset({"bsn", "naam", "geboortedatum", "postcode", "telefoon"})
CONSENT_KEYS: Final = frozenset(
    {"wijze", "gegevens", "doelen", "vertegenwoordiger", "wilsonbekwaam"}
)
REPRESENTATIVE_KEYS: Final = frozenset({"naam", "relatie"})
NO_CONSENT_KEYS: Final = frozenset({"grond", "toelichting"})
MAX_REQUEST_BYTES: Final = 200_000

E = TypeVar("E", DataItem, Purpose)


def keyed(key: str, message: str) -> str:
    """A problem as the terminal shows it: the key first, so a script's author finds it."""
    return f"'{key}': {message}"


def rekeyed(error: ValidationError, prefix: str = "") -> ValidationError:
    """The same problems, each message naming its key (``prefix`` + key)."""
    return ValidationError(
        {f"{prefix}{key}": keyed(f"{prefix}{key}", text) for key, text in error.problems.items()}
    )


@dataclass(frozen=True)
class ConsentSpec:
    """The request's "toestemming": the organisation is the chosen team's, known only later."""

    method: ConsentMethod
    items: frozenset[DataItem]
    purposes: frozenset[Purpose]
    representative: Representative | None
    incapable: bool

    def draft(self, organisation: OrganisationRef) -> ConsentDraft:
        """The consent for the team's organisation, as the form would record it."""
        return ConsentDraft(
            purposes=self.purposes,
            organisations=(organisation,),
            items=self.items,
            method=self.method,
            representative=self.representative,
            patient_incapable=self.incapable,
        )


@dataclass(frozen=True, repr=False)
class SignalFile:
    """A request file, every key checked; ``patient`` still to be found or saved."""

    patient: PatientContext
    themes: tuple[str, ...]
    question: str
    route: Route
    team_id: str | None
    urgent: bool
    private_note: str | None
    on_behalf_of: str | None
    items: frozenset[DataItem]
    consent: ConsentSpec | None
    ground: NoConsentGround | None
    ground_reason: str | None
    without_consent: bool

    def __repr__(self) -> str:
        return "SignalFile(<redacted>)"

    def no_consent(self, organisation: OrganisationRef) -> NoConsentRequest | None:
        """The GP's no-consent decision for the team's organisation, if the request asks it."""
        if not self.without_consent:
            return None
        return NoConsentRequest(
            ground=self.ground, reason=self.ground_reason or "", organisation=organisation,
            items=self.items,
        )  # fmt: skip


class _Problems:
    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, key: str, message: str) -> None:
        self.found.setdefault(key, keyed(key, message))

    def unknown(self, data: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.add(f"{prefix}{key}", f"dit veld kent gpdesk niet. Bekende velden: {known}.")


def _text(data: Mapping[str, Any], key: str, problems: _Problems, path: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(path, "hier hoort tekst.")
        return None
    return value


def _bool(data: Mapping[str, Any], key: str, problems: _Problems, path: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.add(path, "hier hoort true of false.")
        return False
    return value


def _enum_list(raw: Any, kind: type[E], problems: _Problems, path: str) -> frozenset[E] | None:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        problems.add(path, "hier hoort een lijst met tekst.")
        return None
    values = set()
    for value in raw:
        try:
            values.add(kind(value))
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            problems.add(path, f"'{value}' is geen geldige waarde; kies uit {allowed}.")
            return None
    return frozenset(values)


def _patient(raw: Any, problems: _Problems) -> PatientContext | None:
    if not isinstance(raw, dict):
        problems.add("patient", "hier hoort een object met bsn, naam, geboortedatum, postcode.")
        return None
    problems.unknown(raw, PATIENT_KEYS, "patient.")
    fields = {}
    for key in PATIENT_KEYS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            problems.add(f"patient.{key}", "hier hoort tekst.")
            return None
        fields[key] = value
    try:
        return PatientContext.from_fields(fields)
    except ValidationError as error:
        for key, text in error.problems.items():
            problems.add(f"patient.{key}", text)
        return None


def _consent(raw: Any, problems: _Problems) -> ConsentSpec | None:
    if not isinstance(raw, dict):
        problems.add("toestemming", "hier hoort een object met wijze, gegevens en doelen.")
        return None
    problems.unknown(raw, CONSENT_KEYS, "toestemming.")
    method = None
    wijze = raw.get("wijze")
    try:
        method = ConsentMethod(str(wijze))
    except ValueError:
        allowed = ", ".join(m.value for m in ConsentMethod)
        problems.add("toestemming.wijze", f"kies uit {allowed}.")
    items = _enum_list(raw.get("gegevens"), DataItem, problems, "toestemming.gegevens")
    purposes = _enum_list(raw.get("doelen"), Purpose, problems, "toestemming.doelen")
    representative = None
    rep = raw.get("vertegenwoordiger")
    if rep is not None:
        if not isinstance(rep, dict):
            problems.add(
                "toestemming.vertegenwoordiger", "hier hoort een object met naam en relatie."
            )
        else:
            problems.unknown(rep, REPRESENTATIVE_KEYS, "toestemming.vertegenwoordiger.")
            name = _text(rep, "naam", problems, "toestemming.vertegenwoordiger.naam") or ""
            relation = _text(rep, "relatie", problems, "toestemming.vertegenwoordiger.relatie")
            representative = Representative(name, relation or "")
    incapable = _bool(raw, "wilsonbekwaam", problems, "toestemming.wilsonbekwaam")
    if method is None or items is None or purposes is None:
        return None
    return ConsentSpec(method, items, purposes, representative, incapable)


def _themes(raw: Any, problems: _Problems) -> tuple[str, ...]:
    codes = {t.code for t in THEMES}
    if not isinstance(raw, list) or not raw:
        problems.add("themas", "kies minstens één thema (zie gpdesk signal themes).")
        return ()
    for code in raw:
        if not isinstance(code, str) or code not in codes:
            problems.add("themas", f"{code!r} is geen thema; zie gpdesk signal themes.")
    return tuple(c for c in raw if isinstance(c, str))


def _route(data: Mapping[str, Any], problems: _Problems) -> Route:
    if "route" not in data:
        return Route.APPOINTMENT
    try:
        return Route(data["route"])
    except ValueError:
        problems.add("route", f"kies uit {', '.join(r.value for r in Route)}.")
        return Route.APPOINTMENT


def _without(raw: Any, problems: _Problems) -> tuple[NoConsentGround | None, str | None]:
    if not isinstance(raw, dict):
        problems.add("zonder_toestemming", "hier hoort een object met grond en toelichting.")
        return None, None
    problems.unknown(raw, NO_CONSENT_KEYS, "zonder_toestemming.")
    ground = None
    try:
        ground = NoConsentGround(str(raw.get("grond")))
    except ValueError:
        allowed = ", ".join(g.value for g in NoConsentGround)
        problems.add("zonder_toestemming.grond", f"kies uit {allowed}.")
    return ground, _text(raw, "toelichting", problems, "zonder_toestemming.toelichting")


def parse_request(data: Any) -> SignalFile:
    """Check every key of a request; all problems together, each naming its key."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise ValidationError({"verzoek": "Het verzoek moet een JSON-object zijn ({...})."})
    problems.unknown(data, TOP_KEYS, "")
    patient = _patient(data.get("patient"), problems)
    themes = _themes(data.get("themas"), problems)
    question = _text(data, "vraag", problems, "vraag")
    if not (question or "").strip():
        problems.add("vraag", "de hulpvraag ontbreekt.")
    route = _route(data, problems)
    team_id = _text(data, "team", problems, "team")
    urgent = _bool(data, "urgent", problems, "urgent")
    note = _text(data, "privenotitie", problems, "privenotitie")
    on_behalf = _text(data, "namens", problems, "namens")
    items = DEFAULT_ITEMS
    if "gegevens" in data:
        items = _enum_list(data["gegevens"], DataItem, problems, "gegevens") or items
    consent = None if data.get("toestemming") is None else _consent(data["toestemming"], problems)
    without = data.get("zonder_toestemming")
    ground, ground_reason = (None, None) if without is None else _without(without, problems)
    if consent is not None and without is not None:
        problems.add("toestemming", "kies óf toestemming, óf zonder_toestemming; niet beide.")
    if problems.found or patient is None or question is None:
        raise ValidationError(problems.found)
    return SignalFile(
        patient=patient, themes=themes, question=question, route=route,
        team_id=(team_id or "").strip() or None, urgent=urgent, private_note=note,
        on_behalf_of=on_behalf, items=items, consent=consent, ground=ground,
        ground_reason=ground_reason, without_consent=without is not None,
    )  # fmt: skip


def read_request(path: Path) -> SignalFile:
    """Read and check a request file ("-" is standard input)."""
    import sys

    try:
        if str(path) == "-":
            text = sys.stdin.read(MAX_REQUEST_BYTES + 1)
        else:
            with path.open(encoding="utf-8") as stream:
                text = stream.read(MAX_REQUEST_BYTES + 1)
    except (OSError, UnicodeDecodeError):
        raise ValidationError(
            {"verzoek": f"Het verzoek ({path}) is niet te lezen als UTF-8-tekst."}
        ) from None
    if len(text) > MAX_REQUEST_BYTES:
        raise ValidationError({"verzoek": "Het verzoek is te groot voor één signaal."})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            {
                "verzoek": f"Het verzoek is geen geldige JSON (regel {error.lineno}, "
                f"kolom {error.colno})."
            }
        ) from None
    return parse_request(data)
