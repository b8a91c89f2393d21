"""The Logboek's Dutch line for every kind of audit entry (pure logic, hand-made records)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gpdesk.security.audit import (
    EVENT_LABELS,
    AuditRecord,
    Checks,
    describe,
    name_key,
)

REPO = Path(__file__).resolve().parents[2]
BASE = AuditRecord(
    seq=1,
    at=datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
    event="login",
    action="R",
    user_id=1,
    username="smit",
    role="practice_manager",
    on_behalf_of=None,
    workstation="balie",
    patient_ref=None,
    object_type=None,
    object_id=None,
    checks=Checks().to_json(),
    detail=None,
    prev_hash="0" * 64,
    hash="",
)
NAMES = {
    name_key("user", "smit"): "R. Smit",
    name_key("user", "jansen"): "M. Jansen",
    name_key("user", "bakker"): "H. Bakker",
    name_key("kaart_service", "svc-1"): "Wijkteam Nieuwland",
    name_key("kaart_organization", "org-1"): "Stichting Welzijn Schiedam",
    name_key("kaart_contact", "c-1"): "Fatma Kaya (Wijkteam Nieuwland)",
    name_key("kaart_batch", "b-1"): "kaart.zip",
}


def line(*, names: dict[str, str] | None = None, **fields: Any) -> str:
    return describe(replace(BASE, **fields), NAMES if names is None else names)


CASES = [
    ({"event": "login"}, "aangemeld"),
    (
        {"event": "login.failed", "detail": "onjuist wachtwoord (2x)"},
        "aanmelden mislukt: onjuist wachtwoord (2x)",
    ),
    ({"event": "logout"}, "afgemeld"),
    ({"event": "switch_user"}, "andere gebruiker aangemeld op deze werkplek"),
    ({"event": "lock"}, "vergrendeld"),
    ({"event": "unlock"}, "ontgrendeld"),
    ({"event": "patient.open", "patient_ref": "ab" * 32}, "patiënt geopend"),
    ({"event": "patient.read", "patient_ref": "ab" * 32}, "patiënt opgezocht"),
    ({"event": "patient.store", "action": "C"}, "patiënt vastgelegd in gpdesk"),
    ({"event": "patient.store", "action": "U"}, "patiëntgegevens bijgewerkt"),
    (
        {
            "event": "user.add",
            "action": "C",
            "object_type": "user",
            "object_id": "jansen",
            "detail": "M. Jansen (doktersassistent)",
        },
        "gebruiker toegevoegd: M. Jansen (doktersassistent)",
    ),
    (  # an entry from before names were recorded
        {"event": "user.add", "object_id": "jansen", "detail": "rol doktersassistent"},
        "gebruiker toegevoegd: M. Jansen (doktersassistent)",
    ),
    (
        {"event": "user.disable", "object_id": "jansen", "detail": "M. Jansen (doktersassistent)"},
        "account uitgeschakeld: M. Jansen (doktersassistent)",
    ),
    ({"event": "user.disable", "object_id": "jansen"}, "account uitgeschakeld: M. Jansen"),
    ({"event": "user.enable", "object_id": "jansen"}, "account weer ingeschakeld: M. Jansen"),
    (
        {"event": "user.reset", "object_id": "jansen", "detail": "M. Jansen"},
        "wachtwoord opnieuw ingesteld voor M. Jansen",
    ),
    ({"event": "user.reset", "object_id": "jansen"}, "wachtwoord opnieuw ingesteld voor M. Jansen"),
    (
        {"event": "user.recover", "username": "jansen", "object_id": "jansen"},
        "toegang hersteld met de herstelsleutel voor M. Jansen",
    ),
    ({"event": "password.change"}, "eigen wachtwoord gewijzigd"),
    (
        {"event": "permission.change", "object_id": "assistant", "detail": "kaart_edit=aan"},
        "rechten gewijzigd: doktersassistent mag nu sociale kaart bewerken",
    ),
    (
        {"event": "permission.change", "object_id": "gp", "detail": "patient_open=uit"},
        "rechten gewijzigd: huisarts mag niet meer patiënt openen",
    ),
    (
        {"event": "audit.export", "action": "E", "detail": "2026-03-01 t/m nu (csv)"},
        "logboek geëxporteerd (2026-03-01 t/m nu (csv))",
    ),
    (
        {"event": "backup.create", "action": "E", "detail": "812 regels"},
        "back-up gemaakt (812 regels)",
    ),
    (
        {"event": "backup.restore", "detail": "gemaakt op 2026-03-01T10:00:00+00:00"},
        "back-up teruggezet (gemaakt op 2026-03-01T10:00:00+00:00)",
    ),
    ({"event": "practice.init", "detail": "demo"}, "praktijk opgezet (demopraktijk)"),
    ({"event": "practice.init"}, "praktijk opgezet"),
    (
        {
            "event": "kaart.change",
            "action": "U",
            "object_type": "kaart_service",
            "object_id": "svc-1",
            "detail": "3 gewijzigde velden",
        },
        "sociale kaart: voorziening Wijkteam Nieuwland gewijzigd (3 velden)",
    ),
    (
        {
            "event": "kaart.change",
            "action": "C",
            "object_type": "kaart_organization",
            "object_id": "org-1",
            "detail": "4 gewijzigde velden",
        },
        "sociale kaart: organisatie Stichting Welzijn Schiedam toegevoegd",
    ),
    (
        {
            "event": "kaart.change",
            "action": "D",
            "object_type": "kaart_contact",
            "object_id": "c-1",
            "detail": "6 gewijzigde velden",
        },
        "sociale kaart: contactpersoon Fatma Kaya (Wijkteam Nieuwland) verwijderd",
    ),
    (
        {
            "event": "kaart.change",
            "action": "U",
            "object_type": "kaart_fixed_contact",
            "object_id": "svc-1",
            "detail": "1 gewijzigde velden",
        },
        "sociale kaart: vaste contactpersoon bij Wijkteam Nieuwland gewijzigd (1 veld)",
    ),
    (
        {
            "event": "kaart.change",
            "action": "U",
            "object_type": "kaart_feedback_agreement",
            "object_id": "svc-1",
            "detail": "2 gewijzigde velden",
        },
        "sociale kaart: terugkoppelafspraak met Wijkteam Nieuwland gewijzigd (2 velden)",
    ),
    (
        {
            "event": "kaart.change",
            "action": "U",
            "object_type": "kaart_service",
            "object_id": "gone",
        },
        "sociale kaart: voorziening gewijzigd",
    ),
    (
        {
            "event": "kaart.assured",
            "object_type": "kaart_service",
            "object_id": "svc-1",
            "detail": "met 3 contactpersonen",
        },
        "sociale kaart gecontroleerd: voorziening Wijkteam Nieuwland met 3 contactpersonen",
    ),
    (
        {
            "event": "kaart.assured",
            "object_type": "kaart_service",
            "object_id": "svc-1",
            "detail": "gecontroleerd (4 items)",
        },
        "sociale kaart gecontroleerd: voorziening Wijkteam Nieuwland (4 items)",
    ),
    (
        {
            "event": "kaart.import",
            "action": "C",
            "object_type": "kaart_batch",
            "object_id": "b-1",
            "detail": "3 nieuw, 2 gewijzigd, 0 verwijderd",
        },
        "sociale kaart geïmporteerd uit kaart.zip: 3 nieuw, 2 gewijzigd, 0 verwijderd",
    ),
    (
        {
            "event": "kaart.undo",
            "object_type": "kaart_batch",
            "object_id": "b-1",
            "detail": "import b-1 ongedaan gemaakt",
        },
        "import sociale kaart ongedaan gemaakt (kaart.zip)",
    ),
    (
        {
            "event": "consent.record",
            "action": "C",
            "object_type": "consent",
            "object_id": "4",
            "detail": "aanmelding en terugkoppeling; Stichting Wijkteams; geldig t/m 03-05-2027",
        },
        "toestemming vastgelegd (aanmelding en terugkoppeling; Stichting Wijkteams; "
        "geldig t/m 03-05-2027)",
    ),
    ({"event": "consent.read", "object_type": "patient"}, "toestemmingen ingezien"),
    (
        {"event": "consent.withdraw", "action": "U", "detail": "toestemming van 03-05-2026"},
        "toestemming ingetrokken (toestemming van 03-05-2026)",
    ),
    (
        {
            "event": "consent.none",
            "action": "C",
            "detail": "grond wettelijke plicht; met Veilig Thuis Maasmond",
        },
        "besloten te delen zonder toestemming (grond wettelijke plicht; met Veilig Thuis "
        "Maasmond); noodzaak en evenredigheid toegelicht",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), CASES, ids=[str(c[0]["event"]) for c in CASES])
def test_each_event_reads_as_one_dutch_line(fields: dict[str, Any], expected: str) -> None:
    assert line(**fields) == expected


def test_without_names_the_username_or_kind_still_reads() -> None:
    assert line(names={}, event="user.reset", object_id="jansen") == (
        "wachtwoord opnieuw ingesteld voor jansen"
    )
    assert line(names={}, event="kaart.change", action="D", object_type="kaart_contact") == (
        "sociale kaart: contactpersoon verwijderd"
    )
    assert line(names={}, event="iets.nieuws", detail="x") == "iets.nieuws: x"


def test_on_behalf_of_names_the_gp() -> None:
    text = line(event="patient.open", username="jansen", on_behalf_of="bakker")
    assert text == "patiënt geopend, namens H. Bakker"


def _recorded_events() -> set[str]:
    """Every event name the code records: ``event="…"`` literals and the kaart's constants."""
    found: set[str] = set()
    for path in (REPO / "gpdesk").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for first, second in re.findall(r'event="([a-z_.]+)"(?: if \w+ else "([a-z_.]+)")?', text):
            found.update(name for name in (first, second) if name)
        found.update(re.findall(r'_EVENT: Final = "([a-z_.]+)"', text))
    return found


def test_every_recorded_event_has_a_label() -> None:
    recorded = _recorded_events()
    assert {"login", "user.add", "user.enable", "user.disable", "kaart.change"} <= recorded
    assert recorded <= set(EVENT_LABELS), recorded - set(EVENT_LABELS)
    # Events another part of gpdesk records, with exactly these names.
    for event in ("logout", "switch_user", "lock", "unlock"):
        assert event in EVENT_LABELS
