"""The manual (docs/handleiding.md) cannot drift from the program.

Every message its chapter "Als er iets misgaat" quotes must still be a string in gpdesk/ (an
f-string's values stand as "…", as the manual writes them); every picture it shows must be one
that ``make screenshots`` writes; every key its tables name must still be in the code.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from gpdesk.tools.screenshots import SHOTS

ROOT = Path(__file__).resolve().parents[2]
MANUAL = ROOT / "docs" / "handleiding.md"
ERRORS_HEADING = "## Als er iets misgaat"
ROLE_HEADINGS = ("## Huisarts", "## Doktersassistent", "## POH-GGZ", "## Praktijkmanager")
QUOTED_CELL = re.compile(r'^\| "(?P<message>[^"]+)" \|', re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\]\((?P<path>[^)]+)\)")
KEY = re.compile(r"\b(?:(?:Ctrl|Alt|Shift)\+)+(?:[A-Z0-9]\b|Enter\b|F\d+\b)|\bF\d+\b")


def _manual() -> str:
    return MANUAL.read_text(encoding="utf-8")


def _chapter(text: str, heading: str) -> str:
    """From ``heading`` to the next chapter (a ``## `` heading)."""
    start = text.index(heading + "\n")
    following = text.find("\n## ", start + len(heading))
    return text[start:] if following < 0 else text[start:following]


def _plain(text: str) -> str:
    return " ".join(text.split())


@cache
def _code_strings() -> tuple[str, ...]:
    """Every string in gpdesk/ as the program shows it: an f-string's values become "…"."""
    found: list[str] = []
    for path in sorted((ROOT / "gpdesk").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found.append(
                    "".join(
                        str(part.value) if isinstance(part, ast.Constant) else "…"
                        for part in node.values
                    )
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return tuple(_plain(text) for text in found)


def in_code(message: str, *, whole: bool = False) -> bool:
    """Whether ``message`` is (part of) one string in gpdesk/; "…" in it stands for any value.

    ``whole``: not glued to more letters ("Ctrl+K" is not found in "Ctrl+Kopieer").
    """
    body = ".*?".join(re.escape(piece) for piece in _plain(message).split("…"))
    pattern = re.compile(rf"(?<![\w+]){body}(?![\w+])" if whole else body)
    return any(pattern.search(text) for text in _code_strings())


def test_a_chapter_per_role_and_one_for_when_something_goes_wrong() -> None:
    text = _manual()
    for heading in (*ROLE_HEADINGS, ERRORS_HEADING):
        assert heading + "\n" in text, heading


def test_every_quoted_message_is_still_in_the_program() -> None:
    chapter = _chapter(_manual(), ERRORS_HEADING)
    rows = [line for line in chapter.splitlines() if line.startswith("| ")]
    unquoted = [row for row in rows if not row.startswith(("| Melding |", '| "'))]
    assert not unquoted, f"rows without a quoted message: {unquoted}"
    messages = QUOTED_CELL.findall(chapter)
    assert len(messages) == len(rows) - chapter.count("| Melding |") > 80
    missing = [message for message in messages if not in_code(message)]
    assert not missing, "the manual quotes messages the program no longer has:\n" + "\n".join(
        missing
    )


def test_the_check_tells_a_changed_message_apart() -> None:
    """A word changed in a real message is not found: the check above is not vacuous."""
    assert in_code("Het bestand is leeg.")
    assert in_code("De mailserver (…) neemt niet op. Er is niets verzonden.")
    assert not in_code("Het bestand is helemaal leeg.")
    assert not in_code("De mailserver (…) neemt nooit op. Er is niets verzonden.")
    assert in_code("Ctrl+Shift+K", whole=True)
    assert not in_code("Ctrl+Shift+Q", whole=True)


def test_every_picture_is_made_by_the_screenshot_tool() -> None:
    paths = IMAGE.findall(_manual())
    assert paths
    for link in paths:
        image = (MANUAL.parent / link).resolve()
        assert image.parent == ROOT / "docs" / "screenshots", link
        assert image.suffix == ".png", link
        assert image.stem in SHOTS, f"{link}: not made by gpdesk/tools/screenshots.py"
        assert image.is_file(), f"{link}: run make screenshots"


def key_in_code(key: str) -> bool:
    """A key the code names, or an Alt+letter that a text's "&" underlines."""
    if in_code(key, whole=True):
        return True
    letter = key.removeprefix("Alt+")
    return len(letter) == 1 and any(
        f"&{letter.lower()}" in text.lower() for text in _code_strings()
    )


def test_every_key_in_the_manual_is_in_the_program() -> None:
    keys = set(KEY.findall(_manual()))
    assert {"Ctrl+Shift+S", "Ctrl+H", "F9", "Alt+O"} <= keys
    assert not key_in_code("Ctrl+Shift+Q")
    missing = sorted(key for key in keys if not key_in_code(key))
    assert not missing, f"keys the program does not have: {missing}"


def test_the_readme_links_the_manual() -> None:
    assert "(docs/handleiding.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_listed_picture_is_one_the_tool_takes() -> None:
    """SHOTS names no picture the tool does not make (``shot`` refuses names not in SHOTS)."""
    tree = ast.parse((ROOT / "gpdesk" / "tools" / "screenshots.py").read_text(encoding="utf-8"))
    listed = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "SHOTS"
    )
    assert listed is not None
    inside = {id(node) for node in ast.walk(listed)}
    used = {
        node.value.removesuffix(".png")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside
    }
    assert len(set(SHOTS)) == len(SHOTS)
    assert not set(SHOTS) - used, f"listed but never taken: {sorted(set(SHOTS) - used)}"
