"""The command line speaks Dutch: argparse's help, usage and errors, not only our own texts."""

from __future__ import annotations

import argparse

import pytest

from gpdesk.cli import main
from gpdesk.cli.common import DutchParser
from gpdesk.cli.practice import info_text

ENGLISH = (
    "usage:",
    "options",
    "positional arguments",
    "show this help",
    "required",
    "invalid choice",
    "unrecognized",
    "expected",
    "error:",
    "argument ",
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    out, err = capsys.readouterr()
    code = stopped.value.code
    assert isinstance(code, int)
    return code, out, err


def _assert_no_english(text: str) -> None:
    for word in ENGLISH:
        assert word not in text, f"{word!r} in {text!r}"


def test_help_is_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    assert out.startswith("gebruik: gpdesk")
    assert "\nargumenten:\n" in out
    assert "\nopties:\n" in out
    assert "deze hulp tonen en stoppen" in out
    assert "versienummer tonen en stoppen" in out
    assert "OPDRACHT" in out
    _assert_no_english(out)


def test_command_help_is_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "kaart", "search", "--help")
    assert code == 0
    assert out.startswith("gebruik: gpdesk kaart search")
    _assert_no_english(out)


@pytest.mark.parametrize(
    "command",
    [("user", "add"), ("audit", "verify"), ("kaart", "import"), ("init",), ("backup", "restore")],
)
def test_placeholders_in_help_are_dutch(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    code, out, _ = _run(capsys, *command, "--help")
    assert code == 0
    assert "--user NAAM" in out
    assert "USER" not in out and "ROLE" not in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["user", "add"], "dit ontbreekt nog: GEBRUIKERSNAAM, --role, --user"),
        (
            ["kaart", "export", "map", "--format", "xml"],
            "--format: kies uit 'json', 'csv', niet 'xml'",
        ),
        (["info", "--bla"], "niet herkend: --bla"),
        (["opruimen"], "OPDRACHT: kies uit 'init'"),
        (["kaart", "search", "--leeftijd", "oud"], "--leeftijd: 'oud' is geen geldige waarde"),
        (["info", "--home"], "--home: hier hoort een waarde bij"),
    ],
)
def test_usage_errors_are_one_dutch_line(
    capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    usage, message = err.rstrip("\n").split("\ngpdesk: ")
    assert usage.startswith("gebruik: gpdesk")
    assert message.startswith(f"ongeldige invoer: {expected}")
    _assert_no_english(err)


def test_other_argparse_users_keep_their_language(capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "user", "add")
    plain = argparse.ArgumentParser(prog="ander")
    assert plain.format_usage().startswith("usage: ander")
    assert "show this help message and exit" in plain.format_help()
    assert DutchParser(prog="x").format_usage().startswith("gebruik: x")


def test_info_labels_are_dutch() -> None:
    facts: dict[str, str | None] = {
        "version": "1.2.3",
        "home": "/data/gpdesk",
        "database": "postgresql+psycopg://gpdesk:***@server/gpdesk",
        "schema": "0002",
        "schema_head": "0003",
        "practice": None,
    }
    assert info_text(facts).splitlines() == [
        "Versie:         gpdesk 1.2.3",
        "Gegevensmap:    /data/gpdesk",
        "Database:       postgresql+psycopg://gpdesk:***@server/gpdesk",
        "Databaseschema: 0002 (nieuwste: 0003)",
        "Praktijk:       nog geen (maak er een met gpdesk init of gpdesk demo)",
    ]
