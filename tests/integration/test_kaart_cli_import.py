"""``gpdesk kaart search|import|undo|imports|export`` as a user runs them, on the demo practice."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gpdesk.practice.demo import DEMO_PASSWORD
from tests.cli_support import gpdesk
from tests.integration.test_cli import assert_clean_failure

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "resources" / "kaart" / "voorbeeld-sociale-kaart.csv"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo practice per module (``gpdesk demo`` uses the real, slow key derivation)."""
    home = tmp_path_factory.mktemp("demo") / "home"
    made = gpdesk("demo", "--home", str(home))
    assert made.returncode == 0, made.stderr
    return home


@pytest.fixture
def home(demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """A private copy of the demo home, so a test may change its kaart."""
    copy = tmp_path / "home"
    shutil.copytree(demo_template, copy)
    yield str(copy)


def search(home: str, *args: str) -> list[dict[str, Any]]:
    result = gpdesk("kaart", "search", *args, "--json", "--home", home)
    assert result.returncode == 0, result.stderr
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def names(results: list[dict[str, Any]]) -> list[str]:
    return [r["name"] for r in results]


# --- search ------------------------------------------------------------------------------------


def test_search_ranks_the_right_service_first_with_who_to_call(demo_template: Path) -> None:
    results = search(str(demo_template), "schuldhulp")
    first = results[0]
    assert first["name"] == "Schuldhulpverlening Schiedam"
    assert set(first) >= {
        "id",
        "name",
        "organization",
        "contact",
        "assured_date",
        "stale",
        "score",
        "next_walk_in",
    }
    assert first["contact"]["name"] and first["contact"]["phone"]
    assert isinstance(first["stale"], bool) and first["score"] > 0
    assert first["next_walk_in"] is None or "T" in first["next_walk_in"]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("mantlzorg", "Mantelzorgsteunpunt Schiedam"), ("geldzorgen", "Schuldhulpverlening Schiedam")],
)
def test_search_forgives_typos_and_knows_synonyms(
    demo_template: Path, query: str, expected: str
) -> None:
    assert expected in names(search(str(demo_template), query))


def test_search_with_the_patients_postcode_puts_that_area_first(demo_template: Path) -> None:
    home = str(demo_template)
    assert names(search(home, "wijkteam", "--postcode", "3118AB"))[0] == "Wijkteam Nieuwland"
    browse = search(home, "", "--postcode", "3118 AB", "--max", "50")
    areas = [r["area"] for r in browse]
    assert areas == sorted(areas, key=lambda a: a != "covers") and areas[0] == "covers"
    assert "Wijkteam Oost" not in names(browse)


