"""``gpdesk kaart route`` as a user runs it: a real process, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from gpdesk.db import Database
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.practice.setup import init_practice
from tests.cli_support import gpdesk
from tests.conftest import FAST_KDF
from tests.integration.test_cli import assert_clean_failure


@pytest.fixture
def kaart_url(db: Database, database_url: str) -> str:
    """A practice (SQLite and PostgreSQL) with the demo kaart; ``route`` needs no sign-in."""
    init_practice(db, practice_name="De Linde", username="smit", display_name="R. Smit",
                  password="een-lang-wachtwoord", kdf=FAST_KDF)  # fmt: skip
    with db.session() as session:
        load_demo_kaart(session)
    return database_url


def _route(home: Path, url: str, *args: str) -> dict[str, object]:
    result = gpdesk("kaart", "route", *args, "--json", "--home", str(home), "--database-url", url)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_route_prints_the_team_as_json(tmp_path: Path, kaart_url: str) -> None:
    data = _route(tmp_path / "h", kaart_url, "3118 ab")
    assert data["postcode"] == "3118AB"
    assert data["fallback"] is False
    teams = data["teams"]
    assert isinstance(teams, list) and len(teams) == 1
    team = teams[0]
    assert team["name"] == "Wijkteam Nieuwland"
    assert team["id"]
    assert team["contact"]["name"] == "Fatma Kaya"
    assert team["contact"]["deputy"]["name"] == "Jeroen Visser"
    walk_in = datetime.fromisoformat(team["next_walk_in"])
    assert walk_in.astimezone(AMSTERDAM).strftime("%a %H:%M") == "Thu 09:00"


def test_route_outside_every_team_goes_to_the_desk(tmp_path: Path, kaart_url: str) -> None:
    data = _route(tmp_path / "h", kaart_url, "3120AA")
    assert data["fallback"] is True
    assert [t["name"] for t in data["teams"]] == ["Sociale Plein (Wmo-loket)"]  # type: ignore[attr-defined]


def test_route_as_dutch_text(tmp_path: Path, kaart_url: str) -> None:
    result = gpdesk(
        "kaart", "route", "3120AA", "--home", str(tmp_path / "h"), "--database-url", kaart_url
    )
    assert result.returncode == 0, result.stderr
    assert "Postcode 3120 AA valt buiten de wijkteams" in result.stdout
    assert "Sociale Plein (Wmo-loket)" in result.stdout
    assert "Vervanger: Hamza Ouali" in result.stdout


def test_route_outside_the_kaart_names_the_patients_municipality(
    tmp_path: Path, kaart_url: str
) -> None:
    data = _route(tmp_path / "h", kaart_url, "1012AB")
    assert data["outside"] is True
    assert data["fallback"] is False
    assert data["teams"] == []
    assert data["postcode"] == "1012AB"
    inside = _route(tmp_path / "h", kaart_url, "3120")
    assert inside["outside"] is False and inside["fallback"] is True
    result = gpdesk(
        "kaart", "route", "1012 ab", "--home", str(tmp_path / "h"), "--database-url", kaart_url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Postcode 1012 AB: Deze postcode valt buiten het werkgebied van deze sociale kaart: de "
        "gemeente waar de patiënt woont is verantwoordelijk (Wmo-loket of wijkteam van die "
        "gemeente)."
    )
    assert "Sociale Plein" not in result.stdout


def test_route_as_text_names_the_team_and_the_fixed_contact(tmp_path: Path, kaart_url: str) -> None:
    result = gpdesk(
        "kaart", "route", "3118ab", "--home", str(tmp_path / "h"), "--database-url", kaart_url
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Postcode 3118 AB valt onder:"
    assert lines[1] == "Wijkteam Nieuwland (Stichting Wijkteams Schiedam)"
    assert lines[2].startswith("  Vaste contactpersoon: Fatma Kaya")


@pytest.mark.parametrize("bad", ["31188AB", "ABCD12", "3118SS"])
def test_invalid_postcode_is_one_dutch_line_and_exit_2(tmp_path: Path, bad: str) -> None:
    result = gpdesk("kaart", "route", bad, "--home", str(tmp_path / "h"))
    assert_clean_failure(result, 2)
    assert result.stderr.count("\n") == 1
    assert "ongeldige invoer" in result.stderr
    assert "postcode" in result.stderr.lower()
    assert bad not in result.stderr
    assert result.stdout == ""


def test_kaart_without_a_command(tmp_path: Path) -> None:
    result = gpdesk("kaart", "--home", str(tmp_path / "h"))
    assert_clean_failure(result, 2)
    assert "kaart route" in result.stderr


def test_route_on_the_demo_practice_needs_no_sign_in(tmp_path: Path) -> None:
    home = str(tmp_path / "demo")
    made = gpdesk("demo", "--home", home)
    assert made.returncode == 0, made.stderr
    result = gpdesk("kaart", "route", "3118AB", "--json", "--home", home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"postcode", "teams", "fallback"}
    assert data["postcode"] == "3118AB"
    assert data["teams"][0]["name"] == "Wijkteam Nieuwland"
    assert data["teams"][0]["contact"]["email"].endswith("@voorbeeld-schiedam.nl")
    assert data["fallback"] is False


def test_search_lists_a_closed_service_last_and_alleen_open_leaves_it_out(
    tmp_path: Path, kaart_url: str
) -> None:
    home = str(tmp_path / "h")
    base = ("kaart", "search", "buurthuis", "--home", home, "--database-url", kaart_url)
    result = gpdesk(*base)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1. Buurthuis Oost — Stichting Welzijn Waterweg"
    assert lines[2] == "2. Buurthuis De Poort — Stichting Welzijn Waterweg"
    assert lines[3].startswith("   ⚠ tijdelijk gesloten: Dicht wegens verbouwing")
    assert "Inloop:" not in lines[3]  # its hours do not count while it is closed
    data = json.loads(gpdesk(*base, "--json").stdout)
    assert [(d["name"], d["status"]) for d in data] == [
        ("Buurthuis Oost", "active"),
        ("Buurthuis De Poort", "temporarily closed"),
    ]
    only_open = gpdesk(*base, "--alleen-open")
    assert only_open.returncode == 0, only_open.stderr
    assert "De Poort" not in only_open.stdout
    assert "1 verborgen door filters (Alleen open)." in only_open.stdout
    # An earlier name finds the team.
    wot = gpdesk("kaart", "search", "wot", "--home", home, "--database-url", kaart_url)
    assert wot.stdout.startswith("1. Wijkteam Nieuwland")