def test_search_filters_and_text_output(demo_template: Path) -> None:
    home = str(demo_template)
    youth = search(home, "", "--leeftijd", "8", "--thema", "jeugd en opvoeding")
    assert youth and all("jeugd en opvoeding" in r["themes"] for r in youth)
    result = gpdesk("kaart", "search", "schuldhulp", "--max", "2", "--home", home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1. Schuldhulpverlening Schiedam — ")
    assert "Contact: " in result.stdout
    nothing = gpdesk("kaart", "search", "xqzwv", "--home", home)
    assert "Niets gevonden" in nothing.stdout


def test_search_text_says_what_the_cap_and_the_filters_leave_out(demo_template: Path) -> None:
    home = str(demo_template)
    everything = search(home, "schiedam", "--max", "200")
    capped = gpdesk("kaart", "search", "schiedam", "--max", "3", "--home", home)
    assert capped.returncode == 0, capped.stderr
    assert f"… en nog {len(everything) - 3} (gebruik --max" in capped.stdout
    # No capacity for the Alzheimer Café: the filter, not the words, empties the list.
    filtered = gpdesk("kaart", "search", "alzheimer", "--plek-vrij", "--home", home)
    assert filtered.stdout.strip() == (
        "Niets gevonden met deze filters (Plek vrij). Zonder filters: 1. Laat een filter weg."
    )
    only = gpdesk("kaart", "search", "", "--thema", "geen-thema", "--nu-open", "--home", home)
    assert only.stdout.strip() == (
        "Niets gevonden met deze filters (Thema: geen-thema, Nu open). Laat een filter weg."
    )
    assert "andere woorden" not in filtered.stdout + only.stdout
    some = gpdesk("kaart", "search", "wijkteam", "--postcode", "3118", "--home", home)
    assert "5 verborgen door filters (Postcode 3118)." in some.stdout


def test_search_with_a_bad_postcode_is_a_usage_error(demo_template: Path) -> None:
    result = gpdesk("kaart", "search", "x", "--postcode", "31188AB", "--home", str(demo_template))
    assert_clean_failure(result, 2)
    assert "Postcode" in result.stderr


# --- import ------------------------------------------------------------------------------------


def test_the_preview_changes_nothing(home: str) -> None:
    result = gpdesk("kaart", "import", str(EXAMPLE), "--home", home)
    assert result.returncode == 0, result.stderr
    assert "Voorvertoning van voorbeeld-sociale-kaart.csv" in result.stdout
    assert "Nieuw (" in result.stdout and "Gewijzigd (" in result.stdout
    assert "Er is nog niets gewijzigd" in result.stdout
    listed = gpdesk("kaart", "imports", "--home", home)
    assert "nog niets geïmporteerd" in listed.stdout
    again = gpdesk("kaart", "import", str(EXAMPLE), "--json", "--home", home)
    data = json.loads(again.stdout)
    assert data["batch_id"] is None
    assert data["plan"]["counts"]["added"] > 0 and data["plan"]["kind"] == "sjabloon"
    assert {"type", "type_label", "id", "name", "context"} <= set(data["plan"]["added"][0])


def test_apply_needs_a_user(home: str) -> None:
    result = gpdesk("kaart", "import", str(EXAMPLE), "--apply", "--home", home)
    assert_clean_failure(result, 2)
    assert "--user" in result.stderr


def test_apply_keeps_valid_rows_reports_skipped_ones_and_can_be_undone(
    home: str, tmp_path: Path
) -> None:
    sheet = tmp_path / "kaart.csv"
    sheet.write_text(
        "organisatie;naam;telefoon;inloop\n"
        "Stichting Buurtwerk;Buurtkamer De Vaart;010-003 10 00;di 10:00-12:00\n"
        "Stichting Buurtwerk;;010-003 10 01;\n"
        "Stichting Buurtwerk;Koffieochtend;010-003 10 02;donderdag ochtend\n",
        encoding="utf-8",
    )
    result = gpdesk(
        "kaart",
        "import",
        str(sheet),
        "--apply",
        "--user",
        "jansen",
        "--home",
        home,
        password=DEMO_PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert "kaart.csv, rij 3, veld naam" in result.stdout
    assert "kaart.csv, rij 4, veld inloop" in result.stdout
    assert "1 rij is overgeslagen" in result.stdout
    assert "Toegepast: " in result.stdout
    found = names(search(home, "buurtkamer"))
    assert "Buurtkamer De Vaart" in found
    assert "Koffieochtend" in names(search(home, "koffieochtend"))
    [batch] = json.loads(gpdesk("kaart", "imports", "--json", "--home", home).stdout)
    assert batch["file"] == "kaart.csv" and batch["skipped_rows"] == 1
    assert f"gpdesk kaart undo {batch['batch_id']}" in result.stdout

    undone = gpdesk(
        "kaart",
        "undo",
        batch["batch_id"],
        "--user",
        "jansen",
        "--home",
        home,
        password=DEMO_PASSWORD,
    )
    assert undone.returncode == 0, undone.stderr
    assert "ongedaan gemaakt" in undone.stdout
    assert "Buurtkamer De Vaart" not in names(search(home, "buurtkamer"))
    listed = gpdesk("kaart", "imports", "--home", home).stdout
    assert "(ongedaan gemaakt)" in listed


def test_a_user_without_the_permission_is_refused(home: str) -> None:
    result = gpdesk(
        "kaart",
        "import",
        str(EXAMPLE),
        "--apply",
        "--user",
        "bakker",
        "--home",
        home,
        password=DEMO_PASSWORD,
    )
    assert_clean_failure(result, 1)
    assert "sociale kaart bewerken" in result.stderr


def test_unreadable_input_exits_2_and_changes_nothing(home: str, tmp_path: Path) -> None:
    junk = tmp_path / "services.json"
    junk.write_text("<html>geen json</html>")
    result = gpdesk("kaart", "import", str(junk), "--home", home)
    assert result.returncode == 2
    assert "Geen geldige JSON" in result.stdout
    assert "er kon niets worden ingelezen" in result.stderr
    big = tmp_path / "groot.csv"
    with big.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)
    result = gpdesk("kaart", "import", str(big), "--json", "--home", home)
    assert result.returncode == 2
    assert "200 MB" in json.loads(result.stdout)["plan"]["problems"][0]["message_nl"]
    missing = gpdesk("kaart", "import", str(tmp_path / "weg.zip"), "--home", home)
    assert_clean_failure(missing, 2)


def test_export_then_import_on_the_same_practice_changes_nothing(home: str, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    result = gpdesk("kaart", "export", str(folder), "--format", "csv", "--home", home)
    assert result.returncode == 0, result.stderr
    assert "72 voorzieningen opgeslagen" in result.stdout
    assert "zonder de eigen laag" in result.stdout
    assert (folder / "services.csv").exists()
    # gpdesk's own fields travel in the extension; the practice's own layer does not
    assert [p.name for p in folder.glob("gpdesk_*")] == ["gpdesk_extension.csv"]
    extension = (folder / "gpdesk_extension.csv").read_text("utf-8")
    assert ",kind,wijkteam" in extension and "fixed_contact" not in extension
    preview = gpdesk("kaart", "import", str(folder), "--json", "--home", home)
    counts = json.loads(preview.stdout)["plan"]["counts"]
    assert counts["added"] == counts["changed"] == counts["removed"] == 0
    private = gpdesk(
        "kaart", "export", str(tmp_path / "alles"), "--include-private", "--json", "--home", home
    )
    assert "gpdesk_extension.json" in json.loads(private.stdout)["files"]
    rows = json.loads((tmp_path / "alles" / "gpdesk_extension.json").read_text("utf-8"))
    assert any(row["entity"] == "fixed_contact" for row in rows)
